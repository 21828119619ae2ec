import { createHash, createHmac } from 'node:crypto';
import { fromBase32, fromBase64, toBase32, toBase64, toBase64Url } from './encoding.js';
import { hkdf } from './hkdf.js';
import { FXA_NAMESPACE } from './onepw.js';

/** An AES-256 key and an HMAC-SHA256 key: the unit of Sync record crypto. */
export interface KeyBundle {
  readonly encKey: Buffer;
  readonly hmacKey: Buffer;
}

export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

export function keyBundle(encKey: Uint8Array, hmacKey: Uint8Array): KeyBundle {
  if (encKey.length !== 32 || hmacKey.length !== 32) {
    throw new InvalidKeyError('a key bundle needs two 32-byte keys');
  }
  return { encKey: Buffer.from(encKey), hmacKey: Buffer.from(hmacKey) };
}

/** crypto/keys stores each bundle as a pair of base64 strings. */
export function bundleFromBase64Pair(pair: unknown): KeyBundle {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
    throw new InvalidKeyError('a key pair must be two base64 strings');
  }
  return keyBundle(fromBase64(pair[0]), fromBase64(pair[1]));
}

export function bundleToBase64Pair(bundle: KeyBundle): [string, string] {
  return [toBase64(bundle.encKey), toBase64(bundle.hmacKey)];
}

/** Sync 1.5: the oldsync scoped key, HKDF(kB, "", NS + "oldsync", 64). */
export function rootBundleFromKb(kB: Uint8Array): KeyBundle {
  if (kB.length !== 32) throw new InvalidKeyError('kB must be 32 bytes');
  const okm = hkdf(kB, '', `${FXA_NAMESPACE}oldsync`, 64);
  return keyBundle(okm.subarray(0, 32), okm.subarray(32, 64));
}

/** First 16 bytes of SHA-256(kB): the tokenserver's client state. */
export function clientStateFromKb(kB: Uint8Array): Buffer {
  return createHash('sha256').update(kB).digest().subarray(0, 16);
}

/** The tokenserver X-KeyID header: `<keysChangedAt ms>-<b64url(clientState)>`. */
export function keyIdFromKb(kB: Uint8Array, keysChangedAtMs: number): string {
  return `${keysChangedAtMs}-${toBase64Url(clientStateFromKb(kB))}`;
}

/**
 * Sync 1.1 username: account names that are already safe are used lower-cased;
 * anything else (every email) is the lower-case base32 of SHA-1 of the lower-cased account.
 */
export function legacyUsername(account: string): string {
  const lower = account.toLowerCase();
  if (/^[a-z0-9._-]+$/.test(lower)) return lower;
  return toBase32(createHash('sha1').update(lower, 'utf8').digest()).toLowerCase();
}

/** Parses a Sync Key as users type it: dashes, any case, and the 8→l / 9→o substitution. */
export function parseSyncKey(text: string): Buffer {
  const clean = text.replace(/[-\s]/g, '').toLowerCase().replace(/8/g, 'l').replace(/9/g, 'o');
  if (!/^[a-z2-7]{26}$/.test(clean)) {
    throw new InvalidKeyError('a Sync Key is 26 characters of friendly base32 (letters and digits 2-9), dashes optional');
  }
  return fromBase32(clean).subarray(0, 16);
}

/** Formats 16 bytes the way Firefox showed a Sync Key: friendly base32, dashed 1-5-5-5-5-5. */
export function formatSyncKey(key: Uint8Array, dashed = true): string {
  if (key.length !== 16) throw new InvalidKeyError('a Sync Key is 16 bytes');
  const friendly = toBase32(key).toLowerCase().slice(0, 26).replace(/l/g, '8').replace(/o/g, '9');
  if (!dashed) return friendly;
  return [friendly.slice(0, 1), ...[1, 6, 11, 16, 21].map((start) => friendly.slice(start, start + 5))].join('-');
}

/** Sync 1.1 root bundle: HKDF-Expand with the Sync Key as PRK and info "Sync-AES_256_CBC-HMAC256" + username. */
export function rootBundleFromSyncKey(syncKey: Uint8Array, username: string): KeyBundle {
  if (syncKey.length !== 16) throw new InvalidKeyError('a Sync Key is 16 bytes');
  const info = Buffer.from(`Sync-AES_256_CBC-HMAC256${username}`, 'utf8');
  const encKey = createHmac('sha256', syncKey).update(Buffer.concat([info, Buffer.from([1])])).digest();
  const hmacKey = createHmac('sha256', syncKey)
    .update(Buffer.concat([encKey, info, Buffer.from([2])]))
    .digest();
  return keyBundle(encKey, hmacKey);
}
