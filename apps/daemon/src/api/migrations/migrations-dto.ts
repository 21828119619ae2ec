import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import type { KeysAction, MetaGlobalAction, MigrationMode, MigrationPhase, MigrationRequest, MigrationStatus, RecordsAction } from '../../migrate/index.js';

const MODES = ['empty', 'replace', 'merge'] as const satisfies readonly MigrationMode[];
const KEYS_ACTIONS = ['copy', 'rewrap', 'rekey', 'keep-target'] as const satisfies readonly KeysAction[];
const META_GLOBAL_ACTIONS = ['copy', 'convert', 'new-sync-ids', 'merge-target'] as const satisfies readonly MetaGlobalAction[];
const RECORDS_ACTIONS = ['copy', 're-encrypt', 'skip'] as const satisfies readonly RecordsAction[];
const STATUSES = ['running', 'interrupted', 'completed', 'failed', 'abandoned'] as const satisfies readonly MigrationStatus[];
export const MIGRATION_PHASES = ['source-snapshot', 'planning', 'wiping-target', 'uploading', 'verifying', 'done'] as const satisfies readonly MigrationPhase[];

/** A boolean option that must not be true when `other` is true too. */
function NotTogetherWith(other: string, message: string): PropertyDecorator {
  return ValidateBy({
    name: 'notTogetherWith',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => !(value === true && (args?.object as Record<string, unknown> | undefined)?.[other] === true),
      defaultMessage: () => message,
    },
  });
}

/** The body of the plan and start routes: a MigrationRequest. */
export class MigrationRequestDto {
  @ApiProperty({ description: 'Account name or id the data comes from (any kind)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  source!: string;

  @ApiProperty({ description: 'Account name or id the data goes to: a Sync 1.5 account (mozilla or selfhosted15)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  target!: string;

  @ApiPropertyOptional({ description: "Copy this snapshot of the source; without it a fresh backup of the live source is taken first" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  fromSnapshot?: number;

  @ApiPropertyOptional({ default: false, description: "Wipe the target's storage first (not with merge)" })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;

  @ApiPropertyOptional({ default: false, description: "Keep the target's records, and those of them newer than the source's (not with replace)" })
  @IsOptional()
  @IsBoolean()
  @NotTogetherWith('replace', 'replace and merge cannot be combined: replace wipes the target first, merge keeps its records')
  merge?: boolean;

  @ApiPropertyOptional({ default: false, description: 'New bulk keys and new syncIDs: every record is re-encrypted and every client resets' })
  @IsOptional()
  @IsBoolean()
  rekey?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Abandon an unfinished migration of the same pair instead of resuming it' })
  @IsOptional()
  @IsBoolean()
  restart?: boolean;
}

/** The request as the service takes it: only the options that were set. */
export function migrationRequest(body: MigrationRequestDto): MigrationRequest {
  return {
    source: body.source,
    target: body.target,
    ...(body.fromSnapshot !== undefined && { fromSnapshot: body.fromSnapshot }),
    ...(body.replace === true && { replace: true }),
    ...(body.merge === true && { merge: true }),
    ...(body.rekey === true && { rekey: true }),
    ...(body.restart === true && { restart: true }),
  };
}

export class ListMigrationsQueryDto {
  @ApiPropertyOptional({ description: 'Only migrations from or into this account (name or id)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  account?: string;
}

export class SkippedRecordsDto {
  @ApiProperty({ example: 'ttl already over' })
  reason!: string;

  @ApiProperty()
  count!: number;
}

export class CollectionPlanDto {
  @ApiProperty()
  collection!: string;

  @ApiProperty({ enum: RECORDS_ACTIONS })
  action!: RecordsAction;

  @ApiProperty({ description: 'Records that will be uploaded (after skips)' })
  records!: number;

  @ApiProperty({ description: 'Their payload bytes as uploaded' })
  bytes!: number;

  @ApiProperty({ type: SkippedRecordsDto, isArray: true, description: 'Records of the source left out, and why' })
  skipped!: SkippedRecordsDto[];

  @ApiProperty({ description: 'Records the target holds in this collection now' })
  targetRecords!: number;

  @ApiProperty({ type: Number, nullable: true, description: "null: records never expire; else the collection's ttl in seconds (minus each record's age)" })
  ttlSeconds!: number | null;

  @ApiPropertyOptional({ description: 'Why the collection is skipped or treated specially' })
  note?: string;
}

export class MigrationSnapshotRefDto {
  @ApiProperty()
  seq!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class MigrationSourceDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['mozilla', 'selfhosted15', 'legacy11'] })
  kind!: 'mozilla' | 'selfhosted15' | 'legacy11';

  @ApiProperty({ type: MigrationSnapshotRefDto, nullable: true, description: 'The snapshot copied; null when a fresh backup of the live account is taken first' })
  snapshot!: MigrationSnapshotRefDto | null;
}

export class TargetQuotaDto {
  @ApiProperty()
  usedKb!: number;

  @ApiProperty({ type: Number, nullable: true })
  quotaKb!: number | null;
}

export class MigrationTargetDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  tokenServerUrl!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Collection → records the target holds now' })
  collections!: Record<string, number>;

  @ApiProperty()
  empty!: boolean;

  @ApiProperty({ type: TargetQuotaDto })
  quota!: TargetQuotaDto;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true }, description: 'info/configuration as the target reports it (null: no limit)' })
  limits!: Record<string, number | null>;
}

export class MigrationTotalsDto {
  @ApiProperty()
  records!: number;

  @ApiProperty()
  bytes!: number;

  @ApiProperty()
  batches!: number;
}

export class MigrationResumesDto {
  @ApiProperty({ format: 'uuid' })
  migrationId!: string;

  @ApiProperty()
  done!: number;

  @ApiProperty()
  total!: number;
}

export class MigrationPlanDto {
  @ApiProperty({ type: MigrationSourceDto })
  source!: MigrationSourceDto;

  @ApiProperty({ type: MigrationTargetDto })
  target!: MigrationTargetDto;

  @ApiProperty({ enum: MODES, description: 'empty: the target must be empty; replace: wiped first; merge: its newer records kept' })
  mode!: MigrationMode;

  @ApiProperty()
  rekey!: boolean;

  @ApiProperty({ enum: KEYS_ACTIONS, description: 'How crypto/keys reaches the target: copied, its bulk keys re-wrapped with the target kB, new keys, or the target keeps its own' })
  keys!: KeysAction;

  @ApiProperty({ enum: META_GLOBAL_ACTIONS, description: 'How meta/global reaches the target: copied, converted from 1.1, new syncIDs, or the target keeps its own' })
  metaGlobal!: MetaGlobalAction;

  @ApiProperty({ type: CollectionPlanDto, isArray: true, description: 'In upload order' })
  collections!: CollectionPlanDto[];

  @ApiProperty({ type: MigrationTotalsDto })
  totals!: MigrationTotalsDto;

  @ApiProperty({ type: String, nullable: true, description: 'Why the migration cannot run as asked; null: it can' })
  refusal!: string | null;

  @ApiProperty({ type: String, isArray: true })
  notes!: string[];

  @ApiProperty({ type: MigrationResumesDto, nullable: true, description: 'An unfinished migration of this pair that running would resume, or null' })
  resumes!: MigrationResumesDto | null;
}

export class VerificationCollectionDto {
  @ApiProperty()
  collection!: string;

  @ApiProperty()
  expected!: number;

  @ApiProperty()
  found!: number;

  @ApiProperty()
  mismatches!: number;
}

export class VerificationMismatchDto {
  @ApiProperty()
  collection!: string;

  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['missing', 'differs', 'unexpected', 'undecryptable'] })
  problem!: 'missing' | 'differs' | 'unexpected' | 'undecryptable';
}

export class MigrationVerificationDto {
  @ApiProperty()
  ok!: boolean;

  @ApiProperty({ type: VerificationCollectionDto, isArray: true })
  collections!: VerificationCollectionDto[];

  @ApiProperty({ type: VerificationMismatchDto, isArray: true, description: 'The first mismatching records (at most 100)' })
  mismatches!: VerificationMismatchDto[];
}

export class ClientInstructionsDto {
  @ApiProperty({ description: "The value of desktop Firefox's identity.sync.tokenserver.uri" })
  tokenServerUri!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Set only when the target uses a non-Mozilla accounts server' })
  accountsServerUri!: string | null;

  @ApiProperty({ type: String, isArray: true })
  desktop!: string[];

  @ApiProperty({ type: String, isArray: true })
  android!: string[];

  @ApiProperty({ type: String, isArray: true })
  ios!: string[];
}

export class MigrationResultDto {
  @ApiProperty({ format: 'uuid' })
  migrationId!: string;

  @ApiProperty({ type: MigrationPlanDto })
  plan!: MigrationPlanDto;

  @ApiProperty({ description: 'This run continued an interrupted one from its checkpoint' })
  resumed!: boolean;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Collection → records uploaded by this run' })
  uploaded!: Record<string, number>;

  @ApiProperty({ type: MigrationVerificationDto })
  verification!: MigrationVerificationDto;

  @ApiProperty({ type: String, isArray: true, description: 'What the target said along the way (backoff, Retry-After, 412 retries, quota remaining)' })
  notices!: string[];

  @ApiProperty({ type: ClientInstructionsDto })
  clients!: ClientInstructionsDto;
}

export class MigrationViewDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  sourceAccountId!: string;

  @ApiProperty({ format: 'uuid' })
  targetAccountId!: string;

  @ApiProperty()
  sourceSeq!: number;

  @ApiProperty({ enum: MODES })
  mode!: MigrationMode;

  @ApiProperty()
  rekey!: boolean;

  @ApiProperty({ enum: STATUSES, description: 'interrupted: stopped with its checkpoint (running it again resumes); abandoned: a later run restarted the pair' })
  status!: MigrationStatus;

  @ApiProperty({ description: 'Records uploaded so far' })
  done!: number;

  @ApiProperty()
  total!: number;

  @ApiProperty({ type: MigrationResultDto, nullable: true })
  result!: MigrationResultDto | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}
