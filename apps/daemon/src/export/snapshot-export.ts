import { SnapshotNotCompleteError, SnapshotNotFoundError, type SnapshotListing, type SnapshotRecord } from '../history/index.js';
import { readBookmarkExportTree } from './bookmark-export-tree.js';
import { netscapeBookmarkHtml } from './bookmarks-html.js';
import { firefoxBookmarksBackup } from './bookmarks-json.js';
import { describeExport, type ExportDescriptor } from './formats.js';
import { exportedPage, historyCsvHeader, historyCsvRows } from './history.js';
import { encodeMozLz4 } from './mozlz4.js';
import { bitwardenHeader, bitwardenRow, firefoxLoginRow, firefoxLoginsHeader } from './passwords.js';
import { ExportTally, liveRecords, type ExportSummary } from './tally.js';

/** What an export reads: the snapshot list and one collection's decrypted records (SnapshotReader has both). */
export interface ExportSource {
  listSnapshots(accountId: string): Promise<SnapshotListing[]>;
  collectionRecords(accountId: string, seq: number, collection: string, options: { revealSecrets?: boolean }): AsyncIterable<SnapshotRecord>;
}

/** The snapshot exists and is complete, but never had this collection on the server. */
export class SnapshotCollectionNotFoundError extends Error {
  override readonly name = 'SnapshotCollectionNotFoundError';
  constructor(seq: number, collection: string, present: string[]) {
    super(`snapshot ${seq} holds no ${collection} (it has ${present.length === 0 ? 'no collections' : present.join(', ')})`);
  }
}

export interface RunningExport {
  descriptor: ExportDescriptor;
  /** The file's bytes, in order; read them once. */
  chunks: AsyncIterable<Uint8Array>;
  /** What was written and left out; complete once every chunk has been read. */
  summary(): ExportSummary;
}

/** Bytes handed on at a time: large enough for few writes, small enough for bounded memory. */
const CHUNK_BYTES = 64 * 1024;

type Writer = (records: AsyncIterable<SnapshotRecord>, tally: ExportTally) => AsyncIterable<string | Uint8Array>;

async function* bookmarksHtml(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<string> {
  yield* netscapeBookmarkHtml(await readBookmarkExportTree(records, tally));
}

async function* bookmarksJson(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<string> {
  yield JSON.stringify(firefoxBookmarksBackup(await readBookmarkExportTree(records, tally)));
}

async function* bookmarksJsonLz4(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<Uint8Array> {
  const json = JSON.stringify(firefoxBookmarksBackup(await readBookmarkExportTree(records, tally)));
  yield encodeMozLz4(Buffer.from(json, 'utf8'));
}

function passwordsCsv(header: () => string, row: typeof firefoxLoginRow): Writer {
  return async function* (records, tally) {
    yield header();
    for await (const { record } of liveRecords(records, 'passwords', tally)) {
      yield row(record);
      tally.wrote();
    }
  };
}

async function* historyCsv(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<string> {
  yield historyCsvHeader();
  for await (const { record } of liveRecords(records, 'history', tally)) {
    yield historyCsvRows(exportedPage(record));
    tally.wrote();
  }
}

/** A JSON array written one element at a time. */
async function* jsonArray<T>(items: AsyncIterable<T>, onItem: () => void): AsyncGenerator<string> {
  let first = true;
  for await (const item of items) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
    onItem();
  }
  yield first ? '[]\n' : '\n]\n';
}

async function* historyJson(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<string> {
  const pages = (async function* () {
    for await (const { record } of liveRecords(records, 'history', tally)) yield exportedPage(record);
  })();
  yield* jsonArray(pages, () => tally.wrote());
}

/** Every record as stored, tombstones included, with its server time; a record that does not decrypt is listed with the reason. */
async function* recordsJson(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): AsyncGenerator<string> {
  const listed = (async function* () {
    for await (const record of records) {
      if (record.cleartext === null) tally.skip(record.id, record.error ?? 'does not decrypt');
      yield record;
    }
  })();
  yield* jsonArray(listed, () => tally.wrote());
}

function writerFor(descriptor: ExportDescriptor): Writer {
  const { collection, format } = descriptor;
  if (collection === 'bookmarks' && format === 'html') return bookmarksHtml;
  if (collection === 'bookmarks' && format === 'json') return bookmarksJson;
  if (collection === 'bookmarks' && format === 'jsonlz4') return bookmarksJsonLz4;
  if (collection === 'passwords' && format === 'csv') return passwordsCsv(firefoxLoginsHeader, firefoxLoginRow);
  if (collection === 'passwords' && format === 'bitwarden-csv') return passwordsCsv(bitwardenHeader, bitwardenRow);
  if (collection === 'history' && format === 'csv') return historyCsv;
  if (collection === 'history' && format === 'json') return historyJson;
  return recordsJson;
}

async function* inChunks(parts: AsyncIterable<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    pending.push(bytes);
    length += bytes.length;
    if (length >= CHUNK_BYTES) {
      yield Buffer.concat(pending, length);
      pending = [];
      length = 0;
    }
  }
  if (length > 0) yield Buffer.concat(pending, length);
}

/** Starts the iterator so that its first failure (no such snapshot, keys missing) comes before any byte is sent. */
async function primed<T>(source: AsyncGenerator<T>): Promise<AsyncIterable<T>> {
  const first = await source.next();
  return (async function* () {
    if (first.done === true) return;
    yield first.value;
    yield* source;
  })();
}

/**
 * Exports one collection of one complete snapshot as a file, decrypted: passwords and card
 * numbers in clear, since that is the point of an export. Records are read in batches and
 * written as they come, except bookmarks, whose tree needs all of them at once.
 */
export class SnapshotExporter {
  constructor(private readonly source: ExportSource) {}

  async start(accountId: string, seq: number, collection: string, format: string): Promise<RunningExport> {
    const descriptor = describeExport(collection, format);
    const snapshot = (await this.source.listSnapshots(accountId)).find((listing) => listing.seq === seq);
    if (snapshot === undefined) throw new SnapshotNotFoundError(seq);
    if (snapshot.status !== 'complete') throw new SnapshotNotCompleteError(seq, snapshot.status);
    if (!Object.hasOwn(snapshot.collections, collection)) throw new SnapshotCollectionNotFoundError(seq, collection, Object.keys(snapshot.collections).sort());

    const tally = new ExportTally();
    const records = this.source.collectionRecords(accountId, seq, collection, { revealSecrets: true });
    const chunks = await primed(inChunks(writerFor(descriptor)(records, tally)));
    return { descriptor, chunks, summary: () => tally.summary() };
  }
}
