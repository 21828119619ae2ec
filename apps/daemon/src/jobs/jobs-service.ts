/** Queueing backups, restores and migrations and reading jobs back, for the API and the CLI. */
import type { Job, JobType, Queue } from 'bullmq';
import { AccountNotFoundError } from '../accounts/errors.js';
import type { BackupTrigger } from '../backup/types.js';
import type { MigrationRequest } from '../migrate/types.js';
import type { RestoreRequest } from '../restore/types.js';
import type { PrismaClient } from '../store/prisma.js';
import { cancelRequestedAt, withoutCancelRequest } from './cancellation.js';
import type { JobEvent, JobEvents, JobFeedEvent } from './job-events.js';
import { jobView, type JobView, type JobViewState } from './job-view.js';
import { BACKUP_QUEUE, JOB_QUEUES, MIGRATE_QUEUE, newJobOptions, RESTORE_QUEUE, type BackupJobData, type JobQueueName, type MigrateJobData, type RestoreJobData } from './queues.js';

export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(id: string) {
    super(`no job ${id} (finished jobs are kept for 30 days, failed ones for 90)`);
  }
}

/** The job is not in a state that allows what was asked (retry a job that did not fail, cancel a finished one). */
export class JobStateConflictError extends Error {
  override readonly name = 'JobStateConflictError';
}

/** BullMQ's error codes (ErrorCode) that matter here. */
const JOB_NOT_IN_STATE = -3;
const JOB_BELONGS_TO_SCHEDULER = -8;

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

const STATE_WORDS: Record<string, string> = {
  waiting: 'queued',
  prioritized: 'queued',
  delayed: 'waiting for its time',
  'waiting-children': 'waiting',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
};

function stateWords(state: string): string {
  return STATE_WORDS[state] ?? state;
}

/** What cancelling did: the queued job is gone, or the running backup or migration was asked to stop. */
export interface CancelOutcome {
  jobId: string;
  queue: JobQueueName;
  outcome: 'removed' | 'stopping';
}

const QUEUED_STATES = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

/** Redis did not answer in time: the API says so instead of hanging. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  constructor() {
    super('the job queue (Redis) is not reachable; check REDIS_URL and that Redis runs');
  }
}

const REDIS_TIMEOUT_MS = 5000;

export async function withRedisTimeout<T>(work: Promise<T>, timeoutMs = REDIS_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new QueueUnavailableError()), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An account by id or by name (ids win), or AccountNotFoundError. */
export async function resolveAccount(prisma: PrismaClient, nameOrId: string): Promise<{ id: string; name: string }> {
  const select = { id: true, name: true } as const;
  const account =
    (UUID.test(nameOrId) ? await prisma.account.findUnique({ where: { id: nameOrId }, select }) : null) ??
    (await prisma.account.findUnique({ where: { name: nameOrId }, select }));
  if (account === null) throw new AccountNotFoundError(nameOrId);
  return account;
}

export type JobQueues = Record<JobQueueName, Queue>;

function withoutRestart(data: MigrateJobData): MigrateJobData {
  if (data.request.restart === undefined) return data;
  const { restart: _restart, ...request } = data.request;
  return { ...data, request };
}

/** The states listed, in the order a person scans them: what runs, what waits, what finished. */
const LISTED_STATES: JobViewState[] = ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'];

export class JobsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly queues: JobQueues,
    private readonly events: JobEvents,
  ) {}

  /** Queues a backup of the account (by name or id) now. */
  async enqueueBackup(accountNameOrId: string, trigger: BackupTrigger = 'manual'): Promise<{ jobId: string; accountId: string }> {
    const account = await resolveAccount(this.prisma, accountNameOrId);
    const queue = this.queues[BACKUP_QUEUE] as Queue<BackupJobData>;
    const job = await withRedisTimeout(queue.add('backup', { accountId: account.id, trigger }, newJobOptions()));
    return { jobId: job.id ?? '', accountId: account.id };
  }

  /**
   * Queues a restore into the account (by name or id); the job plans again against the server as
   * it is then, takes a pre-restore snapshot, writes and checks (RestoreService.apply).
   */
  async enqueueRestore(accountNameOrId: string, request: Omit<RestoreRequest, 'account'>): Promise<{ jobId: string; accountId: string }> {
    const account = await resolveAccount(this.prisma, accountNameOrId);
    const queue = this.queues[RESTORE_QUEUE] as Queue<RestoreJobData>;
    const data: RestoreJobData = { accountId: account.id, trigger: 'manual', request: { ...request, account: account.id } };
    const job = await withRedisTimeout(queue.add('restore', data, newJobOptions()));
    return { jobId: job.id ?? '', accountId: account.id };
  }

  /**
   * Queues a migration into `request.target` (names or ids; the job carries ids). The job runs the
   * migration service, which plans again, takes the source snapshot if none is named, and resumes
   * an unfinished migration of the same pair from its checkpoint unless `restart` is set.
   */
  async enqueueMigration(request: MigrationRequest): Promise<{ jobId: string; accountId: string }> {
    const target = await resolveAccount(this.prisma, request.target);
    const source = await resolveAccount(this.prisma, request.source);
    const queue = this.queues[MIGRATE_QUEUE] as Queue<MigrateJobData>;
    const data: MigrateJobData = { accountId: target.id, sourceAccountId: source.id, trigger: 'manual', request: { ...request, source: source.id, target: target.id } };
    const job = await withRedisTimeout(queue.add('migrate', data, newJobOptions()));
    return { jobId: job.id ?? '', accountId: target.id };
  }

  /** The most recent jobs of every queue, newest first. */
  async list(limit = 50): Promise<JobView[]> {
    const views: JobView[] = [];
    await withRedisTimeout(
      Promise.all(
        JOB_QUEUES.flatMap((name) =>
          LISTED_STATES.map(async (state) => {
            const jobs = await this.queues[name].getJobs([state as JobType], 0, limit - 1, false);
            for (const job of jobs) if (job !== undefined) views.push(await jobView(name, job, state));
          }),
        ),
      ),
    );
    return views.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).slice(0, limit);
  }

  async get(id: string): Promise<JobView> {
    const found = await this.require(id);
    return withRedisTimeout(jobView(found.queue, found.job));
  }

  /**
   * Runs a failed job again, under the same id: it goes back to the queue, without the progress
   * and cancel request of its last run. A migration resumes from its checkpoint (so a `restart` it
   * was first asked with is dropped: that would throw the checkpoint away).
   */
  async retry(id: string): Promise<JobView> {
    const { queue, job } = await this.require(id);
    const state = await withRedisTimeout(job.getState());
    if (state !== 'failed') throw new JobStateConflictError(`job ${id} is ${stateWords(state)}: only a failed job can be retried`);
    // The server has changed since: a restore runs again only after a person has seen a new plan.
    if (queue === RESTORE_QUEUE) throw new JobStateConflictError(`job ${id} is a restore, which is not retried blindly: plan it again and confirm the new plan`);
    await withRedisTimeout(
      (async () => {
        const data = queue === MIGRATE_QUEUE ? withoutRestart(job.data as MigrateJobData) : job.data;
        if (cancelRequestedAt(data) !== null || data !== job.data) await job.updateData(withoutCancelRequest(data));
        await job.updateProgress(0);
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        } catch (error) {
          // Someone else retried it first.
          if (errorCode(error) === JOB_NOT_IN_STATE) throw new JobStateConflictError(`job ${id} is no longer failed: it was retried already`);
          throw error;
        }
      })(),
    );
    return this.get(id);
  }

  /**
   * Cancels a job: one that waits is removed from its queue; a running backup or migration is
   * asked to stop (see cancellation.ts) and fails within a second or two: the backup's snapshot
   * rolled back, the migration's checkpoint kept (retrying the job resumes it). Finished jobs, a
   * schedule's next run, running retention and a running restore (stopping it between two
   * collections' writes would leave the account half restored) cannot be cancelled (JobStateConflictError).
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const { queue, job } = await this.require(id);
    let state: string = await withRedisTimeout(job.getState());
    if (QUEUED_STATES.has(state)) {
      try {
        await withRedisTimeout(job.remove());
        return { jobId: id, queue, outcome: 'removed' };
      } catch (error) {
        if (errorCode(error) === JOB_BELONGS_TO_SCHEDULER) {
          throw new JobStateConflictError(`job ${id} is the next run of the account's schedule and cannot be cancelled alone; change or clear the schedule instead`);
        }
        // A worker took it meanwhile: then it is stopped like any running job.
        state = await withRedisTimeout(job.getState());
        if (QUEUED_STATES.has(state)) throw error;
      }
    }
    if (state === 'active') {
      if (queue === RESTORE_QUEUE) throw new JobStateConflictError(`job ${id} is a running restore, which cannot be stopped mid-write; it ends on its own shortly`);
      if (queue !== BACKUP_QUEUE && queue !== MIGRATE_QUEUE) throw new JobStateConflictError(`job ${id} is a running ${queue} job, which cannot be stopped; it ends on its own shortly`);
      if (cancelRequestedAt(job.data) === null) await withRedisTimeout(job.updateData({ ...(job.data as BackupJobData | MigrateJobData), cancelRequestedAt: new Date().toISOString() }));
      return { jobId: id, queue, outcome: 'stopping' };
    }
    if (state === 'completed' || state === 'failed') throw new JobStateConflictError(`job ${id} has already ${state}: there is nothing to cancel`);
    throw new JobStateConflictError(`job ${id} is ${stateWords(state)} and cannot be cancelled`);
  }

  /** Follows a job's progress to its end; see JobEvents.follow. */
  async follow(id: string, listener: (event: JobEvent) => void): Promise<() => void> {
    const found = await this.require(id);
    return withRedisTimeout(this.events.follow(found.queue, id, listener));
  }

  /** Every job's changes, in every queue, until the returned function runs; see JobEvents.watchAll. */
  async watchAll(listener: (event: JobFeedEvent) => void): Promise<() => void> {
    return withRedisTimeout(this.events.watchAll(listener));
  }

  private async require(id: string): Promise<{ queue: JobQueueName; job: Job }> {
    const found = await this.find(id);
    if (found === undefined) throw new JobNotFoundError(id);
    return found;
  }

  /** Job ids are unique across queues (see newJobOptions), so the first queue that has it is its queue. */
  async find(id: string): Promise<{ queue: JobQueueName; job: Job } | undefined> {
    for (const name of JOB_QUEUES) {
      const job = await withRedisTimeout(this.lookup(name, id));
      if (job !== undefined) return { queue: name, job };
    }
    return undefined;
  }

  readonly lookup = async (queue: JobQueueName, id: string): Promise<Job | undefined> => (await this.queues[queue].getJob(id)) ?? undefined;
}
