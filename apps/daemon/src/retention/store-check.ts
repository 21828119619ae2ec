import type { PrismaClient } from '../store/index.js';

export type StoreProblemKind =
  | 'missing-blob'
  | 'blob-hash-mismatch'
  | 'blob-size-mismatch'
  | 'snapshot-count-mismatch'
  | 'incomplete-run-visible'
  | 'empty-version-range'
  | 'missing-keys';

export interface StoreProblem {
  kind: StoreProblemKind;
  /** One line for a person. */
  message: string;
  account?: string;
  snapshotSeq?: number;
  collection?: string;
  /** Hex. */
  blobHash?: string;
}

export interface StoreCheckOptions {
  /** Blobs verified per query (default 1000): payloads stay in Postgres, only verdicts come back. */
  blobBatchSize?: number;
  /** Problems listed per kind before the rest are summed up in one line (default 100). */
  maxListedPerKind?: number;
}

/** Collections recorded on a snapshot: `{name: {count, lastModified}}`. */
function recordedCounts(collections: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  if (typeof collections !== 'object' || collections === null) return counts;
  for (const [name, summary] of Object.entries(collections)) {
    const count = typeof summary === 'object' && summary !== null ? (summary as { count?: unknown }).count : undefined;
    counts.set(name, typeof count === 'number' ? count : Number.NaN);
  }
  return counts;
}

/** Lists the first problems of a kind and sums up the rest, so a badly broken store gives a readable report. */
class ProblemList {
  private readonly problems: StoreProblem[] = [];
  private found = 0;

  constructor(
    private readonly kind: StoreProblemKind,
    private readonly maxListed: number,
    /** Plural noun for the summary line, e.g. "missing blobs". */
    private readonly what: string,
  ) {}

  add(problem: Omit<StoreProblem, 'kind'>): void {
    this.found++;
    if (this.problems.length < this.maxListed) this.problems.push({ kind: this.kind, ...problem });
  }

  done(total = this.found): StoreProblem[] {
    if (total <= this.problems.length) return this.problems;
    return [...this.problems, { kind: this.kind, message: `... and ${total - this.problems.length} more ${this.what}` }];
  }
}

/**
 * `syncvault check`: verifies the store the way restic's check does its repository. Every record
 * version's blob exists; every blob hashes to its key and has its recorded size; every complete
 * snapshot's recorded per-collection counts equal the versions it sees; nothing a running or
 * failed run wrote is visible in a complete snapshot; every complete snapshot's keys are in
 * custody. Read-only; the heavy lifting is set-based SQL, so no payload leaves the database.
 */
export class StoreChecker {
  private readonly blobBatchSize: number;
  private readonly maxListed: number;

  constructor(
    private readonly prisma: PrismaClient,
    options: StoreCheckOptions = {},
  ) {
    this.blobBatchSize = options.blobBatchSize ?? 1000;
    this.maxListed = options.maxListedPerKind ?? 100;
  }

  /** Every problem found; an empty list means the store is healthy. */
  async checkStore(): Promise<StoreProblem[]> {
    return [
      ...(await this.missingBlobs()),
      ...(await this.corruptBlobs()),
      ...(await this.emptyVersionRanges()),
      ...(await this.snapshotCounts()),
      ...(await this.incompleteRunsVisible()),
      ...(await this.missingKeys()),
    ];
  }

  private async missingBlobs(): Promise<StoreProblem[]> {
    const rows = await this.prisma.$queryRaw<Array<{ hash: string; versions: number; account: string; collection: string; bsoId: string; total: number }>>`
      SELECT encode(v."blobHash", 'hex') AS hash, count(*)::int AS versions, min(a.name) AS account,
             min(v.collection) AS collection, min(v."bsoId") AS "bsoId", (count(*) OVER ())::int AS total
      FROM "RecordVersion" v JOIN "Account" a ON a.id = v."accountId"
      WHERE NOT EXISTS (SELECT 1 FROM "Blob" b WHERE b.hash = v."blobHash")
      GROUP BY v."blobHash" ORDER BY 1 LIMIT ${this.maxListed}`;
    const list = new ProblemList('missing-blob', this.maxListed, 'missing blobs');
    for (const row of rows) {
      list.add({
        message: `blob ${row.hash} does not exist, yet ${row.versions} record version(s) point at it (e.g. account "${row.account}" ${row.collection}/${row.bsoId})`,
        account: row.account,
        collection: row.collection,
        blobHash: row.hash,
      });
    }
    return list.done(rows[0]?.total ?? 0);
  }

  /** Walks the blobs in hash order, a batch per query; Postgres hashes the payloads in place. */
  private async corruptBlobs(): Promise<StoreProblem[]> {
    const wrongHash = new ProblemList('blob-hash-mismatch', this.maxListed, 'blobs whose payload does not match their hash');
    const wrongSize = new ProblemList('blob-size-mismatch', this.maxListed, 'blobs whose size is wrong');
    let after = '';
    for (;;) {
      const batch = await this.prisma.$queryRaw<Array<{ hash: string; hashOk: boolean; size: number; actualSize: number }>>`
        WITH batch AS (
          SELECT hash, payload, size FROM "Blob" WHERE hash > decode(${after}, 'hex') ORDER BY hash LIMIT ${this.blobBatchSize}
        )
        SELECT encode(hash, 'hex') AS hash, sha256(convert_to(payload, 'UTF8')) = hash AS "hashOk",
               size, octet_length(convert_to(payload, 'UTF8')) AS "actualSize"
        FROM batch ORDER BY batch.hash`;
      for (const blob of batch) {
        if (!blob.hashOk) {
          wrongHash.add({ message: `blob ${blob.hash}: the payload's SHA-256 differs from its hash (corrupted or altered)`, blobHash: blob.hash });
        } else if (blob.size !== blob.actualSize) {
          wrongSize.add({ message: `blob ${blob.hash}: recorded size ${blob.size} bytes, the payload has ${blob.actualSize}`, blobHash: blob.hash });
        }
      }
      const last = batch.at(-1);
      if (last === undefined || batch.length < this.blobBatchSize) break;
      after = last.hash;
    }
    return [...wrongHash.done(), ...wrongSize.done()];
  }

  private async emptyVersionRanges(): Promise<StoreProblem[]> {
    const rows = await this.prisma.$queryRaw<Array<{ account: string; versions: number }>>`
      SELECT a.name AS account, count(*)::int AS versions
      FROM "RecordVersion" v JOIN "Account" a ON a.id = v."accountId"
      WHERE v."toSeq" <= v."fromSeq" GROUP BY a.name ORDER BY a.name`;
    return rows.map((row) => ({
      kind: 'empty-version-range' as const,
      message: `account "${row.account}": ${row.versions} record version(s) end before they start (toSeq <= fromSeq) and are in no snapshot`,
      account: row.account,
    }));
  }

  /**
   * Counts what each complete snapshot sees per collection with one pass over the versions:
   * +1 at fromSeq and -1 at toSeq, summed per (account, seq, collection) in SQL; a running total
   * over seq then gives the visible count at every snapshot.
   */
  private async snapshotCounts(): Promise<StoreProblem[]> {
    const deltas = await this.prisma.$queryRaw<Array<{ accountId: string; collection: string; seq: number; delta: number }>>`
      SELECT "accountId"::text AS "accountId", collection, seq, sum(delta)::int AS delta FROM (
        SELECT "accountId", collection, "fromSeq" AS seq, 1 AS delta FROM "RecordVersion" WHERE "toSeq" IS NULL OR "toSeq" > "fromSeq"
        UNION ALL
        SELECT "accountId", collection, "toSeq", -1 FROM "RecordVersion" WHERE "toSeq" > "fromSeq"
      ) events
      GROUP BY 1, 2, 3 HAVING sum(delta) <> 0`;
    const deltasByAccount = new Map<string, typeof deltas>();
    for (const row of deltas) {
      const list = deltasByAccount.get(row.accountId) ?? [];
      list.push(row);
      deltasByAccount.set(row.accountId, list);
    }
    for (const list of deltasByAccount.values()) list.sort((a, b) => a.seq - b.seq);

    const snapshots = await this.prisma.snapshot.findMany({
      where: { status: 'complete' },
      select: { accountId: true, seq: true, collections: true, account: { select: { name: true } } },
      orderBy: [{ accountId: 'asc' }, { seq: 'asc' }],
    });
    const list = new ProblemList('snapshot-count-mismatch', this.maxListed, 'snapshot count mismatches');
    let accountId: string | undefined;
    let pending: typeof deltas = [];
    let next = 0;
    const visible = new Map<string, number>();
    for (const snapshot of snapshots) {
      if (snapshot.accountId !== accountId) {
        accountId = snapshot.accountId;
        pending = deltasByAccount.get(accountId) ?? [];
        next = 0;
        visible.clear();
      }
      for (let event = pending[next]; event !== undefined && event.seq <= snapshot.seq; event = pending[++next]) {
        visible.set(event.collection, (visible.get(event.collection) ?? 0) + event.delta);
      }
      const recorded = recordedCounts(snapshot.collections);
      for (const collection of new Set([...recorded.keys(), ...visible.keys()])) {
        const expected = recorded.get(collection) ?? 0;
        const actual = visible.get(collection) ?? 0;
        if (expected === actual) continue;
        list.add({
          message: `account "${snapshot.account.name}" snapshot ${snapshot.seq} ${collection}: recorded ${expected} records, the store holds ${actual}`,
          account: snapshot.account.name,
          snapshotSeq: snapshot.seq,
          collection,
        });
      }
    }
    return list.done();
  }
  private async incompleteRunsVisible(): Promise<StoreProblem[]> {
    const rows = await this.prisma.$queryRaw<Array<{ account: string; seq: number; status: string; versions: number }>>`
      SELECT a.name AS account, i.seq, i.status::text AS status, count(*)::int AS versions
      FROM "RecordVersion" v
      JOIN "Snapshot" i ON i."accountId" = v."accountId" AND i.seq = v."fromSeq" AND i.status <> 'complete'
      JOIN "Account" a ON a.id = v."accountId"
      WHERE EXISTS (
        SELECT 1 FROM "Snapshot" c
        WHERE c."accountId" = v."accountId" AND c.status = 'complete' AND c.seq >= v."fromSeq" AND (v."toSeq" IS NULL OR c.seq < v."toSeq")
      )
      GROUP BY a.name, i.seq, i.status ORDER BY a.name, i.seq`;
    return rows.map((row) => ({
      kind: 'incomplete-run-visible' as const,
      message: `account "${row.account}": ${row.versions} record version(s) written by ${row.status} snapshot ${row.seq} are visible in complete snapshots`,
      account: row.account,
      snapshotSeq: row.seq,
    }));
  }

  private async missingKeys(): Promise<StoreProblem[]> {
    const rows = await this.prisma.$queryRaw<Array<{ account: string; seq: number; fingerprint: string }>>`
      SELECT a.name AS account, s.seq, s."keyFingerprint" AS fingerprint
      FROM "Snapshot" s JOIN "Account" a ON a.id = s."accountId"
      WHERE s.status = 'complete' AND s."keyFingerprint" IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM "KeyBundle" k WHERE k."accountId" = s."accountId" AND k.kind = 'collection-keys' AND k.fingerprint = s."keyFingerprint"
      )
      ORDER BY a.name, s.seq`;
    const list = new ProblemList('missing-keys', this.maxListed, 'snapshots without their keys');
    for (const row of rows) {
      list.add({
        message: `account "${row.account}" snapshot ${row.seq}: its crypto/keys (fingerprint ${row.fingerprint.slice(0, 12)}…) are not in key custody, so its records cannot be decrypted`,
        account: row.account,
        snapshotSeq: row.seq,
      });
    }
    return list.done();
  }
}
