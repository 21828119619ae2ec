import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../../history/index.js';
import type { ForgetReport, RemovalSummary, RetentionPreview, SnapshotRef, StoreProblem } from '../../retention/index.js';
import type { SnapshotRecord } from '../../store/index.js';
import { RetentionPolicyDto } from '../accounts/accounts-dto.js';

const SNAPSHOT_STATUSES = ['running', 'complete', 'failed'] as const;
type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];
/** Snapshots listed per request at most. */
export const MAX_SNAPSHOTS_PAGE = 500;

/** `true`/`false` in a query string as a boolean; anything else is left for @IsBoolean to refuse. */
const QueryBoolean = () => Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

function iso(time: Date | null): string | null {
  return time === null ? null : time.toISOString();
}

export class CollectionSummaryDto {
  @ApiProperty({ description: 'Records the collection held' })
  count!: number;

  @ApiProperty({ description: "The server's last-modified time, ms" })
  lastModified!: number;
}

export class SnapshotDto {
  @ApiProperty({ description: 'Sequence number, per account, from 1' })
  seq!: number;

  @ApiProperty({ enum: SNAPSHOT_STATUSES, description: 'Only complete snapshots can be read' })
  status!: SnapshotStatus;

  @ApiProperty({ example: 'schedule', description: 'manual, schedule, demo, pre-restore' })
  trigger!: string;

  @ApiProperty({ type: String, isArray: true, description: '`pre-restore` snapshots are kept by every retention policy until removed by hand' })
  tags!: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/CollectionSummaryDto' }, description: '`{collection: {count, lastModified}}` as the server had them' })
  collections!: Record<string, CollectionSummaryDto>;

  @ApiProperty({ description: 'Record versions this snapshot added to the store (what changed since the previous one)' })
  versionsAdded!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Fingerprint of the crypto/keys in force (a hash, not a key)' })
  keyFingerprint!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the run did: requests, records fetched, bytes, duration, ...' })
  stats!: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, description: 'Why a failed snapshot failed, in one line' })
  error!: string | null;
}

export class HealthAlertDto {
  @ApiProperty({ description: 'Increasing with time' })
  id!: string;

  @ApiProperty()
  snapshotSeq!: number;

  @ApiProperty({ enum: ['collection-shrank', 'sync-id-changed', 'storage-version-changed', 'keys-rotated', 'client-added', 'engine-declined'] })
  kind!: string;

  @ApiProperty({ type: String, nullable: true })
  collection!: string | null;

  @ApiProperty()
  message!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the webhook took it' })
  deliveredAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the admin acknowledged it; open alerts have null' })
  acknowledgedAt!: string | null;
}

export class SnapshotDetailDto extends SnapshotDto {
  @ApiProperty({ type: HealthAlertDto, isArray: true, description: 'The health alerts this snapshot raised' })
  alerts!: HealthAlertDto[];
}

export class ListSnapshotsQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SNAPSHOTS_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SNAPSHOTS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ enum: SNAPSHOT_STATUSES })
  @IsOptional()
  @IsIn(SNAPSHOT_STATUSES)
  status?: SnapshotStatus;
}

export class CollectionContentsQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Case-insensitive text to find in the decrypted records' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Show password and card-number values instead of masking them' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  reveal?: boolean;
}

export class RecordQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Show the password or card number instead of masking it (logged)' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  reveal?: boolean;
}

export class SnapshotRecordDto {
  @ApiProperty({ description: 'The record id' })
  id!: string;

  @ApiProperty({ description: "The server's modified time, ms" })
  modified!: number;

  @ApiProperty({ type: Number, nullable: true })
  sortindex!: number | null;

  @ApiProperty({ description: 'False: its HMAC failed at backup time; stored as the server had it' })
  hmacValid!: boolean;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The decrypted record; passwords and card numbers masked unless reveal=true' })
  cleartext!: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'Why cleartext is null' })
  error?: string;
}

export class CollectionContentsDto {
  @ApiProperty({ description: 'Records in the collection (matching search, when given)' })
  total!: number;

  @ApiProperty()
  offset!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty({ type: SnapshotRecordDto, isArray: true, description: 'Newest first (server modified time), then by id' })
  records!: SnapshotRecordDto[];
}

export const ALERT_STATES = ['open', 'acknowledged', 'all'] as const;

export class AlertsQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATES, default: 'all', description: 'open: not yet acknowledged' })
  @IsOptional()
  @IsIn(ALERT_STATES)
  state?: (typeof ALERT_STATES)[number];

  @ApiPropertyOptional({ description: 'Only the alerts of this snapshot' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  seq?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AcknowledgeAlertsDto {
  @ApiPropertyOptional({ type: String, isArray: true, description: 'The alerts to acknowledge; default: every open alert of the account' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(/^\d{1,18}$/, { each: true, message: 'each id must be an alert id (digits)' })
  ids?: string[];
}

export class AcknowledgedAlertsDto {
  @ApiProperty({ description: 'How many open alerts this acknowledged (already acknowledged ones are left as they were)' })
  acknowledged!: number;
}

export class ForgetDto {
  @ApiPropertyOptional({ type: RetentionPolicyDto, description: "The policy to apply; default: the account's stored one" })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;

  @ApiPropertyOptional({ default: false, description: 'Report what would be removed and change nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class SnapshotRefDto {
  @ApiProperty()
  seq!: number;

  @ApiProperty({ enum: SNAPSHOT_STATUSES })
  status!: SnapshotStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: String, isArray: true })
  tags!: string[];
}

export class KeptSnapshotDto extends SnapshotRefDto {
  @ApiProperty({ type: String, isArray: true, example: ['daily', 'newest'], description: 'last, hourly, daily, weekly, monthly, yearly, pre-restore, newest, no-policy' })
  reasons!: string[];
}

export class RemovedSnapshotDto extends SnapshotRefDto {
  @ApiProperty({ enum: ['failed', 'policy', 'by-hand'] })
  reason!: string;
}

export class RemovalSummaryDto {
  @ApiProperty({ type: RemovedSnapshotDto, isArray: true })
  snapshots!: RemovedSnapshotDto[];

  @ApiProperty({ description: 'Record versions no remaining snapshot sees' })
  versions!: number;

  @ApiProperty({ description: 'Blobs no remaining version references' })
  blobs!: number;

  @ApiProperty({ description: 'Bytes of those blobs' })
  bytes!: number;
}

export class ForgetReportDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty()
  dryRun!: boolean;

  @ApiProperty({ type: RetentionPolicyDto })
  policy!: RetentionPolicyDto;

  @ApiProperty({ type: KeptSnapshotDto, isArray: true, description: 'Newest first, with every reason each is kept for' })
  kept!: KeptSnapshotDto[];

  @ApiProperty({ type: SnapshotRefDto, isArray: true, description: 'Running snapshots are never touched' })
  running!: SnapshotRefDto[];

  @ApiProperty({ type: RemovalSummaryDto })
  removed!: RemovalSummaryDto;
}

export class RetentionPreviewRequestDto {
  @ApiPropertyOptional({ type: RetentionPolicyDto, description: "The policy to try, e.g. one being edited; default: the account's stored one" })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class RetentionPreviewDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ type: RetentionPolicyDto, description: 'The policy planned with, as validated' })
  policy!: RetentionPolicyDto;

  @ApiProperty({ type: KeptSnapshotDto, isArray: true, description: 'Snapshots the policy keeps, newest first, with every reason each is kept for' })
  kept!: KeptSnapshotDto[];

  @ApiProperty({ type: RemovedSnapshotDto, isArray: true, description: 'Snapshots the policy would remove, newest first: `policy`, or `failed` (always removed)' })
  removed!: RemovedSnapshotDto[];

  @ApiProperty({ type: SnapshotRefDto, isArray: true, description: 'Running snapshots, which retention never touches' })
  running!: SnapshotRefDto[];
}

export class StoreProblemDto {
  @ApiProperty({ enum: ['missing-blob', 'blob-hash-mismatch', 'blob-size-mismatch', 'snapshot-count-mismatch', 'incomplete-run-visible', 'empty-version-range', 'missing-keys'] })
  kind!: string;

  @ApiProperty()
  message!: string;

  @ApiPropertyOptional({ description: 'Account name' })
  account?: string;

  @ApiPropertyOptional()
  snapshotSeq?: number;

  @ApiPropertyOptional()
  collection?: string;

  @ApiPropertyOptional({ description: 'Hex' })
  blobHash?: string;
}

export class StoreCheckDto {
  @ApiProperty()
  healthy!: boolean;

  @ApiProperty({ type: StoreProblemDto, isArray: true })
  problems!: StoreProblemDto[];
}

export function snapshotDto(snapshot: SnapshotRecord): SnapshotDto {
  return {
    seq: snapshot.seq,
    status: snapshot.status,
    trigger: snapshot.trigger,
    tags: snapshot.tags,
    startedAt: snapshot.startedAt.toISOString(),
    finishedAt: iso(snapshot.finishedAt),
    collections: snapshot.collections,
    versionsAdded: snapshot.versionsAdded,
    keyFingerprint: snapshot.keyFingerprint,
    stats: snapshot.stats,
    error: snapshot.error,
  };
}

/** A health alert from the store (SnapshotRepository.alerts or a HealthAlert row). */
export function healthAlertDto(alert: {
  id: bigint;
  snapshotSeq: number;
  kind: string;
  collection: string | null;
  message: string;
  details: unknown;
  createdAt: Date;
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
}): HealthAlertDto {
  return {
    id: alert.id.toString(),
    snapshotSeq: alert.snapshotSeq,
    kind: alert.kind,
    collection: alert.collection,
    message: alert.message,
    details: (alert.details ?? {}) as Record<string, unknown>,
    createdAt: alert.createdAt.toISOString(),
    deliveredAt: iso(alert.deliveredAt),
    acknowledgedAt: iso(alert.acknowledgedAt),
  };
}

function snapshotRefDto(snapshot: SnapshotRef): SnapshotRefDto {
  return { seq: snapshot.seq, status: snapshot.status, startedAt: snapshot.startedAt.toISOString(), finishedAt: iso(snapshot.finishedAt), tags: snapshot.tags };
}

export function removalSummaryDto(removed: RemovalSummary): RemovalSummaryDto {
  return {
    snapshots: removed.snapshots.map((snapshot) => ({ ...snapshotRefDto(snapshot), reason: snapshot.reason })),
    versions: removed.versions,
    blobs: removed.blobs,
    bytes: removed.bytes,
  };
}

export function forgetReportDto(report: ForgetReport): ForgetReportDto {
  return {
    accountId: report.accountId,
    dryRun: report.dryRun,
    policy: report.policy,
    kept: report.kept.map((snapshot) => ({ ...snapshotRefDto(snapshot), reasons: snapshot.reasons })),
    running: report.running.map(snapshotRefDto),
    removed: removalSummaryDto(report.removed),
  };
}

export function retentionPreviewDto(preview: RetentionPreview): RetentionPreviewDto {
  return {
    accountId: preview.accountId,
    policy: preview.policy,
    kept: preview.kept.map((snapshot) => ({ ...snapshotRefDto(snapshot), reasons: snapshot.reasons })),
    removed: preview.removed.map((snapshot) => ({ ...snapshotRefDto(snapshot), reason: snapshot.reason })),
    running: preview.running.map(snapshotRefDto),
  };
}

export function storeCheckDto(problems: StoreProblem[]): StoreCheckDto {
  return { healthy: problems.length === 0, problems };
}

export class BookmarkTreeNodeDto {
  @ApiProperty({ example: 'menu', description: 'The record id (root aliases such as menu________ normalised); `places` for the root' })
  id!: string;

  @ApiProperty({ enum: ['places', 'folder', 'livemark', 'bookmark', 'query', 'separator', 'microsummary'] })
  type!: string;

  @ApiProperty({ description: "The title; the roots' display names (Bookmarks Menu, ...)" })
  title!: string;

  @ApiPropertyOptional({ description: 'Bookmarks and queries' })
  url?: string;

  @ApiPropertyOptional({ type: () => BookmarkTreeNodeDto, isArray: true, description: 'Folders: their items in order' })
  children?: BookmarkTreeNodeDto[];
}

class BookmarkParentLinkDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  parentId!: string | null;
}

class BookmarkChildLinkDto {
  @ApiProperty()
  parentId!: string;

  @ApiProperty()
  childId!: string;
}

class BookmarkMultipleParentsDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, isArray: true })
  parentIds!: string[];
}

export class BookmarkTreeProblemsDto {
  @ApiProperty({ type: String, isArray: true, description: 'Items no folder lists whose parentid names no usable folder' })
  orphans!: string[];

  @ApiProperty({ type: BookmarkParentLinkDto, isArray: true, description: 'parentid names no record, or is absent' })
  missingParents!: BookmarkParentLinkDto[];

  @ApiProperty({ type: BookmarkParentLinkDto, isArray: true, description: 'parentid names a deleted item' })
  deletedParents!: BookmarkParentLinkDto[];

  @ApiProperty({ type: BookmarkParentLinkDto, isArray: true, description: 'parentid names a bookmark, query or separator' })
  nonFolderParents!: BookmarkParentLinkDto[];

  @ApiProperty({ type: String, isArray: true, description: "Items whose parentid and the folders listing them disagree" })
  parentChildDisagreements!: string[];

  @ApiProperty({ type: String, isArray: true, description: 'Content roots not placed under the Places root' })
  misparentedRoots!: string[];

  @ApiProperty({ type: BookmarkMultipleParentsDto, isArray: true, description: 'Items listed by more than one folder' })
  multipleParents!: BookmarkMultipleParentsDto[];

  @ApiProperty({ type: BookmarkChildLinkDto, isArray: true, description: 'children entries naming no record' })
  missingChildren!: BookmarkChildLinkDto[];

  @ApiProperty({ type: BookmarkChildLinkDto, isArray: true, description: 'children entries naming a deleted item' })
  deletedChildren!: BookmarkChildLinkDto[];

  @ApiProperty({ type: BookmarkChildLinkDto, isArray: true, description: "Extra occurrences of an id in one folder's children" })
  duplicateChildren!: BookmarkChildLinkDto[];

  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'Items whose ancestry loops, one list of ids per loop' })
  cycles!: string[][];
}

export class UnreadableRecordDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'Why it is not in the tree (does not decrypt, or is no bookmark item)' })
  error!: string;
}

export class BookmarkTreeDto {
  @ApiProperty({ type: BookmarkTreeNodeDto, description: 'The Places root: menu, toolbar, unfiled and mobile, then anything else placed there' })
  tree!: BookmarkTreeNodeDto;

  @ApiProperty({ type: BookmarkTreeProblemsDto, description: 'Structural problems, in the categories Firefox’s validators count' })
  problems!: BookmarkTreeProblemsDto;

  @ApiProperty({ type: UnreadableRecordDto, isArray: true, description: 'Records left out of the tree' })
  unreadable!: UnreadableRecordDto[];
}
