/** Nest wiring of the job system: queues, workers (when this process runs them), schedules, job reads. */
import { BullModule, getQueueToken, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, Optional, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { throttledWarning } from '../app/log-throttle.js';
import { KEY_CUSTODY, PRISMA, REDIS, SYNCVAULT_CONFIG, VAULT } from '../app/tokens.js';
import type { SyncvaultConfig } from '../config/config.js';
import type { PrismaClient } from '../store/prisma.js';
import type { KeyCustody, Vault } from '../vault/index.js';
import { describe } from './backup-job.js';
import { BACKUP_RUNNER, CONNECTION_OPENER, MIGRATION_PLANNER, MIGRATION_RUNNER, RESTORE_RUNNER, RETENTION_RUNNER, type EngineBindings } from './contracts.js';
import { createEngineBindings } from './engine-bindings.js';
import { JobEvents } from './job-events.js';
import { JobsService, withRedisTimeout } from './jobs-service.js';
import { BackupProcessor, MigrateProcessor, RestoreProcessor, RetentionProcessor } from './processors.js';
import { BACKUP_QUEUE, MIGRATE_QUEUE, RESTORE_QUEUE, RETENTION_QUEUE, type JobQueueName } from './queues.js';
import { SchedulesService, type ReconcileReport } from './schedules.js';

const ENGINE_BINDINGS = Symbol('EngineBindings');
const RECONCILE_RETRY_MS = 5000;

export interface JobsModuleOptions {
  /** Run BullMQ workers in this process (config.workers). */
  workers: boolean;
  /** Replaces some engine bindings (tests, until the real engine lands). */
  engine?: Partial<EngineBindings>;
}

/**
 * BullMQ prints every connection error of a queue that has no error listener (several a second
 * while Redis is down, with stack traces); @nestjs/bullmq creates the queues, so its queue class is
 * this one, which logs them through Nest, throttled, from the moment it exists.
 */
class LoggedQueue extends Queue {
  constructor(name: string, options: QueueOptions) {
    super(name, options);
    const warn = throttledWarning(new Logger('Queues'));
    this.on('error', (error) => warn(`queue ${name}: ${describe(error)}`));
  }
}

/** The id of the newest entry of the queue's event stream, or `0-0` when it has none (see StreamPosition). */
async function newestEventId(redis: Redis, queue: Queue): Promise<string> {
  const [newest] = await redis.xrevrange(queue.toKey('events'), '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

/**
 * Mirrors every account schedule into BullMQ at start-up. Start-up waits for the first attempt
 * (a few seconds at most); while Redis is unreachable it keeps trying in the background.
 */
@Injectable()
export class ScheduleReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Schedules');
  private inFlight: Promise<ReconcileReport> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private resolveFirst!: (report: ReconcileReport) => void;
  private readonly first = new Promise<ReconcileReport>((resolve) => (this.resolveFirst = resolve));

  constructor(@Inject(SchedulesService) private readonly schedules: SchedulesService) {}

  /** Resolves after the first successful reconciliation. */
  whenReconciled(): Promise<ReconcileReport> {
    return this.first;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.attempt();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      this.inFlight ??= this.schedules.reconcile().finally(() => (this.inFlight = undefined));
      const report = await withRedisTimeout(this.inFlight);
      this.logger.log(`schedules mirrored to BullMQ: ${report.scheduled.length} scheduled, ${report.removed.length} stale removed`);
      this.resolveFirst(report);
    } catch (error) {
      this.logger.warn(`could not mirror schedules to BullMQ yet (${describe(error)}); retrying every ${RECONCILE_RETRY_MS / 1000}s`);
      if (!this.stopped) this.retry = setTimeout(() => void this.attempt(), RECONCILE_RETRY_MS);
    }
  }
}

/** Whether jobs can run: this process's workers, or (API-only process) any worker connected to the backup queue. */
@Injectable()
export class WorkersStatus {
  constructor(
    @InjectQueue(BACKUP_QUEUE) private readonly backupQueue: Queue,
    @Optional() @Inject(BackupProcessor) private readonly backupProcessor?: BackupProcessor,
    @Optional() @Inject(RetentionProcessor) private readonly retentionProcessor?: RetentionProcessor,
    @Optional() @Inject(RestoreProcessor) private readonly restoreProcessor?: RestoreProcessor,
    @Optional() @Inject(MigrateProcessor) private readonly migrateProcessor?: MigrateProcessor,
  ) {}

  async check(): Promise<{ ok: boolean; message: string }> {
    const local = [this.backupProcessor, this.retentionProcessor, this.restoreProcessor, this.migrateProcessor].filter((processor) => processor !== undefined);
    // Asking Redis also proves the workers' own connections are up: they register there by name.
    const connected = await this.backupQueue.getWorkersCount();
    const seen = `${connected} connected to the backup queue`;
    if (local.length > 0) {
      const running = local.filter((processor) => processor.worker.isRunning() && !processor.worker.closing).length;
      return { ok: running === local.length && connected > 0, message: `${running} of ${local.length} workers running in this process, ${seen}` };
    }
    return { ok: connected > 0, message: connected > 0 ? `no workers in this process, ${seen}` : 'no worker is connected to the backup queue (run syncvault serve with SYNCVAULT_WORKERS=true somewhere)' };
  }
}

@Injectable()
class JobEventsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(JobEvents) private readonly events: JobEvents) {}

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
  }
}

@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    BullModule.queueClass = LoggedQueue;
    return {
      module: JobsModule,
      global: true,
      imports: [BullModule.registerQueue({ name: BACKUP_QUEUE }, { name: RETENTION_QUEUE }, { name: RESTORE_QUEUE }, { name: MIGRATE_QUEUE })],
      providers: [
        {
          provide: ENGINE_BINDINGS,
          useFactory: (config: SyncvaultConfig, prisma: PrismaClient, vault: Vault, keyCustody: KeyCustody): EngineBindings => ({
            ...createEngineBindings({ config, prisma, vault, keyCustody }),
            ...options.engine,
          }),
          inject: [SYNCVAULT_CONFIG, PRISMA, VAULT, KEY_CUSTODY],
        },
        { provide: BACKUP_RUNNER, useFactory: (engine: EngineBindings) => engine.backupRunner, inject: [ENGINE_BINDINGS] },
        { provide: CONNECTION_OPENER, useFactory: (engine: EngineBindings) => engine.connectionOpener, inject: [ENGINE_BINDINGS] },
        { provide: RETENTION_RUNNER, useFactory: (engine: EngineBindings) => engine.retentionRunner, inject: [ENGINE_BINDINGS] },
        { provide: RESTORE_RUNNER, useFactory: (engine: EngineBindings) => engine.restoreRunner, inject: [ENGINE_BINDINGS] },
        { provide: MIGRATION_RUNNER, useFactory: (engine: EngineBindings) => engine.migrationRunner, inject: [ENGINE_BINDINGS] },
        { provide: MIGRATION_PLANNER, useFactory: (engine: EngineBindings) => engine.migrationPlanner, inject: [ENGINE_BINDINGS] },
        {
          provide: SchedulesService,
          useFactory: (prisma: PrismaClient, backupQueue: Queue) => new SchedulesService(prisma, backupQueue, new Logger('Schedules')),
          inject: [PRISMA, getQueueToken(BACKUP_QUEUE)],
        },
        {
          provide: JobEvents,
          useFactory: (config: SyncvaultConfig, backupQueue: Queue, retentionQueue: Queue, restoreQueue: Queue, migrateQueue: Queue, redis: Redis) => {
            const queues: Record<JobQueueName, Queue> = { [BACKUP_QUEUE]: backupQueue, [RETENTION_QUEUE]: retentionQueue, [RESTORE_QUEUE]: restoreQueue, [MIGRATE_QUEUE]: migrateQueue };
            const logger = new Logger('JobEvents');
            const warn = throttledWarning(logger);
            return new JobEvents(
              config,
              async (queue, id) => (await queues[queue].getJob(id)) ?? undefined,
              { log: (message) => logger.log(message), warn },
              (queue) => newestEventId(redis, queues[queue]),
            );
          },
          inject: [SYNCVAULT_CONFIG, getQueueToken(BACKUP_QUEUE), getQueueToken(RETENTION_QUEUE), getQueueToken(RESTORE_QUEUE), getQueueToken(MIGRATE_QUEUE), REDIS],
        },
        {
          provide: JobsService,
          useFactory: (prisma: PrismaClient, backupQueue: Queue, retentionQueue: Queue, restoreQueue: Queue, migrateQueue: Queue, events: JobEvents) =>
            new JobsService(prisma, { [BACKUP_QUEUE]: backupQueue, [RETENTION_QUEUE]: retentionQueue, [RESTORE_QUEUE]: restoreQueue, [MIGRATE_QUEUE]: migrateQueue }, events),
          inject: [PRISMA, getQueueToken(BACKUP_QUEUE), getQueueToken(RETENTION_QUEUE), getQueueToken(RESTORE_QUEUE), getQueueToken(MIGRATE_QUEUE), JobEvents],
        },
        ScheduleReconciler,
        WorkersStatus,
        JobEventsLifecycle,
        ...(options.workers ? [BackupProcessor, RetentionProcessor, RestoreProcessor, MigrateProcessor] : []),
      ],
      exports: [SchedulesService, ScheduleReconciler, JobsService, JobEvents, WorkersStatus, BACKUP_RUNNER, CONNECTION_OPENER, RETENTION_RUNNER, RESTORE_RUNNER, MIGRATION_RUNNER, MIGRATION_PLANNER],
    };
  }
}
