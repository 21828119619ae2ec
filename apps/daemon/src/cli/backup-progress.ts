import cliProgress from 'cli-progress';
import type { BackupProgress } from '../backup/types.js';

export interface ProgressDisplay<P = BackupProgress> {
  update(progress: P): void;
  stop(): void;
}

/**
 * A backup's progress for a person: a bar (collections done of all, and where in the current
 * one) when `stream` is a terminal, else one plain line per collection as it starts.
 */
export function backupProgressDisplay(label: string, stream: NodeJS.WriteStream): ProgressDisplay {
  if (stream.isTTY !== true) {
    let current: string | undefined;
    return {
      update(progress) {
        if (progress.collection === undefined || progress.collection === current) return;
        current = progress.collection;
        stream.write(`  ${label}: ${progress.collection} (collection ${progress.collectionsDone + 1} of ${progress.collectionsTotal})\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: `  ${label} |{bar}| {value}/{total} collections  {collection} {done}/{records}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const payload = { collection: progress.collection ?? progress.phase, done: progress.done, records: progress.total };
      const total = Math.max(progress.collectionsTotal, 1);
      if (!started) {
        bar.start(total, progress.collectionsDone, payload);
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(progress.collectionsDone, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
