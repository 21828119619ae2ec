import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_PAGE_SIZE, findAccountByName, SnapshotReader, type ArchiveContents, type CollectionContents } from '../history/index.js';
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
    .description('show the decrypted records of one collection as it was in a snapshot (newest first), or as archived')
    .argument('<account>', 'account name')
    .argument('<seq>', 'snapshot number (see syncvault snapshots), or "archive": every record ever backed up, also those the server no longer has', parseSeqOrArchive)
    .argument('<collection>', 'collection, e.g. bookmarks, history, passwords, meta, crypto')
    .option('--search <text>', 'only records whose decrypted JSON contains this text (any case)')
    .option('--offset <n>', 'skip this many records', parseNonNegativeInt, 0)
    .option('--limit <n>', 'show at most this many records (1-1000)', parseNonNegativeInt, DEFAULT_PAGE_SIZE)
    .option('--reveal-secrets', 'show password and card-number values instead of masking them')
    .option('--json', 'print {total, offset, limit, records: [{id, modified, sortindex, hmacValid, cleartext, error?}]}')
    .action(async (accountName: string, seq: number | 'archive', collection: string, options: ShowCommandOptions) => {
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const reader = new SnapshotReader(context);
        const query = {
          offset: options.offset,
          limit: options.limit,
          revealSecrets: options.revealSecrets ?? false,
          ...(options.search !== undefined && { search: options.search }),
        };
        const contents = seq === 'archive' ? await reader.archiveContents(account.id, collection, query) : await reader.collectionContents(account.id, seq, collection, query);
        if (options.json) printJson(contents);
        else printContents(collection, seq === 'archive' ? 'the archive' : `snapshot ${seq}`, contents);
      } finally {
        await context.close();
      }
    });
}

function parseSeqOrArchive(value: string): number | 'archive' {
  if (value === 'archive') return value;
  try {
    return parseNonNegativeInt(value);
  } catch {
    throw new InvalidArgumentError('expected a snapshot number or "archive"');
  }
}

function printContents(collection: string, where: string, contents: CollectionContents | ArchiveContents): void {
  const { total, offset, records } = contents;
  const shown = records.length === 0 ? 'no records' : `records ${offset + 1}-${offset + records.length} of ${total}`;
  const lines = [`${collection} in ${where}: ${shown}`];
  for (const record of records) {
    const gone = 'onServer' in record && record.onServer === false ? ' [no longer on the server]' : '';
    const flag = `${record.hmacValid ? '' : ' [HMAC failed at backup]'}${gone}`;
    const body = record.cleartext === null ? `cannot decrypt: ${record.error ?? 'unknown reason'}` : JSON.stringify(record.cleartext);
    lines.push(`${record.id}  ${new Date(record.modified).toISOString()}${flag}  ${body}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
