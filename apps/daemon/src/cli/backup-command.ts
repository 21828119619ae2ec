import { type Command } from 'commander';
import type { SnapshotSummaryJson } from '../jobs/queues.js';
import { snapshotDigest } from '../jobs/snapshot-digest.js';
import { backupProgressDisplay } from './backup-progress.js';
import { openCliContext } from './context.js';
import { printJson } from './output.js';

interface BackupCommandOptions {
  wait?: boolean;
  json?: boolean;
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
      // Scripts asking for JSON get no progress lines; a person at a terminal always gets the bar.
      const bar = options.json === true && process.stderr.isTTY !== true ? { update: () => undefined, stop: () => undefined } : backupProgressDisplay('backup', process.stderr);
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
          onProgress: (progress) => bar.update(progress),
          signal: interrupt.signal,
        });
        bar.stop();
        const summary = outcome.job?.result as SnapshotSummaryJson | undefined;
        if (summary === undefined) {
          if (options.json) printJson({ jobId: outcome.jobId });
          else process.stdout.write(`queued backup job ${outcome.jobId} (the daemon runs it; follow it at /api/jobs/${outcome.jobId}/events)\n`);
          return;
        }
        if (options.json) printJson({ snapshot: snapshotDigest(summary) });
        else process.stdout.write(describeSnapshot(summary));
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
        await context.close();
      }
    });
}
