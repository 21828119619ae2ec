import { createHash, randomBytes } from 'node:crypto';
import { bundleFromBase64Pair, bundleToBase64Pair, InvalidKeyError, keyBundle, type KeyBundle } from '@syncvault/sync-crypto';
import type { RemoteBso } from '../storage/types.js';
import { MalformedRecordError } from './errors.js';
import { decryptBso, encryptRecord, type RecordCleartext } from './record-cipher.js';

export const CRYPTO_COLLECTION = 'crypto';
export const KEYS_RECORD_ID = 'keys';

/** The cleartext of crypto/keys (§7.4). */
export interface CryptoKeysCleartext extends RecordCleartext {
  id: 'keys';
  collection: 'crypto';
  default: [string, string];
  collections: Record<string, [string, string]>;
}

function parsePair(pair: unknown, label: string): KeyBundle {
  try {
    return bundleFromBase64Pair(pair);
  } catch (error) {
    const reason = error instanceof InvalidKeyError ? error.message : String(error);
    throw new MalformedRecordError(CRYPTO_COLLECTION, KEYS_RECORD_ID, `${label} key pair: ${reason}`, { cause: error });
  }
}

function randomBundle(): KeyBundle {
  return keyBundle(randomBytes(32), randomBytes(32));
}

/** The bulk key bundles of crypto/keys: a default one and optional per-collection ones. */
export class CollectionKeys {
  private constructor(
    readonly defaultBundle: KeyBundle,
    /** Per-collection bundles, in the order crypto/keys listed them. */
    readonly collectionBundles: ReadonlyMap<string, KeyBundle>,
  ) {}

  static of(defaultBundle: KeyBundle, collectionBundles: ReadonlyMap<string, KeyBundle> = new Map()): CollectionKeys {
    return new CollectionKeys(defaultBundle, new Map(collectionBundles));
  }

  /** Fresh random keys (what a client uploads on a fresh start), optionally with per-collection bundles. */
  static generate(collections: Iterable<string> = []): CollectionKeys {
    return new CollectionKeys(randomBundle(), new Map([...collections].map((name) => [name, randomBundle()])));
  }

  /** Parses a decrypted crypto/keys cleartext; throws MalformedRecordError naming crypto/keys. */
  static fromCleartext(cleartext: unknown): CollectionKeys {
    if (typeof cleartext !== 'object' || cleartext === null || Array.isArray(cleartext)) {
      throw new MalformedRecordError(CRYPTO_COLLECTION, KEYS_RECORD_ID, 'cleartext is not a JSON object');
    }
    const fields = cleartext as Record<string, unknown>;
    const defaultBundle = parsePair(fields['default'], 'default');
    const collections = fields['collections'] ?? {};
    if (typeof collections !== 'object' || collections === null || Array.isArray(collections)) {
      throw new MalformedRecordError(CRYPTO_COLLECTION, KEYS_RECORD_ID, '"collections" is not an object');
    }
    const bundles = new Map<string, KeyBundle>();
    for (const [name, pair] of Object.entries(collections)) bundles.set(name, parsePair(pair, name));
    return new CollectionKeys(defaultBundle, bundles);
  }

  /** Decrypts the crypto/keys BSO with the root bundle (HMAC first; errors name crypto/keys). */
  static decrypt(bso: Pick<RemoteBso, 'id' | 'payload'>, rootBundle: KeyBundle): CollectionKeys {
    return CollectionKeys.fromCleartext(decryptBso(CRYPTO_COLLECTION, bso, rootBundle));
  }

  /** The bundle protecting `collection`'s records: its own pair if crypto/keys has one, else the default. */
  bundleFor(collection: string): KeyBundle {
    return this.collectionBundles.get(collection) ?? this.defaultBundle;
  }

  toCleartext(): CryptoKeysCleartext {
    const collections: Record<string, [string, string]> = {};
    for (const [name, bundle] of this.collectionBundles) collections[name] = bundleToBase64Pair(bundle);
    return { id: KEYS_RECORD_ID, collection: CRYPTO_COLLECTION, default: bundleToBase64Pair(this.defaultBundle), collections };
  }

  /** The crypto/keys payload string, encrypted with the root bundle (random IV unless given, for tests). */
  encrypt(rootBundle: KeyBundle, iv?: Uint8Array): string {
    return encryptRecord(CRYPTO_COLLECTION, this.toCleartext(), rootBundle, iv);
  }

  /**
   * Stable identifier of this key set: hex SHA-256 over every key, per-collection entries sorted
   * by name, so the same keys always give the same fingerprint whatever the JSON order.
   */
  fingerprint(): string {
    const hash = createHash('sha256');
    const addBundle = (label: string, bundle: KeyBundle): void => {
      hash.update(`${label}\n`).update(bundle.encKey).update(bundle.hmacKey);
    };
    addBundle('default', this.defaultBundle);
    for (const name of [...this.collectionBundles.keys()].sort()) addBundle(`collection ${name}`, this.bundleFor(name));
    return hash.digest('hex');
  }
}
