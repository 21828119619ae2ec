'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, describeError } from './api';
import { isMigrationProgress, migrationPercent } from './migrate';
import type { Job, JobProgress, JobProgressEvent, JobRemovedEvent, RestoreProgress } from './types';

export interface LiveJob {
  job: Job | undefined;
  progress: JobProgress | null;
  /** 0 to 100. */
  percent: number;
  finished: boolean;
}

export function isFinished(job: Job | undefined): boolean {
  return job?.state === 'completed' || job?.state === 'failed';
}

/** Where each phase of a restore starts, in percent; writing fills the span up to notifying-clients. */
const RESTORE_PHASE_START: Record<RestoreProgress['phase'], number> = {
  'pre-restore-snapshot': 0,
  planning: 30,
  writing: 40,
  'notifying-clients': 85,
  verifying: 90,
  done: 99,
};

/** A restore's progress (restore queue), told apart from a backup's by its phases and from a migration's by its job or its fields. */
export function isRestoreProgress(progress: JobProgress | null, job?: Pick<Job, 'queue'>): progress is RestoreProgress {
  return progress !== null && progress.phase in RESTORE_PHASE_START && !isMigrationProgress(progress, job);
}

function restorePercent(progress: RestoreProgress): number {
  const start = RESTORE_PHASE_START[progress.phase];
  if (progress.phase !== 'writing' || progress.total === undefined || progress.total <= 0) return start;
  return Math.floor(start + (RESTORE_PHASE_START['notifying-clients'] - start) * Math.min(1, (progress.done ?? 0) / progress.total));
}

/**
 * How far a job is. A backup: whole collections done, plus the share of the current one;
 * finishing (writing the snapshot's summary) stays just short of 100 until the job has completed.
 * A restore: by phase, writing by records written. A migration: see migrationPercent.
 */
export function progressPercent(job: Job | undefined, progress: JobProgress | null): number {
  if (job?.state === 'completed') return 100;
  if (progress === null) return 0;
  if (isMigrationProgress(progress, job)) return Math.min(99, migrationPercent(progress));
  if (isRestoreProgress(progress, job)) return restorePercent(progress);
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
  const [progress, setProgress] = useState<JobProgress | null>(initial?.progress ?? null);
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
    source.addEventListener('progress', (event) => setProgress(JSON.parse((event as MessageEvent<string>).data) as JobProgress));
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

export interface JobFeed {
  /** Newest first; undefined until the list has loaded once. */
  jobs: Job[] | undefined;
  /** Why the last read of the list failed; the jobs already shown stay meanwhile. */
  error: string | undefined;
  /** Whether the live stream is connected; while it is not, the list is read again every few seconds. */
  live: boolean;
  reload(): void;
  /** Shows at once what an action answered (a retried job), ahead of the stream. */
  put(job: Job): void;
  /** Drops a job at once (a cancelled queued job), ahead of the stream. */
  drop(jobId: string): void;
}

const POLL_WHILE_OFFLINE_MS = 5_000;
/** Even with the stream up, the list is read again now and then (jobs trimmed by the daemon, say). */
const RESYNC_MS = 60_000;
const RECONNECT_MS = 5_000;

function newestFirst(a: Job, b: Job): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/**
 * The recent jobs of every queue, kept up to date by one Server-Sent Events stream
 * (`/api/jobs/events`) for the whole page rather than one per job: each job's changes of state,
 * its progress, its removal. `onFinished` runs when a job is seen completing or failing.
 */
export function useJobFeed(limit: number, onFinished?: (job: Job) => void): JobFeed {
  const store = useRef(new Map<string, Job>());
  /** When the stream or an action last changed each job: a list read that started before does not undo it. */
  const changedAt = useRef(new Map<string, number>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState(false);
  const liveRef = useRef(false);
  const generation = useRef(0);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;

  const commit = useCallback(() => setVersion((value) => value + 1), []);
  const setLiveBoth = useCallback((value: boolean) => {
    liveRef.current = value;
    setLive(value);
  }, []);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    const startedAt = performance.now();
    api.jobs(limit).then(
      (list) => {
        if (mine !== generation.current) return;
        const next = new Map(list.map((job) => [job.id, job]));
        for (const [id, at] of changedAt.current) {
          if (at < startedAt) {
            changedAt.current.delete(id);
            continue;
          }
          const newer = store.current.get(id);
          if (newer === undefined) next.delete(id);
          else next.set(id, newer);
        }
        store.current = next;
        setLoaded(true);
        setError(undefined);
        commit();
      },
      (reason: unknown) => {
        if (mine === generation.current) setError(describeError(reason));
      },
    );
  }, [limit, commit]);

  const put = useCallback(
    (job: Job) => {
      const before = store.current.get(job.id);
      changedAt.current.set(job.id, performance.now());
      store.current.set(job.id, job);
      commit();
      if (isFinished(job) && !isFinished(before)) onFinishedRef.current?.(job);
    },
    [commit],
  );

  const drop = useCallback(
    (jobId: string) => {
      changedAt.current.set(jobId, performance.now());
      if (store.current.delete(jobId)) commit();
    },
    [commit],
  );

  useEffect(() => {
    let stopped = false;
    let source: EventSource | undefined;
    let reconnect: ReturnType<typeof setTimeout> | undefined;
    const parse = <T>(event: Event) => JSON.parse((event as MessageEvent<string>).data) as T;
    const connect = () => {
      const current = new EventSource(api.jobFeedUrl());
      source = current;
      // The list is read once the stream follows the queues, so nothing falls between the two.
      current.addEventListener('ready', () => {
        setLiveBoth(true);
        reload();
      });
      current.addEventListener('job', (event) => put(parse<Job>(event)));
      current.addEventListener('progress', (event) => {
        const { jobId, progress } = parse<JobProgressEvent>(event);
        const job = store.current.get(jobId);
        if (job === undefined) return;
        changedAt.current.set(jobId, performance.now());
        store.current.set(jobId, { ...job, progress });
        commit();
      });
      current.addEventListener('removed', (event) => drop(parse<JobRemovedEvent>(event).jobId));
      current.onerror = () => {
        setLiveBoth(false);
        // The browser reconnects by itself after a dropped connection, but not after a refusal
        // (signed out, daemon away): then read the list (which handles signing in) and try later.
        if (current.readyState === EventSource.CLOSED && !stopped) {
          reload();
          reconnect = setTimeout(connect, RECONNECT_MS);
        }
      };
    };
    reload();
    connect();
    let lastRead = Date.now();
    const poll = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      if (liveRef.current && Date.now() - lastRead < RESYNC_MS) return;
      lastRead = Date.now();
      reload();
    }, POLL_WHILE_OFFLINE_MS);
    return () => {
      stopped = true;
      clearTimeout(reconnect);
      clearInterval(poll);
      source?.close();
      setLiveBoth(false);
    };
  }, [reload, put, drop, commit, setLiveBoth]);

  const jobs = useMemo(() => (loaded ? [...store.current.values()].sort(newestFirst).slice(0, limit) : undefined), [loaded, version, limit]);
  return { jobs, error, live, reload, put, drop };
}
