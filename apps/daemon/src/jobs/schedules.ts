/**
 * Account schedules live in Postgres; BullMQ job schedulers are only their mirror, rebuilt from
 * Postgres at start-up (`reconcile`) and after every change (`sync`), so wiping Redis loses nothing.
 */
import { Queue } from 'bullmq';
import type { SyncvaultConfig } from '../config/config.js';
import type { PrismaClient } from '../store/prisma.js';
import { describe, type JobLogger } from './backup-job.js';
import { withRedisTimeout } from './jobs-service.js';
import { BACKUP_QUEUE, backupSchedulerId, queueOptions, SCHEDULED_JOB_OPTIONS, type BackupJobData } from './queues.js';
import { parseSchedule, type ParsedSchedule } from './schedule.js';

const SCHEDULER_PREFIX = backupSchedulerId('');
/** Cron patterns are read in UTC, whatever the server's time zone. */
const CRON_TIME_ZONE = 'UTC';

export interface ScheduleState {
  accountId: string;
  /** The repeat options now in BullMQ, or null when the account has no schedule. */
  schedule: ParsedSchedule | null;
  /** Next run (ms since epoch) as BullMQ has it, when known. */
  next: number | null;
}

export interface ReconcileReport {
  scheduled: string[];
  removed: string[];
  /** Accounts whose stored schedule does not parse: left unscheduled, with a warning. */
  invalid: string[];
}

export class SchedulesService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly backupQueue: Queue<BackupJobData>,
    private readonly logger?: JobLogger,
  ) {}

  /**
   * Makes BullMQ match the account's stored schedule: creates, updates or removes its job
   * scheduler. Call it after every change of `Account.schedule` and after deleting an account.
   * Throws InvalidScheduleError when the stored schedule does not parse.
   */
  async sync(accountId: string): Promise<ScheduleState> {
    const account = await this.prisma.account.findUnique({ where: { id: accountId }, select: { schedule: true } });
    const schedule = account?.schedule ?? null;
    if (schedule === null) {
      await this.backupQueue.removeJobScheduler(backupSchedulerId(accountId));
      return { accountId, schedule: null, next: null };
    }
    return this.ensure(accountId, parseSchedule(schedule));
  }

  /** Mirrors every account's schedule and removes the schedulers of deleted or unscheduled accounts. */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { scheduled: [], removed: [], invalid: [] };
    const accounts = await this.prisma.account.findMany({ where: { schedule: { not: null } }, select: { id: true, name: true, schedule: true } });
    const wanted = new Set<string>();
    for (const account of accounts) {
      let parsed: ParsedSchedule;
      try {
        parsed = parseSchedule(account.schedule ?? '');
      } catch (error) {
        report.invalid.push(account.id);
        this.logger?.warn(`account ${account.name}: ${describe(error)}; no scheduled backups until it is fixed`);
        continue;
      }
      wanted.add(backupSchedulerId(account.id));
      await this.ensure(account.id, parsed);
      report.scheduled.push(account.id);
    }
    for (const scheduler of await this.backupQueue.getJobSchedulers(0, -1)) {
      const id = scheduler.key;
      if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) {
        await this.backupQueue.removeJobScheduler(id);
        report.removed.push(id.slice(SCHEDULER_PREFIX.length));
      }
    }
    return report;
  }

  private async ensure(accountId: string, schedule: ParsedSchedule): Promise<ScheduleState> {
    const id = backupSchedulerId(accountId);
    const existing = await this.backupQueue.getJobScheduler(id);
    const same =
      existing !== undefined &&
      ('every' in schedule ? Number(existing.every) === schedule.every : existing.pattern === schedule.pattern && existing.tz === CRON_TIME_ZONE) &&
      existing.template?.data?.accountId === accountId;
    // Upserting an unchanged scheduler would move its next run, so a restart leaves it alone.
    if (same) return { accountId, schedule, next: existing.next ?? null };
    await this.backupQueue.upsertJobScheduler(id, 'every' in schedule ? { every: schedule.every } : { pattern: schedule.pattern, tz: CRON_TIME_ZONE }, {
      name: 'backup',
      data: { accountId, trigger: 'schedule' },
      opts: SCHEDULED_JOB_OPTIONS,
    });
    const created = await this.backupQueue.getJobScheduler(id);
    return { accountId, schedule, next: created?.next ?? null };
  }
}

/**
 * For processes without the daemon's Nest app (the CLI's `account set`/`remove`): mirrors one
 * account's schedule over a short-lived queue connection.
 */
export async function syncAccountSchedule(config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>, prisma: PrismaClient, accountId: string): Promise<ScheduleState> {
  const queue = new Queue<BackupJobData>(BACKUP_QUEUE, queueOptions(config));
  queue.on('error', () => undefined);
  try {
    return await withRedisTimeout(new SchedulesService(prisma, queue).sync(accountId));
  } finally {
    await queue.close();
  }
}
