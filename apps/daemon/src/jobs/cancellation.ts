/**
 * Stopping a running backup on request. The API may run in another process than the worker that
 * holds the job, so the request is written where both see it: the job's own data
 * (BackupJobData.cancelRequestedAt). The worker looks for it now and then while the backup runs
 * and aborts the engine's signal, so the run ends the way an interrupted one does: its job fails
 * and its snapshot is rolled back, never becoming visible.
 */

/** Why a cancelled backup stopped, as its job's failure reason says. */
export const CANCELLED_ON_REQUEST = 'cancelled on request';

/** How often a running backup looks for a cancel request. */
export const CANCEL_CHECK_MS = 1000;

/** When a cancel was asked for (ISO), or null. */
export function cancelRequestedAt(data: unknown): string | null {
  const value = (data as { cancelRequestedAt?: unknown } | null | undefined)?.cancelRequestedAt;
  return typeof value === 'string' ? value : null;
}

/** The job data without its cancel request: what a retried job starts from. */
export function withoutCancelRequest<T extends object>(data: T): T {
  const copy = { ...data } as Record<string, unknown>;
  delete copy['cancelRequestedAt'];
  return copy as T;
}

/**
 * Asks `isRequested` every `intervalMs` (one question at a time) until the returned stop function
 * runs; calls `onRequested` once, the first time it answers yes. A failed question (Redis away for
 * a moment) is reported to `onError` and asked again next time.
 */
export function watchForCancelRequest(isRequested: () => Promise<boolean>, intervalMs: number, onRequested: () => void, onError: (error: unknown) => void): () => void {
  let stopped = false;
  let asking = false;
  const timer = setInterval(() => {
    if (stopped || asking) return;
    asking = true;
    isRequested()
      .then((requested) => {
        if (requested && !stopped) {
          stop();
          onRequested();
        }
      }, onError)
      .finally(() => (asking = false));
  }, intervalMs);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}

/** What a stoppable job (backup, migration) needs to notice a cancel request. */
export interface CancelWatchOptions {
  /** The job's id (or a stand-in key), as cancelRequested takes it. */
  jobKey: string;
  /** The job's data as it was handed to the worker: a request made before it started is already there. */
  jobData: unknown;
  /** Reads the job's data afresh; without it, only a request made before the job started is seen. */
  cancelRequested?: ((jobId: string) => Promise<boolean>) | undefined;
  cancelCheckMs?: number | undefined;
  /** Called once, when a cancel request is seen (at once if the job came with one). */
  onCancel: () => void;
  onError: (error: unknown) => void;
}

/** Watches a running job for a cancel request; returns the function that stops watching. */
export function watchJobForCancel(options: CancelWatchOptions): () => void {
  const { cancelRequested } = options;
  const stop =
    cancelRequested === undefined
      ? () => undefined
      : watchForCancelRequest(() => cancelRequested(options.jobKey), options.cancelCheckMs ?? CANCEL_CHECK_MS, options.onCancel, options.onError);
  // A job cancelled while it was being handed to a worker, or one that comes back after its worker died.
  if (cancelRequestedAt(options.jobData) !== null) {
    stop();
    options.onCancel();
  }
  return stop;
}
