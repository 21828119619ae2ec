import type { PrismaClient } from './prisma.js';

/**
 * What an account takes in the store. Payloads are content-addressed and shared, so "used" is
 * counted by distinct payload: a record that did not change between snapshots costs nothing
 * more, and a payload two accounts both hold counts in both accounts' `bytes` (each needs it) but
 * in neither one's `exclusiveBytes`. Sizes are of the payload text as the server sent it (UTF-8),
 * not of PostgreSQL's pages, indexes or compression.
 */
export interface StorageUsage {
  /** Sum of the sizes of the distinct payloads this account's record versions point at. */
  bytes: number;
  /** Of those, the payloads no other account points at: about what removing the account frees. */
  exclusiveBytes: number;
  /** Distinct payloads (blobs) behind `bytes`. */
  blobs: number;
  /** Record versions kept: one per record per change, whatever the number of snapshots seeing it. */
  versions: number;
  /** Complete snapshots. */
  snapshots: number;
}

export const NO_STORAGE_USED: Readonly<StorageUsage> = Object.freeze({ bytes: 0, exclusiveBytes: 0, blobs: 0, versions: 0, snapshots: 0 });

interface UsageRow {
  accountId: string;
  bytes: bigint;
  exclusiveBytes: bigint;
  blobs: number;
  versions: bigint;
  snapshots: number;
}

/**
 * The storage each of `accountIds` uses, in one set-based query (for a list of accounts as for
 * one). An account without record versions uses nothing.
 */
export async function storageUsage(prisma: PrismaClient, accountIds: readonly string[]): Promise<Map<string, StorageUsage>> {
  const usage = new Map<string, StorageUsage>(accountIds.map((id) => [id, { ...NO_STORAGE_USED }]));
  if (accountIds.length === 0) return usage;
  const ids = [...new Set(accountIds)];
  const rows = await prisma.$queryRaw<UsageRow[]>`
    WITH refs AS (
      SELECT v."accountId", v."blobHash", count(*) AS versions
      FROM "RecordVersion" v
      WHERE v."accountId" = ANY(${ids}::uuid[])
      GROUP BY v."accountId", v."blobHash"
    ),
    per_account AS (
      SELECT r."accountId",
        coalesce(sum(b.size), 0)::bigint AS bytes,
        coalesce(sum(b.size) FILTER (WHERE NOT EXISTS (
          SELECT 1 FROM "RecordVersion" o WHERE o."blobHash" = r."blobHash" AND o."accountId" <> r."accountId"
        )), 0)::bigint AS "exclusiveBytes",
        count(*)::int AS blobs,
        sum(r.versions)::bigint AS versions
      FROM refs r LEFT JOIN "Blob" b ON b.hash = r."blobHash"
      GROUP BY r."accountId"
    ),
    snapshots AS (
      SELECT s."accountId", count(*)::int AS snapshots
      FROM "Snapshot" s
      WHERE s."accountId" = ANY(${ids}::uuid[]) AND s.status = 'complete'
      GROUP BY s."accountId"
    )
    SELECT a.id::text AS "accountId",
      coalesce(p.bytes, 0)::bigint AS bytes,
      coalesce(p."exclusiveBytes", 0)::bigint AS "exclusiveBytes",
      coalesce(p.blobs, 0)::int AS blobs,
      coalesce(p.versions, 0)::bigint AS versions,
      coalesce(s.snapshots, 0)::int AS snapshots
    FROM unnest(${ids}::uuid[]) AS a(id)
    LEFT JOIN per_account p ON p."accountId" = a.id
    LEFT JOIN snapshots s ON s."accountId" = a.id`;
  for (const row of rows) {
    usage.set(row.accountId, {
      bytes: Number(row.bytes),
      exclusiveBytes: Number(row.exclusiveBytes),
      blobs: row.blobs,
      versions: Number(row.versions),
      snapshots: row.snapshots,
    });
  }
  return usage;
}
