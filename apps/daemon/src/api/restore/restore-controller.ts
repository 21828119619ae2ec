import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { JobsService } from '../../jobs/jobs-service.js';
import { RestoreService } from '../../restore/index.js';
import { EnqueuedJobDto } from '../jobs/jobs-dto.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import { RestorePlanDto, RestoreRequestDto, restoreRequest } from './restore-dto.js';

@ApiTags('restore')
@Private()
@Controller('api/accounts')
export class RestoreController {
  constructor(
    @Inject(RestoreService) private readonly restore: RestoreService,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  @Post(':id/restore/plan')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Plan a restore: the exact records it would write or delete on the live server now, the validator counts before and after, the client command; writes nothing',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: RestorePlanDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account or snapshot' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'what was asked cannot be restored (not in the snapshot, not a folder, ...)' })
  async plan(@Param('id') id: string, @Body() body: RestoreRequestDto): Promise<RestorePlanDto> {
    return (await this.restore.plan(restoreRequest(id, body))) as unknown as RestorePlanDto;
  }

  @Post(':id/restores')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Restore: queues a restore job (follow it at /api/jobs/{jobId}/events)',
    description:
      'Same body as the plan route; ask for the plan first and show it. The request is planned once before it is queued, so what cannot be restored is refused here rather than as a failed job. The job then plans again against the server as it is, takes a pre-restore snapshot, writes with X-If-Unmodified-Since (re-planning if another device writes meanwhile), notifies other devices where the plan says so, and reads back what it wrote. Its progress is a RestoreProgress; its result a RestoreResult ({plan, replans, preRestoreSnapshot: {seq}, written, clientsNotified, verification: {ok, mismatches}, bookmarkValidation}). A running restore cannot be cancelled.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiAcceptedResponse({ type: EnqueuedJobDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'the body is not a restore request' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account or snapshot' })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is not complete' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'what was asked cannot be restored (not in the snapshot, not a folder, ...)' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
  async start(@Param('id') id: string, @Body() body: RestoreRequestDto): Promise<EnqueuedJobDto> {
    const { account: _account, ...request } = restoreRequest(id, body);
    const plan = await this.restore.plan({ account: id, ...request });
    return this.jobs.enqueueRestore(plan.accountId, request);
  }
}
