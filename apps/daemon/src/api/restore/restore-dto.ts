import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { RESTORABLE_COLLECTIONS, type RestoreRequest, type RestoreTarget } from '../../restore/index.js';

export const RESTORE_KINDS = ['bookmark', 'folder', 'deleted-bookmarks', 'password', 'collection', 'all'] as const;

/** A restore request, flat: `kind` says which of `id`, `since`, `collection` it needs. */
export class RestoreRequestDto {
  @ApiProperty({ description: 'The snapshot to restore from' })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  from!: number;

  @ApiProperty({ enum: RESTORE_KINDS, description: 'bookmark / folder (id), deleted-bookmarks (since), password (id), collection (collection), all' })
  @IsIn(RESTORE_KINDS)
  kind!: (typeof RESTORE_KINDS)[number];

  @ApiPropertyOptional({ description: 'bookmark, folder, password: the record id' })
  @ValidateIf((body: RestoreRequestDto) => ['bookmark', 'folder', 'password'].includes(body.kind))
  @IsString()
  @Length(1, 64)
  id?: string;

  @ApiPropertyOptional({ description: 'deleted-bookmarks: the snapshot whose bookmarks are brought back if gone in `from` (the same one: gone from the server now)' })
  @ValidateIf((body: RestoreRequestDto) => body.kind === 'deleted-bookmarks')
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  since?: number;

  @ApiPropertyOptional({ enum: RESTORABLE_COLLECTIONS, description: 'collection: which one' })
  @ValidateIf((body: RestoreRequestDto) => body.kind === 'collection')
  @IsIn(RESTORABLE_COLLECTIONS)
  collection?: string;

  @ApiPropertyOptional({ default: false, description: 'Bookmarks: into a new folder "Restored <date>" under Other Bookmarks' })
  @IsOptional()
  @IsBoolean()
  intoNewFolder?: boolean;
}

export function restoreRequest(account: string, body: RestoreRequestDto): RestoreRequest {
  const target: RestoreTarget =
    body.kind === 'bookmark' || body.kind === 'folder' || body.kind === 'password'
      ? { kind: body.kind, id: body.id ?? '' }
      : body.kind === 'deleted-bookmarks'
        ? { kind: body.kind, since: body.since ?? body.from }
        : body.kind === 'collection'
          ? { kind: body.kind, collection: body.collection ?? '' }
          : { kind: 'all' };
  return { account, from: body.from, target, ...(body.intoNewFolder === true && { intoNewFolder: true }) };
}

export class PlannedRecordDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['write', 'delete'], description: 'delete: a tombstone is written' })
  action!: 'write' | 'delete';

  @ApiProperty({ enum: ['restored', 'deleted', 'ancestor-recreated', 'parent-children-updated', 'old-parent-children-updated', 'new-folder'] })
  reason!: string;

  @ApiProperty({ description: 'Title and URL, site and username, name: never a password' })
  label!: string;
}

export class PlannedCollectionDto {
  @ApiProperty()
  collection!: string;

  @ApiProperty({ description: 'The last-modified time planned against, sent as X-If-Unmodified-Since' })
  ifUnmodifiedSince!: number;

  @ApiProperty({ type: PlannedRecordDto, isArray: true })
  records!: PlannedRecordDto[];
}

export class RestorePlanDto {
  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty()
  accountName!: string;

  @ApiProperty()
  from!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: '{kind, id? | since? | collection?}' })
  target!: Record<string, unknown>;

  @ApiProperty()
  intoNewFolder!: boolean;

  @ApiProperty({ type: PlannedCollectionDto, isArray: true })
  collections!: PlannedCollectionDto[];

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'Whole-tree bookmark restores: `{command: "wipeEngine", args: ["bookmarks"], clients: [{id, name}]}`' })
  clientCommand!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'Bookmark validator problem counts: `{before, predicted}`' })
  bookmarkValidation!: Record<string, unknown> | null;

  @ApiProperty({ description: "The account's keys changed since the snapshot (records are re-encrypted with the current ones)" })
  keysChanged!: boolean;

  @ApiProperty({ type: String, isArray: true })
  notes!: string[];

  @ApiProperty()
  totalChanges!: number;
}
