import { Controller, Get, Inject, Param, Query, type Provider } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AccountService } from '../../accounts/index.js';
import { KEY_CUSTODY, PRISMA } from '../../app/tokens.js';
import { DiffEngine } from '../../diff/index.js';
import type { PrismaClient } from '../../store/index.js';
import type { KeyCustody } from '../../vault/index.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import {
  BookmarksDiffDto,
  CollectionChangesDto,
  DiffDto,
  DiffQueryDto,
  FieldChangeDto,
  FieldsDiffDto,
  FindDto,
  FindQueryDto,
  HistoryDiffDto,
  PasswordsDiffDto,
} from './diff-dto.js';


/** One engine for the API; live diffs reach the server through the accounts service's connections. */
export const DIFF_PROVIDERS: Provider[] = [
  {
    provide: DiffEngine,
    useFactory: (prisma: PrismaClient, keyCustody: KeyCustody, accounts: AccountService) =>
      new DiffEngine({ prisma, keyCustody, openConnection: (accountId) => accounts.openConnection(accountId) }),
    inject: [PRISMA, KEY_CUSTODY, AccountService],
  },
];

@ApiTags('history')
@Private()
@ApiExtraModels(CollectionChangesDto, FieldChangeDto, BookmarksDiffDto, PasswordsDiffDto, HistoryDiffDto, FieldsDiffDto)
@ApiNotFoundResponse({ type: ErrorDto, description: 'no such account or snapshot' })
@ApiBadRequestResponse({ type: ErrorDto, description: 'bad query' })
@Controller('api/accounts')
export class DiffController {
  constructor(
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(DiffEngine) private readonly engine: DiffEngine,
  ) {}

  @Get(':id/diff')
  @ApiOperation({
    summary: 'What changed between two complete snapshots (either order), or from a snapshot to the live server now',
    description:
      'collections: record ids per collection (added, removed, changed, tombstoned), computed from the stored record versions without decrypting unchanged records. semantic: bookmarks as a tree diff, passwords per login (which fields changed, never a password value), history per page, the rest field by field. to=live reads the server and stores nothing.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: DiffDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'a snapshot is running or failed' })
  async diff(@Param('id') id: string, @Query() query: DiffQueryDto): Promise<DiffDto> {
    const account = await this.accounts.get(id);
    const diff = await this.engine.diffSnapshots(account.id, query.from, query.to === 'live' ? 'live' : Number(query.to), {
      ...(query.collection !== undefined && { collection: query.collection }),
      revealSecrets: false,
    });
    return { collections: diff.collections, semantic: diff.semantic as Record<string, unknown> };
  }

  @Get(':id/find')
  @ApiOperation({
    summary: 'When did it vanish? Find a title or URL across every complete snapshot',
    description: 'Per matching record: the first and last snapshot that had it, the first that did not (and how it went), and for bookmarks the folder path at the time. Each stored version is decrypted once.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: FindDto })
  async find(@Param('id') id: string, @Query() query: FindQueryDto): Promise<FindDto> {
    const account = await this.accounts.get(id);
    const { versionsDecrypted: _cost, ...found } = await this.engine.findAcrossSnapshots(account.id, query.text, {
      ...(query.collection !== undefined && { collections: [query.collection] }),
      ...(query.limit !== undefined && { limit: query.limit }),
    });
    return found;
  }
}
