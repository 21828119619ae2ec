/**
 * Following one job as it runs: its progress reports, then exactly one final event. Progress comes
 * from BullMQ's QueueEvents (a Redis stream, so it works whichever process runs the job); the
 * final state is also checked directly, on start and now and then, so a job that finishes just
 * before or while the stream connects is never waited on forever.
 */
import { QueueEvents, type Job } from 'bullmq';
import type { BackupProgress } from '../backup/types.js';
import type { SyncvaultConfig } from '../config/config.js';
import { describe, type JobLogger } from './backup-job.js';
import { isFinished, jobView, type JobView } from './job-view.js';
import { queueOptions, type JobQueueName } from './queues.js';

export type JobEvent =
  | { type: 'progress'; progress: BackupProgress }
  | { type: 'completed' | 'failed'; job: JobView }
  /** The job was removed (e.g. by the finished-job clean-up) before it could be seen finishing. */
  | { type: 'gone'; jobId: string };

export type JobLookup = (queue: JobQueueName, jobId: string) => Promise<Job | undefined>;

const FINAL_STATE_POLL_MS = 2000;

export class JobEvents {
  private readonly streams = new Map<JobQueueName, QueueEventStream>();

  constructor(
    private readonly config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>,
    private readonly lookup: JobLookup,
    private readonly logger?: JobLogger,
  ) {}

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
      if (id === jobId && !finished && data !== null && typeof data === 'object') listener({ type: 'progress', progress: data as BackupProgress });
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
    await Promise.all(streams.map((stream) => stream.close()));
  }

  private async stream(queue: JobQueueName): Promise<QueueEvents> {
    let stream = this.streams.get(queue);
    if (stream === undefined) {
      stream = new QueueEventStream(queue, this.config, this.logger);
      this.streams.set(queue, stream);
    }
    if (!(await stream.ready)) throw new Error(`cannot follow the ${queue} queue's events`);
    return stream.events;
  }
}

/** One queue's QueueEvents, shared by every follower, and whether it ever connected. */
class QueueEventStream {
  readonly events: QueueEvents;
  readonly ready: Promise<boolean>;
  private connected = false;

  constructor(queue: JobQueueName, config: Pick<SyncvaultConfig, 'redisUrl' | 'redisPrefix'>, logger: JobLogger | undefined) {
    this.events = new QueueEvents(queue, queueOptions(config));
    this.events.setMaxListeners(0);
    this.events.on('error', (error) => logger?.warn(`job events of queue ${queue}: ${describe(error)}`));
    this.ready = this.events.waitUntilReady().then(
      () => (this.connected = true),
      () => false,
    );
  }

  async close(): Promise<void> {
    if (this.connected) {
      await this.events.close();
      return;
    }
    // BullMQ's QueueEvents.close() waits forever for a connection that never came up (Redis
    // down since before the stream started): give it a moment, then leave it.
    await Promise.race([this.events.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}
