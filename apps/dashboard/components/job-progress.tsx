'use client';

import { isRestoreProgress, progressPercent, useJobEvents } from '../lib/job-events';
import { formatCount } from '../lib/format';
import { isMigrationProgress, migrationPhaseText, MIGRATION_QUEUE } from '../lib/migrate';
import type { Job, JobProgress, RestoreProgress } from '../lib/types';
import { ProgressBar } from './progress-bar';

const RESTORE_PHASES: Record<RestoreProgress['phase'], string> = {
  'pre-restore-snapshot': 'Taking a pre-restore snapshot, so this can be undone',
  planning: 'Planning against the server as it is now',
  writing: 'Writing',
  'notifying-clients': 'Telling the other devices to take the restored bookmarks',
  verifying: 'Reading back what was written',
  done: 'Finishing',
};

function restorePhaseText(progress: RestoreProgress): string {
  if (progress.phase !== 'writing' || progress.collection === undefined) return RESTORE_PHASES[progress.phase];
  return progress.total === undefined ? `Writing ${progress.collection}` : `Writing ${progress.collection}: ${formatCount(progress.done ?? 0)} of ${formatCount(progress.total)} records`;
}

function phaseText(progress: JobProgress | null, job: Job | undefined): string {
  const state = job?.state;
  if (state === 'completed') return 'Done';
  if (state === 'active' && job?.cancelRequestedAt != null) return job.queue === MIGRATION_QUEUE ? 'Stopping after the current batch: the checkpoint is kept' : 'Stopping: the snapshot being written will be discarded';
  if (state === 'waiting' || state === 'prioritized' || state === 'delayed') return 'Queued, waiting for a worker';
  if (isMigrationProgress(progress, job)) return migrationPhaseText(progress);
  if (isRestoreProgress(progress, job)) return restorePhaseText(progress);
  if (job?.queue === 'restore' || job?.queue === MIGRATION_QUEUE) return 'Starting';
  if (progress === null || progress.phase === 'starting') return 'Signing in and reading the server’s collections';
  if (progress.phase === 'finishing') return 'Writing the snapshot';
  const collection = progress.collection ?? 'records';
  const step = `collection ${Math.min(progress.collectionsDone + 1, progress.collectionsTotal)} of ${progress.collectionsTotal}`;
  return progress.total > 0 ? `${collection}: ${formatCount(progress.done)} of ${formatCount(progress.total)} records (${step})` : `${collection} (${step})`;
}

/** A job's progress bar with what it is doing in words, or its error once it failed. */
export function JobProgressView({ jobId, job, progress, label }: { jobId: string; job: Job | undefined; progress: JobProgress | null; label: string }) {
  const state = job?.state;
  if (state === 'failed') {
    return (
      <div className="job-progress state state-error job-failed" data-job-id={jobId} data-state="failed" role="alert">
        <p>
          <strong>Failed.</strong> <span className="job-error">{job?.failedReason ?? 'The job failed without a reason.'}</span>
        </p>
      </div>
    );
  }
  return (
    <div className="job-progress" data-job-id={jobId} data-state={state ?? 'unknown'}>
      <ProgressBar percent={progressPercent(job, progress)} label={label} tone={state === 'completed' ? 'done' : 'running'} />
      <p className="job-progress-phase">{phaseText(progress, job)}</p>
    </div>
  );
}

/** One job's live progress over its own Server-Sent Events stream (pages that follow a single job). */
export function JobProgress({ jobId, initial, label, onFinished }: { jobId: string; initial?: Job; label: string; onFinished?: (job: Job) => void }) {
  const live = useJobEvents(jobId, initial, onFinished);
  return <JobProgressView jobId={jobId} job={live.job} progress={live.progress} label={label} />;
}
