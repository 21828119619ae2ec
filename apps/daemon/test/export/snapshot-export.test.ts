import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnapshotNotCompleteError, SnapshotNotFoundError, type SnapshotListing, type SnapshotRecord } from '../../src/history/index.js';
import { ExportInputError, SnapshotCollectionNotFoundError, SnapshotExporter, describeExport, exportFileName, exportFormatsFor, type ExportSource } from '../../src/export/index.js';

function listing(seq: number, status: SnapshotListing['status'], collections: string[]): SnapshotListing {
  return {
    seq,
    status,
    trigger: 'manual',
    tags: [],
    startedAt: new Date(0),
    finishedAt: null,
    collections: Object.fromEntries(collections.map((name) => [name, { count: 1, lastModified: 0 }])),
    versionsAdded: 0,
    error: null,
  };
}

/** History pages made as they are read, counting how many were asked for. */
class FakeSource implements ExportSource {
  produced = 0;
  revealed: boolean | undefined;

  constructor(private readonly records: (index: number) => SnapshotRecord | undefined) {}

  async listSnapshots(): Promise<SnapshotListing[]> {
    return [listing(1, 'complete', ['history', 'passwords', 'forms']), listing(2, 'running', ['history'])];
  }

  async *collectionRecords(_accountId: string, _seq: number, _collection: string, options: { revealSecrets?: boolean }): AsyncGenerator<SnapshotRecord> {
    this.revealed = options.revealSecrets;
    for (let index = 0; ; index++) {
      const record = this.records(index);
      if (record === undefined) return;
      this.produced++;
      yield record;
    }
  }
}

function page(index: number): SnapshotRecord {
  return {
    id: `page${String(index).padStart(8, '0')}`,
    modified: 1_700_000_000_000,
    sortindex: null,
    hmacValid: true,
    cleartext: { id: `page${String(index).padStart(8, '0')}`, histUri: `https://example.com/${index}`, title: `Page ${index}`, visits: [{ date: 1_700_000_000_000_000 + index, type: 1 }] },
  };
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

describe('export formats', () => {
  it('offers the formats that fit each collection, the usual one first', () => {
    assert.deepEqual(exportFormatsFor('bookmarks'), ['html', 'json', 'jsonlz4', 'records']);
    assert.deepEqual(exportFormatsFor('passwords'), ['csv', 'bitwarden-csv', 'json']);
    assert.deepEqual(exportFormatsFor('history'), ['csv', 'json', 'records']);
    assert.deepEqual(exportFormatsFor('forms'), ['json']);
  });

  it('refuses a format that does not fit in one line naming those that do', () => {
    assert.throws(() => describeExport('bookmarks', 'csv'), (error: Error) => error instanceof ExportInputError && error.message === 'bookmarks cannot be exported as csv; it exports as html, json, jsonlz4, records');
    assert.throws(() => describeExport('forms', 'xml'), /unknown export format "xml"; forms exports as json/);
  });

  it('names files after the account, snapshot and collection, safely', () => {
    assert.equal(exportFileName('Ann’s laptop/../x', 7, describeExport('passwords', 'bitwarden-csv')), 'Ann-s-laptop-..-x-snapshot-7-passwords-bitwarden.csv');
    assert.equal(exportFileName('desktop', 3, describeExport('bookmarks', 'jsonlz4')), 'desktop-snapshot-3-bookmarks.jsonlz4');
  });
});

describe('SnapshotExporter', () => {
  it('fails before the first byte for a missing or running snapshot, a collection it lacks, or a format that does not fit', async () => {
    const exporter = new SnapshotExporter(new FakeSource(() => undefined));
    await assert.rejects(exporter.start('a', 9, 'history', 'csv'), SnapshotNotFoundError);
    await assert.rejects(exporter.start('a', 2, 'history', 'csv'), SnapshotNotCompleteError);
    await assert.rejects(exporter.start('a', 1, 'bookmarks', 'html'), (error: Error) => error instanceof SnapshotCollectionNotFoundError && /holds no bookmarks \(it has forms, history, passwords\)/.test(error.message));
    await assert.rejects(exporter.start('a', 1, 'history', 'html'), ExportInputError);
  });

  it('streams a large collection: the first chunk comes after reading a small part of it', async () => {
    const total = 100_000;
    const source = new FakeSource((index) => (index < total ? page(index) : undefined));
    const running = await new SnapshotExporter(source).start('a', 1, 'history', 'csv');
    const iterator = running.chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.ok(first.done !== true && first.value.length > 0);
    assert.ok(source.produced < total / 10, `only ${source.produced} of ${total} records were read for the first chunk`);
    let rows = Buffer.from(first.value).toString('utf8').split('\r\n').length - 1;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rows += Buffer.from(next.value).toString('utf8').split('\r\n').length - 1;
    assert.equal(rows, total + 1, 'a header and one row per visit');
    assert.equal(running.summary().written, total);
    assert.equal(source.revealed, true, 'exports read secrets in clear');
  });

  it('lists every record in the records JSON, a record that does not decrypt with the reason, and tallies it', async () => {
    const records: SnapshotRecord[] = [
      { id: 'f1', modified: 1, sortindex: null, hmacValid: true, cleartext: { id: 'f1', name: 'email', value: 'ann@example.com' } },
      { id: 'f2', modified: 2, sortindex: 5, hmacValid: false, cleartext: null, error: 'HMAC mismatch' },
      { id: 'f3', modified: 3, sortindex: null, hmacValid: true, cleartext: { id: 'f3', deleted: true } },
    ];
    const running = await new SnapshotExporter(new FakeSource((index) => records[index])).start('a', 1, 'forms', 'json');
    assert.deepEqual(JSON.parse(await text(running.chunks)), records);
    assert.deepEqual(running.summary(), { written: 3, skipped: 1, skippedSamples: [{ id: 'f2', reason: 'HMAC mismatch' }], notes: [] });
  });

  it('skips deletions and unreadable logins in the CSV and writes an empty list as []', async () => {
    const logins: SnapshotRecord[] = [
      { id: 'l1', modified: 1, sortindex: 1, hmacValid: true, cleartext: { id: 'l1', hostname: 'https://a.example', formSubmitURL: '', username: 'ann', password: 'secret' } },
      { id: 'l2', modified: 1, sortindex: 1, hmacValid: true, cleartext: { id: 'l2', deleted: true } },
      { id: 'l3', modified: 1, sortindex: 1, hmacValid: true, cleartext: null, error: 'no keys' },
    ];
    const csv = await new SnapshotExporter(new FakeSource((index) => logins[index])).start('a', 1, 'passwords', 'csv');
    assert.equal((await text(csv.chunks)).split('\r\n').filter((line) => line !== '').length, 2);
    assert.deepEqual([csv.summary().written, csv.summary().skipped], [1, 1]);
    const empty = await new SnapshotExporter(new FakeSource(() => undefined)).start('a', 1, 'history', 'json');
    assert.equal(await text(empty.chunks), '[]\n');
  });
});
