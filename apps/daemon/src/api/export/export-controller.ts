import { Controller, Get, Inject, Logger, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { AccountService } from '../../accounts/index.js';
import { defaultExportFormat, EXPORT_FORMATS, exportFileName, SnapshotExporter, type ExportFormat } from '../../export/index.js';
import { CurrentPrincipal } from '../auth/auth-guard.js';
import type { Principal } from '../auth/auth-service.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import { CollectionPipe, SEQ_PARAM, SeqPipe } from '../snapshots/snapshots-controller.js';

export class ExportQueryDto {
  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    description:
      'bookmarks: html (default, Netscape bookmark file), json (Firefox bookmarks backup), jsonlz4 (the same, as Firefox’s Library → Restore reads it), records; passwords: csv (default, Firefox about:logins), bitwarden-csv, json; history: csv (default, one row per visit), json, records; any other collection: json (decrypted records)',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

@ApiTags('snapshots')
@Private()
@Controller('api/accounts')
export class ExportController {
  private readonly logger = new Logger('Export');

  constructor(
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(SnapshotExporter) private readonly exporter: SnapshotExporter,
  ) {}

  @Get(':id/snapshots/:seq/export/:collection')
  @ApiOperation({
    summary: 'Download one collection of a complete snapshot as a file browsers or password managers import',
    description:
      'Decrypted, passwords included, as an attachment streamed as it is written. Who exported what is logged, never the contents. A record that does not decrypt is left out (the records formats list it with the reason).',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiParam(SEQ_PARAM)
  @ApiParam({ name: 'collection', example: 'bookmarks' })
  @ApiProduces('text/html', 'application/json', 'application/octet-stream', 'text/csv')
  @ApiOkResponse({ description: 'The file, with Content-Disposition: attachment and its file name', schema: { type: 'string', format: 'binary' } })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'a format that does not fit the collection' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account or snapshot, or the snapshot lacks the collection' })
  @ApiConflictResponse({ type: ErrorDto, description: 'the snapshot is running or failed' })
  async download(
    @Param('id') id: string,
    @Param('seq', new SeqPipe()) seq: number,
    @Param('collection', new CollectionPipe()) collection: string,
    @Query() query: ExportQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const account = await this.accounts.get(id);
    const running = await this.exporter.start(account.id, seq, collection, query.format ?? defaultExportFormat(collection));
    const { format } = running.descriptor;
    const what = `${collection} of account ${account.name} (${account.id}) snapshot ${seq} as ${format}`;
    this.logger.log(`${principal.username} (${principal.via}) exports ${what}`);
    const stream = Readable.from(running.chunks);
    stream.once('end', () => {
      const summary = running.summary();
      this.logger.log(`exported ${what}: ${summary.written} item(s), ${summary.skipped} left out`);
    });
    // Decrypted data: never cached, never rendered or sniffed by a browser that opens the link.
    void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; sandbox");
    return new StreamableFile(stream, { type: running.descriptor.contentType, disposition: `attachment; filename="${exportFileName(account.name, seq, running.descriptor)}"` });
  }
}
