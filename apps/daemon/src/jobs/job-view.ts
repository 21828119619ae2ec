/** How a job looks from the outside (API, CLI): its state, progress and outcome, never its internals. */
import type { Job } from 'bullmq';
import type { BackupProgress } from '../backup/types.js';
import { cancelRequestedAt } from './cancellation.js';
import type { MigrateJobProgress } from './migrate-job.js';
import type { JobQueueName } from './queues.js';
import type { RestoreJobProgress } from './restore-job.js';

/** What a job reports while it runs: a backup's progress, a restore's phase, a migration's progress (by the job's queue). */
export type JobProgress = BackupProgress | RestoreJobProgress | MigrateJobProgress;

export type JobViewState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface JobView {
  id: string;
  queue: JobQueueName;
  /** `backup`, `retention`, `restore` or `migrate`. */
  name: string;
  accountId: string;
  /** `manual`, `schedule`, `demo`, ... */
  trigger: string;
  state: JobViewState;
  /** The last progress a backup, restore or migration reported, or null. */
  progress: JobProgress | null;
  /** A backup's SnapshotSummary (dates as ISO strings), retention's report, a restore's RestoreResult, a migration's MigrationResult; null until completed. */
  result: unknown;
  failedReason: string | null;
  /** When someone asked this job to stop (ISO): a running backup or migration then stops within a second or two. */
  cancelRequestedAt: string | null;
  /** Id of the schedule that made this job, if a schedule did. */
  schedulerId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function isFinished(state: JobViewState): boolean {
  return state === 'completed' || state === 'failed';
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined || ms === null || ms === 0 ? null : new Date(ms).toISOString();
}

function progressOf(job: Job): JobProgress | null {
  const progress: unknown = job.progress;
  return progress !== null && typeof progress === 'object' && !Array.isArray(progress) ? (progress as JobProgress) : null;
}

export async function jobView(queue: JobQueueName, job: Job, knownState?: JobViewState): Promise<JobView> {
  const data = (job.data ?? {}) as { accountId?: unknown; trigger?: unknown };
  const state = knownState ?? ((await job.getState()) as JobViewState);
  return {
    id: job.id ?? '',
    queue,
    name: job.name,
    accountId: typeof data.accountId === 'string' ? data.accountId : '',
    trigger: typeof data.trigger === 'string' ? data.trigger : 'unknown',
    state,
    progress: progressOf(job),
    result: state === 'completed' ? (job.returnvalue ?? null) : null,
    failedReason: state === 'failed' ? (job.failedReason ?? 'failed') : null,
    cancelRequestedAt: cancelRequestedAt(job.data),
    schedulerId: job.repeatJobKey ?? null,
    createdAt: new Date(job.timestamp).toISOString(),
    startedAt: isoOrNull(job.processedOn),
    finishedAt: isoOrNull(job.finishedOn),
  };
}
