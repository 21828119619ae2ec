/** What a backup job does, whichever worker runs it (the daemon's, or the CLI's temporary one). */
import { UnrecoverableError, type Job } from 'bullmq';
import type { BackupProgress } from '../backup/types.js';
import { SyncTraffic } from '../backup/traffic.js';
import { AccountBusyError } from '../store/locks.js';
import { CANCELLED_ON_REQUEST, watchJobForCancel } from './cancellation.js';
import type { BackupRunner, ConnectionOpener } from './contracts.js';
import { throttleProgress } from './progress.js';
import { snapshotSummaryToJson, type BackupJobData, type SnapshotSummaryJson } from './queues.js';

export interface JobLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface BackupJobHandlerOptions {
  connectionOpener: ConnectionOpener;
  backupRunner: BackupRunner;
  /** Runs after a scheduled backup completed: queues the account's retention. */
  afterScheduledBackup?: (accountId: string) => Promise<void>;
  /** Shortest time between two progress reports of one job (milestones go out at once). */
  progressIntervalMs?: number;
  /**
   * Whether someone asked the job (by id) to stop since it started: reads the job's data afresh
   * (see cancellation.ts). Without it, only a request made before the job started is seen.
   */
  cancelRequested?: (jobId: string) => Promise<boolean>;
  /** How often a running backup asks cancelRequested. */
  cancelCheckMs?: number;
  logger?: JobLogger;
}

export class BackupFailedError extends Error {
  override readonly name = 'BackupFailedError';
}

export function isAccountBusy(error: unknown): boolean {
  return error instanceof AccountBusyError || (error instanceof Error && error.name === 'AccountBusyError');
}

export class BackupJobHandler {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: BackupJobHandlerOptions) {}

  /**
   * Opens the account, runs the backup engine and returns the snapshot summary (the job's result).
   * An account another job is working on fails the job at once, without retry: that other job is
   * usually a backup itself, so a second snapshot right after it would add nothing, and the next
   * scheduled run comes anyway.
   */
  async handle(job: Job<BackupJobData>): Promise<SnapshotSummaryJson> {
    const { accountId, trigger } = job.data;
    const abort = new AbortController();
    const key = job.id ?? `${accountId}:${job.timestamp}`;
    this.running.set(key, abort);
    const progress = throttleProgress(
      (report: BackupProgress) => job.updateProgress({ ...report }),
      this.options.progressIntervalMs ?? 250,
      (error) => this.options.logger?.warn(`backup job ${key}: could not publish progress: ${describe(error)}`),
    );
    const stopWatching = watchJobForCancel({
      jobKey: key,
      jobData: job.data,
      cancelRequested: this.options.cancelRequested,
      cancelCheckMs: this.options.cancelCheckMs,
      onCancel: () => abort.abort(new Error(CANCELLED_ON_REQUEST)),
      onError: (error) => this.options.logger?.warn(`backup job ${key}: could not check for a cancel request: ${describe(error)}`),
    });
    try {
      abort.signal.throwIfAborted();
      // Metered so the snapshot's stats count real HTTP requests and the server's backoff notices.
      const traffic = new SyncTraffic();
      const connection = await this.options.connectionOpener.openConnection(accountId, traffic.connectionOptions());
      abort.signal.throwIfAborted();
      const summary = await this.options.backupRunner.run({
        accountId,
        trigger,
        connection,
        traffic,
        onProgress: (report) => progress.report(report),
        signal: abort.signal,
      });
      await progress.flush();
      if (summary.status !== 'complete') throw new BackupFailedError(`snapshot ${summary.seq} of account ${accountId} ended as ${summary.status}`);
      if (trigger === 'schedule' && this.options.afterScheduledBackup !== undefined) await this.options.afterScheduledBackup(accountId);
      return snapshotSummaryToJson(summary);
    } catch (error) {
      await progress.flush();
      if (isAccountBusy(error)) throw new UnrecoverableError(describe(error));
      if (abort.signal.aborted) throw new UnrecoverableError(`backup of account ${accountId} stopped: ${describe(abort.signal.reason)}`);
      throw error;
    } finally {
      stopWatching();
      this.running.delete(key);
    }
  }

  /** Asks every running backup to stop (shutdown): each fails its job with `reason`. */
  abortAll(reason: string): void {
    for (const controller of this.running.values()) controller.abort(new Error(reason));
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
