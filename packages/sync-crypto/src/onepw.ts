import { createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { hkdf } from './hkdf.js';

/** Firefox Accounts key-derivation namespace. */
export const FXA_NAMESPACE = 'identity.mozilla.com/picl/v1/';

export type FxaTokenType =
  | 'sessionToken'
  | 'keyFetchToken'
  | 'passwordChangeToken'
  | 'accountResetToken'
  | 'passwordForgotToken';

export interface StretchedPassword {
  readonly authPW: Buffer;
  readonly unwrapBKey: Buffer;
}

/** onepw v1: PBKDF2 (1000 rounds, email-salted) then HKDF into authPW and unwrapBkey. No Unicode normalisation. */
export function stretchPassword(email: string, password: string): StretchedPassword {
  const quickStretched = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    Buffer.from(`${FXA_NAMESPACE}quickStretch:${email}`, 'utf8'),
    1000,
    32,
    'sha256',
  );
  return {
    authPW: hkdf(quickStretched, '', `${FXA_NAMESPACE}authPW`, 32),
    unwrapBKey: hkdf(quickStretched, '', `${FXA_NAMESPACE}unwrapBkey`, 32),
  };
}

export interface TokenCredentials {
  /** Hawk id, as bytes (sent as hex). */
  readonly tokenId: Buffer;
  /** Hawk key (32 raw bytes). */
  readonly reqHmacKey: Buffer;
  /** keyRequestKey for keyFetchToken; unused otherwise. */
  readonly extra: Buffer;
}

export function deriveTokenCredentials(token: Uint8Array, type: FxaTokenType): TokenCredentials {
  const km = hkdf(token, '', `${FXA_NAMESPACE}${type}`, 96);
  return { tokenId: km.subarray(0, 32), reqHmacKey: km.subarray(32, 64), extra: km.subarray(64, 96) };
}

function accountKeysResponseKeys(keyRequestKey: Uint8Array): { respHmacKey: Buffer; respXorKey: Buffer } {
  const m = hkdf(keyRequestKey, '', `${FXA_NAMESPACE}account/keys`, 96);
  return { respHmacKey: m.subarray(0, 32), respXorKey: m.subarray(32, 96) };
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers of different lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export class AccountKeysMacError extends Error {
  override readonly name = 'AccountKeysMacError';
  constructor() {
    super('the /account/keys bundle failed its MAC check');
  }
}

/** Server side of GET /account/keys: 64 bytes of XORed kA||wrapKB followed by their MAC. */
export function wrapAccountKeys(keyRequestKey: Uint8Array, kA: Uint8Array, wrapKB: Uint8Array): Buffer {
  const { respHmacKey, respXorKey } = accountKeysResponseKeys(keyRequestKey);
  const ciphertext = xorBytes(Buffer.concat([kA, wrapKB]), respXorKey);
  const mac = createHmac('sha256', respHmacKey).update(ciphertext).digest();
  return Buffer.concat([ciphertext, mac]);
}

/** Client side of GET /account/keys: checks the MAC (constant time) before un-XORing. */
export function unwrapAccountKeys(keyRequestKey: Uint8Array, bundle: Uint8Array): { kA: Buffer; wrapKB: Buffer } {
  if (bundle.length !== 96) throw new AccountKeysMacError();
  const { respHmacKey, respXorKey } = accountKeysResponseKeys(keyRequestKey);
  const ciphertext = bundle.subarray(0, 64);
  const expected = createHmac('sha256', respHmacKey).update(ciphertext).digest();
  if (!timingSafeEqual(expected, bundle.subarray(64, 96))) throw new AccountKeysMacError();
  const plain = xorBytes(ciphertext, respXorKey);
  return { kA: plain.subarray(0, 32), wrapKB: plain.subarray(32, 64) };
}
