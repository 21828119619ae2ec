import cliProgress from 'cli-progress';
import { type Command } from 'commander';
import type { BackupProgress } from '../backup/types.js';
import type { SnapshotSummaryJson } from '../jobs/queues.js';
import { snapshotDigest } from '../jobs/snapshot-digest.js';
import { openCliContext } from './context.js';
import { printJson } from './output.js';

interface BackupCommandOptions {
  wait?: boolean;
  json?: boolean;
}

/** A progress bar on a terminal: collections done of all, and where in the current one. */
function progressBar(): { update(progress: BackupProgress): void; stop(): void } | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'backup |{bar}| {value}/{total} collections  {collection} {done}/{records}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const payload = { collection: progress.collection ?? progress.phase, done: progress.done, records: progress.total };
      if (!started) {
        bar.start(Math.max(progress.collectionsTotal, 1), progress.collectionsDone, payload);
        started = true;
        return;
      }
      bar.setTotal(Math.max(progress.collectionsTotal, 1));
      bar.update(progress.collectionsDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function describeSnapshot(summary: SnapshotSummaryJson): string {
  const digest = snapshotDigest(summary);
  const records = Object.values(digest.collections).reduce((sum, collection) => sum + collection.count, 0);
  return `snapshot ${digest.seq} ${digest.status}: ${Object.keys(digest.collections).length} collections, ${records} records, ${digest.versionsAdded} new record versions\n`;
}

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('back up an account now: queued for the daemon, or run right here when no daemon worker is connected')
    .argument('<account>', 'account name (or id)')
    .option('--wait', 'wait for the backup to finish and print the snapshot (always the case when it runs here)')
    .option('--json', 'print {"snapshot": {seq, status, collections, versionsAdded}} (or {"jobId"} when not waiting)')
    .action(async (account: string, options: BackupCommandOptions) => {
      const context = await openCliContext();
      // BullMQ and the engine load only for this command.
      const [{ runBackup }, { createEngineBindings }] = await Promise.all([import('../jobs/run-backup.js'), import('../jobs/engine-bindings.js')]);
      const bar = progressBar();
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once('SIGINT', onSignal);
      try {
        const outcome = await runBackup({
          config: context.config,
          prisma: context.prisma,
          account,
          wait: options.wait ?? false,
          engine: () => createEngineBindings(context),
          onProgress: (progress) => bar?.update(progress),
          signal: interrupt.signal,
        });
        bar?.stop();
        const summary = outcome.job?.result as SnapshotSummaryJson | undefined;
        if (summary === undefined) {
          if (options.json) printJson({ jobId: outcome.jobId });
          else process.stdout.write(`queued backup job ${outcome.jobId} (the daemon runs it; follow it at /api/jobs/${outcome.jobId}/events)\n`);
          return;
        }
        if (options.json) printJson({ snapshot: snapshotDigest(summary) });
        else process.stdout.write(describeSnapshot(summary));
      } finally {
        bar?.stop();
        process.off('SIGINT', onSignal);
        await context.close();
      }
    });
}
