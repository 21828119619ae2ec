/**
 * Test-side protocol client: plain fetch plus a minimal Hawk signer written from
 * sync-protocols.md §4. It shares nothing with the server code it checks.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { deriveTokenCredentials, fromHex, stretchPassword, toHex, unwrapAccountKeys, xorBytes, type FxaTokenType } from '@syncvault/sync-crypto';

export interface HawkCredentials {
  id: string;
  key: Uint8Array;
}

export function hawkHeader(options: {
  method: string;
  url: string;
  credentials: HawkCredentials;
  body?: string;
  contentType?: string;
  nowSeconds?: number;
  tamperMac?: boolean;
}): string {
  const url = new URL(options.url);
  const ts = String(options.nowSeconds ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(5).toString('base64');
  const hash =
    options.body === undefined
      ? undefined
      : createHash('sha256')
          .update(`hawk.1.payload\n${(options.contentType ?? 'application/json').toLowerCase()}\n${options.body}\n`)
          .digest('base64');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const normalized = `hawk.1.header\n${ts}\n${nonce}\n${options.method.toUpperCase()}\n${url.pathname}${url.search}\n${url.hostname.toLowerCase()}\n${port}\n${hash ?? ''}\n\n`;
  let mac = createHmac('sha256', options.credentials.key).update(normalized).digest('base64');
  if (options.tamperMac) mac = (mac.startsWith('A') ? 'B' : 'A') + mac.slice(1);
  return `Hawk id="${options.credentials.id}", ts="${ts}", nonce="${nonce}"${hash ? `, hash="${hash}"` : ''}, mac="${mac}"`;
}

export function tokenCredentials(tokenHex: string, type: FxaTokenType): HawkCredentials & { extra: Buffer } {
  const { tokenId, reqHmacKey, extra } = deriveTokenCredentials(fromHex(tokenHex), type);
  return { id: toHex(tokenId), key: reqHmacKey, extra };
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are arbitrary JSON, checked field by field by the tests
  body: any;
  headers: Headers;
}

export async function call(
  url: string,
  options: {
    method?: string;
    json?: unknown;
    hawk?: HawkCredentials;
    headers?: Record<string, string>;
    clockOffsetSeconds?: number;
    tamperMac?: boolean;
  } = {},
): Promise<Answer> {
  const method = options.method ?? (options.json === undefined ? 'GET' : 'POST');
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.hawk) {
    headers['Authorization'] = hawkHeader({
      method,
      url,
      credentials: options.hawk,
      ...(body !== undefined ? { body } : {}),
      nowSeconds: Math.floor(Date.now() / 1000) + (options.clockOffsetSeconds ?? 0),
      ...(options.tamperMac ? { tamperMac: true } : {}),
    });
  }
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Non-JSON bodies are returned as text.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export async function login(
  fxa: string,
  email: string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<Answer & { unwrapBKey: Buffer }> {
  const { authPW, unwrapBKey } = stretchPassword(email, password);
  const answer = await call(`${fxa}/v1/account/login?keys=true`, {
    json: { email, authPW: toHex(authPW), reason: 'login', service: 'sync', ...extra },
  });
  return { ...answer, unwrapBKey };
}

export const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
export const CLIENT_ID = '5882386c6d801776';

export async function accessToken(fxa: string, sessionToken: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  return call(`${fxa}/v1/oauth/token`, {
    json: { grant_type: 'fxa-credentials', client_id: CLIENT_ID, scope: OLDSYNC, ...extra },
    hawk: tokenCredentials(sessionToken, 'sessionToken'),
  });
}

/** A Sync 1.5 client's session: kB, the tokenserver's answer, and Hawk-signed calls to its api_endpoint. */
export interface SyncSession {
  kB: Buffer;
  /** The FxA uid the accounts server gave at login. */
  fxaUid: string;
  /** The storage uid the tokenserver handed out. */
  uid: number;
  apiEndpoint: string;
  /** The storage token's Hawk credentials. */
  credentials: HawkCredentials;
  /** Signs `<api_endpoint><path>` and sends it; `json` makes it a JSON request with a payload hash. */
  request(method: string, path: string, json?: unknown): Promise<Answer>;
  get(path: string): Promise<Answer>;
}

/**
 * Signs in at `fxa` and exchanges the oldsync access token at `tokenServer`, through the
 * protocol as a Sync client does; the two may belong to different sandboxes.
 */
export async function syncSession(urls: { fxa: string; tokenServer: string }, email: string, password: string): Promise<SyncSession> {
  const session = await login(urls.fxa, email, password);
  assert.equal(session.status, 200, JSON.stringify(session.body));
  const keyFetch = tokenCredentials(session.body.keyFetchToken, 'keyFetchToken');
  const keys = await call(`${urls.fxa}/v1/account/keys`, { hawk: keyFetch });
  const kB = xorBytes(unwrapAccountKeys(keyFetch.extra, fromHex(keys.body.bundle)).wrapKB, session.unwrapBKey);
  const scoped = await call(`${urls.fxa}/v1/account/scoped-key-data`, {
    json: { client_id: CLIENT_ID, scope: OLDSYNC },
    hawk: tokenCredentials(session.body.sessionToken, 'sessionToken'),
  });
  const keysChangedAt = scoped.body[OLDSYNC].keyRotationTimestamp;
  const bearer = (await accessToken(urls.fxa, session.body.sessionToken)).body.access_token;
  const keyId = `${keysChangedAt}-${createHash('sha256').update(kB).digest().subarray(0, 16).toString('base64url')}`;
  const token = await call(urls.tokenServer, { headers: { Authorization: `Bearer ${bearer}`, 'X-KeyID': keyId } });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const apiEndpoint = token.body.api_endpoint as string;
  const credentials = { id: token.body.id as string, key: Buffer.from(token.body.key as string, 'ascii') };
  const request = (method: string, path: string, json?: unknown): Promise<Answer> =>
    call(`${apiEndpoint}${path}`, { method, hawk: credentials, ...(json !== undefined ? { json } : {}) });
  return { kB, fxaUid: session.body.uid as string, uid: token.body.uid as number, apiEndpoint, credentials, request, get: (path) => request('GET', path) };
}
