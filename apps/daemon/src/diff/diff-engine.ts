import { Prisma } from '../generated/prisma/client.js';
import { SnapshotNotCompleteError, SnapshotNotFoundError, type RecordDecoder } from '../history/index.js';
import { payloadHash, type PrismaClient, type SnapshotCollections } from '../store/index.js';
import { PreconditionFailedError, type SyncConnection } from '../sync/index.js';
import type { KeyCustody } from '../vault/index.js';
import { KeyedDecoders, type DecoderSource } from './decoders.js';
import { DiffInputError } from './errors.js';
import { findAcrossSnapshots, type FindOptions, type FindResult } from './find.js';
import { missingBookmarkAncestors, semanticDiff, type Cleartext, type RecordPair, type SemanticOptions } from './semantic/index.js';
import type { CollectionChanges, DiffSide, SemanticDiff, SnapshotDiff } from './types.js';

export interface DiffEngineOptions {
  prisma: PrismaClient;
  keyCustody: KeyCustody;
  /** A live connection to the account's server, for diffs against `live` (AccountService.openConnection). */
  openConnection?: (accountId: string) => Promise<SyncConnection>;
  /** How payloads are opened; default: the store's key custody and the server's current keys. */
  decoders?: DecoderSource;
}

export interface DiffOptions extends SemanticOptions {
  /** Only this collection. */
  collection?: string;
  /** Also the semantic view (default true). Without it, records removed on the `to` side are not decrypted at all. */
  semantic?: boolean;
  signal?: AbortSignal;
}

/** One version of a record on one side: its content address, and the payload when it came from the server. */
interface SideVersion {
  hash: string;
  payload?: string;
}

/** A record whose content differs between the sides (or that only one side has). */
interface TouchedRecord {
  id: string;
  from?: SideVersion;
  to?: SideVersion;
}

type Opened = { cleartext: Cleartext } | { error: string };

interface SnapshotRow {
  seq: number;
  status: string;
  collections: SnapshotCollections;
}

/** Blob lookups and payload decryption run in chunks of this many. */
const CHUNK = 1000;
/** Live reads of a collection that keep answering 412 (another client writing) before giving up. */
const LIVE_ATTEMPTS = 3;
/** Snapshot numbers fit the database column. */
const MAX_SEQ = 2_147_483_647;
/** Bookmark folders nest; a path deeper than this is treated as broken. */
const MAX_FOLDER_DEPTH = 64;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isTombstone(opened: Opened | undefined): boolean {
  return opened !== undefined && 'cleartext' in opened && opened.cleartext['deleted'] === true;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/**
 * Record-level and semantic diffs between two complete snapshots of an account, or a snapshot and
 * the live server. The store's record versions say which records differ (a version visible on
 * both sides, or two versions with the same content address, is unchanged and never opened), so
 * the cost follows what changed, not what the account holds.
 */
export class DiffEngine {
  private readonly prisma: PrismaClient;
  private readonly openConnection: DiffEngineOptions['openConnection'];
  private readonly decoders: DecoderSource;

  constructor(options: DiffEngineOptions) {
    this.prisma = options.prisma;
    this.openConnection = options.openConnection;
    this.decoders = options.decoders ?? new KeyedDecoders({ prisma: options.prisma, keyCustody: options.keyCustody });
  }

  /**
   * What changed from snapshot `from` to snapshot `to` (either may be the older one) or to the
   * server as it is now (`'live'`: read through the account's connection, kept in memory, never
   * stored). Throws SnapshotNotFoundError / SnapshotNotCompleteError for a side that cannot be read.
   */
  async diffSnapshots(accountId: string, from: number, to: DiffSide, options: DiffOptions = {}): Promise<SnapshotDiff> {
    const fromSnapshot = await this.completeSnapshot(accountId, from);
    let collections: string[];
    let touched: Map<string, Map<string, TouchedRecord>>;
    let run: DiffRun;
    if (to === 'live') {
      if (this.openConnection === undefined) throw new DiffInputError('this diff engine has no way to reach the live server');
      const connection = await this.openConnection(accountId);
      run = new DiffRun(this.prisma, this.decoders, accountId, from, options, connection);
      const info = await connection.storage.infoCollections(options.signal === undefined ? {} : { signal: options.signal });
      collections = run.selected([...Object.keys(fromSnapshot.collections), ...Object.keys(info)]);
      touched = new Map();
      for (const collection of collections) touched.set(collection, await run.liveTouched(connection, collection, collection in info));
    } else {
      const toSnapshot = await this.completeSnapshot(accountId, to);
      run = new DiffRun(this.prisma, this.decoders, accountId, from, options, undefined);
      collections = run.selected([...Object.keys(fromSnapshot.collections), ...Object.keys(toSnapshot.collections)]);
      touched = await run.storedTouched(to, collections);
      for (const collection of touched.keys()) if (!collections.includes(collection)) collections.push(collection);
      collections.sort(compareIds);
    }

    const result: SnapshotDiff = { from, to, collections: {}, semantic: {}, stats: { versionsCompared: 0, decrypted: 0 } };
    for (const collection of collections) {
      const records = [...(touched.get(collection)?.values() ?? [])].sort((a, b) => compareIds(a.id, b.id));
      result.stats.versionsCompared += records.reduce((sum, record) => sum + (record.from === undefined ? 0 : 1) + (record.to === undefined ? 0 : 1), 0);
      const { changes, pairs } = await run.classify(collection, records, to);
      result.collections[collection] = changes;
      if (options.semantic !== false && pairs.length > 0) result.semantic[collection] = await run.semantic(collection, pairs);
    }
    result.stats.decrypted = run.decrypted;
    if (run.liveRecordsRead !== undefined) result.stats.liveRecordsRead = run.liveRecordsRead;
    return result;
  }

  /**
   * "When did it vanish?": records whose title or URL (other collections: other searchable text)
   * contains `text`, case-insensitive, across every complete snapshot, with the last snapshot that
   * had each and the first that did not, and a bookmark's folder path at the time.
   */
  findAcrossSnapshots(accountId: string, text: string, options: FindOptions = {}): Promise<FindResult> {
    return findAcrossSnapshots(this.prisma, this.decoders, accountId, text, options);
  }

  private async completeSnapshot(accountId: string, seq: number): Promise<SnapshotRow> {
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) throw new DiffInputError(`a snapshot is named by its number, 1 to ${MAX_SEQ}`);
    const row = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } }, select: { seq: true, status: true, collections: true } });
    if (row === null) throw new SnapshotNotFoundError(seq);
    if (row.status !== 'complete') throw new SnapshotNotCompleteError(seq, row.status);
    return { seq: row.seq, status: row.status, collections: (row.collections ?? {}) as SnapshotCollections };
  }
}

/** The state of one diff: its decoders, what it decrypted, and the store queries it needs. */
class DiffRun {
  decrypted = 0;
  liveRecordsRead: number | undefined;
  private readonly decoderCache = new Map<string, Promise<RecordDecoder>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly decoders: DecoderSource,
    private readonly accountId: string,
    private readonly from: number,
    private readonly options: DiffOptions,
    /** The server, for diffs against `live`. */
    private readonly connection: SyncConnection | undefined,
  ) {}

  /** The collection asked for, or every one named. */
  selected(names: string[]): string[] {
    const wanted = this.options.collection;
    return wanted !== undefined ? [wanted] : [...new Set(names)].sort(compareIds);
  }

  /**
   * Versions visible on exactly one of the two snapshots: those that began or ended between them.
   * Both index ranges (fromSeq, toSeq) serve it; versions visible on both sides are never read.
   */
  async storedTouched(to: number, collections: readonly string[]): Promise<Map<string, Map<string, TouchedRecord>>> {
    const low = Math.min(this.from, to);
    const high = Math.max(this.from, to);
    const only = this.options.collection === undefined ? Prisma.empty : Prisma.sql`AND collection = ${this.options.collection}`;
    const rows = await this.prisma.$queryRaw<Array<{ collection: string; bsoId: string; hash: string; fromSeq: number; toSeq: number | null }>>`
      SELECT collection, "bsoId", encode("blobHash", 'hex') AS hash, "fromSeq", "toSeq"
      FROM "RecordVersion"
      WHERE "accountId" = ${this.accountId}::uuid ${only}
        AND (("fromSeq" > ${low} AND "fromSeq" <= ${high}) OR ("toSeq" > ${low} AND "toSeq" <= ${high}))
        AND (("fromSeq" <= ${low} AND ("toSeq" IS NULL OR "toSeq" > ${low})) OR ("fromSeq" <= ${high} AND ("toSeq" IS NULL OR "toSeq" > ${high})))`;
    const touched = new Map<string, Map<string, TouchedRecord>>(collections.map((collection) => [collection, new Map()]));
    const visibleIn = (seq: number, row: { fromSeq: number; toSeq: number | null }) => row.fromSeq <= seq && (row.toSeq === null || row.toSeq > seq);
    for (const row of rows) {
      let records = touched.get(row.collection);
      if (records === undefined) touched.set(row.collection, (records = new Map()));
      let record = records.get(row.bsoId);
      if (record === undefined) records.set(row.bsoId, (record = { id: row.bsoId }));
      if (visibleIn(this.from, row)) record.from = { hash: row.hash };
      else if (visibleIn(to, row)) record.to = { hash: row.hash };
    }
    for (const records of touched.values()) {
      for (const [id, record] of records) if (record.from !== undefined && record.to !== undefined && record.from.hash === record.to.hash) records.delete(id);
    }
    return touched;
  }

  /**
   * The server's records of one collection against the snapshot's, page by page: a record whose
   * payload hashes to the stored content address is unchanged and dropped at once; only the
   * payloads that differ stay in memory.
   */
  async liveTouched(connection: SyncConnection, collection: string, onServer: boolean): Promise<Map<string, TouchedRecord>> {
    const stored = await this.storedHashes(collection);
    for (let attempt = 1; ; attempt++) {
      const remaining = new Map(stored);
      const touched = new Map<string, TouchedRecord>();
      let read = 0;
      try {
        if (onServer) {
          const signal = this.options.signal;
          for await (const page of connection.storage.readRecords(collection, { limit: CHUNK, ...(signal !== undefined && { signal }) })) {
            for (const bso of page) {
              read += 1;
              const hash = payloadHash(bso.payload);
              const before = remaining.get(bso.id);
              remaining.delete(bso.id);
              if (before === hash) continue;
              touched.set(bso.id, { id: bso.id, ...(before !== undefined && { from: { hash: before } }), to: { hash, payload: bso.payload } });
            }
          }
        }
      } catch (error) {
        if (error instanceof PreconditionFailedError && attempt < LIVE_ATTEMPTS) continue;
        throw error;
      }
      for (const [id, hash] of remaining) touched.set(id, { id, from: { hash } });
      this.liveRecordsRead = (this.liveRecordsRead ?? 0) + read;
      return touched;
    }
  }

  private async storedHashes(collection: string): Promise<Map<string, string>> {
    const rows = await this.prisma.$queryRaw<Array<{ bsoId: string; hash: string }>>`
      SELECT "bsoId", encode("blobHash", 'hex') AS hash FROM "RecordVersion"
      WHERE "accountId" = ${this.accountId}::uuid AND collection = ${collection}
        AND "fromSeq" <= ${this.from} AND ("toSeq" IS NULL OR "toSeq" > ${this.from})`;
    return new Map(rows.map((row) => [row.bsoId, row.hash]));
  }

  /**
   * Sorts the records that differ into added / removed / changed / tombstoned. The `to` side is
   * opened to see tombstones, the `from` side where the record is on both sides (a tombstone
   * staying a tombstone is no change) or where the semantic view needs what was removed.
   */
  async classify(collection: string, records: readonly TouchedRecord[], to: DiffSide): Promise<{ changes: CollectionChanges; pairs: RecordPair[] }> {
    const semantic = this.options.semantic !== false;
    const fromOpened = await this.open(collection, this.from, records.filter((record) => record.from !== undefined && (record.to !== undefined || semantic)).map((record) => ({ id: record.id, version: record.from! })));
    const toOpened = await this.open(collection, to, records.filter((record) => record.to !== undefined).map((record) => ({ id: record.id, version: record.to! })));
    const changes: CollectionChanges = { added: [], removed: [], changed: [], tombstoned: [] };
    const pairs: RecordPair[] = [];
    for (const record of records) {
      const before = fromOpened.get(record.id);
      const after = toOpened.get(record.id);
      if (record.from === undefined) {
        (isTombstone(after) ? changes.tombstoned : changes.added).push(record.id);
      } else if (record.to === undefined) {
        changes.removed.push(record.id);
      } else if (isTombstone(after)) {
        if (isTombstone(before)) continue;
        changes.tombstoned.push(record.id);
      } else {
        changes.changed.push(record.id);
      }
      pairs.push({
        id: record.id,
        ...(before !== undefined && ('cleartext' in before ? { before: before.cleartext } : { beforeError: before.error })),
        ...(after !== undefined && ('cleartext' in after ? { after: after.cleartext } : { afterError: after.error })),
      });
    }
    return { changes, pairs };
  }

  async semantic(collection: string, pairs: RecordPair[]): Promise<SemanticDiff> {
    const options = { revealSecrets: this.options.revealSecrets ?? false };
    if (collection !== 'bookmarks') return semanticDiff(collection, pairs, options);
    // Paths need the folders above the changed items; those that did not change are read from
    // the `from` snapshot (the same on both sides), each once, one level at a time.
    const context = new Map<string, Cleartext>();
    const tried = new Set<string>();
    for (let depth = 0; depth < MAX_FOLDER_DEPTH; depth++) {
      const missing = missingBookmarkAncestors({ pairs, context }).filter((id) => !tried.has(id));
      if (missing.length === 0) break;
      for (const id of missing) tried.add(id);
      for (const [id, opened] of await this.openStoredIds(collection, missing)) if ('cleartext' in opened) context.set(id, opened.cleartext);
    }
    return semanticDiff(collection, pairs, { ...options, context });
  }

  private async openStoredIds(collection: string, ids: readonly string[]): Promise<Map<string, Opened>> {
    const rows = await this.prisma.$queryRaw<Array<{ bsoId: string; hash: string }>>`
      SELECT "bsoId", encode("blobHash", 'hex') AS hash FROM "RecordVersion"
      WHERE "accountId" = ${this.accountId}::uuid AND collection = ${collection} AND "bsoId" = ANY(${[...ids]}::text[])
        AND "fromSeq" <= ${this.from} AND ("toSeq" IS NULL OR "toSeq" > ${this.from})`;
    return this.open(collection, this.from, rows.map((row) => ({ id: row.bsoId, version: { hash: row.hash } })));
  }

  /** Opens the given versions on one side: stored payloads come from the blobs, live ones are at hand. */
  private async open(collection: string, side: DiffSide, versions: ReadonlyArray<{ id: string; version: SideVersion }>): Promise<Map<string, Opened>> {
    const opened = new Map<string, Opened>();
    if (versions.length === 0) return opened;
    let decode: RecordDecoder;
    try {
      decode = await this.decoder(collection, side);
    } catch (error) {
      for (const { id } of versions) opened.set(id, { error: errorMessage(error) });
      return opened;
    }
    for (const batch of chunks(versions)) {
      const payloads = await this.payloads(batch.filter(({ version }) => version.payload === undefined).map(({ version }) => version.hash));
      for (const { id, version } of batch) {
        const payload = version.payload ?? payloads.get(version.hash);
        if (payload === undefined) {
          opened.set(id, { error: 'the payload is missing from the store (run syncvault check)' });
          continue;
        }
        this.decrypted += 1;
        try {
          opened.set(id, { cleartext: decode({ bsoId: id, payload }) });
        } catch (error) {
          opened.set(id, { error: errorMessage(error) });
        }
      }
    }
    return opened;
  }

  private decoder(collection: string, side: DiffSide): Promise<RecordDecoder> {
    const key = `${side}\u0000${collection}`;
    let decoder = this.decoderCache.get(key);
    if (decoder === undefined) {
      if (side === 'live') {
        if (this.connection === undefined) throw new Error('no live connection');
        decoder = this.decoders.live(this.connection, collection);
      } else {
        decoder = this.decoders.stored(this.accountId, side, collection);
      }
      this.decoderCache.set(key, decoder);
    }
    return decoder;
  }

  private async payloads(hashes: readonly string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const unique = [...new Set(hashes)];
    const blobs = await this.prisma.blob.findMany({ where: { hash: { in: unique.map((hash) => new Uint8Array(Buffer.from(hash, 'hex'))) } }, select: { hash: true, payload: true } });
    return new Map(blobs.map((blob) => [Buffer.from(blob.hash).toString('hex'), blob.payload]));
  }
}
