import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Logger, NotFoundException, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AccountService } from '../../accounts/index.js';
import { SnapshotNotFoundError, SnapshotReader } from '../../history/index.js';
import { ForgetService, parseRetentionPolicy, StoreChecker } from '../../retention/index.js';
import { PRISMA } from '../../app/tokens.js';
import { SnapshotRepository, type PrismaClient } from '../../store/index.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import {
  AcknowledgeAlertsDto,
  AcknowledgedAlertsDto,
  AlertsQueryDto,
  BookmarkTreeDto,
  CollectionContentsDto,
  CollectionContentsQueryDto,
  CollectionSummaryDto,
  ForgetDto,
  ForgetReportDto,
  forgetReportDto,
  HealthAlertDto,
  healthAlertDto,
  ListSnapshotsQueryDto,
  RecordQueryDto,
  RemovalSummaryDto,
  removalSummaryDto,
  RetentionPreviewDto,
  retentionPreviewDto,
  RetentionPreviewRequestDto,
  SnapshotDetailDto,
  SnapshotDto,
  snapshotDto,
  SnapshotRecordDto,
  StoreCheckDto,
  storeCheckDto,
} from './snapshots-dto.js';
import { bookmarkTreeView } from './bookmark-tree-view.js';

export const SEQ_PARAM = { name: 'seq', description: "The snapshot's sequence number", type: Number } as const;
const COLLECTION = /^[A-Za-z0-9_-]{1,64}$/;

/** Snapshot numbers are positive and fit the database column. */
const MAX_SEQ = 2_147_483_647;

/**
 * A snapshot sequence number. The global ValidationPipe has already turned the path segment into
 * a number (NaN for text), so this checks the number.
 */
export class SeqPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    const seq = Number(value);
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) throw new BadRequestException(`seq must be a snapshot number from 1 to ${MAX_SEQ}`);
    return seq;
  }
}

export class CollectionPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!COLLECTION.test(value)) throw new BadRequestException('collection must be a collection name such as bookmarks or passwords');
    return value;
  }
}

/** Sync record ids are at most 64 printable characters. */
class RecordIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[\x21-\x7e]{1,64}$/.test(value)) throw new BadRequestException('recordId must be a record id (1 to 64 printable characters)');
    return value;
  }
}

@ApiTags('snapshots')
@Private()
@ApiExtraModels(CollectionSummaryDto)
@ApiNotFoundResponse({ type: ErrorDto, description: 'no such account (or snapshot)' })
@Controller('api/accounts')
export class SnapshotsController {
  private readonly logger = new Logger('Snapshots');

  constructor(
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(SnapshotRepository) private readonly snapshots: SnapshotRepository,
    @Inject(SnapshotReader) private readonly reader: SnapshotReader,
    @Inject(ForgetService) private readonly forgetService: ForgetService,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Get(':id/snapshots')
  @ApiOperation({ summary: "An account's snapshots, newest first" })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: SnapshotDto, isArray: true })
  async list(@Param('id') id: string, @Query() query: ListSnapshotsQueryDto): Promise<SnapshotDto[]> {
    const accountId = await this.accountId(id);
    const listed = await this.snapshots.list(accountId, { offset: query.offset ?? 0, limit: query.limit ?? 100, ...(query.status !== undefined && { status: query.status }) });
    return listed.map(snapshotDto);
  }

  @Get(':id/snapshots/:seq')
  @ApiOperation({ summary: 'One snapshot, with the health alerts it raised' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiOkResponse({ type: SnapshotDetailDto })
  async get(@Param('id') id: string, @Param('seq', new SeqPipe()) seq: number): Promise<SnapshotDetailDto> {
    const accountId = await this.accountId(id);
    const snapshot = await this.snapshots.get(accountId, seq);
    if (snapshot === null) throw new SnapshotNotFoundError(seq);
    return { ...snapshotDto(snapshot), alerts: (await this.snapshots.alerts(accountId, seq)).map(healthAlertDto) };
  }

  @Get(':id/snapshots/:seq/bookmarks/tree')
  @ApiOperation({
    summary: "A complete snapshot's bookmarks as a nested tree under the Places root (menu, toolbar, unfiled, mobile)",
    description: "Built as Firefox's validators see it: folder children win over an item's parentid. problems lists orphans, missing children and the other structural problems; unreadable lists records left out.",
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiOkResponse({ type: BookmarkTreeDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is running or failed' })
  async bookmarkTree(@Param('id') id: string, @Param('seq', new SeqPipe()) seq: number): Promise<BookmarkTreeDto> {
    const accountId = await this.accountId(id);
    return bookmarkTreeView(this.reader.collectionRecords(accountId, seq, 'bookmarks'));
  }

  @Get(':id/snapshots/:seq/collections/:collection')
  @ApiOperation({
    summary: 'The decrypted records of one collection as a complete snapshot saw them, a page at a time',
    description: 'Passwords and credit-card numbers are masked unless reveal=true. search finds text in the decrypted records (case-insensitive). crypto/keys never shows key material.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiParam({ name: 'collection', example: 'passwords' })
  @ApiOkResponse({ type: CollectionContentsDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is running or failed' })
  async contents(
    @Param('id') id: string,
    @Param('seq', new SeqPipe()) seq: number,
    @Param('collection', new CollectionPipe()) collection: string,
    @Query() query: CollectionContentsQueryDto,
  ): Promise<CollectionContentsDto> {
    const accountId = await this.accountId(id);
    const reveal = query.reveal ?? false;
    const contents = await this.reader.collectionContents(accountId, seq, collection, {
      ...(query.offset !== undefined && { offset: query.offset }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.search !== undefined && { search: query.search }),
      revealSecrets: reveal,
    });
    // Who looked at cleartext passwords, and when, belongs in the log.
    if (reveal) this.logger.log(`revealed secret fields of account ${accountId} snapshot ${seq} ${collection} (${contents.records.length} records)`);
    return contents;
  }

  @Get(':id/snapshots/:seq/collections/:collection/records/:recordId')
  @ApiOperation({
    summary: 'One decrypted record of a complete snapshot',
    description: 'Its password or card number is masked unless reveal=true, which is logged: the dashboard reveals one password at a time this way.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiParam({ name: 'collection', example: 'passwords' })
  @ApiParam({ name: 'recordId', description: 'The record id' })
  @ApiOkResponse({ type: SnapshotRecordDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is running or failed' })
  async record(
    @Param('id') id: string,
    @Param('seq', new SeqPipe()) seq: number,
    @Param('collection', new CollectionPipe()) collection: string,
    @Param('recordId', new RecordIdPipe()) recordId: string,
    @Query() query: RecordQueryDto,
  ): Promise<SnapshotRecordDto> {
    const accountId = await this.accountId(id);
    const reveal = query.reveal ?? false;
    const record = await this.reader.snapshotRecord(accountId, seq, collection, recordId, { revealSecrets: reveal });
    if (record === null) throw new NotFoundException(`snapshot ${seq} holds no ${collection} record ${recordId}`);
    if (reveal) this.logger.log(`revealed secret fields of account ${accountId} snapshot ${seq} ${collection} record ${recordId}`);
    return record;
  }

  @Delete(':id/snapshots/:seq')
  @ApiOperation({ summary: 'Remove one snapshot by hand (pre-restore ones too), then the record versions and blobs nothing needs any more' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiOkResponse({ type: RemovalSummaryDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is still running, or another job works on the account' })
  async remove(@Param('id') id: string, @Param('seq', new SeqPipe()) seq: number): Promise<RemovalSummaryDto> {
    return removalSummaryDto(await this.forgetService.removeSnapshot(await this.accountId(id), seq));
  }

  @Post(':id/forget')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Apply a retention policy now (like restic forget), then collect garbage',
    description: "Without a policy the account's stored one applies; an empty policy keeps every complete snapshot. Failed snapshots are always removed, the newest complete and pre-restore ones always kept.",
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: ForgetReportDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad policy' })
  @ApiConflictResponse({ type: ErrorDto, description: 'another job works on the account' })
  async forget(@Param('id') id: string, @Body() body: ForgetDto): Promise<ForgetReportDto> {
    const accountId = await this.accountId(id);
    const options = { dryRun: body.dryRun ?? false };
    const report =
      body.policy === undefined
        ? await this.forgetService.forgetByStoredPolicy(accountId, options)
        : await this.forgetService.forget(accountId, parseRetentionPolicy(body.policy), options);
    return forgetReportDto(report);
  }

  @Post(':id/retention/preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Which snapshots a retention policy would keep and which it would remove, without removing anything',
    description:
      "For editing a policy before saving it: plans from the snapshot list only, so it answers at once, even while a backup runs, and changes nothing (POST /forget with dryRun also counts the versions and bytes that would be freed, under the account's lock). Without a policy the stored one is planned.",
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: RetentionPreviewDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad policy, naming the rule' })
  async previewRetention(@Param('id') id: string, @Body() body: RetentionPreviewRequestDto): Promise<RetentionPreviewDto> {
    const account = await this.accounts.get(id);
    const policy = parseRetentionPolicy(body.policy ?? account.retention);
    return retentionPreviewDto(await this.forgetService.preview(account.id, policy));
  }

  @Get(':id/alerts')
  @ApiOperation({ summary: "An account's health alerts, newest first (shrunk collections, key rotations, new clients, ...)" })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: HealthAlertDto, isArray: true })
  async alerts(@Param('id') id: string, @Query() query: AlertsQueryDto): Promise<HealthAlertDto[]> {
    const accountId = await this.accountId(id);
    const state = query.state ?? 'all';
    const rows = await this.prisma.healthAlert.findMany({
      where: {
        accountId,
        ...(query.seq !== undefined && { snapshotSeq: query.seq }),
        ...(state !== 'all' && { acknowledgedAt: state === 'open' ? null : { not: null } }),
      },
      orderBy: { id: 'desc' },
      take: query.limit ?? 100,
    });
    return rows.map(healthAlertDto);
  }

  @Post(':id/alerts/acknowledge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge health alerts (all open ones, or those named): they stay in the history but no longer count as open' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: AcknowledgedAlertsDto })
  async acknowledgeAlerts(@Param('id') id: string, @Body() body: AcknowledgeAlertsDto): Promise<AcknowledgedAlertsDto> {
    const accountId = await this.accountId(id);
    const { count } = await this.prisma.healthAlert.updateMany({
      where: { accountId, acknowledgedAt: null, ...(body.ids !== undefined && { id: { in: body.ids.map(BigInt) } }) },
      data: { acknowledgedAt: new Date() },
    });
    return { acknowledged: count };
  }

  private async accountId(idOrName: string): Promise<string> {
    return (await this.accounts.get(idOrName)).id;
  }
}

@ApiTags('snapshots')
@Private()
@Controller('api/store')
export class StoreController {
  constructor(@Inject(StoreChecker) private readonly checker: StoreChecker) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the whole store (like syncvault check): blobs exist and hash to their keys, snapshot counts match their versions, keys are in custody',
    description: 'Read-only. healthy is false when any problem was found; each problem says what and where in one line.',
  })
  @ApiOkResponse({ type: StoreCheckDto })
  async check(): Promise<StoreCheckDto> {
    return storeCheckDto(await this.checker.checkStore());
  }
}
