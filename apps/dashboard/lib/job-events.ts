'use client';

import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import type { BackupProgress, Job } from './types';

export interface LiveJob {
  job: Job | undefined;
  progress: BackupProgress | null;
  /** 0 to 100. */
  percent: number;
  finished: boolean;
}

function isFinished(job: Job | undefined): boolean {
  return job?.state === 'completed' || job?.state === 'failed';
}

/**
 * How far a backup is: whole collections done, plus the share of the current one. Finishing
 * (writing the snapshot's summary) stays just short of 100 until the job has completed.
 */
export function progressPercent(job: Job | undefined, progress: BackupProgress | null): number {
  if (job?.state === 'completed') return 100;
  if (progress === null) return 0;
  if (progress.phase === 'starting') return 0;
  if (progress.phase === 'finishing') return 99;
  if (progress.collectionsTotal <= 0) return 0;
  const current = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  const share = (progress.collectionsDone + current) / progress.collectionsTotal;
  return Math.max(0, Math.min(99, Math.floor(share * 100)));
}

/**
 * Follows one job over Server-Sent Events (`/api/jobs/:id/events`): its state, each progress
 * report, then `completed` or `failed`. `onFinished` runs once, with the finished job.
 */
export function useJobEvents(jobId: string | undefined, initial?: Job, onFinished?: (job: Job) => void): LiveJob {
  const [job, setJob] = useState<Job | undefined>(initial);
  const [progress, setProgress] = useState<BackupProgress | null>(initial?.progress ?? null);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;

  useEffect(() => {
    setJob(initial);
    setProgress(initial?.progress ?? null);
    if (jobId === undefined || isFinished(initial)) return undefined;
    let closed = false;
    const source = new EventSource(api.jobEventsUrl(jobId));
    const finish = (finished: Job | undefined) => {
      closed = true;
      source.close();
      if (finished !== undefined) {
        setJob(finished);
        if (finished.progress !== null) setProgress(finished.progress);
        onFinishedRef.current?.(finished);
      }
    };
    source.addEventListener('state', (event) => {
      const current = JSON.parse((event as MessageEvent<string>).data) as Job;
      setJob(current);
      if (current.progress !== null) setProgress(current.progress);
      if (isFinished(current)) finish(current);
    });
    source.addEventListener('progress', (event) => setProgress(JSON.parse((event as MessageEvent<string>).data) as BackupProgress));
    for (const type of ['completed', 'failed']) source.addEventListener(type, (event) => finish(JSON.parse((event as MessageEvent<string>).data) as Job));
    source.addEventListener('gone', () => finish(undefined));
    source.onerror = () => {
      if (closed) return;
      // The browser reconnects by itself after a dropped connection; a refused stream (401, 404)
      // stays closed, so read the job once instead.
      if (source.readyState === EventSource.CLOSED) {
        closed = true;
        api.job(jobId).then((current) => (isFinished(current) ? finish(current) : setJob(current)), () => undefined);
      }
    };
    return () => {
      closed = true;
      source.close();
    };
    // `initial` is read once per job on purpose: the stream replays the job's state anyway.
  }, [jobId]);

  const current = job ?? initial;
  return { job: current, progress, percent: progressPercent(current, progress), finished: isFinished(current) };
}
