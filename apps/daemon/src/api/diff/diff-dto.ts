import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_FIND_LIMIT, FIND_COLLECTIONS, MAX_FIND_LIMIT } from '../../diff/index.js';

const COLLECTION = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SEQ = 2_147_483_647;

export class DiffQueryDto {
  @ApiProperty({ description: 'The snapshot to diff from', minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SEQ)
  from!: number;

  @ApiProperty({ description: 'The snapshot to diff to (older or newer than from), or `live`: the server as it is now, read and not stored', example: 'live', type: String })
  @IsString()
  @Matches(/^(live|[1-9]\d{0,9})$/, { message: 'to must be a snapshot number or live' })
  to!: string;

  @ApiPropertyOptional({ description: 'Only this collection', example: 'bookmarks' })
  @IsOptional()
  @Matches(COLLECTION, { message: 'collection must be a collection name such as bookmarks or passwords' })
  collection?: string;
}

export class FindQueryDto {
  @ApiProperty({ description: 'Text to find (any case) in titles and URLs; other collections: names, hosts, form values. Never in passwords or card numbers.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  text!: string;

  @ApiPropertyOptional({ enum: FIND_COLLECTIONS, description: 'Only this collection (default: all of them)' })
  @IsOptional()
  @IsIn(FIND_COLLECTIONS)
  collection?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_FIND_LIMIT, default: DEFAULT_FIND_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FIND_LIMIT)
  limit?: number;
}

export class CollectionChangesDto {
  @ApiProperty({ type: String, isArray: true, description: 'Absent on the from side, present on the to side' })
  added!: string[];

  @ApiProperty({ type: String, isArray: true, description: 'Present on the from side, gone from the to side (deleted outright or expired)' })
  removed!: string[];

  @ApiProperty({ type: String, isArray: true, description: 'On both sides with different content' })
  changed!: string[];

  @ApiProperty({ type: String, isArray: true, description: 'A tombstone on the to side where the from side had the record or nothing' })
  tombstoned!: string[];
}

export class FieldChangeDto {
  @ApiProperty({ example: 'entry.tel', description: 'Dotted path of the field' })
  field!: string;

  @ApiPropertyOptional({ description: 'Value on the from side (absent: the field was absent)' })
  before?: unknown;

  @ApiPropertyOptional({ description: 'Value on the to side (absent: the field was absent)' })
  after?: unknown;

  @ApiPropertyOptional({ enum: [true], description: 'A password or card number: values left out (card numbers show their last four digits)' })
  secret?: true;
}

export class UnreadableRecordDiffDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['from', 'to'] })
  side!: 'from' | 'to';

  @ApiProperty()
  error!: string;
}

export class BookmarkPlaceDto {
  @ApiProperty({ type: String, nullable: true, description: "The folder's id (parentid)" })
  parentId!: string | null;

  @ApiProperty({ type: String, isArray: true, nullable: true, example: ['Bookmarks Menu', 'Work'], description: 'Folder titles from the root down; null when unknown' })
  path!: string[] | null;

  @ApiPropertyOptional({ description: "Position among the folder's children" })
  index?: number;
}

export class BookmarkEntryDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'bookmark', description: 'bookmark, folder, query, separator, livemark' })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiPropertyOptional()
  url?: string;

  @ApiProperty({ type: BookmarkPlaceDto })
  place!: BookmarkPlaceDto;

  @ApiPropertyOptional({ type: () => BookmarkEntryDto, isArray: true, description: "A folder's added or deleted contents" })
  children?: BookmarkEntryDto[];
}

export class BookmarksDiffDto {
  @ApiProperty({ enum: ['bookmarks'] })
  kind!: 'bookmarks';

  @ApiProperty({ type: BookmarkEntryDto, isArray: true })
  added!: BookmarkEntryDto[];

  @ApiProperty({ type: BookmarkEntryDto, isArray: true, description: 'Tombstoned or gone; a folder holds its deleted contents' })
  deleted!: BookmarkEntryDto[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, before: { type: 'string' }, after: { type: 'string' }, place: { $ref: getSchemaPath(BookmarkPlaceDto) } } } })
  renamed!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, before: { type: 'string', nullable: true }, after: { type: 'string', nullable: true }, place: { $ref: getSchemaPath(BookmarkPlaceDto) } } } })
  urlChanged!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' }, from: { $ref: getSchemaPath(BookmarkPlaceDto) }, to: { $ref: getSchemaPath(BookmarkPlaceDto) } } } })
  moved!: unknown[];

  @ApiProperty({
    type: 'array',
    description: 'Folders whose remaining children are in another order (ids, each side)',
    items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, place: { $ref: getSchemaPath(BookmarkPlaceDto) }, before: { type: 'array', items: { type: 'string' } }, after: { type: 'array', items: { type: 'string' } } } },
  })
  reordered!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' }, place: { $ref: getSchemaPath(BookmarkPlaceDto) }, changes: { type: 'array', items: { $ref: getSchemaPath(FieldChangeDto) } } } } })
  otherChanges!: unknown[];

  @ApiProperty({ type: UnreadableRecordDiffDto, isArray: true })
  unreadable!: UnreadableRecordDiffDto[];
}

const LOGIN = { id: { type: 'string' }, hostname: { type: 'string', nullable: true }, username: { type: 'string', nullable: true } } as const;

export class PasswordsDiffDto {
  @ApiProperty({ enum: ['passwords'] })
  kind!: 'passwords';

  @ApiProperty({ type: 'array', items: { type: 'object', properties: LOGIN } })
  added!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { ...LOGIN, tombstone: { type: 'boolean' } } } })
  removed!: unknown[];

  @ApiProperty({
    type: 'array',
    description: 'Per login the fields that changed; a password shows as {field: "password", secret: true}, never its value',
    items: { type: 'object', properties: { ...LOGIN, fields: { type: 'array', items: { type: 'string' } }, changes: { type: 'array', items: { $ref: getSchemaPath(FieldChangeDto) } } } },
  })
  changed!: unknown[];

  @ApiProperty({ type: UnreadableRecordDiffDto, isArray: true })
  unreadable!: UnreadableRecordDiffDto[];
}

const PAGE = { id: { type: 'string' }, url: { type: 'string', nullable: true }, title: { type: 'string', nullable: true }, visits: { type: 'integer' } } as const;
const VISITS = { type: 'array', items: { type: 'object', properties: { date: { type: 'integer', description: 'microseconds' }, type: { type: 'integer' } } } } as const;

export class HistoryDiffDto {
  @ApiProperty({ enum: ['history'] })
  kind!: 'history';

  @ApiProperty({ type: 'array', items: { type: 'object', properties: PAGE } })
  added!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { ...PAGE, tombstone: { type: 'boolean' } } } })
  removed!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { ...PAGE, titleBefore: { type: 'string', nullable: true }, urlBefore: { type: 'string', nullable: true }, visitsAdded: VISITS, visitsRemoved: VISITS } } })
  changed!: unknown[];

  @ApiProperty({ type: UnreadableRecordDiffDto, isArray: true })
  unreadable!: UnreadableRecordDiffDto[];
}

const RECORD = { id: { type: 'string' }, label: { type: 'string', nullable: true } } as const;

export class FieldsDiffDto {
  @ApiProperty({ enum: ['fields'], description: 'forms, prefs, addons, addresses, creditcards, tabs, clients, meta, crypto and others' })
  kind!: 'fields';

  @ApiProperty({ type: 'array', items: { type: 'object', properties: RECORD } })
  added!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { ...RECORD, tombstone: { type: 'boolean' } } } })
  removed!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object', properties: { ...RECORD, changes: { type: 'array', items: { $ref: getSchemaPath(FieldChangeDto) } } } } })
  changed!: unknown[];

  @ApiProperty({ type: UnreadableRecordDiffDto, isArray: true })
  unreadable!: UnreadableRecordDiffDto[];
}

export class DiffDto {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(CollectionChangesDto) }, description: 'Every collection of either side: record ids per kind of change' })
  collections!: Record<string, CollectionChangesDto>;

  @ApiProperty({
    type: 'object',
    description: 'Per collection with changes: bookmarks as a tree diff, passwords per login (values never shown), history per page, the rest field by field',
    additionalProperties: { oneOf: [BookmarksDiffDto, PasswordsDiffDto, HistoryDiffDto, FieldsDiffDto].map((dto) => ({ $ref: getSchemaPath(dto) })) },
  })
  semantic!: Record<string, unknown>;
}

class SnapshotPointDto {
  @ApiProperty()
  seq!: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the snapshot was taken (finished)' })
  at!: string;
}

class GoneDto extends SnapshotPointDto {
  @ApiProperty({ enum: ['deleted', 'removed', 'changed'], description: 'deleted: a tombstone; removed: gone from the server; changed: still there, no longer matching (renamed)' })
  how!: 'deleted' | 'removed' | 'changed';
}

export class FoundRecordDto {
  @ApiProperty({ example: 'bookmarks' })
  collection!: string;

  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true })
  url!: string | null;

  @ApiPropertyOptional({ type: String, isArray: true, nullable: true, description: 'Bookmarks: folder titles from the root down when last seen' })
  path?: string[] | null;

  @ApiProperty({ type: SnapshotPointDto })
  firstSeen!: SnapshotPointDto;

  @ApiProperty({ type: SnapshotPointDto, description: 'The last complete snapshot that had it' })
  lastSeen!: SnapshotPointDto;

  @ApiProperty({ type: GoneDto, nullable: true, description: 'The first complete snapshot after lastSeen without it; null: still there' })
  gone!: GoneDto | null;
}

export class FindDto {
  @ApiProperty()
  text!: string;

  @ApiProperty({ description: 'Complete snapshots searched' })
  snapshotsSearched!: number;

  @ApiProperty({ description: 'Matching records; matches holds the first `limit`, most recently vanished first' })
  total!: number;

  @ApiProperty({ type: FoundRecordDto, isArray: true })
  matches!: FoundRecordDto[];
}
