/** The migration wizard's words, links and progress arithmetic. */
import { formatBytes, formatCount } from './format';
import type { Account, Job, JobProgress, KeysAction, MetaGlobalAction, MigrationJobProgress, MigrationMode, MigrationPhase, MigrationStatus, RecordsAction } from './types';

/** The daemon's BullMQ queue for migrations. */
export const MIGRATION_QUEUE = 'migrate';

/** Only Sync 1.5 accounts can receive a migration (current Firefox cannot read 1.1). */
export function canBeTarget(account: Pick<Account, 'kind'>): boolean {
  return account.kind === 'mozilla' || account.kind === 'selfhosted15';
}

/** The wizard, with the source (and target) already chosen; names or ids. */
export function migrateHref(choice: { source?: string; target?: string } = {}): string {
  const query = new URLSearchParams();
  if (choice.source !== undefined) query.set('source', choice.source);
  if (choice.target !== undefined) query.set('target', choice.target);
  const search = query.toString();
  return search === '' ? '/migrate' : `/migrate?${search}`;
}

export function migrationHref(id: string): string {
  return `/migrate/${encodeURIComponent(id)}`;
}

/** Phases a restore never reports, so that a migration's progress is told apart without its job. */
const MIGRATION_ONLY_PHASES: ReadonlySet<string> = new Set<MigrationPhase>(['source-snapshot', 'wiping-target', 'uploading']);

/** A migration job's progress; its queue decides when the job is known (planning, verifying and done are restore phases too). */
export function isMigrationProgress(progress: JobProgress | null, job?: Pick<Job, 'queue'>): progress is MigrationJobProgress {
  if (progress === null) return false;
  if (job !== undefined) return job.queue === MIGRATION_QUEUE;
  return MIGRATION_ONLY_PHASES.has(progress.phase) || 'migrationId' in progress;
}

/** Where each phase starts, in percent: uploading fills most of the bar, verifying the rest. */
const PHASE_START: Record<MigrationPhase, number> = {
  'source-snapshot': 0,
  planning: 5,
  'wiping-target': 8,
  uploading: 10,
  verifying: 90,
  done: 100,
};

/** How far a migration is: by phase, uploading and verifying by records done of total. */
export function migrationPercent(progress: Pick<MigrationJobProgress, 'phase' | 'done' | 'total'>): number {
  const start = PHASE_START[progress.phase] ?? 0;
  if ((progress.phase !== 'uploading' && progress.phase !== 'verifying') || progress.total <= 0) return start;
  const end = progress.phase === 'uploading' ? PHASE_START.verifying : 99;
  return Math.floor(start + (end - start) * Math.min(1, progress.done / progress.total));
}

const PHASE_WORDS: Record<MigrationPhase, string> = {
  'source-snapshot': 'Backing up the source, to copy it as it is now',
  planning: 'Planning against the target as it is now',
  'wiping-target': 'Wiping the target’s storage',
  uploading: 'Uploading',
  verifying: 'Verifying on the target',
  done: 'Finishing',
};

/** The phase in words, with the collection and the records done when the phase counts them. */
export function migrationPhaseText(progress: Pick<MigrationJobProgress, 'phase' | 'collection' | 'done' | 'total'>): string {
  const words = PHASE_WORDS[progress.phase] ?? progress.phase;
  if (progress.phase !== 'uploading' && progress.phase !== 'verifying') return words;
  const collection = progress.collection === undefined ? '' : ` ${progress.collection}`;
  return `${words}${collection}: ${formatCount(progress.done)} of ${formatCount(progress.total)} records`;
}

export const MODE_WORDS: Record<MigrationMode, string> = {
  empty: 'Neither Replace nor Merge: only into an empty target',
  replace: 'Replace: the target’s storage is wiped first',
  merge: 'Merge: the target’s records are kept, and win where they are newer',
};

export const KEYS_WORDS: Record<KeysAction, string> = {
  copy: 'Both accounts have the same root key (kB): crypto/keys is copied as it is, and every record byte for byte.',
  rewrap: 'The same bulk keys, encrypted with the target account’s root key (kB): the records themselves move unchanged.',
  rekey: 'New random bulk keys: every record is re-encrypted with them.',
  'keep-target': 'The target keeps its own keys; records are re-encrypted with them where the keys differ.',
};

export const META_GLOBAL_WORDS: Record<MetaGlobalAction, string> = {
  copy: 'meta/global is copied as it is: the same sync IDs, so devices that synced with the source carry on where they were.',
  convert: 'The Sync 1.1 meta/global is made valid for Sync 1.5 (engines the migration leaves out are removed, a declined list added); devices start a first sync and merge.',
  'new-sync-ids': 'New sync IDs for the account and every engine: each device that connects resets and merges its own data with the server’s.',
  'merge-target': 'The target’s meta/global is kept, with entries added for the engines it lacked.',
};

export const RECORDS_ACTION_WORDS: Record<RecordsAction, string> = {
  copy: 'Copy',
  're-encrypt': 'Re-encrypt',
  skip: 'Skip',
};

export const STATUS: Record<MigrationStatus, { label: string; tone: 'ok' | 'failed' | 'running' | 'neutral' | 'warning' }> = {
  running: { label: 'Running', tone: 'running' },
  interrupted: { label: 'Interrupted', tone: 'warning' },
  completed: { label: 'Verified', tone: 'ok' },
  failed: { label: 'Failed', tone: 'failed' },
  abandoned: { label: 'Abandoned', tone: 'neutral' },
};

/** info/configuration's keys in words (syncstorage's names). */
const LIMIT_WORDS: Record<string, string> = {
  max_request_bytes: 'Request size',
  max_post_records: 'Records per upload',
  max_post_bytes: 'Bytes per upload',
  max_total_records: 'Records per batch',
  max_total_bytes: 'Bytes per batch',
  max_record_payload_bytes: 'Record size',
  max_quota_limit: 'Storage quota',
};

export function limitLabel(key: string): string {
  return LIMIT_WORDS[key] ?? key;
}

export function limitValue(key: string, value: number | null): string {
  if (value === null) return 'no limit';
  return /bytes|quota/.test(key) ? formatBytes(value) : formatCount(value);
}

/** A collection's ttl as real clients set it: "never", "60 days", "3 years". */
export function ttlLabel(seconds: number | null): string {
  if (seconds === null) return 'never';
  const units: Array<[string, number]> = [
    ['year', 365 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${formatCount(count)} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${formatCount(seconds)} s`;
}
