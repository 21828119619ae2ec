/**
 * Shared plumbing for the identity conformance tests (FxA auth server + tokenserver, daemon
 * clients against the sandbox over real HTTP): a sandbox per test file with a known tokenlib
 * secret, its control API, a transport that records the wire, and protocol derivations written
 * again here with node:crypto only (sync-protocols.md §2.2, §2.4, §2.6, §3.4), so that the
 * daemon's and the sandbox's shared crypto package is never the thing checking itself.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { startSandbox, type RunningSandbox, type SandboxOptions, type SandboxUrls } from '@syncvault/sandbox';
import {
  FxaClient,
  RetryPolicy,
  type FxaClientOptions,
  type FxaCredentials,
  type LoginStep,
} from '@syncvault/daemon/sync';
import { sandboxControl } from '../../support/sandbox-control.js';

export const OLDSYNC_SCOPE = 'https://identity.mozilla.com/apps/oldsync';
/** The tokenserver's default token lifetime (§3.1), which the sandbox uses. */
export const DEFAULT_TOKEN_SECONDS = 3600;

/** A retry policy that never waits for real: Retry-After times zero. */
export function noWaitRetry(maxAttempts = 1): RetryPolicy {
  return new RetryPolicy({ maxAttempts, timeScale: 0 });
}

// ---------------------------------------------------------------------------------------------
// The sandbox and its control API
// ---------------------------------------------------------------------------------------------

/** What the control API answers for an account. */
export interface AccountSummary {
  kind: 'fxa' | 'legacy11';
  email: string;
  password: string;
  uid: string;
  kB?: string;
  storageUid?: number;
  keysChangedAt?: number;
  generation?: number;
}

/** An FxA account summary, whose FxA-only fields are present. */
export interface FxaAccountSummary extends AccountSummary {
  kind: 'fxa';
  kB: string;
  keysChangedAt: number;
  generation: number;
}

export interface AccountCodes {
  unblockCode?: string;
  verificationCode?: string;
  totpSecret?: string;
  totpCode?: string;
}

export interface FaultRuleInput {
  path: string;
  method?: string;
  count: number;
  kind: '503' | 'backoff' | '401' | 'reset' | 'delay' | '412' | '409' | '429';
  retryAfter?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  remaining: number;
  fired: number;
}

export interface NewFxaAccount {
  label?: string;
  email?: string;
  password?: string;
  /** 64 hex digits. */
  kB?: string;
  gates?: { unblock?: boolean; verification?: 'email-otp' | 'totp-2fa' };
  seed?: 'demo' | 'none' | Record<string, number | boolean>;
}

let emailCounter = 0;

/** An email no other test uses. */
export function uniqueEmail(label: string, domain = 'identity.test'): string {
  emailCounter += 1;
  return `${label}-${emailCounter}-${randomBytes(4).toString('hex')}@${domain}`;
}

export function newPassword(): string {
  return `pw-${randomBytes(8).toString('hex')}`;
}

export function randomKbHex(): string {
  return randomBytes(32).toString('hex');
}

/** One sandbox for one test file, started on a free port with a tokenlib secret the tests know. */
export class IdentitySandbox {
  private readonly throttledPaths = new Set<string>();

  private constructor(
    readonly running: RunningSandbox,
    readonly tokenSecret: string,
  ) {}

  static async start(options: Omit<SandboxOptions, 'port'> = {}): Promise<IdentitySandbox> {
    const tokenSecret = options.tokenSecret ?? `conformance-secret-${randomBytes(12).toString('hex')}`;
    const running = await startSandbox({ ...options, port: 0, tokenSecret });
    return new IdentitySandbox(running, tokenSecret);
  }

  get urls(): SandboxUrls {
    return this.running.urls;
  }

  close(): Promise<void> {
    return this.running.close();
  }

  /** Calls the control API; a non-2xx answer fails the test with the sandbox's error text. */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return sandboxControl<T>(this.urls.control, method, path, body);
  }

  async createFxaAccount(spec: NewFxaAccount = {}): Promise<FxaAccountSummary> {
    const body: Record<string, unknown> = {
      kind: 'fxa',
      email: spec.email ?? uniqueEmail(spec.label ?? 'fxa'),
      password: spec.password ?? newPassword(),
      seed: spec.seed ?? 'none',
    };
    if (spec.kB !== undefined) body['kB'] = spec.kB;
    if (spec.gates !== undefined) body['gates'] = spec.gates;
    return fxaSummary(await this.control<AccountSummary>('POST', '/accounts', body));
  }

  async account(email: string): Promise<FxaAccountSummary> {
    return fxaSummary(await this.control<AccountSummary>('GET', `/accounts/${encodeURIComponent(email)}`));
  }

  /** The user's inbox and authenticator app. */
  codes(email: string): Promise<AccountCodes> {
    return this.control<AccountCodes>('GET', `/accounts/${encodeURIComponent(email)}/codes`);
  }

  /** A password reset: new kB, keysChangedAt and generation move, sessions and refresh tokens end. */
  async resetPassword(email: string, password: string): Promise<FxaAccountSummary> {
    return fxaSummary(await this.control<AccountSummary>('POST', `/accounts/${encodeURIComponent(email)}/reset-password`, { password }));
  }

  /** The next `count` auth-server requests to `path` answer 429 errno 114. */
  async throttle(path: string, count: number, retryAfter: number): Promise<void> {
    this.throttledPaths.add(path);
    await this.control('POST', '/throttle', { path, count, retryAfter });
  }

  async addFault(rule: FaultRuleInput): Promise<FaultRule> {
    return (await this.control<{ rule: FaultRule }>('POST', '/faults', rule)).rule;
  }

  async fault(id: number): Promise<FaultRule> {
    const { rules } = await this.control<{ rules: FaultRule[] }>('GET', '/faults');
    const rule = rules.find((candidate) => candidate.id === id);
    assert.ok(rule, `fault rule ${id} exists`);
    return rule;
  }

  /** No faults, no armed throttles: so a failed test cannot leave traps for the next one. */
  async reset(): Promise<void> {
    await this.control('DELETE', '/faults');
    for (const path of this.throttledPaths) await this.control('POST', '/throttle', { path, count: 0 });
    this.throttledPaths.clear();
  }

  /** Asks the auth server, as an external tokenserver would, what it knows about an access token. */
  async verifyAccessToken(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.urls.fxa}/v1/oauth/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: accessToken }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  fxaClient(options: Omit<FxaClientOptions, 'authServerUrl'> = {}): FxaClient {
    return new FxaClient({ authServerUrl: this.urls.fxa, ...options });
  }
}

function fxaSummary(summary: AccountSummary): FxaAccountSummary {
  assert.equal(summary.kind, 'fxa');
  assert.equal(typeof summary.kB, 'string', 'an FxA summary has kB');
  assert.equal(typeof summary.keysChangedAt, 'number', 'an FxA summary has keysChangedAt');
  assert.equal(typeof summary.generation, 'number', 'an FxA summary has generation');
  return summary as FxaAccountSummary;
}

// ---------------------------------------------------------------------------------------------
// Logging in
// ---------------------------------------------------------------------------------------------

/** Asserts that a login step finished and returns the credentials. */
export function doneSession(step: LoginStep): FxaCredentials {
  assert.equal(step.kind, 'done', `the login finished (got ${step.kind})`);
  if (step.kind !== 'done') throw new Error('unreachable');
  return step.session;
}

/** An ungated login through the daemon's FxaClient. */
export async function login(client: FxaClient, email: string, password: string): Promise<FxaCredentials> {
  return doneSession(await client.beginLogin(email, password));
}

// ---------------------------------------------------------------------------------------------
// Wire observation
// ---------------------------------------------------------------------------------------------

// One recording transport for every conformance test (it keeps paths exactly as sent).
export { RecordingTransport, type RecordedExchange } from './storage.js';

/** Counts the token exchanges a token source makes, passing them to the real client. */
export class CountingTokenserver<Request, Token> {
  readonly requests: Request[] = [];
  constructor(private readonly inner: { exchange(request: Request): Promise<Token> }) {}
  get exchanges(): number {
    return this.requests.length;
  }
  exchange(request: Request): Promise<Token> {
    this.requests.push(request);
    return this.inner.exchange(request);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Awaits `work`, which must reject with an instance of `type` (the exact class, not a parent, when `exact`). */
export async function rejection<E extends Error>(work: Promise<unknown>, type: ErrorClass<E>, exact = true): Promise<E> {
  let outcome: unknown;
  try {
    outcome = await work;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${inspect(error)}`);
    if (exact) assert.equal(Object.getPrototypeOf(error), type.prototype, `expected exactly ${type.name}, got ${(error as Error).name}`);
    return error;
  }
  return assert.fail(`expected ${type.name}, but the call resolved with ${inspect(outcome, { depth: 1 })}`);
}

/**
 * The error carries none of the secrets, in its message, its stack or anything it would print
 * in a log (util.inspect shows own properties and causes).
 */
export function assertNoSecrets(error: Error, secrets: Record<string, string | undefined>): void {
  const texts = { message: error.message, stack: error.stack ?? '', inspected: inspect(error, { depth: 8 }) };
  for (const [name, secret] of Object.entries(secrets)) {
    if (secret === undefined || secret === '') continue;
    for (const [where, text] of Object.entries(texts)) {
      assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `the error's ${where} leaks the ${name}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Independent protocol derivations (node:crypto only)
// ---------------------------------------------------------------------------------------------

const NS = 'identity.mozilla.com/picl/v1/';

/** RFC 5869 HKDF-SHA256; an empty salt means HashLen zero bytes. */
export function hkdf(ikm: Uint8Array | string, salt: Uint8Array | string, info: string, length: number): Buffer {
  const saltBytes = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt;
  return Buffer.from(hkdfSync('sha256', ikm, saltBytes.length === 0 ? Buffer.alloc(32) : saltBytes, Buffer.from(info, 'utf8'), length));
}

/** §2.2 onepw v1 stretching. */
export function stretch(email: string, password: string): { authPW: string; unwrapBKey: string } {
  const quick = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(`${NS}quickStretch:${email}`, 'utf8'), 1000, 32, 'sha256');
  return { authPW: hkdf(quick, '', `${NS}authPW`, 32).toString('hex'), unwrapBKey: hkdf(quick, '', `${NS}unwrapBkey`, 32).toString('hex') };
}

/** §2.4: the Hawk id of an FxA token. */
export function fxaTokenId(tokenHex: string, tokenType: string): string {
  return hkdf(Buffer.from(tokenHex, 'hex'), '', `${NS}${tokenType}`, 96).subarray(0, 32).toString('hex');
}

/** §2.6: first 16 bytes of SHA-256(kB). */
export function clientState(kBHex: string): Buffer {
  return createHash('sha256').update(Buffer.from(kBHex, 'hex')).digest().subarray(0, 16);
}

/** §2.6 / §3.1: the X-KeyID header value. */
export function keyId(kBHex: string, keysChangedAt: number): string {
  return `${keysChangedAt}-${clientState(kBHex).toString('base64url')}`;
}

function base64UrlDecode(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export interface DecodedTokenId {
  payloadText: string;
  payload: Record<string, unknown>;
  /** The HMAC over the payload matches one made with the secret's signing key. */
  signatureValid: boolean;
}

/** §3.4 tokenlib v1: splits a Hawk id into payload and signature and checks the signature. */
export function decodeTokenId(masterSecret: string, id: string): DecodedTokenId {
  const raw = base64UrlDecode(id);
  assert.ok(raw.length > 32, 'the token id holds a payload and a 32-byte signature');
  const payloadBytes = raw.subarray(0, raw.length - 32);
  const signature = raw.subarray(raw.length - 32);
  const signingKey = hkdf(Buffer.from(masterSecret, 'utf8'), '', 'services.mozilla.com/tokenlib/v1/signing', 32);
  const expected = createHmac('sha256', signingKey).update(payloadBytes).digest();
  const payloadText = payloadBytes.toString('utf8');
  return { payloadText, payload: JSON.parse(payloadText) as Record<string, unknown>, signatureValid: expected.equals(signature) };
}

/** §3.4 tokenlib v1: the Hawk key belonging to an id, base64url with padding. */
export function tokenKeyFor(masterSecret: string, id: string, salt: string): string {
  const key = hkdf(Buffer.from(masterSecret, 'utf8'), Buffer.from(salt, 'utf8'), `services.mozilla.com/tokenlib/v1/derive/${id}`, 32);
  return key.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The claims of a JWT, unverified. */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'an access token is a JWT of three parts');
  return JSON.parse(base64UrlDecode(parts[1] ?? '').toString('utf8')) as Record<string, unknown>;
}

/** RFC 4648 base32 (authenticator secrets). */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    assert.ok(index >= 0, `base32 character ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP as authenticator apps compute it: HMAC-SHA1, 30 s steps, 6 digits. */
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', secret).update(counter).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 30_000);
}
