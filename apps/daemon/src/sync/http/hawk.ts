import * as Hawk from 'hawk';
import { resolveTarget } from './url.js';

export interface HawkCredentials {
  id: string;
  /** Storage: the tokenserver `key` string, used as its ASCII bytes. FxA: the raw 32-byte reqHMACkey. */
  key: string | Uint8Array;
}

export interface HawkSigningInput {
  method: string;
  /** Full URL exactly as sent; its path and query are signed byte-for-byte. */
  url: string;
  credentials: HawkCredentials;
  /** Body to hash into the signature (the `hash` attribute); omitted = no hash. */
  payload?: string;
  /** Content type for the payload hash; parameters are dropped, case folded by the hawk package. */
  contentType?: string;
  /** Server clock minus local clock, in seconds (see ClockOffset). */
  offsetSeconds?: number;
  /** Fixed timestamp and nonce: for test vectors only. */
  timestampSeconds?: number;
  nonce?: string;
}

/**
 * The `Authorization: Hawk ...` header value, built by the `hawk` package's client. The signed
 * resource is the path+query as sent, host lower case without port, port explicit or 80/443:
 * we hand hawk an already-split URL because its own parser would percent-encode `{}` in paths.
 */
export function hawkAuthorization(input: HawkSigningInput): string {
  const target = resolveTarget(input.url);
  const splitUrl = {
    protocol: target.protocol,
    hostname: target.hostname,
    port: String(target.port),
    pathname: target.path,
    search: '',
  };
  const options: Hawk.client.HeaderOptions = {
    credentials: {
      id: input.credentials.id,
      // hawk passes the key straight to crypto.createHmac, which takes bytes as well as strings.
      key: (typeof input.credentials.key === 'string' ? input.credentials.key : Buffer.from(input.credentials.key)) as string,
      algorithm: 'sha256',
    },
    localtimeOffsetMsec: Math.round((input.offsetSeconds ?? 0) * 1000),
  };
  if (input.timestampSeconds !== undefined) options.timestamp = input.timestampSeconds;
  if (input.nonce !== undefined) options.nonce = input.nonce;
  if (input.payload !== undefined) {
    options.payload = input.payload;
    options.contentType = input.contentType ?? '';
  }
  // The typings only admit a string URL; the runtime also takes a parsed URL object.
  return Hawk.client.header(splitUrl as unknown as string, input.method.toUpperCase(), options).header;
}
