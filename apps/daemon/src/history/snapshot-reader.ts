import type { KeyBundle } from '@syncvault/sync-crypto';
import type { Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../store/index.js';
import { CollectionKeys, CRYPTO_COLLECTION, decryptBso, KEYS_RECORD_ID, maskSecrets, redactKeys } from '../sync/index.js';
import type { KeyCustody } from '../vault/index.js';

/** A snapshot as listed: what it holds and how it came to be. */
export interface SnapshotListing {
  seq: number;
  status: 'running' | 'complete' | 'failed';
  trigger: string;
  tags: string[];
  startedAt: Date;
  finishedAt: Date | null;
  /** `{collection: {count, lastModified}}` as recorded when the snapshot was taken. */
  collections: Record<string, { count: number; lastModified: number }>;
  versionsAdded: number;
  error: string | null;
}

export interface ContentsQuery {
  offset?: number;
  /** 1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE. */
  limit?: number;
  /** Case-insensitive text to find in the decrypted JSON (or the id of a record that does not decrypt). */
  search?: string;
  /** Show password and card-number values instead of masking them. Bulk keys are never shown. */
  revealSecrets?: boolean;
}

export interface SnapshotRecord {
  id: string;
  /** Server modified time, integer ms. */
  modified: number;
  sortindex: number | null;
  /** The HMAC check at backup time (false: stored as the server had it, flagged). */
  hmacValid: boolean;
  cleartext: Record<string, unknown> | null;
  /** Why cleartext is null. */
  error?: string;
}

export interface CollectionContents {
  /** Records in the snapshot's collection (matching `search`, when given). */
  total: number;
  offset: number;
  limit: number;
  /** Newest first (server modified time), then by id. */
  records: SnapshotRecord[];
}

/** A record of the archive: its newest version ever backed up, and whether the server still has it. */
export interface ArchivedRecord extends SnapshotRecord {
  /** The first snapshot that saw this version. */
  firstSeenSeq: number;
  /** False when the record is gone from the server (deleted, expired, or history the server forgot). */
  onServer: boolean;
}

export interface ArchiveContents {
  total: number;
  offset: number;
  limit: number;
  /** By id. */
  records: ArchivedRecord[];
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Versions decrypted per query while searching. */
const SEARCH_BATCH = 500;

export class SnapshotNotFoundError extends Error {
  override readonly name = 'SnapshotNotFoundError';
  constructor(seq: number) {
    super(`the account has no snapshot ${seq}`);
  }
}

export class SnapshotNotCompleteError extends Error {
  override readonly name = 'SnapshotNotCompleteError';
  constructor(seq: number, status: string) {
    super(`snapshot ${seq} is ${status}; only complete snapshots can be read`);
  }
}

/** How records of one collection of one snapshot turn into cleartext; throws for a record that does not decrypt. */
export type RecordDecoder = (version: { bsoId: string; payload: string }) => Record<string, unknown>;
type Decoder = RecordDecoder;

/** The versions visible in snapshot `seq`: fromSeq <= seq < toSeq (toSeq null = still current). */
function visibleIn(accountId: string, seq: number, collection: string): Prisma.RecordVersionWhereInput {
  return { accountId, collection, fromSeq: { lte: seq }, OR: [{ toSeq: null }, { toSeq: { gt: seq } }] };
}

const VERSION_ORDER: Prisma.RecordVersionOrderByWithRelationInput[] = [{ modified: 'desc' }, { bsoId: 'asc' }];
const VERSION_FIELDS = { bsoId: true, blobHash: true, modified: true, sortindex: true, hmacValid: true } as const;
type VersionRow = Prisma.RecordVersionGetPayload<{ select: typeof VERSION_FIELDS }>;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads the store the way a person browses a backup: the snapshots of an account, and the
 * decrypted records of one collection of one snapshot, with the keys in force when it was taken.
 */
export class SnapshotReader {
  private readonly prisma: PrismaClient;
  private readonly keyCustody: KeyCustody;

  constructor(options: { prisma: PrismaClient; keyCustody: KeyCustody }) {
    this.prisma = options.prisma;
    this.keyCustody = options.keyCustody;
  }

  /** Every snapshot of the account, oldest first. */
  async listSnapshots(accountId: string): Promise<SnapshotListing[]> {
    const rows = await this.prisma.snapshot.findMany({
      where: { accountId },
      orderBy: { seq: 'asc' },
      select: { seq: true, status: true, trigger: true, tags: true, startedAt: true, finishedAt: true, collections: true, versionsAdded: true, error: true },
    });
    return rows.map((row) => ({ ...row, collections: row.collections as SnapshotListing['collections'] }));
  }

  /**
   * One page of a collection as it was in snapshot `seq`, decrypted. A record that does not
   * decrypt is listed with cleartext null and the reason; this never throws for one record.
   */
  async collectionContents(accountId: string, seq: number, collection: string, query: ContentsQuery = {}): Promise<CollectionContents> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('offset must be a whole number ≥ 0');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);

    const snapshot = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } } });
    if (snapshot === null) throw new SnapshotNotFoundError(seq);
    if (snapshot.status !== 'complete') throw new SnapshotNotCompleteError(seq, snapshot.status);

    const decode = await this.decoderFor(accountId, seq, snapshot.keyFingerprint, collection, query.revealSecrets ?? false);
    const where = visibleIn(accountId, seq, collection);
    const search = query.search?.trim().toLowerCase() ?? '';
    if (search === '') {
      const [total, versions] = await Promise.all([
        this.prisma.recordVersion.count({ where }),
        this.prisma.recordVersion.findMany({ where, orderBy: VERSION_ORDER, skip: offset, take: limit, select: VERSION_FIELDS }),
      ]);
      return { total, offset, limit, records: await this.decodeAll(versions, decode) };
    }

    // Ciphertext cannot be searched in SQL: decrypt every version in batches, keep the page.
    const records: SnapshotRecord[] = [];
    let total = 0;
    let after: { modified: bigint; bsoId: string } | undefined;
    for (;;) {
      const keyset: Prisma.RecordVersionWhereInput =
        after === undefined ? {} : { OR: [{ modified: { lt: after.modified } }, { modified: after.modified, bsoId: { gt: after.bsoId } }] };
      const versions = await this.prisma.recordVersion.findMany({ where: { AND: [where, keyset] }, orderBy: VERSION_ORDER, take: SEARCH_BATCH, select: VERSION_FIELDS });
      for (const record of await this.decodeAll(versions, decode)) {
        const text = record.cleartext === null ? record.id : JSON.stringify(record.cleartext);
        if (!text.toLowerCase().includes(search)) continue;
        if (total >= offset && records.length < limit) records.push(record);
        total++;
      }
      const last = versions.at(-1);
      if (last === undefined || versions.length < SEARCH_BATCH) break;
      after = { modified: last.modified, bsoId: last.bsoId };
    }
    return { total, offset, limit, records };
  }

  /**
   * One record of a collection as it was in snapshot `seq`, decrypted; null when the snapshot did
   * not hold it. Secrets are masked unless `revealSecrets`.
   */
  async snapshotRecord(accountId: string, seq: number, collection: string, recordId: string, options: { revealSecrets?: boolean } = {}): Promise<SnapshotRecord | null> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } } });
    if (snapshot === null) throw new SnapshotNotFoundError(seq);
    if (snapshot.status !== 'complete') throw new SnapshotNotCompleteError(seq, snapshot.status);
    const version = await this.prisma.recordVersion.findFirst({ where: { ...visibleIn(accountId, seq, collection), bsoId: recordId }, select: VERSION_FIELDS });
    if (version === null) return null;
    const decode = await this.decoderFor(accountId, seq, snapshot.keyFingerprint, collection, options.revealSecrets ?? false);
    const [record] = await this.decodeAll([version], decode);
    return record ?? null;
  }

  /**
   * Every record of a collection as it was in snapshot `seq`, decrypted (secrets masked unless
   * `revealSecrets`: restores and exports need them), in batches: for views that need the whole
   * collection at once, such as the bookmark tree.
   */
  async *collectionRecords(accountId: string, seq: number, collection: string, options: { revealSecrets?: boolean } = {}): AsyncGenerator<SnapshotRecord> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } } });
    if (snapshot === null) throw new SnapshotNotFoundError(seq);
    if (snapshot.status !== 'complete') throw new SnapshotNotCompleteError(seq, snapshot.status);
    const decode = await this.decoderFor(accountId, seq, snapshot.keyFingerprint, collection, options.revealSecrets ?? false);
    const where = visibleIn(accountId, seq, collection);
    let after: { modified: bigint; bsoId: string } | undefined;
    for (;;) {
      const keyset: Prisma.RecordVersionWhereInput =
        after === undefined ? {} : { OR: [{ modified: { lt: after.modified } }, { modified: after.modified, bsoId: { gt: after.bsoId } }] };
      const versions = await this.prisma.recordVersion.findMany({ where: { AND: [where, keyset] }, orderBy: VERSION_ORDER, take: SEARCH_BATCH, select: VERSION_FIELDS });
      yield* await this.decodeAll(versions, decode);
      const last = versions.at(-1);
      if (last === undefined || versions.length < SEARCH_BATCH) return;
      after = { modified: last.modified, bsoId: last.bsoId };
    }
  }

  /**
   * Every record of a collection ever backed up and still in the store, at its newest version,
   * whether or not the server still has it: Mozilla's server keeps ~60 days of history and
   * expires tabs and clients, the archive keeps what it saw. Each version decrypts with the keys
   * of the snapshot that first saw it. Search and paging as in collectionContents.
   */
  async archiveContents(accountId: string, collection: string, query: ContentsQuery = {}): Promise<ArchiveContents> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('offset must be a whole number ≥ 0');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    const complete = await this.prisma.snapshot.findMany({ where: { accountId, status: 'complete' }, select: { seq: true, keyFingerprint: true }, orderBy: { seq: 'asc' } });
    const newestComplete = complete.at(-1)?.seq;
    if (newestComplete === undefined) return { total: 0, offset, limit, records: [] };

    // A version written by a run that is still going (fromSeq above every complete snapshot) is not yet archived.
    const where: Prisma.RecordVersionWhereInput = { accountId, collection, fromSeq: { lte: newestComplete } };
    const decoders = new Map<number, Decoder>();
    const decoderOf = async (fromSeq: number): Promise<Decoder> => {
      let decode = decoders.get(fromSeq);
      if (decode === undefined) {
        const keyFingerprint = complete.filter((snapshot) => snapshot.seq <= fromSeq).at(-1)?.keyFingerprint ?? null;
        decode = await this.decoderFor(accountId, fromSeq, keyFingerprint, collection, query.revealSecrets ?? false);
        decoders.set(fromSeq, decode);
      }
      return decode;
    };
    const search = query.search?.trim().toLowerCase() ?? '';
    const records: ArchivedRecord[] = [];
    let total = 0;
    for (let skip = 0; ; skip += SEARCH_BATCH) {
      const versions = await this.prisma.recordVersion.findMany({
        where,
        distinct: ['bsoId'],
        orderBy: [{ bsoId: 'asc' }, { fromSeq: 'desc' }],
        skip: search === '' ? offset + skip : skip,
        take: search === '' ? limit : SEARCH_BATCH,
        select: { ...VERSION_FIELDS, fromSeq: true, toSeq: true },
      });
      for (const version of versions) {
        const [record] = await this.decodeAll([version], await decoderOf(version.fromSeq));
        if (record === undefined) continue;
        if (search !== '' && !(record.cleartext === null ? record.id : JSON.stringify(record.cleartext)).toLowerCase().includes(search)) continue;
        if (search === '' || (total >= offset && records.length < limit)) records.push({ ...record, firstSeenSeq: version.fromSeq, onServer: version.toSeq === null });
        total++;
      }
      if (search === '' || versions.length < SEARCH_BATCH) break;
    }
    if (search === '') {
      const [row] = await this.prisma.$queryRaw<Array<{ ids: number }>>`
        SELECT count(DISTINCT "bsoId")::int AS ids FROM "RecordVersion"
        WHERE "accountId" = ${accountId}::uuid AND collection = ${collection} AND "fromSeq" <= ${newestComplete}`;
      total = row?.ids ?? 0;
    }
    return { total, offset, limit, records };
  }

  /**
   * The decoder of one collection of complete snapshot `seq`, with the keys in force when it was
   * taken (secrets masked unless `revealSecrets`): for engines that choose which stored versions
   * to open, such as diff.
   */
  async recordDecoder(accountId: string, seq: number, collection: string, options: { revealSecrets?: boolean } = {}): Promise<RecordDecoder> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } }, select: { status: true, keyFingerprint: true } });
    if (snapshot === null) throw new SnapshotNotFoundError(seq);
    if (snapshot.status !== 'complete') throw new SnapshotNotCompleteError(seq, snapshot.status);
    return this.decoderFor(accountId, seq, snapshot.keyFingerprint, collection, options.revealSecrets ?? false);
  }

  private async decodeAll(versions: VersionRow[], decode: Decoder): Promise<SnapshotRecord[]> {
    const hashes = [...new Map(versions.map((version) => [Buffer.from(version.blobHash).toString('hex'), version.blobHash])).values()];
    const blobs = await this.prisma.blob.findMany({ where: { hash: { in: hashes } }, select: { hash: true, payload: true } });
    const payloads = new Map(blobs.map((blob) => [Buffer.from(blob.hash).toString('hex'), blob.payload]));
    return versions.map((version) => {
      const record = { id: version.bsoId, modified: Number(version.modified), sortindex: version.sortindex, hmacValid: version.hmacValid };
      const payload = payloads.get(Buffer.from(version.blobHash).toString('hex'));
      if (payload === undefined) return { ...record, cleartext: null, error: 'the payload is missing from the store (run syncvault check)' };
      try {
        return { ...record, cleartext: decode({ bsoId: version.bsoId, payload }) };
      } catch (error) {
        return { ...record, cleartext: null, error: errorMessage(error) };
      }
    });
  }

  /** meta is cleartext; crypto/keys opens with a root bundle; everything else with the snapshot's crypto/keys. */
  private async decoderFor(accountId: string, seq: number, keyFingerprint: string | null, collection: string, revealSecrets: boolean): Promise<Decoder> {
    if (collection === 'meta') {
      return ({ payload }) => {
        const parsed: unknown = JSON.parse(payload);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('meta record is not a JSON object');
        return parsed as Record<string, unknown>;
      };
    }
    if (collection === CRYPTO_COLLECTION) {
      const roots = await this.keyCustody.rootBundles(accountId);
      return ({ bsoId, payload }) => redactKeys(decryptCollectionKeys({ id: bsoId, payload }, roots));
    }
    const keys = await this.collectionKeys(accountId, seq, keyFingerprint);
    if (typeof keys === 'string') {
      return () => {
        throw new Error(keys);
      };
    }
    return ({ bsoId, payload }) => {
      const cleartext = decryptBso(collection, { id: bsoId, payload }, keys);
      return revealSecrets ? cleartext : maskSecrets(cleartext);
    };
  }

  /**
   * The snapshot's crypto/keys: from custody by the fingerprint it recorded, else its own
   * crypto/keys version opened with a kept root bundle. A string says why there are none.
   */
  private async collectionKeys(accountId: string, seq: number, fingerprint: string | null): Promise<CollectionKeys | string> {
    if (fingerprint !== null) {
      const kept = await this.keyCustody.collectionKeys(accountId, fingerprint);
      if (kept !== null) return kept;
    }
    const version = await this.prisma.recordVersion.findFirst({ where: { ...visibleIn(accountId, seq, CRYPTO_COLLECTION), bsoId: KEYS_RECORD_ID }, select: { blobHash: true } });
    const blob = version === null ? null : await this.prisma.blob.findUnique({ where: { hash: version.blobHash }, select: { payload: true } });
    if (blob === null) {
      return fingerprint === null
        ? 'the snapshot recorded no crypto/keys and holds none'
        : `the snapshot's crypto/keys (fingerprint ${fingerprint.slice(0, 12)}…) are not in key custody and the snapshot holds no copy`;
    }
    try {
      return decryptCollectionKeys({ id: KEYS_RECORD_ID, payload: blob.payload }, await this.keyCustody.rootBundles(accountId));
    } catch (error) {
      return errorMessage(error);
    }
  }
}

/** crypto/keys opens with one of the root bundles the account ever had (password resets change it). */
function decryptCollectionKeys(bso: { id: string; payload: string }, roots: Array<{ bundle: KeyBundle }>): CollectionKeys {
  if (roots.length === 0) throw new Error('no root key bundle in custody for this account: crypto/keys cannot be opened');
  let lastError: unknown;
  for (const { bundle } of roots) {
    try {
      return CollectionKeys.decrypt(bso, bundle);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`crypto/keys opens with none of the ${roots.length} root key bundle(s) in custody (${errorMessage(lastError)})`);
}
