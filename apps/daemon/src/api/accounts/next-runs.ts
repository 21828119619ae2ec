/**
 * When each account's next scheduled backup runs, as BullMQ's job scheduler has it. Postgres
 * holds the schedule, Redis the next run: when Redis does not answer quickly the next run is
 * unknown (null) rather than the account view failing.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { withRedisTimeout } from '../../jobs/jobs-service.js';
import { BACKUP_QUEUE, backupSchedulerId } from '../../jobs/queues.js';

/** An account view is not held up longer than this by Redis. */
const NEXT_RUN_TIMEOUT_MS = 1000;

@Injectable()
export class NextRuns {
  private readonly logger = new Logger('Schedules');
  private queue: Queue | null | undefined;

  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  /** ISO time of each account's next scheduled run; null for on-demand accounts or when unknown. */
  async of(accountIds: readonly string[]): Promise<Map<string, string | null>> {
    const next = new Map<string, string | null>(accountIds.map((id) => [id, null]));
    const queue = this.backupQueue();
    if (queue === null || accountIds.length === 0) return next;
    try {
      const schedulers = await withRedisTimeout(Promise.all(accountIds.map((id) => queue.getJobScheduler(backupSchedulerId(id)))), NEXT_RUN_TIMEOUT_MS);
      accountIds.forEach((id, index) => {
        const at = schedulers[index]?.next;
        if (typeof at === 'number' && Number.isFinite(at)) next.set(id, new Date(at).toISOString());
      });
    } catch (error) {
      this.logger.warn(`next scheduled runs unknown: ${error instanceof Error ? error.message : String(error)}`);
    }
    return next;
  }

  async one(accountId: string): Promise<string | null> {
    return (await this.of([accountId])).get(accountId) ?? null;
  }

  /** The jobs module owns the queue; without it (no Redis wiring) there are no scheduled runs. */
  private backupQueue(): Queue | null {
    if (this.queue === undefined) {
      try {
        this.queue = this.moduleRef.get<Queue>(getQueueToken(BACKUP_QUEUE), { strict: false });
      } catch {
        this.queue = null;
      }
    }
    return this.queue;
  }
}
