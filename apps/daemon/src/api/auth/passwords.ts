/** Admin password hashing: Node's scrypt, stored as `scrypt$N$r$p$salt$hash` (salt and hash base64). */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 32768;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that, so leave room. */
const MAX_MEMORY = 256 * 1024 * 1024;
export const MIN_PASSWORD_LENGTH = 8;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, HASH_BYTES, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || n === undefined || r === undefined || p === undefined || salt === undefined || hash === undefined) return false;
  const cost = Number(n);
  const blockSize = Number(r);
  const parallelism = Number(p);
  // Bounds keep a tampered row from making a login cost gigabytes or minutes.
  if (!Number.isInteger(cost) || cost < 2 || cost > 1 << 20 || (cost & (cost - 1)) !== 0) return false;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 32 || !Number.isInteger(parallelism) || parallelism < 1 || parallelism > 16) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length < 16) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: cost, r: blockSize, p: parallelism, maxmem: 2 * 128 * cost * blockSize * parallelism + MAX_MEMORY });
  return timingSafeEqual(actual, expected);
}

/** A password for the first admin when none is configured: 144 bits, URL-safe, easy to copy. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
