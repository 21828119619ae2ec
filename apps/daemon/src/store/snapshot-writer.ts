import type { Prisma } from '../generated/prisma/client.js';
import { BLOB_GC_LOCK_KEY } from './locks.js';
import type { PrismaClient } from './prisma.js';
import type { SnapshotCollections } from './snapshot-repository.js';

/** What the store already holds as the current version of a record (toSeq null). */
export interface CurrentVersion {
  /** Hex SHA-256 of the payload. */
  blobHash: string;
  modified: number;
  sortindex: number | null;
}

/** A record version a running snapshot adds. */
export interface NewVersion {
  bsoId: string;
  payload: string;
  /** Hex SHA-256 of `payload` (payloadHash). */
  blobHash: string;
  modified: number;
  sortindex: number | null;
  hmacValid: boolean;
}

export interface NewHealthAlert {
  kind: string;
  collection?: string | undefined;
  message: string;
  details: Record<string, unknown>;
}

export interface SnapshotCompletion {
  finishedAt: Date;
  keyFingerprint: string | null;
  collections: SnapshotCollections;
  versionsAdded: number;
  stats: Record<string, unknown>;
  alerts: readonly NewHealthAlert[];
}

/** A page can hold thousands of records: long enough for them, short enough to notice a stuck database. */
const WRITE_TRANSACTION = { maxWait: 30_000, timeout: 120_000 } as const;

/**
 * The write side of snapshots. A run of snapshot s only ever adds versions with fromSeq = s and
 * closes versions with toSeq = s; completed snapshots (all < s) cannot see either, so a run can
 * be undone exactly (rollback) and nothing is visible before `complete` flips the status in one
 * transaction. Every statement is set-based: a page of records is one transaction, not one
 * round trip per record.
 */
export class SnapshotWriter {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Undoes every snapshot of the account still marked running (its worker died) and marks it
   * failed. Call it holding the account lock, so no live run is undone. Returns the seqs undone.
   */
  async recoverInterrupted(accountId: string): Promise<number[]> {
    const running = await this.prisma.snapshot.findMany({ where: { accountId, status: 'running' }, select: { seq: true }, orderBy: { seq: 'asc' } });
    for (const { seq } of running) await this.rollback(accountId, seq, 'interrupted');
    return running.map(({ seq }) => seq);
  }

  /**
   * Creates the next snapshot, status running. Its seq is above every seq the account's
   * snapshots and versions ever used: were retention to forget the latest snapshot, reusing its
   * seq would let a rollback delete versions later snapshots still need.
   */
  async begin(accountId: string, options: { trigger: string; tags: readonly string[]; startedAt: Date }): Promise<number> {
    const [highest] = await this.prisma.$queryRaw<Array<{ seq: number }>>`
      SELECT GREATEST(
        (SELECT max(seq) FROM "Snapshot" WHERE "accountId" = ${accountId}::uuid),
        (SELECT max("fromSeq") FROM "RecordVersion" WHERE "accountId" = ${accountId}::uuid),
        (SELECT max("toSeq") FROM "RecordVersion" WHERE "accountId" = ${accountId}::uuid),
        0
      )::int AS seq`;
    const seq = (highest?.seq ?? 0) + 1;
    await this.prisma.snapshot.create({
      data: { accountId, seq, status: 'running', trigger: options.trigger, tags: [...options.tags], startedAt: options.startedAt },
    });
    return seq;
  }

  /** The current version of every record of a collection, by id. */
  async currentVersions(accountId: string, collection: string): Promise<Map<string, CurrentVersion>> {
    const rows = await this.prisma.$queryRaw<Array<{ bsoId: string; blobHash: string; modified: bigint; sortindex: number | null }>>`
      SELECT "bsoId", encode("blobHash", 'hex') AS "blobHash", modified, sortindex
      FROM "RecordVersion"
      WHERE "accountId" = ${accountId}::uuid AND collection = ${collection} AND "toSeq" IS NULL`;
    return new Map(rows.map((row) => [row.bsoId, { blobHash: row.blobHash, modified: Number(row.modified), sortindex: row.sortindex }]));
  }

  /**
   * One page of a collection in one transaction: the blobs (deduplicated by hash), the closing
   * of the versions `replacedIds` had, and the new versions.
   */
  async writeVersions(accountId: string, seq: number, collection: string, versions: readonly NewVersion[], replacedIds: readonly string[]): Promise<void> {
    if (versions.length === 0 && replacedIds.length === 0) return;
    const blobs = new Map<string, string>();
    for (const version of versions) blobs.set(version.blobHash, version.payload);
    const blobHashes = [...blobs.keys()];
    const blobPayloads = [...blobs.values()];
    const blobSizes = blobPayloads.map((payload) => Buffer.byteLength(payload, 'utf8'));
    await this.prisma.$transaction(async (tx) => {
      await holdBlobReferenceLock(tx);
      if (blobHashes.length > 0) {
        // In hash order, so two writers sharing blobs (pages in flight, other accounts) lock them in one order and never deadlock.
        await tx.$executeRaw`
          INSERT INTO "Blob" (hash, payload, size)
          SELECT decode(t.hash, 'hex'), t.payload, t.size
          FROM unnest(${blobHashes}::text[], ${blobPayloads}::text[], ${blobSizes}::int[]) AS t(hash, payload, size)
          ORDER BY t.hash
          ON CONFLICT DO NOTHING`;
      }
      if (replacedIds.length > 0) await closeIds(tx, accountId, seq, collection, replacedIds);
      if (versions.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "RecordVersion" ("accountId", collection, "bsoId", "blobHash", modified, sortindex, "fromSeq", "hmacValid")
          SELECT ${accountId}::uuid, ${collection}, t.id, decode(t.hash, 'hex'), t.modified, t.sortindex, ${seq}, t.valid
          FROM unnest(
            ${versions.map((version) => version.bsoId)}::text[],
            ${versions.map((version) => version.blobHash)}::text[],
            ${versions.map((version) => version.modified)}::bigint[],
            ${versions.map((version) => version.sortindex)}::int[],
            ${versions.map((version) => version.hmacValid)}::boolean[]
          ) AS t(id, hash, modified, sortindex, valid)`;
      }
    }, WRITE_TRANSACTION);
  }

  /** Closes the current versions of these records (deleted or expired on the server); returns how many. */
  async closeVersions(accountId: string, seq: number, collection: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return closeIds(this.prisma, accountId, seq, collection, ids);
  }

  /** Closes every current version of a collection (gone from the server); returns how many. */
  async closeCollection(accountId: string, seq: number, collection: string): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "RecordVersion" SET "toSeq" = ${seq}
      WHERE "accountId" = ${accountId}::uuid AND collection = ${collection} AND "toSeq" IS NULL AND "fromSeq" < ${seq}`;
  }

  /** Undoes what snapshot `seq` did to one collection, so the collection can be read again. */
  async rollbackCollection(accountId: string, seq: number, collection: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`DELETE FROM "RecordVersion" WHERE "accountId" = ${accountId}::uuid AND "fromSeq" = ${seq} AND collection = ${collection}`;
      await tx.$executeRaw`UPDATE "RecordVersion" SET "toSeq" = NULL WHERE "accountId" = ${accountId}::uuid AND "toSeq" = ${seq} AND collection = ${collection}`;
    }, WRITE_TRANSACTION);
  }

  /**
   * Undoes everything snapshot `seq` wrote and marks it failed with `error` (one line, no
   * secrets). Blobs it inserted stay until garbage collection: other accounts may share them.
   */
  async rollback(accountId: string, seq: number, error: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`DELETE FROM "RecordVersion" WHERE "accountId" = ${accountId}::uuid AND "fromSeq" = ${seq}`;
      await tx.$executeRaw`UPDATE "RecordVersion" SET "toSeq" = NULL WHERE "accountId" = ${accountId}::uuid AND "toSeq" = ${seq}`;
      await tx.snapshot.update({
        where: { accountId_seq: { accountId, seq } },
        data: { status: 'failed', error, finishedAt: new Date(), versionsAdded: 0 },
      });
    }, WRITE_TRANSACTION);
  }

  /** Records per collection among the current versions (what a snapshot being completed holds). */
  async currentCounts(accountId: string): Promise<Record<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ collection: string; count: number }>>`
      SELECT collection, count(*)::int AS count FROM "RecordVersion"
      WHERE "accountId" = ${accountId}::uuid AND "toSeq" IS NULL
      GROUP BY collection`;
    return Object.fromEntries(rows.map((row) => [row.collection, row.count]));
  }

  /** Marks the snapshot complete with its summary and stores its health alerts, in one transaction; returns the alerts' ids. */
  async complete(accountId: string, seq: number, completion: SnapshotCompletion): Promise<bigint[]> {
    return this.prisma.$transaction(async (tx) => {
      await tx.snapshot.update({
        where: { accountId_seq: { accountId, seq } },
        data: {
          status: 'complete',
          finishedAt: completion.finishedAt,
          keyFingerprint: completion.keyFingerprint,
          collections: completion.collections as unknown as Prisma.InputJsonObject,
          versionsAdded: completion.versionsAdded,
          stats: completion.stats as Prisma.InputJsonObject,
          error: null,
        },
      });
      const ids: bigint[] = [];
      for (const alert of completion.alerts) {
        const row = await tx.healthAlert.create({
          data: {
            accountId,
            snapshotSeq: seq,
            kind: alert.kind,
            collection: alert.collection ?? null,
            message: alert.message,
            details: alert.details as Prisma.InputJsonObject,
            createdAt: completion.finishedAt,
          },
          select: { id: true },
        });
        ids.push(row.id);
      }
      return ids;
    }, WRITE_TRANSACTION);
  }

  /** Notes that a webhook accepted these alerts. */
  async markAlertsDelivered(ids: readonly bigint[], deliveredAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.healthAlert.updateMany({ where: { id: { in: [...ids] } }, data: { deliveredAt } });
  }
}

type Sql = Pick<PrismaClient, '$executeRaw'>;

/** Shared with every other writer of versions, exclusive for blob GC (see BLOB_GC_LOCK_KEY); released at commit. */
async function holdBlobReferenceLock(tx: Pick<PrismaClient, '$queryRaw'>): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock_shared(${BLOB_GC_LOCK_KEY})::text`;
}

function closeIds(sql: Sql, accountId: string, seq: number, collection: string, ids: readonly string[]): Promise<number> {
  return sql.$executeRaw`
    UPDATE "RecordVersion" SET "toSeq" = ${seq}
    WHERE "accountId" = ${accountId}::uuid AND collection = ${collection} AND "bsoId" = ANY(${[...ids]}::text[])
      AND "toSeq" IS NULL AND "fromSeq" < ${seq}`;
}
