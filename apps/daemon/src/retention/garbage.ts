import { Prisma } from '../generated/prisma/client.js';
import { BLOB_GC_LOCK_KEY, type PrismaClient } from '../store/index.js';

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Garbage collection is set-based SQL over the visibility rule: version v is in snapshot s when
 * v.fromSeq <= s < v.toSeq (toSeq null = still current).
 *
 * A version of `accountId` is garbage when, leaving out the snapshots in `leavingOut`:
 * - it is closed (current versions are the baseline the next backup compares with, so they stay
 *   even if the snapshot that wrote them was removed by hand),
 * - no complete snapshot sees it,
 * - and no running snapshot touches it: a run that dies is rolled back, which reopens the versions
 *   it closed (toSeq = its seq) and drops the ones it wrote, so both must survive until then.
 *
 * `leavingOut` lets a dry run ask "what if these were gone" with the same predicate the real run
 * uses after deleting them.
 */
function versionIsGarbage(accountId: string, leavingOut: readonly number[]): Prisma.Sql {
  return Prisma.sql`v."accountId" = ${accountId}::uuid
    AND v."toSeq" IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM "Snapshot" s
      WHERE s."accountId" = v."accountId"
        AND s.seq <> ALL(${[...leavingOut]}::int[])
        AND s.seq >= v."fromSeq"
        AND ((s.status = 'complete' AND s.seq < v."toSeq") OR (s.status = 'running' AND s.seq <= v."toSeq"))
    )`;
}

export interface GarbageCount {
  versions: number;
  blobs: number;
  /** Sum of the removed blobs' sizes. */
  bytes: number;
}

/** Deletes the account's garbage versions (call inside the transaction that deleted snapshots). */
export async function deleteGarbageVersions(tx: Prisma.TransactionClient, accountId: string): Promise<number> {
  const [row] = await tx.$queryRaw<Array<{ versions: number }>>`
    WITH removed AS (DELETE FROM "RecordVersion" v WHERE ${versionIsGarbage(accountId, [])} RETURNING 1)
    SELECT count(*)::int AS versions FROM removed`;
  return row?.versions ?? 0;
}

/**
 * Deletes every blob no record version references, of any account (blobs are shared). Holds the
 * blob-GC lock exclusively: backups hold it shared while they insert versions, so a blob cannot
 * be swept just as another backup starts pointing at it again.
 */
export async function sweepBlobs(prisma: PrismaClient, timeoutMs: number): Promise<Pick<GarbageCount, 'blobs' | 'bytes'>> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BLOB_GC_LOCK_KEY})`;
      const [row] = await tx.$queryRaw<Array<{ blobs: number; bytes: bigint }>>`
        WITH removed AS (
          DELETE FROM "Blob" b WHERE NOT EXISTS (SELECT 1 FROM "RecordVersion" v WHERE v."blobHash" = b.hash)
          RETURNING b.size
        )
        SELECT count(*)::int AS blobs, coalesce(sum(size), 0)::bigint AS bytes FROM removed`;
      return { blobs: row?.blobs ?? 0, bytes: Number(row?.bytes ?? 0n) };
    },
    { timeout: timeoutMs, maxWait: timeoutMs },
  );
}

/** What removing `leavingOut` and collecting garbage would free, without changing anything. */
export async function countGarbage(db: Db, accountId: string, leavingOut: readonly number[]): Promise<GarbageCount> {
  const garbage = versionIsGarbage(accountId, leavingOut);
  const [versions] = await db.$queryRaw<Array<{ versions: number }>>`
    SELECT count(*)::int AS versions FROM "RecordVersion" v WHERE ${garbage}`;
  // A blob goes when every version pointing at it goes (or none did already).
  const [blobs] = await db.$queryRaw<Array<{ blobs: number; bytes: bigint }>>`
    SELECT count(*)::int AS blobs, coalesce(sum(b.size), 0)::bigint AS bytes FROM "Blob" b
    WHERE NOT EXISTS (SELECT 1 FROM "RecordVersion" v WHERE v."blobHash" = b.hash AND NOT (${garbage}))`;
  return { versions: versions?.versions ?? 0, blobs: blobs?.blobs ?? 0, bytes: Number(blobs?.bytes ?? 0n) };
}
