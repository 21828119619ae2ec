/**
 * A backup reports progress on every page of records; each report is a Redis write and an event
 * for every listener, so reports are thinned out: at most one per interval, except that a new
 * phase or collection and a finished collection always go out, and the latest report is never lost.
 */
import type { BackupProgress } from '../backup/types.js';

export interface ProgressThrottle {
  report(progress: BackupProgress): void;
  /** Sends what is still pending and waits for every send to finish. */
  flush(): Promise<void>;
}

export function throttleProgress(send: (progress: BackupProgress) => Promise<void>, intervalMs: number, onError: (error: unknown) => void): ProgressThrottle {
  let last: BackupProgress | undefined;
  let lastSentAt = 0;
  let pending: BackupProgress | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Sends run one after another so that listeners never see progress go backwards.
  let chain = Promise.resolve();

  const sendNow = (progress: BackupProgress) => {
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
