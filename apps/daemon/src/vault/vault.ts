import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/** Sealed-box layout: format byte, 24-byte random nonce, ciphertext with its 16-byte Poly1305 tag. */
const FORMAT_V1 = 1;
const NONCE_BYTES = 24;
export const VAULT_KEY_BYTES = 32;

/** A sealed value that does not open: wrong vault key, tampering, or sealed for another purpose. */
export class VaultOpenError extends Error {
  override readonly name = 'VaultOpenError';
  constructor(purpose: string) {
    super(`a sealed ${purpose} does not open with this vault key (wrong SYNCVAULT_MASTER_KEY, or the data was altered)`);
  }
}

/**
 * Secrets at rest: XChaCha20-Poly1305 under the vault key. Every value is sealed for a purpose
 * (the associated data, e.g. `account:<id>:secrets`) so a sealed value copied to another row or
 * field does not open there. The key never leaves this object.
 */
export class Vault {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== VAULT_KEY_BYTES) throw new TypeError(`a vault key is ${VAULT_KEY_BYTES} bytes, not ${key.length}`);
    this.#key = Uint8Array.from(key);
  }

  seal(plaintext: Uint8Array, purpose: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const sealed = xchacha20poly1305(this.#key, nonce, Buffer.from(purpose, 'utf8')).encrypt(plaintext);
    return Buffer.concat([Buffer.of(FORMAT_V1), nonce, sealed]);
  }

  open(sealed: Uint8Array, purpose: string): Buffer {
    if (sealed.length < 1 + NONCE_BYTES + 16 || sealed[0] !== FORMAT_V1) throw new VaultOpenError(purpose);
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    try {
      return Buffer.from(xchacha20poly1305(this.#key, nonce, Buffer.from(purpose, 'utf8')).decrypt(sealed.subarray(1 + NONCE_BYTES)));
    } catch {
      throw new VaultOpenError(purpose);
    }
  }

  sealJson(value: unknown, purpose: string): Buffer {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), purpose);
  }

  openJson<T>(sealed: Uint8Array, purpose: string): T {
    return JSON.parse(this.open(sealed, purpose).toString('utf8')) as T;
  }

  /** Never let the key reach a log through util.inspect or JSON.stringify. */
  toJSON(): string {
    return '[Vault]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[Vault]';
  }
}
