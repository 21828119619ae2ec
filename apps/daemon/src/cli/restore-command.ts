import { type Command } from 'commander';
import { AccountService } from '../accounts/index.js';
import { BackupEngine } from '../backup/index.js';
import { SnapshotReader } from '../history/index.js';
import { RestoreService, type RestorePlan, type RestoreProgress, type RestoreResult, type RestoreTarget } from '../restore/index.js';
import { openCliContext } from './context.js';
import { parseNonNegativeInt } from './options.js';
import { printJson } from './output.js';

interface RestoreCommandOptions {
  from: number;
  bookmark?: string;
  folder?: string;
  deletedSince?: number;
  password?: string;
  collection?: string;
  all?: boolean;
  intoNewFolder?: boolean;
  yes?: boolean;
  json?: boolean;
}

function targetOf(options: RestoreCommandOptions): RestoreTarget {
  const chosen: RestoreTarget[] = [];
  if (options.bookmark !== undefined) chosen.push({ kind: 'bookmark', id: options.bookmark });
  if (options.folder !== undefined) chosen.push({ kind: 'folder', id: options.folder });
  if (options.deletedSince !== undefined) chosen.push({ kind: 'deleted-bookmarks', since: options.deletedSince });
  if (options.password !== undefined) chosen.push({ kind: 'password', id: options.password });
  if (options.collection !== undefined) chosen.push({ kind: 'collection', collection: options.collection });
  if (options.all === true) chosen.push({ kind: 'all' });
  if (chosen.length !== 1) throw new Error('name exactly one of --bookmark, --folder, --deleted-since, --password, --collection, --all');
  return chosen[0]!;
}

const PHASES: Record<RestoreProgress['phase'], string> = {
  'pre-restore-snapshot': 'taking a pre-restore snapshot',
  planning: 'planning against the server as it is now',
  writing: 'writing',
  'notifying-clients': 'telling the other devices',
  verifying: 'reading back what was written',
  done: 'done',
};

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description(
      'put records of a snapshot back into the live account. Without --yes it prints the plan (the exact records it would write or delete) and writes nothing; ' +
        'with --yes it takes a pre-restore snapshot, writes with X-If-Unmodified-Since (re-planning if another device wrote meanwhile), and reads the result back',
    )
    .argument('<account>', 'account name')
    .requiredOption('--from <seq>', 'the snapshot to restore from', parseNonNegativeInt)
    .option('--bookmark <id>', 'one bookmark (or separator, query), back in its folder at its old position')
    .option('--folder <id>', 'a bookmark folder with everything in it')
    .option('--deleted-since <seq>', 'every bookmark snapshot <seq> had that is gone in --from (or, when both name the same snapshot, gone from the server now)', parseNonNegativeInt)
    .option('--password <id>', 'one saved login, by its id')
    .option('--collection <name>', 'one collection back to the snapshot: differing records written, newer ones deleted')
    .option('--all', 'every restorable collection back to the snapshot')
    .option('--into-new-folder', 'bookmarks: into a new folder "Restored <date>" under Other Bookmarks instead of their old places')
    .option('--yes', 'do it (without: show the plan only)')
    .option('--json', 'print the plan (without --yes) or the result as one JSON object')
    .action(async (accountName: string, options: RestoreCommandOptions) => {
      const target = targetOf(options);
      const context = await openCliContext();
      try {
        const accounts = new AccountService(context);
        const service = new RestoreService({
          prisma: context.prisma,
          databaseUrl: context.config.databaseUrl,
          accounts,
          reader: new SnapshotReader(context),
          backup: new BackupEngine({ prisma: context.prisma, databaseUrl: context.config.databaseUrl, keyCustody: context.keyCustody }),
        });
        const request = { account: accountName, from: options.from, target, ...(options.intoNewFolder === true && { intoNewFolder: true }) };
        if (options.yes !== true) {
          const plan = await service.plan(request);
          if (options.json) printJson(plan);
          else process.stdout.write(`${describePlan(plan).join('\n')}\n\nNothing was written: run again with --yes to restore.\n`);
          return;
        }
        let lastPhase: string | undefined;
        const result = await service.apply(request, {
          onProgress: (progress) => {
            if (options.json || progress.phase === lastPhase) return;
            lastPhase = progress.phase;
            process.stderr.write(`restore: ${PHASES[progress.phase]}${progress.collection !== undefined ? ` ${progress.collection}` : ''}\n`);
          },
        });
        if (options.json) printJson(result);
        else process.stdout.write(`${describeResult(result).join('\n')}\n`);
        if (!result.verification.ok) process.exitCode = 1;
      } finally {
        await context.close();
      }
    });
}

function problemSummary(counts: Record<string, number>): string {
  const found = Object.entries(counts).filter(([, count]) => count > 0);
  return found.length === 0 ? 'valid' : found.map(([name, count]) => `${name} ${count}`).join(', ');
}

export function describePlan(plan: RestorePlan): string[] {
  const lines = [`Restore into ${plan.accountName} from snapshot ${plan.from}: ${plan.totalChanges} change(s)${plan.intoNewFolder ? ', into a new folder' : ''}`];
  for (const collection of plan.collections) {
    lines.push(`  ${collection.collection} (guarded by X-If-Unmodified-Since ${collection.ifUnmodifiedSince}):`);
    if (collection.records.length === 0) lines.push('    nothing to change');
    for (const record of collection.records) lines.push(`    ${record.action === 'write' ? '+' : '-'} ${record.id}  ${record.label}  (${record.reason})`);
  }
  if (plan.clientCommand !== null) {
    const names = plan.clientCommand.clients.map((client) => client.name).join(', ');
    lines.push(`  then the bookmarks wipe command (wipeEngine bookmarks) to ${names === '' ? 'no device (none connected)' : names}, as Firefox does after its own restore`);
  }
  if (plan.bookmarkValidation !== null) {
    lines.push(`  bookmark tree now: ${problemSummary(plan.bookmarkValidation.before)}; after the restore: ${problemSummary(plan.bookmarkValidation.predicted)}`);
  }
  if (plan.keysChanged) lines.push("  the account's keys changed since the snapshot: records are encrypted with the current keys");
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  lines.push('  first a pre-restore snapshot, so this can be undone');
  return lines;
}

function describeResult(result: RestoreResult): string[] {
  const lines = describePlan(result.plan);
  lines[0] = `Restored into ${result.plan.accountName} from snapshot ${result.plan.from}: ${result.written.length} record(s) written`;
  lines.pop();
  lines.push(`  pre-restore snapshot: ${result.preRestoreSnapshot.seq}`);
  if (result.replans > 0) lines.push(`  another device wrote meanwhile: planned again ${result.replans} time(s) against the new state`);
  if (result.clientsNotified.length > 0) lines.push(`  devices told to wipe their bookmarks: ${result.clientsNotified.join(', ')}`);
  if (result.bookmarkValidation !== null) lines.push(`  bookmark tree before: ${problemSummary(result.bookmarkValidation.before)}; after: ${problemSummary(result.bookmarkValidation.after)}`);
  lines.push(
    result.verification.ok
      ? '  checked: the server holds what was written'
      : `  CHECK FAILED: ${result.verification.mismatches.map((mismatch) => `${mismatch.collection}/${mismatch.id} ${mismatch.problem}`).join('; ')}`,
  );
  return lines;
}
