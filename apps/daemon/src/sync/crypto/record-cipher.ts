import {
  decryptPayload,
  encryptCleartext,
  HmacMismatchError,
  MalformedPayloadError,
  parseEncryptedPayload,
  type KeyBundle,
} from '@syncvault/sync-crypto';
import type { RemoteBso } from '../storage/types.js';
import type { CollectionKeys } from './collection-keys.js';
import { MalformedRecordError, RecordDecryptError, RecordHmacError, RecordIdMismatchError } from './errors.js';

/** A decrypted record: a JSON object whose `id` is the BSO id. */
export interface RecordCleartext {
  id: string;
  [field: string]: unknown;
}

/** The collections stored in clear text: they never go through the cipher. */
const CLEARTEXT_COLLECTIONS = new Set(['meta']);

function assertEncryptedCollection(collection: string): void {
  if (CLEARTEXT_COLLECTIONS.has(collection)) {
    throw new TypeError(`${collection} records are cleartext and are not encrypted or decrypted`);
  }
}

function isKeyBundle(keys: CollectionKeys | KeyBundle): keys is KeyBundle {
  return 'encKey' in keys && 'hmacKey' in keys;
}

/**
 * Decrypts a BSO payload: HMAC checked first, then AES-CBC, then the cleartext must be a JSON
 * object with the BSO's id. `keys` are the collection keys, or for crypto/keys the root bundle.
 * Throws RecordHmacError, MalformedRecordError or RecordIdMismatchError, all naming the record.
 */
export function decryptBso(
  collection: string,
  bso: Pick<RemoteBso, 'id' | 'payload'>,
  keys: CollectionKeys | KeyBundle,
): RecordCleartext {
  assertEncryptedCollection(collection);
  const bundle = isKeyBundle(keys) ? keys : keys.bundleFor(collection);
  let text: string;
  try {
    text = decryptPayload(bundle, parseEncryptedPayload(bso.payload));
  } catch (error) {
    if (error instanceof HmacMismatchError) throw new RecordHmacError(collection, bso.id, { cause: error });
    if (error instanceof MalformedPayloadError) {
      throw new MalformedRecordError(collection, bso.id, error.message, { cause: error });
    }
    throw new RecordDecryptError(collection, bso.id, error instanceof Error ? error.message : String(error), { cause: error });
  }
  let cleartext: unknown;
  try {
    cleartext = JSON.parse(text);
  } catch (error) {
    throw new MalformedRecordError(collection, bso.id, 'cleartext is not JSON', { cause: error });
  }
  if (typeof cleartext !== 'object' || cleartext === null || Array.isArray(cleartext)) {
    throw new MalformedRecordError(collection, bso.id, 'cleartext is not a JSON object');
  }
  const cleartextId = (cleartext as Record<string, unknown>)['id'];
  if (cleartextId !== bso.id) throw new RecordIdMismatchError(collection, bso.id, cleartextId);
  return cleartext as RecordCleartext;
}

/**
 * Encrypts a cleartext record into a BSO payload string (a fresh random IV unless one is given,
 * for reproducible tests). `keys` as for decryptBso.
 */
export function encryptRecord(
  collection: string,
  cleartext: RecordCleartext,
  keys: CollectionKeys | KeyBundle,
  iv?: Uint8Array,
): string {
  assertEncryptedCollection(collection);
  const bundle = isKeyBundle(keys) ? keys : keys.bundleFor(collection);
  return JSON.stringify(encryptCleartext(bundle, JSON.stringify(cleartext), iv));
}
