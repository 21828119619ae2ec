/**
 * Retention planning with restic `forget` semantics, as a pure function: which snapshots to keep
 * (and why) and which to remove. Nothing here touches the store.
 */

/** How many of the newest buckets of each size keep a snapshot; an absent or 0 rule keeps none. */
export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export const RETENTION_RULES = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
export type RetentionRule = (typeof RETENTION_RULES)[number];

/** Snapshots carrying this tag are kept by every policy until removed by hand. */
export const PRE_RESTORE_TAG = 'pre-restore';

export type KeepReason = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'pre-restore' | 'migration' | 'newest' | 'no-policy';
export type RemoveReason = 'failed' | 'policy';

/** The part of a snapshot planning needs; callers pass their own rows and get them back. */
export interface RetentionCandidate {
  seq: number;
  status: 'running' | 'complete' | 'failed';
  startedAt: Date;
  tags: readonly string[];
}

export interface RetentionPlan<T extends RetentionCandidate> {
  /** Newest first, each with every reason it is kept for. */
  keep: Array<{ snapshot: T; reasons: KeepReason[] }>;
  remove: Array<{ snapshot: T; reason: RemoveReason }>;
  /** Running snapshots: a backup may still be writing them, so retention never touches them. */
  running: T[];
}

export class InvalidRetentionPolicyError extends Error {
  override readonly name = 'InvalidRetentionPolicyError';
}

const RULE_REASONS: Record<RetentionRule, KeepReason> = {
  keepLast: 'last',
  keepHourly: 'hourly',
  keepDaily: 'daily',
  keepWeekly: 'weekly',
  keepMonthly: 'monthly',
  keepYearly: 'yearly',
};

/** The UTC bucket a snapshot falls in for a rule; keep-last puts every snapshot in its own. */
function bucketOf(rule: RetentionRule, snapshot: RetentionCandidate): string {
  const time = snapshot.startedAt;
  const iso = time.toISOString();
  switch (rule) {
    case 'keepLast':
      return `seq ${snapshot.seq}`;
    case 'keepHourly':
      return iso.slice(0, 13);
    case 'keepDaily':
      return iso.slice(0, 10);
    case 'keepWeekly':
      return isoWeek(time);
    case 'keepMonthly':
      return iso.slice(0, 7);
    case 'keepYearly':
      return iso.slice(0, 4);
  }
}

/** ISO 8601 week (Monday first; week 1 holds the year's first Thursday), as restic buckets weeks. */
function isoWeek(time: Date): string {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const weekday = (time.getUTCDay() + 6) % 7;
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const firstOfYear = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - firstOfYear) / (7 * 86_400_000)) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** True when the policy keeps nothing by any rule: it then means "keep everything". */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return RETENTION_RULES.every((rule) => (policy[rule] ?? 0) === 0);
}

/**
 * Plans a `forget` like restic: walking complete snapshots newest first, each rule keeps the
 * newest snapshot of each of its N newest buckets (UTC hour, day, ISO week, month, year; every
 * snapshot is its own bucket for keep-last). On top of that: snapshots tagged `pre-restore` are
 * always kept, the newest complete snapshot is always kept (the next backup's incremental
 * baseline), failed snapshots are always removed, running ones are never touched, and an empty
 * policy keeps every complete snapshot. `inUse` are snapshots an unfinished migration copies
 * (its resume needs exactly them).
 */
export function planRetention<T extends RetentionCandidate>(snapshots: readonly T[], policy: RetentionPolicy, inUse: ReadonlySet<number> = new Set()): RetentionPlan<T> {
  const newestFirst = [...snapshots].sort((a, b) => b.seq - a.seq);
  const plan: RetentionPlan<T> = { keep: [], remove: [], running: [] };
  const remaining = new Map(RETENTION_RULES.map((rule) => [rule, policy[rule] ?? 0]));
  const lastBucket = new Map<RetentionRule, string>();
  const emptyPolicy = isEmptyPolicy(policy);
  let newestSeen = false;

  for (const snapshot of newestFirst) {
    if (snapshot.status === 'running') {
      plan.running.push(snapshot);
      continue;
    }
    if (snapshot.status === 'failed') {
      plan.remove.push({ snapshot, reason: 'failed' });
      continue;
    }
    const reasons: KeepReason[] = [];
    for (const rule of RETENTION_RULES) {
      const left = remaining.get(rule) ?? 0;
      if (left === 0) continue;
      const bucket = bucketOf(rule, snapshot);
      if (lastBucket.get(rule) === bucket) continue;
      lastBucket.set(rule, bucket);
      remaining.set(rule, left - 1);
      reasons.push(RULE_REASONS[rule]);
    }
    if (!newestSeen) reasons.push('newest');
    newestSeen = true;
    if (snapshot.tags.includes(PRE_RESTORE_TAG)) reasons.push('pre-restore');
    if (inUse.has(snapshot.seq)) reasons.push('migration');
    if (emptyPolicy) reasons.push('no-policy');
    if (reasons.length > 0) plan.keep.push({ snapshot, reasons });
    else plan.remove.push({ snapshot, reason: 'policy' });
  }
  return plan;
}

/**
 * Validates a policy from outside (Account.retention JSON, API body, CLI flags): an object whose
 * only fields are the keep rules, each a whole number ≥ 0. Throws one readable line otherwise.
 */
export function parseRetentionPolicy(value: unknown): RetentionPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRetentionPolicyError('a retention policy is a JSON object such as {"keepDaily": 7, "keepWeekly": 4}');
  }
  const policy: RetentionPolicy = {};
  for (const [field, count] of Object.entries(value)) {
    if (!(RETENTION_RULES as readonly string[]).includes(field)) {
      throw new InvalidRetentionPolicyError(`unknown retention rule "${field}" (known: ${RETENTION_RULES.join(', ')})`);
    }
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new InvalidRetentionPolicyError(`retention rule ${field} must be a whole number ≥ 0`);
    }
    policy[field as RetentionRule] = count;
  }
  return policy;
}
