import { SnapshotReader, type RecordDecoder } from '../history/index.js';
import type { PrismaClient } from '../store/index.js';
import { CollectionKeys, CRYPTO_COLLECTION, decryptBso, fetchCollectionKeys, redactKeys, type SyncConnection } from '../sync/index.js';
import type { KeyCustody } from '../vault/index.js';

export type { RecordDecoder } from '../history/index.js';

/**
 * How diff and find open payloads. Every payload they decrypt goes through one of these decoders,
 * so a test (or a meter) can wrap them and see exactly which records were opened.
 */
export interface DecoderSource {
  /** Stored versions of `collection` as complete snapshot `seq` saw them, with its keys; secrets not masked. */
  stored(accountId: string, seq: number, collection: string): Promise<RecordDecoder>;
  /** Payloads the server holds now, with the keys it holds now; secrets not masked. */
  live(connection: SyncConnection, collection: string): Promise<RecordDecoder>;
}

function metaDecoder(): RecordDecoder {
  return ({ payload }) => {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('meta record is not a JSON object');
    return parsed as Record<string, unknown>;
  };
}

/** The store's keys through SnapshotReader (key custody), the server's through the connection. */
export class KeyedDecoders implements DecoderSource {
  private readonly reader: SnapshotReader;
  private readonly liveKeys = new WeakMap<SyncConnection, Promise<CollectionKeys | undefined>>();

  constructor(options: { prisma: PrismaClient; keyCustody: KeyCustody }) {
    this.reader = new SnapshotReader(options);
  }

  stored(accountId: string, seq: number, collection: string): Promise<RecordDecoder> {
    return this.reader.recordDecoder(accountId, seq, collection, { revealSecrets: true });
  }

  async live(connection: SyncConnection, collection: string): Promise<RecordDecoder> {
    if (collection === 'meta') return metaDecoder();
    if (collection === CRYPTO_COLLECTION) return ({ bsoId, payload }) => redactKeys(CollectionKeys.decrypt({ id: bsoId, payload }, connection.rootBundle));
    let keys = this.liveKeys.get(connection);
    if (keys === undefined) {
      keys = fetchCollectionKeys(connection);
      this.liveKeys.set(connection, keys);
    }
    const resolved = await keys;
    if (resolved === undefined) {
      return () => {
        throw new Error('the server holds no crypto/keys: its records cannot be decrypted');
      };
    }
    return ({ bsoId, payload }) => decryptBso(collection, { id: bsoId, payload }, resolved);
  }
}
