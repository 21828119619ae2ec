/**
 * Hawk request verification for storage 1.5 (sync-protocols.md §4), written from the spec: the
 * MAC covers a normalized string of the request as sent, keyed with the ASCII bytes of the
 * tokenserver `key`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface HawkCredentials {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
}

/** What the server saw of the request, already shaped as the normalized string wants it. */
export interface HawkRequest {
  method: string;
  /** Path + "?" + query as signed. */
  resource: string;
  host: string;
  port: number;
}

const ATTRIBUTE = /^\s*(\w+)="([^"\\]*)"\s*(?:,|$)/;

/** Parses `Hawk id="..", ts="..", ...`; undefined when it is not a well-formed Hawk header. */
export function parseHawkHeader(header: string): HawkCredentials | undefined {
  const scheme = /^Hawk\s+/i.exec(header);
  if (!scheme) return undefined;
  const attributes = new Map<string, string>();
  let rest = header.slice(scheme[0].length);
  while (rest.trim() !== '') {
    const match = ATTRIBUTE.exec(rest);
    if (!match) return undefined;
    const [whole, name, value] = match as unknown as [string, string, string];
    if (attributes.has(name)) return undefined;
    attributes.set(name, value);
    rest = rest.slice(whole.length);
  }
  const id = attributes.get('id');
  const ts = attributes.get('ts');
  const nonce = attributes.get('nonce');
  const mac = attributes.get('mac');
  if (!id || !ts || !/^\d+$/.test(ts) || nonce === undefined || !mac) return undefined;
  const hash = attributes.get('hash');
  const ext = attributes.get('ext');
  return { id, ts, nonce, mac, ...(hash !== undefined ? { hash } : {}), ...(ext !== undefined ? { ext } : {}) };
}

export function hawkNormalizedString(credentials: HawkCredentials, request: HawkRequest): string {
  return [
    'hawk.1.header',
    credentials.ts,
    credentials.nonce,
    request.method.toUpperCase(),
    request.resource,
    request.host.toLowerCase(),
    String(request.port),
    credentials.hash ?? '',
    credentials.ext ?? '',
  ]
    .map((line) => `${line}\n`)
    .join('');
}

export function hawkMac(key: string, normalized: string): string {
  return createHmac('sha256', Buffer.from(key, 'ascii')).update(normalized, 'utf8').digest('base64');
}

/** Hawk payload hash; `contentType` as sent (parameters and case are normalized here). */
export function hawkPayloadHash(contentType: string, body: Buffer): string {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return createHash('sha256')
    .update(`hawk.1.payload\n${mediaType}\n`, 'utf8')
    .update(body)
    .update('\n', 'utf8')
    .digest('base64');
}

export function macMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Splits a Host header into lower-cased host and explicit port (undefined when absent). */
export function splitHostHeader(hostHeader: string): { host: string; port?: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostHeader.trim());
  if (!match) return { host: hostHeader.trim().toLowerCase() };
  const host = (match[1] ?? '').toLowerCase();
  return match[2] !== undefined ? { host, port: Number(match[2]) } : { host };
}
