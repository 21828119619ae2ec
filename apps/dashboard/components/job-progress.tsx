'use client';

import { useJobEvents } from '../lib/job-events';
import { formatCount } from '../lib/format';
import type { BackupProgress, Job } from '../lib/types';
import { ProgressBar } from './progress-bar';

function phaseText(progress: BackupProgress | null, state: Job['state'] | undefined): string {
  if (state === 'completed') return 'Done';
  if (state === 'waiting' || state === 'prioritized' || state === 'delayed') return 'Queued, waiting for a worker';
  if (progress === null || progress.phase === 'starting') return 'Signing in and reading the server’s collections';
  if (progress.phase === 'finishing') return 'Writing the snapshot';
  const collection = progress.collection ?? 'records';
  const step = `collection ${Math.min(progress.collectionsDone + 1, progress.collectionsTotal)} of ${progress.collectionsTotal}`;
  return progress.total > 0 ? `${collection}: ${formatCount(progress.done)} of ${formatCount(progress.total)} records (${step})` : `${collection} (${step})`;
}

/** A job's live progress bar over Server-Sent Events, with what it is doing in words. */
export function JobProgress({ jobId, initial, label, onFinished }: { jobId: string; initial?: Job; label: string; onFinished?: (job: Job) => void }) {
  const live = useJobEvents(jobId, initial, onFinished);
  const state = live.job?.state;
  if (state === 'failed') {
    return (
      <div className="job-progress state state-error job-failed" data-job-id={jobId} data-state="failed" role="alert">
        <p>
          <strong>Failed.</strong> <span className="job-error">{live.job?.failedReason ?? 'The job failed without a reason.'}</span>
        </p>
      </div>
    );
  }
  return (
    <div className="job-progress" data-job-id={jobId} data-state={state ?? 'unknown'}>
      <ProgressBar percent={live.percent} label={label} tone={state === 'completed' ? 'done' : 'running'} />
      <p className="job-progress-phase">{phaseText(live.progress, state)}</p>
    </div>
  );
}
