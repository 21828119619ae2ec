import { SnapshotNotFoundError } from '../history/index.js';
import { AccountLock, type PrismaClient } from '../store/index.js';
import { countGarbage, deleteGarbageVersions, sweepBlobs } from './garbage.js';
import { parseRetentionPolicy, planRetention, type KeepReason, type RemoveReason, type RetentionPolicy } from './policy.js';

export interface SnapshotRef {
  seq: number;
  status: 'running' | 'complete' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  tags: string[];
}

export interface ForgetReport {
  accountId: string;
  dryRun: boolean;
  policy: RetentionPolicy;
  /** Newest first, with every reason each is kept for. */
  kept: Array<SnapshotRef & { reasons: KeepReason[] }>;
  /** Running snapshots are never touched. */
  running: SnapshotRef[];
  removed: RemovalSummary;
}

/** What a policy would do to an account's snapshots, planned only: no garbage counted, nothing changed. */
export interface RetentionPreview {
  accountId: string;
  policy: RetentionPolicy;
  /** Newest first, with every reason each is kept for. */
  kept: Array<SnapshotRef & { reasons: KeepReason[] }>;
  /** Newest first. */
  removed: Array<SnapshotRef & { reason: RemoveReason }>;
  running: SnapshotRef[];
}

export interface RemovalSummary {
  snapshots: Array<SnapshotRef & { reason: RemoveReason | 'by-hand' }>;
  /** Record versions no remaining snapshot sees. */
  versions: number;
  /** Blobs no remaining version references (of any account: blobs are shared). */
  blobs: number;
  bytes: number;
}

export class SnapshotRunningError extends Error {
  override readonly name = 'SnapshotRunningError';
  constructor(seq: number) {
    super(`snapshot ${seq} is still running; it can be removed once it has finished or failed`);
  }
}

export interface ForgetServiceOptions {
  prisma: PrismaClient;
  /** For the per-account lock, which lives on its own connection. */
  databaseUrl: string;
  /** How long one garbage-collection transaction may run (default 30 minutes). */
  transactionTimeoutMs?: number;
}

const SNAPSHOT_FIELDS = { seq: true, status: true, startedAt: true, finishedAt: true, tags: true } as const;

/**
 * Retention: removes snapshots (by policy, or one by hand), then the record versions no remaining
 * snapshot sees, then the blobs no version references. Works under the account's lock, so it
 * never races a backup of the same account.
 */
export class ForgetService {
  private readonly prisma: PrismaClient;
  private readonly databaseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: ForgetServiceOptions) {
    this.prisma = options.prisma;
    this.databaseUrl = options.databaseUrl;
    this.timeoutMs = options.transactionTimeoutMs ?? 30 * 60_000;
  }

  /** Applies `policy` (see planRetention); a dry run reports the same figures and changes nothing. */
  async forget(accountId: string, policy: RetentionPolicy, options: { dryRun?: boolean } = {}): Promise<ForgetReport> {
    const dryRun = options.dryRun ?? false;
    return AccountLock.with(this.databaseUrl, accountId, async () => {
      const { kept, removed, running } = await this.preview(accountId, policy);
      return { accountId, dryRun, policy, kept, running, removed: await this.remove(accountId, removed, dryRun) };
    });
  }

  /**
   * Which snapshots `policy` would keep and remove, from the snapshot list alone: no lock (a
   * backup may be running), no garbage counted, nothing changed. Cheap enough to ask on every
   * edit of a policy; `forget` plans the same way under the lock.
   */
  async preview(accountId: string, policy: RetentionPolicy): Promise<RetentionPreview> {
    const snapshots = await this.prisma.snapshot.findMany({ where: { accountId }, select: SNAPSHOT_FIELDS });
    const migrations = await this.prisma.migration.findMany({ where: { sourceAccountId: accountId, status: { in: ['running', 'interrupted'] } }, select: { sourceSeq: true } });
    const plan = planRetention(snapshots, policy, new Set(migrations.map((migration) => migration.sourceSeq)));
    return {
      accountId,
      policy,
      kept: plan.keep.map(({ snapshot, reasons }) => ({ ...snapshot, reasons })),
      removed: plan.remove.map(({ snapshot, reason }) => ({ ...snapshot, reason })),
      running: plan.running,
    };
  }

  /** Applies the policy stored on the account (Account.retention). */
  async forgetByStoredPolicy(accountId: string, options: { dryRun?: boolean } = {}): Promise<ForgetReport> {
    const account = await this.prisma.account.findUnique({ where: { id: accountId }, select: { retention: true } });
    if (account === null) throw new Error(`no account with id ${accountId}`);
    return this.forget(accountId, parseRetentionPolicy(account.retention), options);
  }

  /** Removes one snapshot by hand, whatever the policy says (pre-restore ones included). */
  async removeSnapshot(accountId: string, seq: number, options: { dryRun?: boolean } = {}): Promise<RemovalSummary> {
    return AccountLock.with(this.databaseUrl, accountId, async () => {
      const snapshot = await this.prisma.snapshot.findUnique({ where: { accountId_seq: { accountId, seq } }, select: SNAPSHOT_FIELDS });
      if (snapshot === null) throw new SnapshotNotFoundError(seq);
      if (snapshot.status === 'running') throw new SnapshotRunningError(seq);
      return this.remove(accountId, [{ ...snapshot, reason: 'by-hand' }], options.dryRun ?? false);
    });
  }

  private async remove(accountId: string, snapshots: RemovalSummary['snapshots'], dryRun: boolean): Promise<RemovalSummary> {
    const seqs = snapshots.map((snapshot) => snapshot.seq);
    if (dryRun) return { snapshots, ...(await countGarbage(this.prisma, accountId, seqs)) };
    // Snapshots and the versions only they saw go together; the blob sweep is its own, shorter
    // transaction so the cross-account GC lock is held only for it. A crash in between leaves
    // unreferenced blobs that the next sweep removes.
    const versions = await this.prisma.$transaction(
      async (tx) => {
        await tx.snapshot.deleteMany({ where: { accountId, seq: { in: seqs } } });
        return deleteGarbageVersions(tx, accountId);
      },
      { timeout: this.timeoutMs, maxWait: this.timeoutMs },
    );
    const blobs = await sweepBlobs(this.prisma, this.timeoutMs);
    return { snapshots, versions, ...blobs };
  }
}
