import { type Command } from 'commander';
import { DEFAULT_PAGE_SIZE, findAccountByName, SnapshotReader, type CollectionContents } from '../history/index.js';
import { openCliContext } from './context.js';
import { parseNonNegativeInt } from './options.js';
import { printJson } from './output.js';

interface ShowCommandOptions {
  search?: string;
  offset: number;
  limit: number;
  revealSecrets?: boolean;
  json?: boolean;
}

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('show the decrypted records of one collection as it was in a snapshot, newest first')
    .argument('<account>', 'account name')
    .argument('<seq>', 'snapshot number (see syncvault snapshots)', parseNonNegativeInt)
    .argument('<collection>', 'collection, e.g. bookmarks, history, passwords, meta, crypto')
    .option('--search <text>', 'only records whose decrypted JSON contains this text (any case)')
    .option('--offset <n>', 'skip this many records', parseNonNegativeInt, 0)
    .option('--limit <n>', 'show at most this many records (1-1000)', parseNonNegativeInt, DEFAULT_PAGE_SIZE)
    .option('--reveal-secrets', 'show password and card-number values instead of masking them')
    .option('--json', 'print {total, offset, limit, records: [{id, modified, sortindex, hmacValid, cleartext, error?}]}')
    .action(async (accountName: string, seq: number, collection: string, options: ShowCommandOptions) => {
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const contents = await new SnapshotReader(context).collectionContents(account.id, seq, collection, {
          offset: options.offset,
          limit: options.limit,
          revealSecrets: options.revealSecrets ?? false,
          ...(options.search !== undefined && { search: options.search }),
        });
        if (options.json) printJson(contents);
        else printContents(collection, seq, contents);
      } finally {
        await context.close();
      }
    });
}

function printContents(collection: string, seq: number, contents: CollectionContents): void {
  const { total, offset, records } = contents;
  const shown = records.length === 0 ? 'no records' : `records ${offset + 1}-${offset + records.length} of ${total}`;
  const lines = [`${collection} in snapshot ${seq}: ${shown}`];
  for (const record of records) {
    const flag = record.hmacValid ? '' : ' [HMAC failed at backup]';
    const body = record.cleartext === null ? `cannot decrypt: ${record.error ?? 'unknown reason'}` : JSON.stringify(record.cleartext);
    lines.push(`${record.id}  ${new Date(record.modified).toISOString()}${flag}  ${body}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
