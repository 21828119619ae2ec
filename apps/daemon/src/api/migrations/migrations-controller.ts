import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { MIGRATION_PLANNER, type MigrationPlanner } from '../../jobs/contracts.js';
import { JobsService, resolveAccount } from '../../jobs/jobs-service.js';
import { planBeforeRun } from '../../jobs/plan-migration.js';
import { PRISMA } from '../../app/tokens.js';
import { MigrationRefusedError } from '../../migrate/index.js';
import type { PrismaClient } from '../../store/prisma.js';
import { EnqueuedJobDto } from '../jobs/jobs-dto.js';
import { ErrorDto, Private } from '../openapi-decorators.js';
import { ListMigrationsQueryDto, MigrationPlanDto, MigrationRequestDto, migrationRequest, MigrationViewDto } from './migrations-dto.js';

@ApiTags('migrations')
@Private()
@Controller('api/migrations')
export class MigrationsController {
  constructor(
    @Inject(MIGRATION_PLANNER) private readonly migrations: MigrationPlanner,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Post('plan')
  @HttpCode(200)
  @ApiOperation({
    summary: "Plan a migration (dry run): what would move, per collection, the target's state and limits, how keys and meta/global reach it; writes nothing",
    description:
      'A plan whose `refusal` is not null says why running it would be refused (a non-empty target without replace or merge, over quota, ...). Without fromSnapshot it plans from the latest complete snapshot of the source, though the run copies a fresh backup taken first (unless it resumes an unfinished migration, see `resumes`); a source never backed up cannot be planned yet (422).',
  })
  @ApiOkResponse({ type: MigrationPlanDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'the body is not a migration request (replace and merge together, ...)' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'it cannot be migrated at all: a target that is not a Sync 1.5 account, no such (complete) snapshot, a source never backed up and no fromSnapshot, merge with rekey, ...' })
  async plan(@Body() body: MigrationRequestDto): Promise<MigrationPlanDto> {
    return (await this.migrations.plan(migrationRequest(body))) as unknown as MigrationPlanDto;
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Migrate: plans, then queues a migrate job (follow it at /api/jobs/{jobId}/events)',
    description:
      "Same body as the plan route; ask for the plan first and show it. A plan with a refusal is answered 422 with the refusal, and nothing is queued (a source never backed up, with no fromSnapshot, cannot be planned yet: it is queued unplanned, and the job backs it up first, then plans and refuses what the plan refuses). The job (queue `migrate`, accountId the target's) takes a fresh snapshot of the source unless fromSnapshot is given, uploads in batches sized by the target's limits with a checkpoint after each, reads everything back, and completes with a MigrationResult ({migrationId, plan, resumed, uploaded, verification, notices, clients}); a verification mismatch fails it naming the records. Its progress is a MigrationProgress ({accountId, migrationId?, phase, collection?, done, total, notice?}). Cancelling a running migration (POST /api/jobs/{id}/cancel) stops it between two batches; retrying the failed job resumes it from its checkpoint, as does queueing the same pair again (unless restart).",
  })
  @ApiAcceptedResponse({ type: EnqueuedJobDto, description: '`accountId` is the target' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'the body is not a migration request (replace and merge together, ...)' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: "the plan refuses it (the message is the plan's refusal), or it cannot be migrated at all (see the plan route)" })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'Redis is unreachable' })
  async start(@Body() body: MigrationRequestDto): Promise<EnqueuedJobDto> {
    const request = migrationRequest(body);
    const plan = await planBeforeRun(this.migrations, this.prisma, request);
    if (plan !== null && plan.refusal !== null) throw new MigrationRefusedError(plan.refusal);
    return this.jobs.enqueueMigration(request);
  }

  @Get()
  @ApiOperation({ summary: 'Migrations as stored (checkpoint, status, result), newest first' })
  @ApiOkResponse({ type: MigrationViewDto, isArray: true })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account' })
  async list(@Query() query: ListMigrationsQueryDto): Promise<MigrationViewDto[]> {
    const accountId = query.account === undefined ? undefined : (await resolveAccount(this.prisma, query.account)).id;
    return (await this.migrations.list(accountId === undefined ? {} : { accountId })) as unknown as MigrationViewDto[];
  }

  @Get(':id')
  @ApiOperation({ summary: 'One migration: its checkpoint, status, and result (with the verification report and client instructions) once completed' })
  @ApiParam({ name: 'id', description: 'Migration id' })
  @ApiOkResponse({ type: MigrationViewDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such migration' })
  async get(@Param('id') id: string): Promise<MigrationViewDto> {
    return (await this.migrations.get(id)) as unknown as MigrationViewDto;
  }
}
