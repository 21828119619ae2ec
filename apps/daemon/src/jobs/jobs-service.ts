/** Queueing backups and reading jobs back, for the API and the CLI. */
import type { Job, JobType, Queue } from 'bullmq';
import { AccountNotFoundError } from '../accounts/errors.js';
import type { BackupTrigger } from '../backup/types.js';
import type { PrismaClient } from '../store/prisma.js';
import type { JobEvent, JobEvents } from './job-events.js';
import { jobView, type JobView, type JobViewState } from './job-view.js';
import { BACKUP_QUEUE, JOB_QUEUES, newJobOptions, type BackupJobData, type JobQueueName } from './queues.js';

export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(id: string) {
    super(`no job ${id} (finished jobs are kept for 30 days, failed ones for 90)`);
  }
}

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
    const found = await this.find(id);
    if (found === undefined) throw new JobNotFoundError(id);
    return withRedisTimeout(jobView(found.queue, found.job));
  }

  /** Follows a job's progress to its end; see JobEvents.follow. */
  async follow(id: string, listener: (event: JobEvent) => void): Promise<() => void> {
    const found = await this.find(id);
    if (found === undefined) throw new JobNotFoundError(id);
    return withRedisTimeout(this.events.follow(found.queue, id, listener));
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
