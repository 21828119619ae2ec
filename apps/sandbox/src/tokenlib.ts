/**
 * tokenlib v1 (sync-protocols.md §3.4): the signed Hawk id and derived Hawk key that the
 * tokenserver hands out and the storage node checks with one shared master secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64Url, hkdf, toBase64Url } from '@syncvault/sync-crypto';

/** The token's JSON payload. Serialized in the key order the caller built it in. */
export interface TokenPayload {
  uid: number;
  /** Epoch seconds. */
  expires: number;
  /** tokenlib uses 6 hex chars; it salts the derived key. */
  salt: string;
  node: string;
  fxa_uid?: string;
  fxa_kid?: string;
  hashed_fxa_uid?: string;
  hashed_device_id?: string;
  tokenserver_origin?: string;
}

export interface MintedToken {
  /** Hawk id: base64url (padded) of payload || HMAC. */
  id: string;
  /** Hawk key: base64url (padded); clients use its ASCII bytes as the HMAC key. */
  key: string;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const SIGNING_INFO = 'services.mozilla.com/tokenlib/v1/signing';
const DERIVE_INFO_PREFIX = 'services.mozilla.com/tokenlib/v1/derive/';
const SIGNATURE_BYTES = 32;

export function tokenSigningKey(masterSecret: string): Buffer {
  return hkdf(Buffer.from(masterSecret, 'utf8'), '', SIGNING_INFO, 32);
}

export function mintToken(masterSecret: string, payload: TokenPayload): MintedToken {
  const payloadBytes = Buffer.from(JSON.stringify(payload), 'utf8');
  const signature = sign(masterSecret, payloadBytes);
  const id = toBase64Url(Buffer.concat([payloadBytes, signature]), true);
  return { id, key: deriveTokenKey(masterSecret, id, payload.salt) };
}

export function deriveTokenKey(masterSecret: string, id: string, salt: string): string {
  const key = hkdf(Buffer.from(masterSecret, 'utf8'), Buffer.from(salt, 'utf8'), DERIVE_INFO_PREFIX + id, 32);
  return toBase64Url(key, true);
}

/** Verifies the id's signature and returns its payload; throws InvalidTokenError otherwise. Expiry is the caller's call. */
export function parseToken(masterSecret: string, id: string): TokenPayload {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(id)) throw new InvalidTokenError('token id is not base64url');
  const raw = fromBase64Url(id);
  if (raw.length <= SIGNATURE_BYTES) throw new InvalidTokenError('token id too short');
  const payloadBytes = raw.subarray(0, raw.length - SIGNATURE_BYTES);
  const signature = raw.subarray(raw.length - SIGNATURE_BYTES);
  if (!timingSafeEqual(signature, sign(masterSecret, payloadBytes))) {
    throw new InvalidTokenError('token signature mismatch');
  }
  return validatePayload(parseJson(payloadBytes.toString('utf8')));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidTokenError('token payload is not JSON');
  }
}

function sign(masterSecret: string, payloadBytes: Buffer): Buffer {
  return createHmac('sha256', tokenSigningKey(masterSecret)).update(payloadBytes).digest();
}

function validatePayload(value: unknown): TokenPayload {
  if (typeof value !== 'object' || value === null) throw new InvalidTokenError('token payload is not an object');
  const payload = value as Record<string, unknown>;
  if (!Number.isSafeInteger(payload['uid'])) throw new InvalidTokenError('token uid is not an integer');
  if (typeof payload['expires'] !== 'number') throw new InvalidTokenError('token expires is not a number');
  if (typeof payload['salt'] !== 'string') throw new InvalidTokenError('token salt is not a string');
  if (typeof payload['node'] !== 'string') throw new InvalidTokenError('token node is not a string');
  return payload as unknown as TokenPayload;
}
