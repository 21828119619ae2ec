/**
 * `syncvault backup` without a daemon: queue the job like the API does and, while no worker is
 * connected to the backup queue, process it right here with a temporary worker, so the command
 * works whether or not `syncvault serve` runs.
 */
import { Queue, Worker } from 'bullmq';
import type { BackupProgress, BackupTrigger } from '../backup/types.js';
import type { SyncvaultConfig } from '../config/config.js';
import type { PrismaClient } from '../store/prisma.js';
import { BackupJobHandler } from './backup-job.js';
import { cancelRequestedAt } from './cancellation.js';
import type { EngineBindings } from './contracts.js';
import { JobEvents, type JobEvent } from './job-events.js';
import type { JobView } from './job-view.js';
import { resolveAccount, withRedisTimeout } from './jobs-service.js';
import { BACKUP_QUEUE, newJobOptions, queueOptions, type BackupJobData } from './queues.js';

export interface RunBackupOptions {
  config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>;
  prisma: PrismaClient;
  /** Account name or id. */
  account: string;
  trigger?: BackupTrigger;
  /** Wait for the job to finish even when a daemon's worker takes it. */
  wait: boolean;
  /** The runners for a temporary worker; only called when one is needed. */
  engine: () => EngineBindings;
  onQueued?: (queued: { jobId: string; accountId: string; inProcess: boolean }) => void;
  onProgress?: (progress: BackupProgress) => void;
  /** Stops the wait (e.g. Ctrl+C); a backup running here is told to stop too. */
  signal?: AbortSignal;
}

export interface RunBackupOutcome {
  jobId: string;
  accountId: string;
  /** Whether this process ran the backup (no daemon worker was connected). */
  inProcess: boolean;
  /** The finished job, when waited for. */
  job?: JobView;
}

/** The backup failed: `job.failedReason` says why. */
export class BackupJobFailedError extends Error {
  override readonly name = 'BackupJobFailedError';
}

/** How often a waiting command checks that some worker is still there to take its job. */
const WORKER_CHECK_MS = 2000;

export async function runBackup(options: RunBackupOptions): Promise<RunBackupOutcome> {
  const account = await resolveAccount(options.prisma, options.account);
  const queue = new Queue<BackupJobData>(BACKUP_QUEUE, queueOptions(options.config));
  queue.on('error', () => undefined);
  let worker: Worker<BackupJobData> | undefined;
  let handler: BackupJobHandler | undefined;
  const events = new JobEvents(options.config, async (_queue, id) => (await queue.getJob(id)) ?? undefined);
  try {
    const workers = await withRedisTimeout(queue.getWorkersCount());
    const job = await withRedisTimeout(
      queue.add('backup', { accountId: account.id, trigger: options.trigger ?? 'manual' }, newJobOptions(workers === 0 ? { lifo: true } : {})),
    );
    const jobId = job.id ?? '';
    options.onQueued?.({ jobId, accountId: account.id, inProcess: workers === 0 });
    if (workers > 0 && !options.wait) return { jobId, accountId: account.id, inProcess: false };

    const startWorker = () => {
      handler = new BackupJobHandler({
        ...options.engine(),
        logger: { log: () => undefined, warn: () => undefined },
        cancelRequested: async (id) => cancelRequestedAt((await queue.getJob(id))?.data) !== null,
      });
      const running = handler;
      // Concurrency 1 and a LIFO job: this worker takes its own job first. Pausing before that job
      // is marked done stops BullMQ from fetching the next one in the same step: a command backs
      // up what it was asked to, not whatever else waits in the queue.
      const temporary: Worker<BackupJobData> = new Worker<BackupJobData>(
        BACKUP_QUEUE,
        async (next) => {
          try {
            return await running.handle(next);
          } finally {
            if (next.id === jobId) void temporary.pause(true);
          }
        },
        { ...queueOptions(options.config), concurrency: 1 },
      );
      temporary.on('error', () => undefined);
      worker = temporary;
    };
    if (workers === 0) startWorker();

    const finished = new Promise<Extract<JobEvent, { type: 'completed' | 'failed' | 'gone' }>>((resolve, reject) => {
      let stop: (() => void) | undefined;
      const check = setInterval(() => {
        // A daemon (or another command's temporary worker) may go away while the job waits.
        if (worker !== undefined) return;
        void Promise.all([queue.getWorkersCount(), job.getState()])
          .then(([count, state]) => {
            if (count === 0 && worker === undefined && (state === 'waiting' || state === 'prioritized')) startWorker();
          })
          .catch(() => undefined);
      }, WORKER_CHECK_MS);
      const abort = () => {
        handler?.abortAll('interrupted');
        clearInterval(check);
        stop?.();
        reject(new Error(`stopped waiting for backup job ${jobId}`));
      };
      options.signal?.addEventListener('abort', abort, { once: true });
      events
        .follow(BACKUP_QUEUE, jobId, (event) => {
          if (event.type === 'progress') {
            // The backup queue's jobs only ever report a backup's progress.
            options.onProgress?.(event.progress as BackupProgress);
            return;
          }
          clearInterval(check);
          options.signal?.removeEventListener('abort', abort);
          resolve(event);
        })
        .then((unsubscribe) => (stop = unsubscribe), reject);
    });
    const outcome = await finished;
    if (outcome.type === 'gone') throw new BackupJobFailedError(`backup job ${jobId} disappeared from the queue before it finished`);
    if (outcome.type === 'failed') throw new BackupJobFailedError(`backup of ${account.name} failed: ${outcome.job.failedReason ?? 'unknown reason'}`);
    return { jobId, accountId: account.id, inProcess: worker !== undefined, job: outcome.job };
  } finally {
    await (worker as Worker | undefined)?.close().catch(() => undefined);
    await events.close();
    await queue.close();
  }
}
