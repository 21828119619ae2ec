import cliProgress from 'cli-progress';
import type { MigrationPhase, MigrationProgress } from '../migrate/types.js';
import type { ProgressDisplay } from './backup-progress.js';

export const MIGRATION_PHASES: Record<MigrationPhase, string> = {
  'source-snapshot': 'taking a fresh snapshot of the source',
  planning: 'planning',
  'wiping-target': "wiping the target's storage",
  uploading: 'uploading',
  verifying: 'verifying',
  done: 'done',
};

/**
 * A migration's progress for a person: a bar of records done of all when `stream` is a terminal,
 * else one plain line per phase and collection as it starts; the target's notices (backoff, quota,
 * retries) as lines of their own either way.
 */
export function migrationProgressDisplay(stream: NodeJS.WriteStream): ProgressDisplay<MigrationProgress> {
  let lastNotice: string | undefined;
  const newNotice = (progress: MigrationProgress): string | undefined => {
    if (progress.notice === undefined || progress.notice === lastNotice) return undefined;
    lastNotice = progress.notice;
    return progress.notice;
  };
  if (stream.isTTY !== true) {
    let current: string | undefined;
    return {
      update(progress) {
        const notice = newNotice(progress);
        if (notice !== undefined) stream.write(`  migrate: the target says: ${notice}\n`);
        const stage = `${progress.phase} ${progress.collection ?? ''}`;
        if (stage === current) return;
        current = stage;
        const where = progress.collection === undefined ? '' : ` ${progress.collection}`;
        const count = progress.total > 0 ? ` (${progress.done} of ${progress.total} records)` : '';
        stream.write(`  migrate: ${MIGRATION_PHASES[progress.phase]}${where}${count}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: '  migrate |{bar}| {value}/{total} records  {phase} {collection}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const notice = newNotice(progress);
      if (notice !== undefined) {
        if (started) bar.stop();
        started = false;
        stream.write(`  migrate: the target says: ${notice}\n`);
      }
      const payload = { phase: MIGRATION_PHASES[progress.phase], collection: progress.collection ?? '' };
      const total = Math.max(progress.total, 1);
      if (!started) {
        bar.start(total, progress.done, payload);
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(progress.done, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
