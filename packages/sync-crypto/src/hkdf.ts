import { hkdfSync } from 'node:crypto';

/** RFC 5869 HKDF-SHA256; an empty salt means HashLen zero bytes, as the spec says. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array | string, info: Uint8Array | string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}
