/**
 * Storage 1.5 conformance, writes: PUT, batched POST uploads under the server's limits, quotas,
 * preconditions and deletes (sync-protocols.md §5.1, 5.4-5.7, 5.9).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  encryptRecord,
  HttpError,
  PreconditionFailedError,
  QuotaExceededError,
  RecordTooLargeError,
  WeaveError,
  type CollectionKeys,
  type OutgoingBso,
  type ServerNotice,
} from '@syncvault/daemon/sync';
import {
  collectionKeys,
  ConformanceSandbox,
  connectFxa,
  distinct,
  historyCleartexts,
  queryParameter,
  readAll,
  RecordingTransport,
  reconnectFxa,
  sortedIds,
  type RecordedExchange,
} from './support/storage.js';

const SMALL_SEED = { bookmarks: 6, history: 7, passwords: 3, forms: 4, prefs: true };

function encryptedHistory(keys: CollectionKeys, count: number, label: string): { records: OutgoingBso[]; cleartexts: ReturnType<typeof historyCleartexts> } {
  const cleartexts = historyCleartexts(count, label);
  const records = cleartexts.map((cleartext, index) => ({ id: cleartext.id, payload: encryptRecord('history', cleartext, keys), sortindex: index * 3 }));
  return { records, cleartexts };
}

/** The POSTs of an upload, grouped into the batches they formed (batch=true ... commit=true). */
function batchesOf(posts: RecordedExchange[]): RecordedExchange[][] {
  const batches: RecordedExchange[][] = [];
  let current: RecordedExchange[] = [];
  for (const post of posts) {
    current.push(post);
    if (queryParameter(post.path, 'commit') === 'true' || queryParameter(post.path, 'batch') === undefined) {
      batches.push(current);
      current = [];
    }
  }
  assert.deepEqual(current, [], 'every batch was committed');
  return batches;
}

function postedRecords(post: RecordedExchange): Array<{ id: string; payload: string }> {
  return JSON.parse(post.body ?? '[]') as Array<{ id: string; payload: string }>;
}

function payloadBytes(post: RecordedExchange): number {
  return postedRecords(post).reduce((sum, record) => sum + Buffer.byteLength(record.payload), 0);
}

describe('storage 1.5 writes: Storage15Client against the sandbox', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  describe('putRecord', () => {
    it('answers the write timestamp (a bare number) that the record and its collection then carry; payload and sortindex are stored as sent', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage, connection } = await connectFxa(sandbox, account);
      const keys = await collectionKeys(connection);
      const [cleartext] = historyCleartexts(1, 'put');
      assert.ok(cleartext);
      const payload = encryptRecord('history', cleartext, keys);

      const result = await storage.putRecord('history', { id: cleartext.id, payload, sortindex: 42 });
      assert.ok(Number.isSafeInteger(result.modified) && result.modified > 0);
      const stored = await storage.getRecord('history', cleartext.id);
      assert.deepEqual(stored, { id: cleartext.id, modified: result.modified, sortindex: 42, payload });
      assert.equal((await storage.infoCollections())['history'], result.modified);
      const readBack = (await sandbox.readBack(account.email, 'history')).find((record) => record.id === cleartext.id);
      assert.deepEqual(readBack?.cleartext, cleartext);
    });

    it('ifUnmodifiedSince: a stale timestamp fails with PreconditionFailedError and writes nothing; the current one succeeds', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const first = await storage.putRecord('prefs', { id: 'prefsrecord1', payload: 'first' });
      const second = await storage.putRecord('prefs', { id: 'prefsrecord1', payload: 'second' });
      assert.ok(second.modified > first.modified);

      await assert.rejects(storage.putRecord('prefs', { id: 'prefsrecord1', payload: 'stale' }, { ifUnmodifiedSince: first.modified }), PreconditionFailedError);
      assert.equal((await storage.getRecord('prefs', 'prefsrecord1'))?.payload, 'second');

      const third = await storage.putRecord('prefs', { id: 'prefsrecord1', payload: 'third' }, { ifUnmodifiedSince: second.modified });
      assert.ok(third.modified > second.modified);
      assert.equal((await storage.getRecord('prefs', 'prefsrecord1'))?.payload, 'third');
    });

    it('an id over 64 characters is refused by PUT (400) just as POST refuses it, and nothing is stored', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const tooLong = 'x'.repeat(65);
      const posted = await storage.uploadRecords('forms', [{ id: tooLong, payload: 'p' }]);
      assert.deepEqual(Object.keys(posted.failed), [tooLong], 'POST refuses the id');

      await assert.rejects(storage.putRecord('forms', { id: tooLong, payload: 'p' }), (error: unknown) => {
        assert.ok(error instanceof HttpError, `got ${String(error)}`);
        assert.equal(error.status, 400);
        return true;
      });
      assert.ok(!(await storage.readIds('forms')).includes(tooLong));
    });

    it('ifUnmodifiedSince 0 creates a missing record but refuses to overwrite an existing one', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      await storage.putRecord('meta', { id: 'createonly', payload: '{"a":1}' }, { ifUnmodifiedSince: 0 });
      await assert.rejects(storage.putRecord('meta', { id: 'createonly', payload: '{"a":2}' }, { ifUnmodifiedSince: 0 }), PreconditionFailedError);
      assert.equal((await storage.getRecord('meta', 'createonly'))?.payload, '{"a":1}');
    });
  });

  describe('uploadRecords', () => {
    it('250 records under max_post_records 10 / max_total_records 50: every record lands, each POST and batch within the limits', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const setup = await connectFxa(sandbox, account);
      const keys = await collectionKeys(setup.connection);
      await sandbox.setLimits({ max_post_records: 10, max_total_records: 50 });
      const transport = new RecordingTransport();
      const { storage } = reconnectFxa(sandbox, setup, { transport });
      const { records, cleartexts } = encryptedHistory(keys, 250, 'count-limits');

      const result = await storage.uploadRecords('history', records);
      assert.deepEqual(result.failed, {});
      assert.deepEqual([...distinct(result.success)].sort(), sortedIds(records));
      assert.equal(result.modified, (await storage.infoCollections())['history']);

      const posts = transport.matching('POST', /\/storage\/history\?/);
      assert.ok(posts.every((post) => postedRecords(post).length <= 10), 'max_post_records holds');
      const batches = batchesOf(posts);
      assert.ok(batches.every((batch) => batch.reduce((sum, post) => sum + postedRecords(post).length, 0) <= 50), 'max_total_records holds');
      assert.equal(batches.reduce((sum, batch) => sum + batch.reduce((n, post) => n + postedRecords(post).length, 0), 0), 250);

      const stored = new Map((await readAll(storage, 'history')).map((bso) => [bso.id, bso]));
      for (const record of records) {
        assert.equal(stored.get(record.id)?.payload, record.payload, `payload of ${record.id}`);
        assert.equal(stored.get(record.id)?.sortindex, record.sortindex, `sortindex of ${record.id}`);
      }
      const readBack = new Map((await sandbox.readBack(account.email, 'history')).map((record) => [record.id, record.cleartext]));
      for (const cleartext of cleartexts) assert.deepEqual(readBack.get(cleartext.id), cleartext);
    });

    it('250 records under tight byte limits (max_post_bytes, max_request_bytes, max_total_bytes): every record lands, every limit holds', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const setup = await connectFxa(sandbox, account);
      const keys = await collectionKeys(setup.connection);
      const { records } = encryptedHistory(keys, 250, 'byte-limits');
      const largest = Math.max(...records.map((record) => Buffer.byteLength(record.payload)));
      const limits = { max_post_bytes: largest * 4, max_request_bytes: largest * 3 + 500, max_total_bytes: largest * 11, max_record_payload_bytes: largest };
      await sandbox.setLimits(limits);
      const transport = new RecordingTransport();
      const { storage } = reconnectFxa(sandbox, setup, { transport });

      const result = await storage.uploadRecords('history', records);
      assert.deepEqual(result.failed, {});
      assert.equal(distinct(result.success).size, 250);

      const posts = transport.matching('POST', /\/storage\/history\?/);
      for (const post of posts) {
        assert.ok(payloadBytes(post) <= limits.max_post_bytes, 'max_post_bytes holds');
        assert.ok(Buffer.byteLength(post.body ?? '') <= limits.max_request_bytes, 'max_request_bytes holds');
      }
      for (const batch of batchesOf(posts)) {
        assert.ok(batch.reduce((sum, post) => sum + payloadBytes(post), 0) <= limits.max_total_bytes, 'max_total_bytes holds');
      }
      const stored = new Map((await readAll(storage, 'history')).map((bso) => [bso.id, bso.payload]));
      for (const record of records) assert.equal(stored.get(record.id), record.payload);
    });

    it('ifUnmodifiedSince chains across several batches: a current timestamp uploads everything', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const setup = await connectFxa(sandbox, account);
      const keys = await collectionKeys(setup.connection);
      await sandbox.setLimits({ max_post_records: 10, max_total_records: 30 });
      const transport = new RecordingTransport();
      const { storage } = reconnectFxa(sandbox, setup, { transport });
      const current = (await storage.infoCollections())['history'];
      assert.ok(current !== undefined);
      const { records } = encryptedHistory(keys, 100, 'chained');

      const result = await storage.uploadRecords('history', records, { ifUnmodifiedSince: current });
      assert.equal(result.success.length, 100);
      assert.ok(batchesOf(transport.matching('POST', /\/storage\/history\?/)).length >= 4, 'the upload spans several batches');
      assert.equal((await storage.readIds('history')).length, 107);
    });

    it('ifUnmodifiedSince older than the collection fails with PreconditionFailedError and commits nothing', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const setup = await connectFxa(sandbox, account);
      const keys = await collectionKeys(setup.connection);
      await sandbox.setLimits({ max_post_records: 10 });
      const { storage } = reconnectFxa(sandbox, setup);
      const seen = (await storage.infoCollections())['history'];
      assert.ok(seen !== undefined);
      await sandbox.writeRecords(account.email, { collection: 'history', upsert: historyCleartexts(1, 'other-client') });
      const { records } = encryptedHistory(keys, 40, 'stale');

      await assert.rejects(storage.uploadRecords('history', records, { ifUnmodifiedSince: seen }), PreconditionFailedError);
      const ids = new Set(await storage.readIds('history'));
      assert.equal(ids.size, 8);
      assert.ok(records.every((record) => !ids.has(record.id)));
    });

    it('a record whose payload exceeds max_record_payload_bytes fails with RecordTooLargeError naming it, before anything is sent', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const setup = await connectFxa(sandbox, account);
      await sandbox.setLimits({ max_record_payload_bytes: 500 });
      const transport = new RecordingTransport();
      const { storage } = reconnectFxa(sandbox, setup, { transport });
      const records: OutgoingBso[] = [
        { id: 'smallrecord1', payload: 'x'.repeat(100) },
        { id: 'largerecord1', payload: 'y'.repeat(501) },
      ];

      await assert.rejects(storage.uploadRecords('forms', records), (error: unknown) => {
        assert.ok(error instanceof RecordTooLargeError, `got ${String(error)}`);
        assert.equal(error.id, 'largerecord1');
        assert.equal(error.collection, 'forms');
        assert.equal(error.limitName, 'max_record_payload_bytes');
        assert.equal(error.limit, 500);
        assert.equal(error.bytes, 501);
        return true;
      });
      assert.deepEqual(transport.matching('POST', /./), []);
      assert.equal((await storage.readIds('forms')).length, 4);
    });

    it('records the server answers "retry bso" for (its limits shrank after the client read them) are resent until all land', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      assert.equal((await storage.configuration()).max_post_records, 100);
      await sandbox.setLimits({ max_post_records: 40 });
      const records = Array.from({ length: 100 }, (_, index) => ({ id: `shrunk${String(index).padStart(6, '0')}`, payload: `p${index}` }));

      const result = await storage.uploadRecords('forms', records);
      assert.deepEqual(result.failed, {});
      assert.deepEqual([...distinct(result.success)].sort(), sortedIds(records));
      const deferred = transport
        .matching('POST', /\/storage\/forms/)
        .flatMap((post) => Object.values((JSON.parse(post.responseBody ?? '{}') as { failed?: Record<string, string> }).failed ?? {}));
      assert.ok(deferred.length > 0 && deferred.every((reason) => reason === 'retry bso'), 'the server did defer records');
      assert.equal((await storage.readIds('forms')).length, 4 + 100);
    });

    it('an invalid record in a POST is reported in failed with the server’s reason while the others land', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const result = await storage.uploadRecords('forms', [
        { id: 'goodrecord01', payload: 'ok' },
        { id: 'badttl000001', payload: 'ttl too long', ttl: 1_000_000_000 },
        { id: 'goodrecord02', payload: 'ok too' },
      ]);
      assert.deepEqual([...result.success].sort(), ['goodrecord01', 'goodrecord02']);
      assert.deepEqual(Object.keys(result.failed), ['badttl000001']);
      assert.match(result.failed['badttl000001'] ?? '', /ttl/i);
      assert.equal(await storage.getRecord('forms', 'badttl000001'), null);
      assert.equal((await storage.getRecord('forms', 'goodrecord02'))?.payload, 'ok too');
    });

    it('an invalid PUT (ttl over 999 999 999) fails with WeaveError 400 / errno 8', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      await assert.rejects(storage.putRecord('forms', { id: 'badttl000002', payload: 'x', ttl: 1_000_000_000 }), (error: unknown) => {
        assert.ok(error instanceof WeaveError, `got ${String(error)}`);
        assert.equal(error.status, 400);
        assert.equal(error.errno, 8);
        return true;
      });
      assert.equal(await storage.getRecord('forms', 'badttl000002'), null);
    });

    it('an empty upload sends nothing and reports nothing', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      assert.deepEqual(await storage.uploadRecords('forms', []), { success: [], failed: {} });
      assert.deepEqual(transport.matching('POST', /./), []);
    });
  });

  describe('quota', () => {
    it('an account over max_quota_limit: putRecord and uploadRecords fail with QuotaExceededError (errno 14) and write nothing', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const notices: ServerNotice[] = [];
      const { storage } = await connectFxa(sandbox, account, { notices });
      await sandbox.setLimits({ max_quota_limit: 1024 });

      await assert.rejects(storage.putRecord('forms', { id: 'overquota001', payload: 'x' }), (error: unknown) => {
        assert.ok(error instanceof QuotaExceededError, `got ${String(error)}`);
        assert.equal(error.errno, 14);
        assert.equal(error.status, 403);
        return true;
      });
      await assert.rejects(storage.uploadRecords('forms', [{ id: 'overquota002', payload: 'y' }]), QuotaExceededError);
      assert.equal(await storage.getRecord('forms', 'overquota001'), null);
      assert.equal(await storage.getRecord('forms', 'overquota002'), null);
      assert.ok(
        notices.some((notice) => notice.kind === 'quota-remaining' && notice.kilobytes === 0),
        `a quota-remaining 0 notice among ${JSON.stringify(notices)}`,
      );
    });

    it('with a quota, writes report X-Weave-Quota-Remaining in the result and as a quota-remaining notice', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const notices: ServerNotice[] = [];
      const { storage } = await connectFxa(sandbox, account, { notices });
      const quotaBytes = 10 * 1024 * 1024;
      await sandbox.setLimits({ max_quota_limit: quotaBytes });

      const put = await storage.putRecord('forms', { id: 'quotaleft001', payload: 'z'.repeat(2048) });
      const afterPut = await storage.infoQuota();
      assert.ok(put.quotaRemainingKb !== undefined);
      assert.ok(Math.abs(put.quotaRemainingKb - (quotaBytes / 1024 - afterPut.usedKb)) < 1e-9, `${put.quotaRemainingKb} KB left`);
      assert.ok(notices.some((notice) => notice.kind === 'quota-remaining' && notice.kilobytes === put.quotaRemainingKb));

      const upload = await storage.uploadRecords('forms', [{ id: 'quotaleft002', payload: 'w'.repeat(4096) }]);
      const afterUpload = await storage.infoQuota();
      assert.ok(upload.quotaRemainingKb !== undefined);
      assert.ok(Math.abs(upload.quotaRemainingKb - (quotaBytes / 1024 - afterUpload.usedKb)) < 1e-9, `${upload.quotaRemainingKb} KB left`);
      assert.ok(upload.quotaRemainingKb < put.quotaRemainingKb);
    });
  });

  describe('deletes', () => {
    it('deleteRecords with 150 ids (over the 100 per request) deletes exactly those, in requests of at most 100 ids', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      const all = historyCleartexts(300, 'delete');
      await sandbox.writeRecords(account.email, { collection: 'history', upsert: all });
      const doomed = all.slice(0, 150).map((record) => record.id);

      const result = await storage.deleteRecords('history', doomed);
      assert.ok(result);
      const deletes = transport.matching('DELETE', /\/storage\/history\?/);
      assert.equal(deletes.length, 2);
      assert.ok(deletes.every((request) => (queryParameter(request.path, 'ids') ?? '').split(',').length <= 100));
      const left = new Set(await storage.readIds('history'));
      assert.equal(left.size, 7 + 150);
      assert.ok(doomed.every((id) => !left.has(id)));
      assert.equal((await storage.infoCollections())['history'], result.modified);
    });

    it('deleteRecords of an id containing "+" deletes exactly that record, not the one whose id has a space there', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      await storage.putRecord('forms', { id: 'plus+id', payload: 'plus' });
      await storage.putRecord('forms', { id: 'plus id', payload: 'space' });

      await storage.deleteRecords('forms', ['plus+id']);
      const left = (await storage.readIds('forms')).filter((id) => id.startsWith('plus'));
      assert.deepEqual(left, ['plus id'], '"plus+id" is gone and "plus id" is untouched');
    });

    it('deleteRecords of an id containing "," deletes exactly that record, not the records its parts name', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      for (const id of ['left,right', 'left', 'right']) await storage.putRecord('forms', { id, payload: id });

      await storage.deleteRecords('forms', ['left,right']);
      const left = (await storage.readIds('forms')).filter((id) => id.startsWith('left') || id.startsWith('right')).sort();
      assert.deepEqual(left, ['left', 'right'], '"left,right" is gone and "left" and "right" are untouched');
    });

    it('deleteRecords of no ids sends nothing and answers null', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      assert.equal(await storage.deleteRecords('history', []), null);
      assert.deepEqual(transport.matching('DELETE', /./), []);
    });

    it('deleteRecords with a stale ifUnmodifiedSince fails with PreconditionFailedError and deletes nothing; a current one chains across chunks', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const all = historyCleartexts(220, 'guarded-delete');
      const seen = await sandbox.writeRecords(account.email, { collection: 'history', upsert: all.slice(0, 200) });
      await sandbox.writeRecords(account.email, { collection: 'history', upsert: all.slice(200) });
      const ids = all.map((record) => record.id);

      await assert.rejects(storage.deleteRecords('history', ids, { ifUnmodifiedSince: seen }), PreconditionFailedError);
      assert.equal((await storage.readIds('history')).length, 227);

      const current = (await storage.infoCollections())['history'];
      assert.ok(current !== undefined);
      await storage.deleteRecords('history', ids, { ifUnmodifiedSince: current });
      assert.equal((await storage.readIds('history')).length, 7);
    });

    it('deleteCollection removes the collection from info/collections and leaves the others alone', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const before = await storage.infoCollections();
      const countsBefore = await storage.collectionCounts();

      const result = await storage.deleteCollection('history');
      const info = await storage.infoCollections();
      assert.equal(info['history'], undefined);
      assert.deepEqual(await storage.readIds('history'), []);
      const { history: _gone, ...others } = before;
      assert.deepEqual(info, others);
      const { history: _goneCount, ...otherCounts } = countsBefore;
      assert.deepEqual(await storage.collectionCounts(), otherCounts);
      assert.ok(result.modified > (before['history'] ?? 0));
    });

    it('deleteAll empties the whole account', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      assert.ok(Object.keys(await storage.infoCollections()).length > 0);
      await storage.deleteAll();
      assert.deepEqual(await storage.infoCollections(), {});
      assert.deepEqual(await storage.collectionCounts(), {});
      assert.equal(await storage.getRecord('meta', 'global'), null);
      assert.equal(await storage.getRecord('crypto', 'keys'), null);
    });
  });
});
