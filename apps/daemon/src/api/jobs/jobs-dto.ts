import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { JOB_QUEUES, type JobQueueName } from '../../jobs/queues.js';
import type { MigrationPhase } from '../../migrate/types.js';

export class BackupProgressDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ description: 'The snapshot being written' })
  snapshotSeq!: number;

  @ApiProperty({ enum: ['starting', 'collections', 'finishing'] })
  phase!: 'starting' | 'collections' | 'finishing';

  @ApiPropertyOptional({ description: 'The collection being read' })
  collection?: string;

  @ApiProperty({ description: 'Records of the collection handled so far' })
  done!: number;

  @ApiProperty({ description: 'Records the collection holds' })
  total!: number;

  @ApiProperty()
  collectionsDone!: number;

  @ApiProperty()
  collectionsTotal!: number;
}

export class RestoreProgressDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({
    enum: ['pre-restore-snapshot', 'planning', 'writing', 'notifying-clients', 'verifying', 'done'],
    description: 'taking the pre-restore snapshot, planning against the server as it is, writing, sending the bookmarks wipe command to other devices, reading back, done',
  })
  phase!: 'pre-restore-snapshot' | 'planning' | 'writing' | 'notifying-clients' | 'verifying' | 'done';

  @ApiPropertyOptional({ description: 'writing: the collection being written' })
  collection?: string;

  @ApiPropertyOptional({ description: 'writing: records of the collection written so far' })
  done?: number;

  @ApiPropertyOptional({ description: 'writing: records the collection gets' })
  total?: number;
}

export class MigrationProgressDto {
  @ApiProperty({ format: 'uuid', description: 'The target account' })
  accountId!: string;

  @ApiPropertyOptional({ description: 'The migration (GET /api/migrations/{id}), once it is known' })
  migrationId?: string;

  @ApiProperty({
    enum: ['source-snapshot', 'planning', 'wiping-target', 'uploading', 'verifying', 'done'],
    description: 'taking the fresh snapshot of the source (when none was named), planning, wiping the target (replace), uploading, reading back, done',
  })
  phase!: MigrationPhase;

  @ApiPropertyOptional({ description: 'The collection being uploaded or verified' })
  collection?: string;

  @ApiProperty({ description: 'Records uploaded (or verified) of the whole migration' })
  done!: number;

  @ApiProperty()
  total!: number;

  @ApiPropertyOptional({ description: 'The latest thing the target said besides its answers: backoff asked, quota remaining, retrying after 503/412' })
  notice?: string;
}

/** A job's progress: a BackupProgress on the backup queue, a RestoreProgress on the restore queue, a MigrationProgress on the migrate queue. */
const JOB_PROGRESS_SCHEMA = { oneOf: [{ $ref: getSchemaPath(BackupProgressDto) }, { $ref: getSchemaPath(RestoreProgressDto) }, { $ref: getSchemaPath(MigrationProgressDto) }] };

export class JobDto {
  @ApiProperty({ description: 'Unique across queues' })
  id!: string;

  @ApiProperty({ enum: JOB_QUEUES })
  queue!: JobQueueName;

  @ApiProperty({ example: 'backup' })
  name!: string;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ example: 'manual', description: 'manual, schedule, demo, pre-restore' })
  trigger!: string;

  @ApiProperty({ enum: ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children', 'unknown'] })
  state!: string;

  @ApiProperty({ ...JOB_PROGRESS_SCHEMA, nullable: true, description: 'The last progress report: a BackupProgress (backup queue), a RestoreProgress (restore queue) or a MigrationProgress (migrate queue)' })
  progress!: BackupProgressDto | RestoreProgressDto | MigrationProgressDto | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      "When completed: a backup's snapshot summary ({accountId, seq, status, trigger, tags, startedAt, finishedAt, collections: {name: {count, lastModified}}, versionsAdded, keyFingerprint, alerts}), retention's report, a restore's result ({plan, replans, preRestoreSnapshot: {seq}, written: [{collection, id, action}], clientsNotified, verification: {ok, mismatches}, bookmarkValidation: {before, after} | null}), or a migration's result (a MigrationResult: {migrationId, plan, resumed, uploaded, verification, notices, clients})",
  })
  result!: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'When failed: why, in one line' })
  failedReason!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When someone asked this running backup or migration to stop (POST /api/jobs/{id}/cancel); it then fails with `stopped: cancelled on request`',
  })
  cancelRequestedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The schedule that made this job, e.g. backup:<accountId>' })
  schedulerId!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class ListJobsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class EnqueuedJobDto {
  @ApiProperty({ description: 'Follow it at GET /api/jobs/{jobId}/events' })
  jobId!: string;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;
}

export class CancelledJobDto {
  @ApiProperty()
  jobId!: string;

  @ApiProperty({ enum: JOB_QUEUES })
  queue!: JobQueueName;

  @ApiProperty({
    enum: ['removed', 'stopping'],
    description:
      '`removed`: the job was waiting and is gone from its queue. `stopping`: the running backup or migration was asked to stop; within a second or two it fails (`stopped: cancelled on request`): a backup\'s snapshot is rolled back, a migration keeps its checkpoint (retry the job to resume)',
  })
  outcome!: 'removed' | 'stopping';
}

/** Data of the `progress` event of GET /api/jobs/events. */
export class JobProgressEventDto {
  @ApiProperty()
  jobId!: string;

  @ApiProperty({ enum: JOB_QUEUES })
  queue!: JobQueueName;

  @ApiProperty(JOB_PROGRESS_SCHEMA)
  progress!: BackupProgressDto | RestoreProgressDto | MigrationProgressDto;
}

/** Data of the `removed` event of GET /api/jobs/events. */
export class JobRemovedEventDto {
  @ApiProperty()
  jobId!: string;

  @ApiProperty({ enum: JOB_QUEUES })
  queue!: JobQueueName;
}
