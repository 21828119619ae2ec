import type { Snapshot } from '../generated/prisma/client.js';
import type { PrismaClient } from './prisma.js';

export type SnapshotStatus = 'running' | 'complete' | 'failed';

/** `{collection: {count, lastModified}}` as the server showed it when the snapshot was taken (ms). */
export type SnapshotCollections = Record<string, { count: number; lastModified: number }>;

/** One snapshot as the API, the CLI and the engine read it. */
export interface SnapshotRecord {
  accountId: string;
  seq: number;
  status: SnapshotStatus;
  trigger: string;
  tags: string[];
  startedAt: Date;
  finishedAt: Date | null;
  keyFingerprint: string | null;
  collections: SnapshotCollections;
  versionsAdded: number;
  stats: Record<string, unknown>;
  error: string | null;
}

/** A record as a snapshot sees it, with its payload exactly as the server sent it. */
export interface StoredRecordVersion {
  collection: string;
  bsoId: string;
  /** Server modified time, ms. */
  modified: number;
  sortindex: number | null;
  payload: string;
  /** Hex SHA-256 of the payload. */
  blobHash: string;
  hmacValid: boolean;
  /** The first snapshot that saw this version, and the first that no longer did (null: still current). */
  fromSeq: number;
  toSeq: number | null;
}

export interface StoredHealthAlert {
  id: bigint;
  snapshotSeq: number;
  kind: string;
  collection: string | null;
  message: string;
  details: Record<string, unknown>;
  createdAt: Date;
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
}

export interface PageOptions {
  offset?: number;
  limit?: number;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 10_000;

function pageOf(options: PageOptions): { offset: number; limit: number } {
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(options.limit ?? DEFAULT_PAGE)));
  return { offset, limit };
}

function toRecord(row: Snapshot): SnapshotRecord {
  return {
    accountId: row.accountId,
    seq: row.seq,
    status: row.status,
    trigger: row.trigger,
    tags: row.tags,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    keyFingerprint: row.keyFingerprint,
    collections: (row.collections ?? {}) as SnapshotCollections,
    versionsAdded: row.versionsAdded,
    stats: (row.stats ?? {}) as Record<string, unknown>,
    error: row.error,
  };
}

interface VersionRow {
  collection: string;
  bsoId: string;
  modified: bigint;
  sortindex: number | null;
  payload: string;
  blobHash: string;
  hmacValid: boolean;
  fromSeq: number;
  toSeq: number | null;
}

function toVersion(row: VersionRow): StoredRecordVersion {
  return { ...row, modified: Number(row.modified) };
}

/** The read side of snapshots: what the API, the CLI, diff and restore ask of the store. */
export class SnapshotRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(accountId: string, seq: number): Promise<SnapshotRecord | null> {
    const row = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } } });
    return row === null ? null : toRecord(row);
  }

  /** The newest complete snapshot, the base every backup builds on; null before the first. */
  async latestComplete(accountId: string): Promise<SnapshotRecord | null> {
    const row = await this.prisma.snapshot.findFirst({ where: { accountId, status: 'complete' }, orderBy: { seq: 'desc' } });
    return row === null ? null : toRecord(row);
  }

  /** Snapshots of an account, newest first; `status` narrows the list. */
  async list(accountId: string, options: PageOptions & { status?: SnapshotStatus } = {}): Promise<SnapshotRecord[]> {
    const { offset, limit } = pageOf({ limit: MAX_PAGE, ...options });
    const rows = await this.prisma.snapshot.findMany({
      where: { accountId, ...(options.status !== undefined && { status: options.status }) },
      orderBy: { seq: 'desc' },
      skip: offset,
      take: limit,
    });
    return rows.map(toRecord);
  }

  /** The records of one collection as snapshot `seq` saw them, ordered by id, with their payloads. */
  async visibleVersions(accountId: string, seq: number, collection: string, options: PageOptions = {}): Promise<StoredRecordVersion[]> {
    const { offset, limit } = pageOf(options);
    const rows = await this.prisma.$queryRaw<VersionRow[]>`
      SELECT v.collection, v."bsoId", v.modified, v.sortindex, b.payload, encode(v."blobHash", 'hex') AS "blobHash",
             v."hmacValid", v."fromSeq", v."toSeq"
      FROM "RecordVersion" v JOIN "Blob" b ON b.hash = v."blobHash"
      WHERE v."accountId" = ${accountId}::uuid AND v.collection = ${collection}
        AND v."fromSeq" <= ${seq} AND (v."toSeq" IS NULL OR v."toSeq" > ${seq})
      ORDER BY v."bsoId"
      OFFSET ${offset} LIMIT ${limit}`;
    return rows.map(toVersion);
  }

  /** One record as snapshot `seq` saw it; null when the snapshot did not have it. */
  async visibleVersion(accountId: string, seq: number, collection: string, bsoId: string): Promise<StoredRecordVersion | null> {
    const rows = await this.prisma.$queryRaw<VersionRow[]>`
      SELECT v.collection, v."bsoId", v.modified, v.sortindex, b.payload, encode(v."blobHash", 'hex') AS "blobHash",
             v."hmacValid", v."fromSeq", v."toSeq"
      FROM "RecordVersion" v JOIN "Blob" b ON b.hash = v."blobHash"
      WHERE v."accountId" = ${accountId}::uuid AND v.collection = ${collection} AND v."bsoId" = ${bsoId}
        AND v."fromSeq" <= ${seq} AND (v."toSeq" IS NULL OR v."toSeq" > ${seq})
      LIMIT 1`;
    const [row] = rows;
    return row === undefined ? null : toVersion(row);
  }

  /** How many records each collection held in snapshot `seq`, counted from its versions (`syncvault check` compares this with `collections`). */
  async visibleCounts(accountId: string, seq: number): Promise<Record<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ collection: string; count: number }>>`
      SELECT collection, count(*)::int AS count FROM "RecordVersion"
      WHERE "accountId" = ${accountId}::uuid AND "fromSeq" <= ${seq} AND ("toSeq" IS NULL OR "toSeq" > ${seq})
      GROUP BY collection`;
    return Object.fromEntries(rows.map((row) => [row.collection, row.count]));
  }

  /** The health alerts a snapshot raised, oldest first. */
  async alerts(accountId: string, seq: number): Promise<StoredHealthAlert[]> {
    const rows = await this.prisma.healthAlert.findMany({ where: { accountId, snapshotSeq: seq }, orderBy: { id: 'asc' } });
    return rows.map((row) => ({
      id: row.id,
      snapshotSeq: row.snapshotSeq,
      kind: row.kind,
      collection: row.collection,
      message: row.message,
      details: (row.details ?? {}) as Record<string, unknown>,
      createdAt: row.createdAt,
      deliveredAt: row.deliveredAt,
      acknowledgedAt: row.acknowledgedAt,
    }));
  }
}
