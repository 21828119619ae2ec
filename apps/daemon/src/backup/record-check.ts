import type { KeyBundle } from '@syncvault/sync-crypto';
import {
  CRYPTO_COLLECTION,
  decryptBso,
  RecordDecryptError,
  RecordIdMismatchError,
  type CollectionKeys,
  type RecordCleartext,
  type RemoteBso,
} from '../sync/index.js';

/** meta/global: the one record stored in clear text, with no HMAC to check. */
export const META_COLLECTION = 'meta';
export const META_GLOBAL_ID = 'global';

export interface RecordCheck {
  /** False when the HMAC does not verify with the keys in force, or the payload is no valid envelope. */
  hmacValid: boolean;
  /** The decrypted record when the check passed (meta/global: none, it is not encrypted). */
  cleartext?: RecordCleartext;
}

/** The keys a record is checked with: crypto/keys under the root bundle, every other collection under its bulk keys. */
export interface KeysInForce {
  rootBundle: KeyBundle;
  /** Undefined when the server has no crypto/keys (a wiped account): nothing can be verified. */
  collectionKeys: CollectionKeys | undefined;
}

/**
 * Verifies one downloaded record the way a Sync client would before trusting it (HMAC first,
 * then decryption). Never throws for a bad record: the backup keeps it as is and flags it.
 */
export function checkRecord(collection: string, bso: Pick<RemoteBso, 'id' | 'payload'>, keys: KeysInForce): RecordCheck {
  if (collection === META_COLLECTION) return { hmacValid: true };
  const bundle = collection === CRYPTO_COLLECTION ? keys.rootBundle : keys.collectionKeys?.bundleFor(collection);
  if (bundle === undefined) return { hmacValid: false };
  try {
    return { hmacValid: true, cleartext: decryptBso(collection, bso, bundle) };
  } catch (error) {
    // Authentic, but its cleartext names another id: the HMAC held, so it is not flagged.
    if (error instanceof RecordIdMismatchError) return { hmacValid: true };
    if (error instanceof RecordDecryptError) return { hmacValid: false };
    throw error;
  }
}
