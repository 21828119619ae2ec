import { type Command } from 'commander';
import { findAccountByName, SnapshotReader, type SnapshotListing } from '../history/index.js';
import { openCliContext } from './context.js';
import { printJson } from './output.js';

export function registerSnapshotsCommand(program: Command): void {
  program
    .command('snapshots')
    .description("list an account's snapshots, oldest first")
    .argument('<account>', 'account name')
    .option('--json', 'print a JSON array of {seq, status, startedAt, finishedAt, collections, versionsAdded, tags}')
    .action(async (accountName: string, options: { json?: boolean }) => {
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const snapshots = await new SnapshotReader(context).listSnapshots(account.id);
        if (options.json) {
          printJson(snapshots.map(({ seq, status, startedAt, finishedAt, collections, versionsAdded, tags }) => ({ seq, status, startedAt, finishedAt, collections, versionsAdded, tags })));
        } else {
          printTable(accountName, snapshots);
        }
      } finally {
        await context.close();
      }
    });
}

function printTable(accountName: string, snapshots: SnapshotListing[]): void {
  if (snapshots.length === 0) {
    process.stdout.write(`account "${accountName}" has no snapshots yet\n`);
    return;
  }
  const lines = ['  seq  status    started (UTC)         finished (UTC)         records    added  tags'];
  for (const snapshot of snapshots) {
    const records = Object.values(snapshot.collections).reduce((sum, { count }) => sum + count, 0);
    lines.push(
      [
        String(snapshot.seq).padStart(5),
        snapshot.status.padEnd(8),
        shortTime(snapshot.startedAt).padEnd(20),
        (snapshot.finishedAt === null ? '-' : shortTime(snapshot.finishedAt)).padEnd(20),
        String(records).padStart(8),
        String(snapshot.versionsAdded).padStart(8),
        snapshot.tags.join(','),
      ].join('  '),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function shortTime(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}
