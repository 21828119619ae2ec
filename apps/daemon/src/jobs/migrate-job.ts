/**
 * Migration jobs: the migration service's run, by a worker, its progress as the job's. Unlike a
 * restore, a migration keeps a checkpoint after every batch, so stopping one loses nothing: a
 * cancel request stops it (the job fails, and retrying it resumes), and so does the daemon
 * shutting down (the job goes back to the queue, and the next worker resumes it).
 */
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { MigrationProgress, MigrationResult } from '../migrate/types.js';
import { describe, isAccountBusy, type JobLogger } from './backup-job.js';
import { CANCELLED_ON_REQUEST, watchJobForCancel } from './cancellation.js';
import type { MigrationRunner } from './contracts.js';
import { throttleProgress } from './progress.js';
import type { MigrateJobData } from './queues.js';

/** A migration job's progress: the service's report, with the account the job is about (the target). */
export type MigrateJobProgress = MigrationProgress & { accountId: string };

export interface MigrateJobHandlerOptions {
  migrationRunner: MigrationRunner;
  /** Shortest time between two progress reports of one job (milestones go out at once). */
  progressIntervalMs?: number;
  /** Whether someone asked the job (by id) to stop since it started; see BackupJobHandlerOptions. */
  cancelRequested?: (jobId: string) => Promise<boolean>;
  cancelCheckMs?: number;
  logger?: JobLogger;
}

/** Why a migration stopped: a person asked, or its worker is going away (then the job waits for the next one). */
class Interruption extends Error {
  constructor(
    message: string,
    readonly requeue: boolean,
  ) {
    super(message);
  }
}

export class MigrateJobHandler {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: MigrateJobHandlerOptions) {}

  /**
   * Runs (or resumes) the migration and returns its result (the job's result). `token` is the
   * worker's lock on the job: with it, a migration stopped by `requeueAll` goes back to the queue.
   * An account another job is working on fails the job at once, as a restore's does.
   */
  async handle(job: Job<MigrateJobData>, token?: string): Promise<MigrationResult> {
    const { accountId, request } = job.data;
    const key = job.id ?? `${accountId}:${job.timestamp}`;
    const abort = new AbortController();
    this.running.set(key, abort);
    const progress = throttleProgress(
      (report: MigrateJobProgress) => job.updateProgress(report),
      this.options.progressIntervalMs ?? 250,
      (error) => this.options.logger?.warn(`migrate job ${key}: could not publish progress: ${describe(error)}`),
    );
    const stopWatching = watchJobForCancel({
      jobKey: key,
      jobData: job.data,
      cancelRequested: this.options.cancelRequested,
      cancelCheckMs: this.options.cancelCheckMs,
      onCancel: () => abort.abort(new Interruption(CANCELLED_ON_REQUEST, false)),
      onError: (error) => this.options.logger?.warn(`migrate job ${key}: could not check for a cancel request: ${describe(error)}`),
    });
    try {
      abort.signal.throwIfAborted();
      const result = await this.options.migrationRunner.run(request, {
        onProgress: (report) => progress.report({ accountId, ...report }),
        signal: abort.signal,
      });
      await progress.flush();
      return result;
    } catch (error) {
      await progress.flush();
      if (isAccountBusy(error)) throw new UnrecoverableError(describe(error));
      if (abort.signal.aborted) {
        const reason: unknown = abort.signal.reason;
        if (reason instanceof Interruption && reason.requeue && token !== undefined) {
          await job.moveToWait(token);
          this.options.logger?.log(`migrate job ${key}: ${reason.message}; back in the queue, to resume from its checkpoint`);
          throw new WaitingError();
        }
        throw new UnrecoverableError(`migration into account ${accountId} stopped: ${describe(reason)}; its checkpoint stays: retry the job to resume`);
      }
      throw error;
    } finally {
      stopWatching();
      this.running.delete(key);
    }
  }

  /** Stops every running migration between two batches and puts its job back in the queue (shutdown). */
  requeueAll(reason: string): void {
    for (const controller of this.running.values()) controller.abort(new Interruption(reason, true));
  }
}
