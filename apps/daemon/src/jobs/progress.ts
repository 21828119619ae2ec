/**
 * A backup reports progress on every page of records, a migration on every uploaded batch; each
 * report is a Redis write and an event for every listener, so reports are thinned out: at most one
 * per interval, except that a new phase or collection, a finished collection (or run) and a new
 * notice from the server always go out, and the latest report is never lost.
 */

/** What the throttle looks at (a BackupProgress, a MigrationProgress). */
export interface StagedProgress {
  phase: string;
  collection?: string;
  done: number;
  total: number;
  collectionsDone?: number;
  notice?: string;
}

export interface ProgressThrottle<P extends StagedProgress = StagedProgress> {
  report(progress: P): void;
  /** Sends what is still pending and waits for every send to finish. */
  flush(): Promise<void>;
}

export function throttleProgress<P extends StagedProgress>(send: (progress: P) => Promise<void>, intervalMs: number, onError: (error: unknown) => void): ProgressThrottle<P> {
  let last: P | undefined;
  let lastSentAt = 0;
  let pending: P | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Sends run one after another so that listeners never see progress go backwards.
  let chain = Promise.resolve();

  const sendNow = (progress: P) => {
    pending = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    last = progress;
    lastSentAt = Date.now();
    chain = chain.then(() => send(progress)).catch(onError);
  };

  return {
    report(progress) {
      const milestone =
        last === undefined ||
        progress.phase !== last.phase ||
        progress.collection !== last.collection ||
        progress.collectionsDone !== last.collectionsDone ||
        (progress.notice !== undefined && progress.notice !== last.notice) ||
        (progress.total > 0 && progress.done >= progress.total);
      if (milestone || Date.now() - lastSentAt >= intervalMs) {
        sendNow(progress);
        return;
      }
      pending = progress;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending !== undefined) sendNow(pending);
      }, intervalMs - (Date.now() - lastSentAt));
    },
    async flush() {
      if (pending !== undefined) sendNow(pending);
      await chain;
    },
  };
}
