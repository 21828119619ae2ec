/** The BullMQ workers of the daemon (Nest wiring): thin shells around BackupJobHandler, RetentionJobHandler, RestoreJobHandler and MigrateJobHandler. */
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { throttledWarning } from '../app/log-throttle.js';
import { PRISMA, REDIS } from '../app/tokens.js';
import type { PrismaClient } from '../store/prisma.js';
import { BackupJobHandler, describe } from './backup-job.js';
import { cancelRequestedAt } from './cancellation.js';
import {
  BACKUP_RUNNER,
  CONNECTION_OPENER,
  MIGRATION_RUNNER,
  RESTORE_RUNNER,
  RETENTION_RUNNER,
  type BackupRunner,
  type ConnectionOpener,
  type MigrationRunner,
  type RestoreRunner,
  type RetentionRunner,
} from './contracts.js';
import { MigrateJobHandler } from './migrate-job.js';
import { BACKUP_QUEUE, MIGRATE_QUEUE, RESTORE_QUEUE, RETENTION_QUEUE, type BackupJobData, type MigrateJobData, type RestoreJobData, type RetentionJobData } from './queues.js';
import { RestoreJobHandler } from './restore-job.js';
import { queueRetentionIfPolicy, RetentionJobHandler } from './retention-job.js';

/** Backups of different accounts run side by side; one account never twice at once (its lock). */
const BACKUP_CONCURRENCY = 2;
const SHUTDOWN_REASON = 'the daemon is shutting down';

/**
 * A graceful close waits for Redis to take the running jobs' results; with Redis gone it would
 * wait forever, so then the worker is closed by force (its jobs come back as stalled later).
 */
function closeWorker(worker: Worker, redis: Redis): Promise<void> {
  return worker.close(redis.status !== 'ready');
}

@Processor(BACKUP_QUEUE, { concurrency: BACKUP_CONCURRENCY })
export class BackupProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BackupWorker');
  private readonly warnConnection = throttledWarning(this.logger);
  private readonly handler: BackupJobHandler;

  constructor(
    @Inject(BACKUP_RUNNER) backupRunner: BackupRunner,
    @Inject(CONNECTION_OPENER) connectionOpener: ConnectionOpener,
    @Inject(PRISMA) prisma: PrismaClient,
    @InjectQueue(RETENTION_QUEUE) retentionQueue: Queue<RetentionJobData>,
    @InjectQueue(BACKUP_QUEUE) backupQueue: Queue<BackupJobData>,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    this.handler = new BackupJobHandler({
      backupRunner,
      connectionOpener,
      logger: this.logger,
      cancelRequested: async (jobId) => cancelRequestedAt((await backupQueue.getJob(jobId))?.data) !== null,
      afterScheduledBackup: async (accountId) => {
        const jobId = await queueRetentionIfPolicy(prisma, retentionQueue, accountId, 'schedule');
        if (jobId !== null) this.logger.log(`queued retention job ${jobId} for account ${accountId}`);
      },
    });
  }

  process(job: Job<BackupJobData>): Promise<unknown> {
    return this.handler.handle(job);
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<BackupJobData>): void {
    this.logger.log(`backup job ${job.id} of account ${job.data.accountId} (${job.data.trigger}) completed`);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<BackupJobData> | undefined, error: Error): void {
    this.logger.warn(`backup job ${job?.id ?? '?'} of account ${job?.data.accountId ?? '?'} failed: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnConnection(`backup worker: ${describe(error)}`);
  }

  /** Running backups are told to stop (their snapshots stay invisible), then the worker closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.handler.abortAll(SHUTDOWN_REASON);
    await closeWorker(this.worker, this.redis);
  }
}

@Processor(RETENTION_QUEUE, { concurrency: 1 })
export class RetentionProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RetentionWorker');
  private readonly warnConnection = throttledWarning(this.logger);
  private readonly handler: RetentionJobHandler;

  constructor(
    @Inject(RETENTION_RUNNER) retentionRunner: RetentionRunner,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    this.handler = new RetentionJobHandler(retentionRunner);
  }

  process(job: Job<RetentionJobData>): Promise<unknown> {
    return this.handler.handle(job);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<RetentionJobData> | undefined, error: Error): void {
    this.logger.warn(`retention job ${job?.id ?? '?'} of account ${job?.data.accountId ?? '?'} failed: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnConnection(`retention worker: ${describe(error)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this.worker, this.redis);
  }
}

/**
 * One restore at a time per process (each also holds its account's lock). A restore is not
 * stopped on shutdown: a graceful close waits for it, since stopping between two collections'
 * writes would leave the account half restored.
 */
@Processor(RESTORE_QUEUE, { concurrency: 1 })
export class RestoreProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RestoreWorker');
  private readonly warnConnection = throttledWarning(this.logger);
  private readonly handler: RestoreJobHandler;

  constructor(
    @Inject(RESTORE_RUNNER) restoreRunner: RestoreRunner,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    this.handler = new RestoreJobHandler(restoreRunner, this.logger);
  }

  process(job: Job<RestoreJobData>): Promise<unknown> {
    return this.handler.handle(job);
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<RestoreJobData>): void {
    this.logger.log(`restore job ${job.id} of account ${job.data.accountId} from snapshot ${job.data.request.from} completed`);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<RestoreJobData> | undefined, error: Error): void {
    this.logger.warn(`restore job ${job?.id ?? '?'} of account ${job?.data.accountId ?? '?'} failed: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnConnection(`restore worker: ${describe(error)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this.worker, this.redis);
  }
}

/**
 * One migration at a time per process (each also holds its target's lock). A migration keeps a
 * checkpoint after every batch, so on shutdown it is stopped between two batches and its job goes
 * back to the queue: the next worker to start resumes it.
 */
@Processor(MIGRATE_QUEUE, { concurrency: 1 })
export class MigrateProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('MigrateWorker');
  private readonly warnConnection = throttledWarning(this.logger);
  private readonly handler: MigrateJobHandler;

  constructor(
    @Inject(MIGRATION_RUNNER) migrationRunner: MigrationRunner,
    @InjectQueue(MIGRATE_QUEUE) migrateQueue: Queue<MigrateJobData>,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    this.handler = new MigrateJobHandler({
      migrationRunner,
      logger: this.logger,
      cancelRequested: async (jobId) => cancelRequestedAt((await migrateQueue.getJob(jobId))?.data) !== null,
    });
  }

  process(job: Job<MigrateJobData>, token?: string): Promise<unknown> {
    return this.handler.handle(job, token);
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<MigrateJobData>): void {
    this.logger.log(`migrate job ${job.id} from account ${job.data.sourceAccountId} into account ${job.data.accountId} completed`);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<MigrateJobData> | undefined, error: Error): void {
    this.logger.warn(`migrate job ${job?.id ?? '?'} into account ${job?.data.accountId ?? '?'} failed: ${error.message}`);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnConnection(`migrate worker: ${describe(error)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.handler.requeueAll(SHUTDOWN_REASON);
    await closeWorker(this.worker, this.redis);
  }
}
