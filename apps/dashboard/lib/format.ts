/** How the dashboard writes dates, counts, kinds and states. */
import type { AccountKind, JobState, Snapshot } from './types';

const KIND_LABELS: Record<AccountKind, string> = {
  mozilla: 'Mozilla account · Sync 1.5',
  selfhosted15: 'Self-hosted · Sync 1.5',
  legacy11: 'Legacy · Sync 1.1',
};

export function kindLabel(kind: AccountKind): string {
  return KIND_LABELS[kind] ?? kind;
}

const numberFormat = new Intl.NumberFormat('en');

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

/** "512 bytes", "48.3 kB", "1.25 MB": decimal units, three significant digits at most. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  for (let unit = 0; ; unit += 1) {
    const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
    const rounded = Number(value.toFixed(digits));
    if (rounded < 1000 || unit === BYTE_UNITS.length - 1) {
      return new Intl.NumberFormat('en', { style: 'unit', unit: BYTE_UNITS[unit], unitDisplay: unit === 0 ? 'long' : 'short', maximumFractionDigits: digits }).format(rounded);
    }
    value /= 1000;
  }
}

/** Records a snapshot holds, every collection counted (meta/global and crypto/keys included). */
export function snapshotRecords(snapshot: Pick<Snapshot, 'collections'>): number {
  return Object.values(snapshot.collections).reduce((sum, collection) => sum + collection.count, 0);
}

const dateTimeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "yesterday", "just now". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

export function formatDuration(fromIso: string, toIso: string | null): string {
  if (toIso === null) return '';
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function scheduleLabel(schedule: string | null): string {
  if (schedule === null || schedule === '') return 'On demand only';
  return /^every\s/i.test(schedule) ? schedule.replace(/^every/i, 'Every') : `Cron ${schedule} (UTC)`;
}

const JOB_STATE_LABELS: Record<JobState, string> = {
  waiting: 'Queued',
  delayed: 'Delayed',
  prioritized: 'Queued',
  active: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  'waiting-children': 'Waiting',
  unknown: 'Unknown',
};

export function jobStateLabel(state: JobState): string {
  return JOB_STATE_LABELS[state] ?? state;
}

export function isRunning(state: JobState): boolean {
  return state === 'active' || state === 'waiting' || state === 'prioritized' || state === 'delayed' || state === 'waiting-children';
}
