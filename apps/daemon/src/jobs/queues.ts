/** The BullMQ queues, what their jobs carry, and how they connect to Redis. */
import { randomUUID } from 'node:crypto';
import type { JobsOptions, QueueOptions } from 'bullmq';
import type { BackupTrigger, SnapshotSummary } from '../backup/types.js';
import type { SyncvaultConfig } from '../config/config.js';
import type { MigrationRequest } from '../migrate/types.js';
import type { RestoreRequest } from '../restore/types.js';

export const BACKUP_QUEUE = 'backup';
export const RETENTION_QUEUE = 'retention';
export const RESTORE_QUEUE = 'restore';
export const MIGRATE_QUEUE = 'migrate';
export const JOB_QUEUES = [BACKUP_QUEUE, RETENTION_QUEUE, RESTORE_QUEUE, MIGRATE_QUEUE] as const;
export type JobQueueName = (typeof JOB_QUEUES)[number];

export interface BackupJobData {
  accountId: string;
  trigger: BackupTrigger;
  /**
   * Set (ISO time) when a person asked the running backup to stop. It lives in the job's own data
   * so that whichever process runs the job sees it (see cancellation.ts), and it goes with the job.
   */
  cancelRequestedAt?: string;
}

export interface RetentionJobData {
  accountId: string;
  /** `schedule`: queued after a scheduled backup; `manual`: asked for by a person. */
  trigger: 'schedule' | 'manual';
}

export interface RestoreJobData {
  accountId: string;
  /** Restores are only ever asked for by a person. */
  trigger: 'manual';
  /** `account` is the account's id, whatever name the request used. */
  request: RestoreRequest;
}

export interface MigrateJobData {
  /** The target: the account the migration writes to (and locks), as every job's `accountId` names the account it works on. */
  accountId: string;
  sourceAccountId: string;
  /** Migrations are only ever asked for by a person. */
  trigger: 'manual';
  /** `source` and `target` are the accounts' ids, whatever names the request used. */
  request: MigrationRequest;
  /** Set (ISO time) when a person asked the running migration to stop; as BackupJobData's. */
  cancelRequestedAt?: string;
}

/** A SnapshotSummary as it comes back from Redis: JSON, so dates are ISO strings. */
export type SnapshotSummaryJson = Omit<SnapshotSummary, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string | null };

export function snapshotSummaryToJson(summary: SnapshotSummary): SnapshotSummaryJson {
  return { ...summary, startedAt: summary.startedAt.toISOString(), finishedAt: summary.finishedAt?.toISOString() ?? null };
}

/** The id of an account's backup job scheduler in BullMQ. */
export function backupSchedulerId(accountId: string): string {
  return `backup:${accountId}`;
}

/** Redis keeps the recent history the API lists; Postgres keeps the snapshots themselves. */
const KEEP_FINISHED_JOBS = {
  removeOnComplete: { count: 500, age: 30 * 24 * 3600 },
  removeOnFail: { count: 1000, age: 90 * 24 * 3600 },
} satisfies JobsOptions;

/**
 * Options of every job Syncvault adds. Ids are UUIDs (scheduler-made jobs get BullMQ's own
 * `repeat:...` ids), so a job id names one job across both queues. One attempt: the engine retries
 * what is worth retrying inside a run, and a schedule brings the next run anyway.
 */
export function newJobOptions(extra: JobsOptions = {}): JobsOptions {
  return { jobId: randomUUID(), attempts: 1, ...KEEP_FINISHED_JOBS, ...extra };
}

export const SCHEDULED_JOB_OPTIONS = { attempts: 1, ...KEEP_FINISHED_JOBS };

/** Queue options for `config`: one Redis URL, and the prefix that lets installations share a Redis. */
export function queueOptions(config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>): QueueOptions {
  return { connection: { url: config.redisUrl }, prefix: config.redisPrefix };
}
