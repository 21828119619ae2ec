import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The attributes of an `Authorization: Hawk ...` header. */
export interface HawkAttributes {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
}

/** What a Hawk MAC covers, as the server sees the request. */
export interface HawkRequest {
  method: string;
  /** Path and query exactly as sent (the raw request URL). */
  resource: string;
  /** The Host header as sent; the port falls back to the scheme's default. */
  host: string;
  protocol: 'http' | 'https';
}

export type HawkCheck =
  | { ok: true; attributes: HawkAttributes }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown-credentials' | 'bad-mac' | 'bad-payload-hash' | 'missing-payload-hash' }
  | { ok: false; reason: 'stale'; serverTime: number; wwwAuthenticate: string };

const ALLOWED_SKEW_SECONDS = 60;

export function parseHawkHeader(header: string | undefined): HawkAttributes | undefined {
  if (!header) return undefined;
  const match = /^hawk\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const attributes: Record<string, string> = {};
  const rest = match[1] ?? '';
  const pattern = /(\w+)="([^"\\]*)"\s*(?:,\s*|$)/y;
  let consumed = 0;
  for (let found = pattern.exec(rest); found; found = pattern.exec(rest)) {
    const [, name, value] = found;
    if (name === undefined || value === undefined || name in attributes) return undefined;
    attributes[name] = value;
    consumed = pattern.lastIndex;
  }
  if (consumed !== rest.length) return undefined;
  const { id, ts, nonce, mac, hash, ext } = attributes;
  if (!id || !ts || !nonce || !mac || !/^\d+$/.test(ts)) return undefined;
  return { id, ts, nonce, mac, ...(hash !== undefined ? { hash } : {}), ...(ext !== undefined ? { ext } : {}) };
}

/** Splits a Host header into lower-case host and port, defaulting the port from the scheme. */
export function hostAndPort(hostHeader: string, protocol: 'http' | 'https'): { host: string; port: string } {
  const bracketed = /^(\[[^\]]*\])(?::(\d+))?$/.exec(hostHeader);
  const [host, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : hostHeader.split(':');
  return { host: (host ?? '').toLowerCase(), port: port || (protocol === 'https' ? '443' : '80') };
}

export function hawkPayloadHash(contentType: string, body: string): string {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return createHash('sha256').update(`hawk.1.payload\n${mediaType}\n${body}\n`, 'utf8').digest('base64');
}

export function hawkNormalizedString(attributes: HawkAttributes, request: HawkRequest): string {
  const { host, port } = hostAndPort(request.host, request.protocol);
  // The Hawk spec escapes backslashes and newlines in ext so it cannot forge extra lines.
  const ext = (attributes.ext ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return [
    'hawk.1.header',
    attributes.ts,
    attributes.nonce,
    request.method.toUpperCase(),
    request.resource,
    host,
    port,
    attributes.hash ?? '',
    ext,
    '',
  ].join('\n');
}

function macMatches(key: Uint8Array, normalized: string, received: string): boolean {
  const expected = createHmac('sha256', key).update(normalized, 'utf8').digest();
  const given = Buffer.from(received, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Checks a Hawk-signed request in the order the reference implementation does: credentials, MAC,
 * payload hash, then the clock (so a stale-timestamp answer can be authenticated with `tsm`).
 */
export function verifyHawk(options: {
  header: string | undefined;
  request: HawkRequest;
  keyFor: (id: string) => Uint8Array | undefined;
  /** Body text and content type, when the request has a body. */
  payload?: { contentType: string; body: string };
  payloadHashRequired: boolean;
  nowMs: number;
}): HawkCheck {
  if (!options.header) return { ok: false, reason: 'missing' };
  const attributes = parseHawkHeader(options.header);
  if (!attributes) return { ok: false, reason: 'malformed' };
  const key = options.keyFor(attributes.id);
  if (!key) return { ok: false, reason: 'unknown-credentials' };
  if (!macMatches(key, hawkNormalizedString(attributes, options.request), attributes.mac)) {
    return { ok: false, reason: 'bad-mac' };
  }
  if (attributes.hash !== undefined) {
    const expectedHash = hawkPayloadHash(options.payload?.contentType ?? '', options.payload?.body ?? '');
    if (expectedHash !== attributes.hash) return { ok: false, reason: 'bad-payload-hash' };
  } else if (options.payloadHashRequired) {
    return { ok: false, reason: 'missing-payload-hash' };
  }
  const nowSeconds = Math.floor(options.nowMs / 1000);
  if (Math.abs(nowSeconds - Number(attributes.ts)) > ALLOWED_SKEW_SECONDS) {
    const tsm = createHmac('sha256', key).update(`hawk.1.ts\n${nowSeconds}\n`, 'utf8').digest('base64');
    return {
      ok: false,
      reason: 'stale',
      serverTime: nowSeconds,
      wwwAuthenticate: `Hawk ts="${nowSeconds}", tsm="${tsm}", error="Stale timestamp"`,
    };
  }
  return { ok: true, attributes };
}
