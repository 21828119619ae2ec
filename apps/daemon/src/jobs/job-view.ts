/** How a job looks from the outside (API, CLI): its state, progress and outcome, never its internals. */
import type { Job } from 'bullmq';
import type { BackupProgress } from '../backup/types.js';
import { cancelRequestedAt } from './cancellation.js';
import type { JobQueueName } from './queues.js';

export type JobViewState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface JobView {
  id: string;
  queue: JobQueueName;
  /** `backup` or `retention`. */
  name: string;
  accountId: string;
  /** `manual`, `schedule`, `demo`, ... */
  trigger: string;
  state: JobViewState;
  /** The last progress a backup reported, or null. */
  progress: BackupProgress | null;
  /** A backup's SnapshotSummary (dates as ISO strings), or retention's report; null until completed. */
  result: unknown;
  failedReason: string | null;
  /** When someone asked this job to stop (ISO): a running backup then stops within a second or two. */
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

function progressOf(job: Job): BackupProgress | null {
  const progress: unknown = job.progress;
  return progress !== null && typeof progress === 'object' && !Array.isArray(progress) ? (progress as BackupProgress) : null;
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
