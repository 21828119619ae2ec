/**
 * Shared plumbing for the storage 1.5 / 1.1 and record-crypto conformance tests: a sandbox per
 * test file, its control API, signed-in daemon clients, and a transport that records what the
 * clients actually sent over the wire.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rootBundleFromKb } from '@syncvault/sync-crypto';
import { startSandbox, type RunningSandbox, type SandboxUrls, type SeedSize, type StorageLimits } from '@syncvault/sandbox';
import {
  connectFxaAccount,
  connectLegacyAccount,
  fetchCollectionKeys,
  FxaClient,
  FxaTokenSource,
  HttpTransport,
  RefreshingAccessToken,
  resolveTarget,
  Storage15Client,
  targetHref,
  TokenserverClient,
  type CollectionKeys,
  type FxaCredentials,
  type HttpRequest,
  type HttpResponse,
  type RemoteBso,
  type ServerNotice,
  type StorageClientOptions,
  type SyncConnection,
  type SyncNodeToken,
  type TokenSource,
} from '@syncvault/daemon/sync';
import { sandboxControl } from '../../support/sandbox-control.js';

/** Makes every Retry-After / X-Weave-Backoff wait a thousandth of what the server asked. */
export const FAST_RETRY = { timeScale: 0.001 } as const;

// ---------------------------------------------------------------------------------------------
// The sandbox and its control API
// ---------------------------------------------------------------------------------------------

export type SeedChoice = 'demo' | 'none' | Partial<SeedSize>;

/** What `POST /__sandbox__/accounts` answers. */
export interface AccountSummary {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  uid: string;
  kB?: string;
  syncKey?: string;
  username?: string;
  storageUid?: number;
  keysChangedAt?: number;
  generation?: number;
}

/** One record as `GET /__sandbox__/accounts/:email/records/:collection` answers it. */
export interface ReadBack {
  id: string;
  modified: number;
  sortindex?: number;
  cleartext: Record<string, unknown> | null;
}

export interface FaultRuleInput {
  path: string;
  method?: string;
  count: number;
  kind: '503' | 'backoff' | 'alert' | '401' | 'reset' | 'delay' | '412' | '409' | '429';
  retryAfter?: number;
  backoff?: number;
  delayMs?: number;
  alert?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  remaining: number;
  fired: number;
}

let emailCounter = 0;

/** An email no other test (in any file or run) uses. */
export function uniqueEmail(label: string): string {
  emailCounter += 1;
  return `${label}-${emailCounter}-${randomBytes(4).toString('hex')}@conformance.test`;
}

/** A sandbox for one test file, with its control API and a way back to its default settings. */
export class ConformanceSandbox {
  private constructor(
    readonly running: RunningSandbox,
    private readonly defaultLimits: StorageLimits,
    private readonly defaultQuirks: Record<string, unknown>,
  ) {}

  static async start(): Promise<ConformanceSandbox> {
    const running = await startSandbox({ port: 0 });
    const controlUrl = running.urls.control;
    const limits = (await sandboxControl(controlUrl, 'GET', '/configuration')) as StorageLimits;
    const quirks = (await sandboxControl(controlUrl, 'GET', '/quirks')) as Record<string, unknown>;
    return new ConformanceSandbox(running, limits, quirks);
  }

  get urls(): SandboxUrls {
    return this.running.urls;
  }

  close(): Promise<void> {
    return this.running.close();
  }

  /** Calls the control API; any non-2xx answer fails the test with the sandbox's error text. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return sandboxControl(this.urls.control, method, path, body) as Promise<T>;
  }

  /** A new account (unique email unless given); `seed` as the control API takes it. */
  async createAccount(
    kind: 'fxa' | 'legacy11',
    options: { label?: string; email?: string; password?: string; seed?: SeedChoice; syncKey?: string; kB?: string } = {},
  ): Promise<AccountSummary> {
    const email = options.email ?? uniqueEmail(options.label ?? kind);
    const body: Record<string, unknown> = {
      kind,
      email,
      password: options.password ?? `pw-${randomBytes(6).toString('hex')}`,
      seed: options.seed ?? 'none',
    };
    if (options.syncKey !== undefined) body['syncKey'] = options.syncKey;
    if (options.kB !== undefined) body['kB'] = options.kB;
    return this.control<AccountSummary>('POST', '/accounts', body);
  }

  /** Writes as another Firefox client would (encrypted with the account's current keys); returns the write's timestamp. */
  async writeRecords(
    email: string,
    changes: { collection: string; upsert?: Array<Record<string, unknown>>; tombstone?: string[]; delete?: string[]; ttl?: number },
  ): Promise<number> {
    const answer = await this.control<{ modified: number }>('POST', `/accounts/${encodeURIComponent(email)}/records`, changes);
    return answer.modified;
  }

  /** The sandbox's own decryption of a collection, independent of the daemon's crypto. */
  readBack(email: string, collection: string): Promise<ReadBack[]> {
    return this.control<ReadBack[]>('GET', `/accounts/${encodeURIComponent(email)}/records/${encodeURIComponent(collection)}`);
  }

  setLimits(patch: Partial<StorageLimits>): Promise<StorageLimits> {
    return this.control<StorageLimits>('PUT', '/configuration', patch);
  }

  setQuirks(patch: { storage15?: Record<string, unknown>; storage11?: Record<string, unknown> }): Promise<unknown> {
    return this.control('PUT', '/quirks', patch);
  }

  async addFault(rule: FaultRuleInput): Promise<FaultRule> {
    const answer = await this.control<{ rule: FaultRule }>('POST', '/faults', rule);
    return answer.rule;
  }

  async fault(id: number): Promise<FaultRule> {
    const { rules } = await this.control<{ rules: FaultRule[] }>('GET', '/faults');
    const rule = rules.find((candidate) => candidate.id === id);
    assert.ok(rule, `fault rule ${id} exists`);
    return rule;
  }

  /** Back to the limits, quirks and (no) faults the sandbox started with. */
  async reset(): Promise<void> {
    await this.control('DELETE', '/faults');
    await this.control('PUT', '/configuration', this.defaultLimits);
    await this.control('PUT', '/quirks', this.defaultQuirks);
  }
}


// ---------------------------------------------------------------------------------------------
// Wire observation
// ---------------------------------------------------------------------------------------------

export interface RecordedExchange {
  method: string;
  /** Full URL exactly as sent. */
  url: string;
  /** Path and query exactly as sent. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body: string | undefined;
  status: number | undefined;
  responseHeaders: Readonly<Record<string, string>> | undefined;
  responseBody: string | undefined;
}

/**
 * The daemon's real transport, remembering every exchange. `rewriteResponse` may change what the
 * client gets to see (e.g. a proxy reporting a different server time); the recording keeps what
 * the server really answered.
 */
export class RecordingTransport extends HttpTransport {
  readonly exchanges: RecordedExchange[] = [];
  rewriteResponse: ((exchange: RecordedExchange, response: HttpResponse) => HttpResponse) | undefined;

  override async send(request: HttpRequest): Promise<HttpResponse> {
    const target = resolveTarget(request.url, request.rawPath);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    const exchange: RecordedExchange = {
      method: request.method,
      url: targetHref(target),
      path: target.path,
      headers,
      body: request.body,
      status: undefined,
      responseHeaders: undefined,
      responseBody: undefined,
    };
    this.exchanges.push(exchange);
    const response = await super.send(request);
    exchange.status = response.status;
    exchange.responseHeaders = response.headers;
    exchange.responseBody = response.body;
    return this.rewriteResponse ? this.rewriteResponse(exchange, response) : response;
  }

  /** Requests whose method matches and whose path (query included) matches `pattern`. */
  matching(method: string, pattern: RegExp): RecordedExchange[] {
    return this.exchanges.filter((exchange) => exchange.method === method && pattern.test(exchange.path));
  }

  clear(): void {
    this.exchanges.length = 0;
  }
}

/** A query parameter of a recorded path, decoded; undefined when absent. */
export function queryParameter(path: string, name: string): string | undefined {
  const query = path.split('?')[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get(name) ?? undefined);
}

// ---------------------------------------------------------------------------------------------
// Signed-in clients
// ---------------------------------------------------------------------------------------------

export interface ClientOptions extends StorageClientOptions {
  /** Collects every notice the storage client reports. */
  notices?: ServerNotice[];
  /** The origin the storage node sees behind a proxy (Storage15ClientOptions.signAsOrigin). */
  signAsOrigin?: string;
}

function storageOptions(options: ClientOptions): StorageClientOptions & { signAsOrigin?: string } {
  const { notices, ...rest } = options;
  return {
    retry: FAST_RETRY,
    ...rest,
    ...(notices !== undefined && { onServerNotice: (notice: ServerNotice) => notices.push(notice) }),
  };
}

/** Signs in through the sandbox's auth server, the way the daemon does (ungated accounts only). */
export async function fxaLogin(sandbox: ConformanceSandbox, account: AccountSummary): Promise<FxaCredentials> {
  const step = await new FxaClient({ authServerUrl: sandbox.urls.fxa }).beginLogin(account.email, account.password);
  assert.equal(step.kind, 'done', `login of ${account.email} finishes without a gate`);
  if (step.kind !== 'done') throw new Error('unreachable');
  return step.session;
}

export interface FxaSession {
  account: AccountSummary;
  credentials: FxaCredentials;
  connection: SyncConnection;
  storage: SyncConnection['storage'];
}

/** A storage 1.5 connection exactly as the daemon builds it: `connectFxaAccount`. */
export async function connectFxa(sandbox: ConformanceSandbox, account: AccountSummary, options: ClientOptions = {}): Promise<FxaSession> {
  const credentials = await fxaLogin(sandbox, account);
  const connection = connectFxaAccount({
    authServerUrl: sandbox.urls.fxa,
    tokenServerUrl: sandbox.urls.tokenServer,
    credentials,
    ...storageOptions(options),
  });
  return { account, credentials, connection, storage: connection.storage };
}

/** Another storage 1.5 client for an already signed-in session (say, after the limits changed). */
export function reconnectFxa(sandbox: ConformanceSandbox, session: FxaSession, options: ClientOptions = {}): FxaSession {
  const connection = connectFxaAccount({
    authServerUrl: sandbox.urls.fxa,
    tokenServerUrl: sandbox.urls.tokenServer,
    credentials: session.credentials,
    ...storageOptions(options),
  });
  return { ...session, connection, storage: connection.storage };
}

/** Observes a TokenSource without changing it. */
export class ObservedTokenSource implements TokenSource {
  getTokenCalls = 0;
  invalidations = 0;
  readonly issued: SyncNodeToken[] = [];
  constructor(private readonly inner: TokenSource) {}
  async getToken(): Promise<SyncNodeToken> {
    this.getTokenCalls += 1;
    const token = await this.inner.getToken();
    if (!this.issued.includes(token)) this.issued.push(token);
    return token;
  }
  invalidate(): void {
    this.invalidations += 1;
    this.inner.invalidate();
  }
}

export interface ObservedFxaSession extends FxaSession {
  /** Every request the tokenserver client sent (one per token exchange). */
  tokenserverTraffic: RecordingTransport;
  tokens: ObservedTokenSource;
}

/**
 * The same pieces `connectFxaAccount` assembles (RefreshingAccessToken -> FxaTokenSource ->
 * Storage15Client), with the tokenserver's transport recorded and the token source observed, so
 * a test can count real token exchanges.
 */
export async function connectFxaObserved(sandbox: ConformanceSandbox, account: AccountSummary, options: ClientOptions = {}): Promise<ObservedFxaSession> {
  const credentials = await fxaLogin(sandbox, account);
  const fxa = new FxaClient({ authServerUrl: sandbox.urls.fxa });
  const accessToken = new RefreshingAccessToken(fxa, credentials.refreshToken, {
    accessToken: credentials.accessToken,
    expiresAt: credentials.expiresAt,
  });
  const tokenserverTraffic = new RecordingTransport();
  const tokens = new ObservedTokenSource(
    new FxaTokenSource({
      tokenserver: new TokenserverClient({ url: sandbox.urls.tokenServer, transport: tokenserverTraffic }),
      accessToken: ({ forceRefresh }) => accessToken.get({ forceRefresh }),
      kB: credentials.kB,
      keysChangedAt: credentials.keysChangedAt,
    }),
  );
  const storage = new Storage15Client({ ...storageOptions(options), tokenSource: tokens });
  const connection: SyncConnection = { kind: 'fxa', storage, rootBundle: rootBundleFromKb(credentials.kB) };
  return { account, credentials, connection, storage, tokenserverTraffic, tokens };
}

export interface LegacySession {
  account: AccountSummary;
  connection: SyncConnection;
  storage: SyncConnection['storage'];
}

/** A storage 1.1 connection exactly as the daemon builds it: `connectLegacyAccount`. */
export function connectLegacy(
  sandbox: ConformanceSandbox,
  account: AccountSummary,
  options: ClientOptions & { password?: string; syncKey?: string; storageUrl?: string } = {},
): LegacySession {
  const { password, syncKey, storageUrl, ...clientOptions } = options;
  const accountSyncKey = syncKey ?? account.syncKey;
  assert.ok(accountSyncKey, 'legacy accounts come with a Sync Key');
  const connection = connectLegacyAccount({
    serverUrl: sandbox.urls.storage11,
    account: account.email,
    password: password ?? account.password,
    syncKey: accountSyncKey,
    ...(storageUrl !== undefined && { storageUrl }),
    ...storageOptions(clientOptions),
  });
  return { account, connection, storage: connection.storage };
}

/** The account's bulk keys, which must exist. */
export async function collectionKeys(connection: SyncConnection): Promise<CollectionKeys> {
  const keys = await fetchCollectionKeys(connection);
  assert.ok(keys, 'crypto/keys exists');
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

export async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const result: T[][] = [];
  for await (const page of pages) result.push(page);
  return result;
}

export async function readAll(storage: SyncConnection['storage'], collection: string, options: Parameters<SyncConnection['storage']['readRecords']>[1] = {}): Promise<RemoteBso[]> {
  return (await collectPages(storage.readRecords(collection, options))).flat();
}

/** Asserts that `ids` holds no id twice and returns it as a set. */
export function distinct(ids: readonly string[]): Set<string> {
  const set = new Set(ids);
  assert.equal(set.size, ids.length, `${ids.length - set.size} id(s) appear more than once`);
  return set;
}

export function sortedIds(records: ReadonlyArray<{ id: string }>): string[] {
  return records.map((record) => record.id).sort();
}

/** A fresh 12-character base64url id, as Firefox makes them. */
export function newGuid(): string {
  return randomBytes(9).toString('base64url');
}

/** Cleartext history records, unique ids. */
export function historyCleartexts(count: number, label = 'page'): Array<{ id: string; histUri: string; title: string; visits: Array<{ date: number; type: number }> }> {
  return Array.from({ length: count }, (_, index) => ({
    id: newGuid(),
    histUri: `https://example.com/${label}/${index}`,
    title: `${label} ${index}`,
    visits: [{ date: 1_700_000_000_000_000 + index, type: 1 }],
  }));
}

/** Regex source for a storage 1.5 path of this account (faults match the path without its query). */
export function storage15Path(account: AccountSummary, rest: string): string {
  assert.ok(account.storageUid !== undefined, 'the account has a storage uid');
  return `^/storage/1\\.5/${account.storageUid}${rest}$`;
}
