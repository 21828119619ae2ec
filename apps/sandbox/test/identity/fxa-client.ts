/**
 * Test-side protocol client: plain fetch plus a minimal Hawk signer written from
 * sync-protocols.md §4. It shares nothing with the server code it checks.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { deriveTokenCredentials, fromHex, stretchPassword, toHex, type FxaTokenType } from '@syncvault/sync-crypto';

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
