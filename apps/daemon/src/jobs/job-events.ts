/**
 * Following jobs as they run, from BullMQ's QueueEvents (a Redis stream, so it works whichever
 * process runs the job): one job's progress reports and then exactly one final event (`follow`),
 * or every job of every queue as it changes (`watchAll`). For one job, the final state is also
 * checked directly, on start and now and then, so a job that finishes just before or while the
 * stream connects is never waited on forever.
 */
import { QueueEvents, type Job } from 'bullmq';
import type { SyncvaultConfig } from '../config/config.js';
import { describe, type JobLogger } from './backup-job.js';
import { isFinished, jobView, type JobProgress, type JobView } from './job-view.js';
import { JOB_QUEUES, queueOptions, type JobQueueName } from './queues.js';

export type JobEvent =
  | { type: 'progress'; progress: JobProgress }
  | { type: 'completed' | 'failed'; job: JobView }
  /** The job was removed (e.g. by the finished-job clean-up) before it could be seen finishing. */
  | { type: 'gone'; jobId: string };

/** What `watchAll` reports: a job as it is now after any change of state, a progress report, a job gone. */
export type JobFeedEvent =
  | { type: 'job'; job: JobView }
  | { type: 'progress'; jobId: string; queue: JobQueueName; progress: JobProgress }
  | { type: 'removed'; jobId: string; queue: JobQueueName };

export type JobLookup = (queue: JobQueueName, jobId: string) => Promise<Job | undefined>;

/**
 * The id of the newest entry of a queue's event stream (`0-0` when it has none). A new
 * QueueEvents reads from there rather than from "whatever comes after my first read", so nothing
 * added between the moment it is ready and its first read is missed.
 */
export type StreamPosition = (queue: JobQueueName) => Promise<string>;

/** The QueueEvents after which a job looks different from outside (its state, or it is gone). */
const STATE_EVENTS = ['waiting', 'delayed', 'active', 'completed', 'failed', 'stalled', 'removed'] as const;

const FINAL_STATE_POLL_MS = 2000;

export class JobEvents {
  private readonly streams = new Map<JobQueueName, QueueEventStream>();
  private readonly feedListeners = new Set<(event: JobFeedEvent) => void>();
  private feedAttached: Promise<void> | undefined;
  /** Per job: a lookup is running, and whether another change came meanwhile (then it looks again). */
  private readonly feedLookups = new Map<string, { again: boolean }>();

  constructor(
    private readonly config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>,
    private readonly lookup: JobLookup,
    private readonly logger?: JobLogger,
    private readonly position?: StreamPosition,
  ) {}

  /**
   * Calls `listener` with every change of every job in every queue: the job as it is after each
   * change of state, its progress reports, its removal. Changes of one job arrive in order. Returns
   * a stop function.
   */
  async watchAll(listener: (event: JobFeedEvent) => void): Promise<() => void> {
    this.feedAttached ??= this.attachFeed().catch((error: unknown) => {
      this.feedAttached = undefined;
      throw error;
    });
    await this.feedAttached;
    this.feedListeners.add(listener);
    return () => void this.feedListeners.delete(listener);
  }

  private async attachFeed(): Promise<void> {
    const streams = await Promise.all(JOB_QUEUES.map(async (queue) => [queue, await this.stream(queue)] as const));
    for (const [queue, events] of streams) {
      events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) => {
        if (data !== null && typeof data === 'object') this.publish({ type: 'progress', jobId, queue, progress: data as JobProgress });
      });
      for (const name of STATE_EVENTS) events.on(name, ({ jobId }: { jobId: string }) => this.lookUpForFeed(queue, jobId));
    }
  }

  /** Reads the job once it changed, one lookup per job at a time, so that a late answer never overtakes a newer one. */
  private lookUpForFeed(queue: JobQueueName, jobId: string): void {
    if (this.feedListeners.size === 0) return;
    const key = `${queue}:${jobId}`;
    const running = this.feedLookups.get(key);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const entry = { again: true };
    this.feedLookups.set(key, entry);
    void (async () => {
      while (entry.again) {
        entry.again = false;
        try {
          const job = await this.lookup(queue, jobId);
          this.publish(job === undefined ? { type: 'removed', jobId, queue } : { type: 'job', job: await jobView(queue, job) });
        } catch (error) {
          this.logger?.warn(`reading job ${jobId} for the job feed: ${describe(error)}`);
        }
      }
      this.feedLookups.delete(key);
    })();
  }

  private publish(event: JobFeedEvent): void {
    for (const listener of this.feedListeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.warn(`a job feed listener failed: ${describe(error)}`);
      }
    }
  }

  /** Calls `listener` with each progress report and then one final event; returns a stop function. */
  async follow(queue: JobQueueName, jobId: string, listener: (event: JobEvent) => void): Promise<() => void> {
    const events = await this.stream(queue);
    let finished = false;
    const stop = () => {
      finished = true;
      clearInterval(poll);
      events.off('progress', onProgress);
      events.off('completed', onFinished);
      events.off('failed', onFinished);
    };
    const checkFinished = async () => {
      if (finished) return;
      try {
        const job = await this.lookup(queue, jobId);
        if (finished) return;
        if (job === undefined) {
          stop();
          listener({ type: 'gone', jobId });
          return;
        }
        const view = await jobView(queue, job);
        if (finished || !isFinished(view.state)) return;
        stop();
        listener({ type: view.state as 'completed' | 'failed', job: view });
      } catch (error) {
        this.logger?.warn(`following job ${jobId}: ${describe(error)}`);
      }
    };
    const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      if (id === jobId && !finished && data !== null && typeof data === 'object') listener({ type: 'progress', progress: data as JobProgress });
    };
    const onFinished = ({ jobId: id }: { jobId: string }) => {
      if (id === jobId) void checkFinished();
    };
    events.on('progress', onProgress);
    events.on('completed', onFinished);
    events.on('failed', onFinished);
    const poll = setInterval(() => void checkFinished(), FINAL_STATE_POLL_MS);
    await checkFinished();
    return stop;
  }

  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.feedListeners.clear();
    this.feedAttached = undefined;
    await Promise.all(streams.map((stream) => stream.close()));
  }

  private async stream(queue: JobQueueName): Promise<QueueEvents> {
    let stream = this.streams.get(queue);
    if (stream === undefined) {
      stream = new QueueEventStream(queue, this.config, this.logger, this.position);
      this.streams.set(queue, stream);
    }
    const events = await stream.ready;
    if (events === undefined) {
      // Redis was not there: the next caller tries again with a fresh stream.
      if (this.streams.get(queue) === stream) this.streams.delete(queue);
      void stream.close();
      throw new Error(`cannot follow the ${queue} queue's events`);
    }
    return events;
  }
}

/** One queue's QueueEvents, shared by every follower, and whether it ever connected. */
class QueueEventStream {
  private events: QueueEvents | undefined;
  private closed = false;
  private connected = false;
  /** The connected QueueEvents, or undefined when it could not connect. */
  readonly ready: Promise<QueueEvents | undefined>;

  constructor(queue: JobQueueName, config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>, logger: JobLogger | undefined, position: StreamPosition | undefined) {
    this.ready = this.open(queue, config, logger, position).catch((error: unknown) => {
      logger?.warn(`job events of queue ${queue}: ${describe(error)}`);
      return undefined;
    });
  }

  private async open(queue: JobQueueName, config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>, logger: JobLogger | undefined, position: StreamPosition | undefined): Promise<QueueEvents | undefined> {
    const lastEventId = position === undefined ? undefined : await position(queue);
    if (this.closed) return undefined;
    const events = new QueueEvents(queue, { ...queueOptions(config), ...(lastEventId !== undefined && { lastEventId }) });
    events.setMaxListeners(0);
    events.on('error', (error) => logger?.warn(`job events of queue ${queue}: ${describe(error)}`));
    this.events = events;
    await events.waitUntilReady();
    this.connected = true;
    return events;
  }

  async close(): Promise<void> {
    this.closed = true;
    const events = this.events;
    if (events === undefined) return;
    if (this.connected) {
      await events.close();
      return;
    }
    // BullMQ's QueueEvents.close() waits forever for a connection that never came up (Redis
    // down since before the stream started): give it a moment, then leave it.
    await Promise.race([events.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}
