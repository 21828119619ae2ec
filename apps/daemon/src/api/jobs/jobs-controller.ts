import { Controller, Get, HttpCode, Inject, Param, Post, Query, Sse, type MessageEvent } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Observable, ReplaySubject } from 'rxjs';
import type { JobFeedEvent } from '../../jobs/job-events.js';
import { JobsService } from '../../jobs/jobs-service.js';
import { JOB_QUEUES } from '../../jobs/queues.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import { BackupProgressDto, CancelledJobDto, EnqueuedJobDto, JobDto, JobProgressEventDto, JobRemovedEventDto, ListJobsQueryDto, MigrationProgressDto, RestoreProgressDto } from './jobs-dto.js';

/** An all-jobs stream that says nothing for this long sends a `ping`, so that proxies (and fetch's body timeout) keep it open. */
const FEED_PING_MS = 25_000;

function feedMessage(event: JobFeedEvent): MessageEvent {
  switch (event.type) {
    case 'job':
      return { type: 'job', data: event.job };
    case 'progress':
      return { type: 'progress', data: { jobId: event.jobId, queue: event.queue, progress: event.progress } };
    case 'removed':
      return { type: 'removed', data: { jobId: event.jobId, queue: event.queue } };
  }
}

@ApiTags('jobs')
@Private()
@ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
@ApiExtraModels(JobProgressEventDto, JobRemovedEventDto, BackupProgressDto, RestoreProgressDto, MigrationProgressDto)
@Controller('api/jobs')
export class JobsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'Recent jobs of every queue, newest first: state, progress, result or failure' })
  @ApiOkResponse({ type: JobDto, isArray: true })
  list(@Query() query: ListJobsQueryDto): Promise<JobDto[]> {
    return this.jobs.list(query.limit ?? 50) as Promise<JobDto[]>;
  }

  // Declared before `:id` so that `events` is never read as a job id.
  @Sse('events')
  @ApiOperation({
    summary: 'Every job of every queue as it changes (Server-Sent Events)',
    description:
      'One stream for a whole page of jobs. Events: `ready` once the stream is following the queues; `job` (a Job as it is after each change of state: queued, delayed, started, stalled, completed, failed, retried); `progress` (a JobProgressEvent: `{jobId, queue, progress}`, as often as a backup, restore or migration reports); `removed` (a JobRemovedEvent: `{jobId, queue}`, e.g. a queued job cancelled); `ping` after 25 s without another event. The changes of one job arrive in order. The stream stays open until the client leaves; read GET /api/jobs first for the jobs as they are.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of the events above' })
  async feed(): Promise<Observable<MessageEvent>> {
    // Following before the response starts: a Redis outage is a 503, and nothing is missed.
    let deliver: ((message: MessageEvent) => void) | undefined;
    const early: MessageEvent[] = [];
    const stop = await this.jobs.watchAll((event) => {
      const message = feedMessage(event);
      if (deliver === undefined) early.push(message);
      else deliver(message);
    });
    return new Observable<MessageEvent>((subscriber) => {
      let quietSince = Date.now();
      const send = (message: MessageEvent) => {
        quietSince = Date.now();
        subscriber.next(message);
      };
      send({ type: 'ready', data: { queues: JOB_QUEUES } });
      for (const message of early.splice(0)) send(message);
      deliver = send;
      const ping = setInterval(() => {
        if (Date.now() - quietSince >= FEED_PING_MS) send({ type: 'ping', data: {} });
      }, FEED_PING_MS / 5);
      return () => {
        clearInterval(ping);
        stop();
      };
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job' })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<JobDto> {
    return this.jobs.get(id) as Promise<JobDto>;
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run a failed job again (same id): it goes back to its queue',
    description: 'Answers the job, now queued. Follow it at /api/jobs/{id}/events or /api/jobs/events. A failed or cancelled migration resumes from its checkpoint (a `restart` it was asked with is dropped).',
  })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the job did not fail (it is queued, running or completed), or it is a restore (plan and confirm it again instead)' })
  retry(@Param('id') id: string): Promise<JobDto> {
    return this.jobs.retry(id) as Promise<JobDto>;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a job: a queued one is removed, a running backup or migration is asked to stop',
    description:
      'A stopped backup fails with `stopped: cancelled on request` and its snapshot is rolled back, as an interrupted run is; nothing already backed up is lost. A stopped migration fails the same way between two batches and keeps its checkpoint: retry the job to resume it.',
  })
  @ApiOkResponse({ type: CancelledJobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: "the job has finished, is the next run of an account's schedule, or is a running retention or restore job" })
  cancel(@Param('id') id: string): Promise<CancelledJobDto> {
    return this.jobs.cancel(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Live progress of a job (Server-Sent Events)',
    description:
      'Events: `state` (the job as it is now, a Job), `progress` (a BackupProgress, a RestoreProgress for a restore job, a MigrationProgress for a migrate job, as often as the job reports), then exactly one `completed` or `failed` (the finished Job) and the stream ends. `gone` if the job was removed meanwhile.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of the events above' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async events(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    const current = await this.jobs.get(id);
    // Subscribed before the stream starts, so nothing between the two reads is lost.
    const events = new ReplaySubject<MessageEvent>();
    events.next({ type: 'state', data: current });
    const stop = await this.jobs.follow(id, (event) => {
      switch (event.type) {
        case 'progress':
          events.next({ type: 'progress', data: event.progress });
          return;
        case 'gone':
          events.next({ type: 'gone', data: { jobId: event.jobId } });
          events.complete();
          return;
        default:
          events.next({ type: event.type, data: event.job });
          events.complete();
      }
    });
    return new Observable<MessageEvent>((subscriber) => {
      const subscription = events.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        stop();
      };
    });
  }
}

@ApiTags('jobs')
@Private()
@Controller('api/accounts')
export class BackupsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Post(':id/backups')
  @HttpCode(202)
  @ApiOperation({ summary: 'Back up an account now: queues a backup job (follow it at /api/jobs/{jobId}/events)' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiAcceptedResponse({ type: EnqueuedJobDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
  backupNow(@Param('id') id: string): Promise<EnqueuedJobDto> {
    return this.jobs.enqueueBackup(id, 'manual');
  }
}
