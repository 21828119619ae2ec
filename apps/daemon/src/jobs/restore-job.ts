/** Restore jobs: the restore service's apply, run by a worker, its phases as the job's progress. */
import { UnrecoverableError, type Job } from 'bullmq';
import type { RestoreProgress, RestoreResult } from '../restore/types.js';
import { describe, isAccountBusy, type JobLogger } from './backup-job.js';
import type { RestoreRunner } from './contracts.js';
import type { RestoreJobData } from './queues.js';

/** A restore job's progress: the service's report, with the account it is about (as a backup's has). */
export type RestoreJobProgress = RestoreProgress & { accountId: string };

export class RestoreJobHandler {
  constructor(
    private readonly restoreRunner: RestoreRunner,
    private readonly logger?: JobLogger,
  ) {}

  /**
   * Applies the restore and returns its result (the job's result). Progress reports are few (one
   * per phase and collection), so each goes out, in order. An account another job is working on
   * fails the job at once: retrying a restore without the person seeing a new plan is not wanted.
   */
  async handle(job: Job<RestoreJobData>): Promise<RestoreResult> {
    const { accountId, request } = job.data;
    const key = job.id ?? `${accountId}:${job.timestamp}`;
    let published = Promise.resolve();
    const report = (progress: RestoreProgress) => {
      const update: RestoreJobProgress = { accountId, ...progress };
      published = published
        .then(() => job.updateProgress(update))
        .catch((error: unknown) => this.logger?.warn(`restore job ${key}: could not publish progress: ${describe(error)}`));
    };
    try {
      const result = await this.restoreRunner.apply({ ...request, account: accountId }, { onProgress: report });
      await published;
      return result;
    } catch (error) {
      await published;
      if (isAccountBusy(error)) throw new UnrecoverableError(describe(error));
      throw error;
    }
  }
}
