/**
 * Builds snapshots, record versions and blobs straight in Postgres, the way the backup engine
 * lays them out (a run of snapshot s adds versions fromSeq = s and closes replaced ones with
 * toSeq = s), so retention, check and reading can be tested without running a backup.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@syncvault/daemon/store';

export interface FixtureRecord {
  id: string;
  payload: string;
  /** Server modified time, ms; defaults to a value that grows with each snapshot. */
  modified?: number;
  sortindex?: number | null;
  hmacValid?: boolean;
}

/** The whole server state a run sees: every collection with every record it holds. */
export type FixtureState = Record<string, FixtureRecord[]>;

export interface FixtureSnapshotOptions {
  startedAt: Date;
  /** `running` writes its versions and stays running; `failed` writes nothing (the engine rolls failed runs back). */
  status?: 'complete' | 'running' | 'failed';
  tags?: string[];
  keyFingerprint?: string | null;
}

export function sha256(payload: string): Buffer {
  return createHash('sha256').update(payload, 'utf8').digest();
}

export class StoreFixture {
  constructor(private readonly prisma: PrismaClient) {}

  async account(name: string, retention: Record<string, number> = {}): Promise<string> {
    const account = await this.prisma.account.create({
      data: { name, kind: 'mozilla', email: `${name}@example.test`, sealedSecrets: new Uint8Array(randomBytes(16)), retention },
    });
    return account.id;
  }

  /** Records what a backup of `state` would: returns the new snapshot's seq. */
  async snapshot(accountId: string, state: FixtureState, options: FixtureSnapshotOptions): Promise<number> {
    // Like the engine: above every seq ever used, even by a forgotten snapshot's versions.
    const [snapshots, versions] = await Promise.all([
      this.prisma.snapshot.aggregate({ where: { accountId }, _max: { seq: true } }),
      this.prisma.recordVersion.aggregate({ where: { accountId }, _max: { fromSeq: true, toSeq: true } }),
    ]);
    const seq = Math.max(snapshots._max.seq ?? 0, versions._max.fromSeq ?? 0, versions._max.toSeq ?? 0) + 1;
    const status = options.status ?? 'complete';
    await this.prisma.snapshot.create({
      data: {
        accountId,
        seq,
        status: status === 'complete' ? 'running' : status,
        trigger: 'test',
        tags: options.tags ?? [],
        startedAt: options.startedAt,
        keyFingerprint: options.keyFingerprint ?? null,
      },
    });
    if (status === 'failed') return seq;

    let versionsAdded = 0;
    const current = await this.prisma.recordVersion.findMany({ where: { accountId, toSeq: null } });
    const seen = new Set<string>();
    for (const [collection, records] of Object.entries(state)) {
      for (const record of records) {
        seen.add(`${collection}/${record.id}`);
        const hash = sha256(record.payload);
        const existing = current.find((version) => version.collection === collection && version.bsoId === record.id);
        if (existing !== undefined && Buffer.from(existing.blobHash).equals(hash)) continue;
        if (existing !== undefined) await this.prisma.recordVersion.update({ where: { id: existing.id }, data: { toSeq: seq } });
        await this.prisma.blob.createMany({ data: [{ hash: new Uint8Array(hash), payload: record.payload, size: Buffer.byteLength(record.payload, 'utf8') }], skipDuplicates: true });
        await this.prisma.recordVersion.create({
          data: {
            accountId,
            collection,
            bsoId: record.id,
            blobHash: new Uint8Array(hash),
            modified: BigInt(record.modified ?? options.startedAt.getTime()),
            sortindex: record.sortindex ?? null,
            hmacValid: record.hmacValid ?? true,
            fromSeq: seq,
          },
        });
        versionsAdded++;
      }
    }
    const gone = current.filter((version) => !seen.has(`${version.collection}/${version.bsoId}`)).map((version) => version.id);
    await this.prisma.recordVersion.updateMany({ where: { id: { in: gone } }, data: { toSeq: seq } });

    if (status === 'complete') {
      const collections = Object.fromEntries(Object.entries(state).map(([name, records]) => [name, { count: records.length, lastModified: options.startedAt.getTime() }]));
      await this.prisma.snapshot.update({
        where: { accountId_seq: { accountId, seq } },
        data: { status: 'complete', finishedAt: new Date(options.startedAt.getTime() + 60_000), collections, versionsAdded },
      });
    }
    return seq;
  }

  /** What snapshot `seq` holds, read independently of the code under test: sorted `collection/id=payload` lines. */
  async contents(accountId: string, seq: number): Promise<string[]> {
    const versions = await this.prisma.recordVersion.findMany({
      where: { accountId, fromSeq: { lte: seq }, OR: [{ toSeq: null }, { toSeq: { gt: seq } }] },
    });
    const blobs = await this.prisma.blob.findMany({ where: { hash: { in: versions.map((version) => version.blobHash) } } });
    const payloads = new Map(blobs.map((blob) => [Buffer.from(blob.hash).toString('hex'), blob.payload]));
    return versions.map((version) => `${version.collection}/${version.bsoId}=${payloads.get(Buffer.from(version.blobHash).toString('hex')) ?? '<missing>'}`).sort();
  }

  /** Row counts of the store's tables, to show that something changed nothing. */
  async tableCounts(): Promise<{ snapshots: number; versions: number; blobs: number }> {
    const [snapshots, versions, blobs] = await Promise.all([this.prisma.snapshot.count(), this.prisma.recordVersion.count(), this.prisma.blob.count()]);
    return { snapshots, versions, blobs };
  }
}

/** A date `days` days (and `hours` hours) after 2026-01-01 00:00 UTC. */
export function day(days: number, hours = 12): Date {
  return new Date(Date.UTC(2026, 0, 1 + days, hours));
}
