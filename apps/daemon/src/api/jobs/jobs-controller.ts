import { Controller, Get, HttpCode, Inject, Param, Post, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Observable, ReplaySubject } from 'rxjs';
import { JobsService } from '../../jobs/jobs-service.js';
import { ErrorDto, Private } from '../openapi-decorators.js';
import { EnqueuedJobDto, JobDto, ListJobsQueryDto } from './jobs-dto.js';

@ApiTags('jobs')
@Private()
@ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
@Controller('api/jobs')
export class JobsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'Recent jobs of every queue, newest first: state, progress, result or failure' })
  @ApiOkResponse({ type: JobDto, isArray: true })
  list(@Query() query: ListJobsQueryDto): Promise<JobDto[]> {
    return this.jobs.list(query.limit ?? 50) as Promise<JobDto[]>;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job' })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<JobDto> {
    return this.jobs.get(id) as Promise<JobDto>;
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Live progress of a job (Server-Sent Events)',
    description:
      'Events: `state` (the job as it is now, a Job), `progress` (a BackupProgress, as often as the job reports), then exactly one `completed` or `failed` (the finished Job) and the stream ends. `gone` if the job was removed meanwhile.',
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
  @ApiParam({ name: 'id', description: 'Account id or name' })
  @ApiAcceptedResponse({ type: EnqueuedJobDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
  backupNow(@Param('id') id: string): Promise<EnqueuedJobDto> {
    return this.jobs.enqueueBackup(id, 'manual');
  }
}
