import { InvalidArgumentError, type Command } from 'commander';
import { AccountService } from '../accounts/index.js';
import {
  DEFAULT_FIND_LIMIT,
  DiffEngine,
  FIND_COLLECTIONS,
  MAX_FIND_LIMIT,
  type BookmarkEntry,
  type BookmarkPlace,
  type BookmarksDiff,
  type DiffSide,
  type FieldChange,
  type FieldsDiff,
  type FindResult,
  type HistoryDiff,
  type PasswordsDiff,
  type SemanticDiff,
  type SnapshotDiff,
} from '../diff/index.js';
import { findAccountByName } from '../history/index.js';
import { openCliContext, type CliContext } from './context.js';
import { parseNonNegativeInt } from './options.js';
import { printJson } from './output.js';

interface DiffCommandOptions {
  collection?: string;
  revealSecrets?: boolean;
  json?: boolean;
}

interface FindCommandOptions {
  collection?: string;
  limit: number;
  json?: boolean;
}

function diffEngine(context: CliContext): DiffEngine {
  const accounts = new AccountService({ prisma: context.prisma, vault: context.vault, keyCustody: context.keyCustody });
  return new DiffEngine({ prisma: context.prisma, keyCustody: context.keyCustody, openConnection: (accountId) => accounts.openConnection(accountId) });
}

export function registerDiffCommands(program: Command): void {
  program
    .command('diff')
    .description('what changed in an account between two snapshots (either order), or from a snapshot to the live server now')
    .argument('<account>', 'account name')
    .argument('<from>', 'snapshot number (see syncvault snapshots)', parseSeq)
    .argument('<to>', 'snapshot number, or "live": the server as it is now (read, not stored)', parseSeqOrLive)
    .option('--collection <name>', 'only this collection, e.g. bookmarks')
    .option('--reveal-secrets', 'show password and card-number values in the changes instead of leaving them out')
    .option('--json', 'print {"collections": {"<name>": {added, removed, changed, tombstoned}}, "semantic": {"<name>": {...}}} (shapes in the README)')
    .action(async (accountName: string, from: number, to: DiffSide, options: DiffCommandOptions) => {
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const diff = await diffEngine(context).diffSnapshots(account.id, from, to, {
          ...(options.collection !== undefined && { collection: options.collection }),
          revealSecrets: options.revealSecrets ?? false,
        });
        if (options.json) printJson({ collections: diff.collections, semantic: diff.semantic });
        else process.stdout.write(`${describeDiff(accountName, diff).join('\n')}\n`);
      } finally {
        await context.close();
      }
    });

  program
    .command('find')
    .description('when did it vanish? find a title or URL (any case) in every snapshot: the last snapshot that had each match and the first that did not')
    .argument('<account>', 'account name')
    .argument('<text>', 'text to find in titles and URLs (other collections: names, hosts, form values)')
    .option('--collection <name>', `only this collection (default: ${FIND_COLLECTIONS.join(', ')})`)
    .option('--limit <n>', `show at most this many matches (1-${MAX_FIND_LIMIT})`, parseNonNegativeInt, DEFAULT_FIND_LIMIT)
    .option('--json', 'print {text, snapshotsSearched, total, matches: [{collection, id, title, url, path?, firstSeen, lastSeen, gone}]}')
    .action(async (accountName: string, text: string, options: FindCommandOptions) => {
      const context = await openCliContext();
      try {
        const account = await findAccountByName(context.prisma, accountName);
        const found = await diffEngine(context).findAcrossSnapshots(account.id, text, {
          limit: options.limit,
          ...(options.collection !== undefined && { collections: [options.collection] }),
        });
        if (options.json) {
          const { versionsDecrypted: _cost, ...answer } = found;
          printJson(answer);
        } else {
          process.stdout.write(`${describeFound(accountName, found).join('\n')}\n`);
        }
      } finally {
        await context.close();
      }
    });
}

function parseSeq(value: string): number {
  const seq = parseNonNegativeInt(value);
  if (seq < 1) throw new InvalidArgumentError('snapshot numbers start at 1');
  return seq;
}

function parseSeqOrLive(value: string): DiffSide {
  if (value === 'live') return value;
  try {
    return parseSeq(value);
  } catch {
    throw new InvalidArgumentError('expected a snapshot number or "live"');
  }
}

// ---------------------------------------------------------------------------------------------
// Human output
// ---------------------------------------------------------------------------------------------

const MAX_VALUE = 60;

function quoted(text: string | null): string {
  return text === null || text === '' ? '(untitled)' : `"${text}"`;
}

function where(place: BookmarkPlace): string {
  return place.path === null ? 'in an unknown folder' : place.path.length === 0 ? 'at the top' : `in ${place.path.join(' > ')}`;
}

function value(field: unknown): string {
  const text = JSON.stringify(field) ?? 'undefined';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

function describeChange(change: FieldChange): string {
  if (change.secret === true && !('before' in change) && !('after' in change)) return `${change.field} (secret, changed)`;
  if (!('before' in change)) return `${change.field} set to ${value(change.after)}`;
  if (!('after' in change)) return `${change.field} removed (was ${value(change.before)})`;
  return `${change.field} ${value(change.before)} -> ${value(change.after)}`;
}

function describeEntries(sign: string, verb: string, entries: readonly BookmarkEntry[], indent: string, lines: string[]): void {
  for (const entry of entries) {
    const url = entry.url === undefined ? '' : ` <${entry.url}>`;
    const inside = entry.children === undefined ? '' : ` with ${entry.children.length} item(s) inside`;
    lines.push(`${indent}${sign} ${verb} ${entry.type} ${quoted(entry.title)}${url} ${where(entry.place)}${inside}`);
    if (entry.children !== undefined) describeEntries(sign, verb, entry.children, `${indent}    `, lines);
  }
}

function describeBookmarks(diff: BookmarksDiff, lines: string[]): void {
  describeEntries('+', 'added', diff.added, '  ', lines);
  describeEntries('-', 'deleted', diff.deleted, '  ', lines);
  for (const item of diff.renamed) lines.push(`  ~ renamed ${quoted(item.before)} -> ${quoted(item.after)} ${where(item.place)}`);
  for (const item of diff.urlChanged) lines.push(`  ~ new URL for ${quoted(item.title)}: ${item.before ?? '(none)'} -> ${item.after ?? '(none)'}`);
  for (const item of diff.moved) lines.push(`  > moved ${quoted(item.title)} from ${where(item.from).replace(/^in /, '')} to ${where(item.to).replace(/^in /, '')}`);
  for (const folder of diff.reordered) lines.push(`  ~ reordered ${quoted(folder.title)} (${folder.after.length} items kept their place in it, in a new order)`);
  for (const item of diff.otherChanges) lines.push(`  ~ changed ${quoted(item.title)}: ${item.changes.map(describeChange).join('; ')}`);
}

function describePasswords(diff: PasswordsDiff, lines: string[]): void {
  const login = (ref: { username: string | null; hostname: string | null }) => `${ref.username ?? '(no username)'} at ${ref.hostname ?? '(no host)'}`;
  for (const ref of diff.added) lines.push(`  + login ${login(ref)}`);
  for (const ref of diff.removed) lines.push(`  - login ${login(ref)}${ref.tombstone ? ' (deleted)' : ' (gone from the server)'}`);
  for (const ref of diff.changed) lines.push(`  ~ login ${login(ref)}: ${ref.changes.map(describeChange).join('; ')}`);
}

function describeHistory(diff: HistoryDiff, lines: string[]): void {
  const page = (ref: { title: string | null; url: string | null }) => `${quoted(ref.title)} <${ref.url ?? '?'}>`;
  for (const ref of diff.added) lines.push(`  + page ${page(ref)} (${ref.visits} visits)`);
  for (const ref of diff.removed) lines.push(`  - page ${page(ref)} (${ref.visits} visits)${ref.tombstone ? ' (deleted)' : ' (gone from the server)'}`);
  for (const ref of diff.changed) {
    const retitled = ref.titleBefore === undefined ? '' : `, was titled ${quoted(ref.titleBefore)}`;
    lines.push(`  ~ page ${page(ref)}: ${ref.visitsAdded.length} visit(s) added, ${ref.visitsRemoved.length} removed${retitled}`);
  }
}

function describeFields(diff: FieldsDiff, lines: string[]): void {
  const name = (ref: { id: string; label: string | null }) => (ref.label === null ? ref.id : `${ref.label} (${ref.id})`);
  for (const ref of diff.added) lines.push(`  + ${name(ref)}`);
  for (const ref of diff.removed) lines.push(`  - ${name(ref)}${ref.tombstone ? ' (deleted)' : ' (gone from the server)'}`);
  for (const ref of diff.changed) lines.push(`  ~ ${name(ref)}: ${ref.changes.map(describeChange).join('; ')}`);
}

function describeSemantic(semantic: SemanticDiff, lines: string[]): void {
  if (semantic.kind === 'bookmarks') describeBookmarks(semantic, lines);
  else if (semantic.kind === 'passwords') describePasswords(semantic, lines);
  else if (semantic.kind === 'history') describeHistory(semantic, lines);
  else describeFields(semantic, lines);
  for (const record of semantic.unreadable) lines.push(`  ! ${record.id} does not decrypt on the ${record.side} side: ${record.error}`);
}

function describeDiff(accountName: string, diff: SnapshotDiff): string[] {
  const to = diff.to === 'live' ? 'the live server' : `snapshot ${diff.to}`;
  const lines = [`"${accountName}" from snapshot ${diff.from} to ${to}:`];
  const unchanged: string[] = [];
  for (const [collection, changes] of Object.entries(diff.collections)) {
    const counts = (['added', 'removed', 'changed', 'tombstoned'] as const).filter((kind) => changes[kind].length > 0).map((kind) => `${changes[kind].length} ${kind}`);
    if (counts.length === 0) {
      unchanged.push(collection);
      continue;
    }
    lines.push(`${collection}: ${counts.join(', ')}`);
    const semantic = diff.semantic[collection];
    if (semantic !== undefined) describeSemantic(semantic, lines);
  }
  if (unchanged.length > 0) lines.push(`unchanged: ${unchanged.join(', ')}`);
  return lines;
}

function day(at: string): string {
  return at.slice(0, 16).replace('T', ' ');
}

function describeFound(accountName: string, found: FindResult): string[] {
  const lines = [`"${found.text}" in ${found.snapshotsSearched} snapshot(s) of "${accountName}": ${found.total} record(s)${found.total > found.matches.length ? `, the first ${found.matches.length} shown` : ''}`];
  for (const match of found.matches) {
    const url = match.url === null ? '' : ` <${match.url}>`;
    const path = match.path === undefined ? '' : match.path === null ? ' (in no folder)' : ` in ${match.path.join(' > ')}`;
    lines.push(`${match.collection} ${match.id}: ${quoted(match.title)}${url}${path}`);
    const seen = `    seen from snapshot ${match.firstSeen.seq} (${day(match.firstSeen.at)}) to ${match.lastSeen.seq} (${day(match.lastSeen.at)})`;
    const how = { deleted: 'deleted', removed: 'gone from the server', changed: 'changed so it no longer matches' };
    lines.push(match.gone === null ? `${seen}; still there` : `${seen}; ${how[match.gone.how]} in snapshot ${match.gone.seq} (${day(match.gone.at)})`);
  }
  return lines;
}
