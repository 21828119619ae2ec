import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyBundle } from './bundle.js';

/** The JSON object inside an encrypted BSO payload string (storage format 5). */
export interface EncryptedPayload {
  ciphertext: string;
  IV: string;
  hmac: string;
}

export class HmacMismatchError extends Error {
  override readonly name = 'HmacMismatchError';
  constructor() {
    super('HMAC mismatch: wrong key, or the record was altered');
  }
}

export class MalformedPayloadError extends Error {
  override readonly name = 'MalformedPayloadError';
}

export function isEncryptedPayload(value: unknown): value is EncryptedPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['ciphertext'] === 'string' && typeof v['IV'] === 'string' && typeof v['hmac'] === 'string';
}

/** Parses a BSO payload string into its envelope, or throws MalformedPayloadError. */
export function parseEncryptedPayload(payload: string): EncryptedPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new MalformedPayloadError('payload is not JSON');
  }
  if (!isEncryptedPayload(parsed)) throw new MalformedPayloadError('payload has no ciphertext, IV and hmac');
  return parsed;
}

function hmacOf(bundle: KeyBundle, ciphertext: string): Buffer {
  return createHmac('sha256', bundle.hmacKey).update(ciphertext, 'ascii').digest();
}

export function encryptCleartext(bundle: KeyBundle, cleartext: string, iv: Uint8Array = randomBytes(16)): EncryptedPayload {
  if (iv.length !== 16) throw new MalformedPayloadError('IV must be 16 bytes');
  const cipher = createCipheriv('aes-256-cbc', bundle.encKey, iv);
  const ciphertext = Buffer.concat([cipher.update(cleartext, 'utf8'), cipher.final()]).toString('base64');
  return { ciphertext, IV: Buffer.from(iv).toString('base64'), hmac: hmacOf(bundle, ciphertext).toString('hex') };
}

/** Verifies the HMAC over the base64 ciphertext text in constant time, and only then decrypts. */
export function decryptPayload(bundle: KeyBundle, payload: EncryptedPayload): string {
  const expected = hmacOf(bundle, payload.ciphertext);
  const received = /^[0-9a-fA-F]{64}$/.test(payload.hmac) ? Buffer.from(payload.hmac, 'hex') : Buffer.alloc(0);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) throw new HmacMismatchError();
  const iv = Buffer.from(payload.IV, 'base64');
  if (iv.length !== 16) throw new MalformedPayloadError('IV must be 16 bytes');
  try {
    const decipher = createDecipheriv('aes-256-cbc', bundle.encKey, iv);
    return Buffer.concat([decipher.update(Buffer.from(payload.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new MalformedPayloadError('ciphertext does not decrypt (bad padding)');
  }
}
