/**
 * Storage 1.5 conformance, reads: the daemon's Storage15Client against the sandbox's 1.5 node
 * over real HTTP (sync-protocols.md §5.1, 5.3, 5.4, 5.7, 5.9; §9 backup reads).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decryptBso, HttpError, PreconditionFailedError, type RemoteBso } from '@syncvault/daemon/sync';
import {
  collectionKeys,
  collectPages,
  ConformanceSandbox,
  connectFxa,
  distinct,
  historyCleartexts,
  queryParameter,
  readAll,
  reconnectFxa,
  RecordingTransport,
  sortedIds,
} from './support/storage.js';

const SMALL_SEED = { bookmarks: 6, history: 7, passwords: 3, forms: 4, prefs: true };
const BIG_HISTORY = { history: 2500 };
const BRACE_ID = '{e8bc7e6e-24fe-4208-97e8-136d9819c3fd}';

function addonCleartext(id: string): Record<string, unknown> {
  return { id, addonID: 'uBlock0@raymondhill.net', applicationID: '{ec8030f7-c20a-464f-9b0e-13a3a9e97384}', enabled: true, source: 'amo' };
}

describe('storage 1.5 reads: Storage15Client against the sandbox', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  describe('info endpoints', () => {
    it('info/collections lists exactly the seeded collections, each at the timestamp of its last write', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const formsWrite = await sandbox.writeRecords(account.email, { collection: 'forms', upsert: [{ id: 'formfield001', name: 'q', value: 'x' }] });

      const info = await storage.infoCollections();
      assert.deepEqual(Object.keys(info).sort(), ['bookmarks', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs']);
      assert.equal(info['forms'], formsWrite);
      for (const [name, modified] of Object.entries(info)) {
        const records = await sandbox.readBack(account.email, name);
        assert.equal(modified, Math.max(...records.map((record) => record.modified)), `${name} timestamp`);
      }
    });

    it('info/collection_counts equals the number of live records per collection', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const counts = await storage.collectionCounts();
      const info = await storage.infoCollections();
      assert.deepEqual(Object.keys(counts).sort(), Object.keys(info).sort());
      for (const name of Object.keys(info)) {
        assert.equal(counts[name], (await sandbox.readBack(account.email, name)).length, `${name} count`);
      }
    });

    it('info/collection_usage reports each collection’s payload bytes in KB', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const usage = await storage.collectionUsage();
      const info = await storage.infoCollections();
      assert.deepEqual(Object.keys(usage).sort(), Object.keys(info).sort());
      for (const name of Object.keys(info)) {
        const bytes = (await readAll(storage, name)).reduce((sum, bso) => sum + Buffer.byteLength(bso.payload), 0);
        assert.equal(usage[name], bytes / 1024, `${name} usage`);
      }
    });

    it('info/quota reports the used KB, and the quota set through the control API (null without one)', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const session = await connectFxa(sandbox, account);
      const usage = await session.storage.collectionUsage();
      const usedKb = Object.values(usage).reduce((sum, kb) => sum + kb, 0);

      const unlimited = await session.storage.infoQuota();
      assert.equal(unlimited.quotaKb, null);
      assert.ok(Math.abs(unlimited.usedKb - usedKb) < 1e-9, `usedKb ${unlimited.usedKb} vs ${usedKb}`);

      await sandbox.setLimits({ max_quota_limit: 5 * 1024 * 1024 });
      const limited = await session.storage.infoQuota();
      assert.equal(limited.quotaKb, 5 * 1024);
      assert.equal(limited.usedKb, unlimited.usedKb);
    });

    it('configuration reports the limits set through the control API, key for key', async () => {
      const account = await sandbox.createAccount('fxa');
      const session = await connectFxa(sandbox, account);
      const limits = {
        max_request_bytes: 123_456,
        max_post_records: 17,
        max_post_bytes: 65_432,
        max_total_records: 321,
        max_total_bytes: 7_654_321,
        max_record_payload_bytes: 54_321,
        max_quota_limit: 9_999_999,
      };
      await sandbox.setLimits(limits);
      // A client reads info/configuration once; a new one sees the new limits.
      const fresh = reconnectFxa(sandbox, session);
      assert.deepEqual(await fresh.storage.configuration(), limits);
    });

    it('configuration without a quota reports the server’s defaults as info/configuration lists them', async () => {
      const account = await sandbox.createAccount('fxa');
      const { storage } = await connectFxa(sandbox, account);
      const onServer = await sandbox.control<Record<string, number>>('GET', '/configuration');
      assert.deepEqual(await storage.configuration(), onServer);
    });
  });

  describe('collection reads', () => {
    it('readRecords pages 2 500 history records by 1 000: three pages, every id once, all decrypt to the sandbox’s cleartext', async () => {
      const account = await sandbox.createAccount('fxa', { seed: BIG_HISTORY });
      const transport = new RecordingTransport();
      const { storage, connection } = await connectFxa(sandbox, account, { transport });
      const keys = await collectionKeys(connection);
      transport.clear();

      const pages = await collectPages(storage.readRecords('history', { limit: 1000 }));
      assert.deepEqual(
        pages.map((page) => page.length),
        [1000, 1000, 500],
      );
      const records = pages.flat();
      const ids = distinct(records.map((record) => record.id));
      const expected = await sandbox.readBack(account.email, 'history');
      assert.equal(expected.length, 2500);
      assert.deepEqual([...ids].sort(), sortedIds(expected));

      const cleartextById = new Map(expected.map((record) => [record.id, record.cleartext]));
      for (const bso of records) {
        assert.deepEqual(decryptBso('history', bso, keys), cleartextById.get(bso.id), `history/${bso.id}`);
      }

      // On the wire: one query repeated with the server's offset, later pages guarded by page 1's timestamp.
      const gets = transport.matching('GET', /\/storage\/history\?/);
      assert.equal(gets.length, 3);
      const firstOffset = queryParameter(gets[0]?.path ?? '', 'offset');
      assert.equal(firstOffset, undefined);
      for (const get of gets.slice(1)) {
        assert.ok(queryParameter(get.path, 'offset'), 'later pages carry the offset token');
        assert.ok(get.headers['x-if-unmodified-since'], 'later pages carry X-If-Unmodified-Since');
      }
    });

    it('readIds over 2 500 records returns every id exactly once, paged or not', async () => {
      const account = await sandbox.createAccount('fxa', { seed: BIG_HISTORY });
      const { storage } = await connectFxa(sandbox, account);
      const expected = sortedIds(await sandbox.readBack(account.email, 'history'));
      const paged = await storage.readIds('history', { limit: 1000 });
      assert.deepEqual([...distinct(paged)].sort(), expected);
      const unpaged = await storage.readIds('history');
      assert.deepEqual([...distinct(unpaged)].sort(), expected);
    });

    it('newer returns only the records written after the timestamp; older only those before', async () => {
      const account = await sandbox.createAccount('fxa', { seed: BIG_HISTORY });
      const { storage } = await connectFxa(sandbox, account);
      const lastSync = (await storage.infoCollections())['history'];
      assert.ok(lastSync !== undefined);
      const added = historyCleartexts(3, 'newer');
      const written = await sandbox.writeRecords(account.email, { collection: 'history', upsert: added });

      const newer = await readAll(storage, 'history', { newer: lastSync, limit: 1000 });
      assert.deepEqual(sortedIds(newer), sortedIds(added));
      assert.ok(newer.every((bso) => bso.modified === written));
      assert.deepEqual(await storage.readIds('history', { newer: written }), []);

      const older = await storage.readIds('history', { older: written, limit: 1000 });
      assert.equal(older.length, 2500);
      assert.ok(!older.some((id) => added.some((record) => record.id === id)));
    });

    it('ids with 250 entries (more than the 100 a request may carry) returns exactly the existing ones', async () => {
      const account = await sandbox.createAccount('fxa', { seed: BIG_HISTORY });
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      const all = sortedIds(await sandbox.readBack(account.email, 'history'));
      const wanted = all.filter((_, index) => index % 10 === 3).slice(0, 248);
      assert.equal(wanted.length, 248);
      const asked = [...wanted, 'missing00001', 'missing00002'];

      const records = await readAll(storage, 'history', { ids: asked });
      assert.deepEqual([...distinct(records.map((bso) => bso.id))].sort(), [...wanted].sort());
      const idsOnly = await storage.readIds('history', { ids: asked });
      assert.deepEqual([...distinct(idsOnly)].sort(), [...wanted].sort());
      for (const get of transport.matching('GET', /\/storage\/history\?/)) {
        assert.ok((queryParameter(get.path, 'ids') ?? '').split(',').length <= 100, 'no request carries more than 100 ids');
      }
    });

    it('sort=oldest and sort=newest order by modified (paging included); sort=index by descending sortindex', async () => {
      const account = await sandbox.createAccount('fxa', { seed: { history: 1200 } });
      const { storage } = await connectFxa(sandbox, account);
      const groups: string[][] = [];
      for (let write = 0; write < 4; write++) {
        const records = [0, 1].map((n) => ({ id: `form${write}${n}aaaaaa`, name: `field${write}`, value: `v${n}` }));
        await sandbox.writeRecords(account.email, { collection: 'forms', upsert: records });
        groups.push(records.map((record) => record.id));
      }

      const oldest = await readAll(storage, 'forms', { sort: 'oldest', limit: 3 });
      assert.deepEqual(oldest.map((bso) => bso.modified), [...oldest.map((bso) => bso.modified)].sort((a, b) => a - b));
      assert.deepEqual(oldest.map((bso) => groups.findIndex((group) => group.includes(bso.id))), [0, 0, 1, 1, 2, 2, 3, 3]);

      const newest = await readAll(storage, 'forms', { sort: 'newest', limit: 3 });
      assert.deepEqual(newest.map((bso) => groups.findIndex((group) => group.includes(bso.id))), [3, 3, 2, 2, 1, 1, 0, 0]);

      const byIndex = await readAll(storage, 'history', { sort: 'index', limit: 500 });
      distinct(byIndex.map((bso) => bso.id));
      assert.equal(byIndex.length, 1200);
      const sortindexById = new Map((await sandbox.readBack(account.email, 'history')).map((record) => [record.id, record.sortindex]));
      byIndex.forEach((bso, position) => {
        assert.equal(bso.sortindex, sortindexById.get(bso.id), `sortindex of ${bso.id}`);
        const previous = byIndex[position - 1];
        if (previous) assert.ok((previous.sortindex ?? -Infinity) >= (bso.sortindex ?? -Infinity), `index order at ${position}`);
      });
      assert.ok(new Set(byIndex.map((bso) => bso.sortindex)).size > 10, 'the seed has varied sortindexes');
    });

    it('an unknown collection reads as empty', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      assert.deepEqual(await collectPages(storage.readRecords('nothing-here', { limit: 10 })), []);
      assert.deepEqual(await storage.readIds('nothing-here'), []);
    });

    it('a write by another client after page 1 fails the next page with PreconditionFailedError (412)', async () => {
      const account = await sandbox.createAccount('fxa', { seed: BIG_HISTORY });
      const { storage } = await connectFxa(sandbox, account);
      const pages = storage.readRecords('history', { limit: 1000 })[Symbol.asyncIterator]();
      const first = await pages.next();
      assert.equal(first.done, false);
      assert.equal((first.value as RemoteBso[]).length, 1000);

      await sandbox.writeRecords(account.email, { collection: 'history', upsert: historyCleartexts(1, 'concurrent') });
      await assert.rejects(pages.next(), (error: unknown) => {
        assert.ok(error instanceof PreconditionFailedError, `got ${String(error)}`);
        assert.equal(error.status, 412);
        return true;
      });
    });

    it('a caller’s stale ifUnmodifiedSince fails the very first page with PreconditionFailedError', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      const seen = (await storage.infoCollections())['history'];
      assert.ok(seen !== undefined);
      await sandbox.writeRecords(account.email, { collection: 'history', upsert: historyCleartexts(1, 'stale') });
      await assert.rejects(collectPages(storage.readRecords('history', { ifUnmodifiedSince: seen })), PreconditionFailedError);
      const current = (await storage.infoCollections())['history'];
      assert.equal((await readAll(storage, 'history', { ifUnmodifiedSince: current })).length, 8);
    });
  });

  describe('single records', () => {
    it('getRecord returns the stored BSO (same payload, modified and sortindex as the collection read)', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage, connection } = await connectFxa(sandbox, account);
      const keys = await collectionKeys(connection);
      const listed = await readAll(storage, 'history');
      const sample = listed[3];
      assert.ok(sample);
      const fetched = await storage.getRecord('history', sample.id);
      assert.deepEqual(fetched, sample);
      const expected = (await sandbox.readBack(account.email, 'history')).find((record) => record.id === sample.id);
      assert.deepEqual(decryptBso('history', fetched, keys), expected?.cleartext);
    });

    it('getRecord of a missing id (in an existing and in an unknown collection) is null', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      assert.equal(await storage.getRecord('history', 'nosuchrecord'), null);
      assert.equal(await storage.getRecord('nosuchcollection', 'nosuchrecord'), null);
    });

    it('getRecord and an ids read of an id with braces work (the braces travel raw)', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage, connection } = await connectFxa(sandbox, account, { transport });
      await sandbox.writeRecords(account.email, { collection: 'addons', upsert: [addonCleartext(BRACE_ID)] });
      const keys = await collectionKeys(connection);

      const record = await storage.getRecord('addons', BRACE_ID);
      assert.ok(record);
      assert.equal(record.id, BRACE_ID);
      assert.deepEqual(decryptBso('addons', record, keys), addonCleartext(BRACE_ID));
      assert.deepEqual(sortedIds(await readAll(storage, 'addons', { ids: [BRACE_ID, 'other'] })), [BRACE_ID]);
      assert.ok(transport.exchanges.some((exchange) => exchange.path.endsWith(`/storage/addons/${BRACE_ID}`)), 'path carries raw braces');
    });

    it('with the hawkDecodedPath quirk on, getRecord, an ids read, a PUT and a delete of an id with braces still authenticate', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage, connection } = await connectFxa(sandbox, account);
      await sandbox.writeRecords(account.email, { collection: 'addons', upsert: [addonCleartext(BRACE_ID)] });
      const keys = await collectionKeys(connection);
      const quirks = (await sandbox.setQuirks({ storage15: { hawkDecodedPath: true } })) as { storage15: { hawkDecodedPath: boolean } };
      assert.equal(quirks.storage15.hawkDecodedPath, true);

      const record = await storage.getRecord('addons', BRACE_ID);
      assert.ok(record);
      assert.deepEqual(decryptBso('addons', record, keys), addonCleartext(BRACE_ID));
      assert.deepEqual(sortedIds(await readAll(storage, 'addons', { ids: [BRACE_ID] })), [BRACE_ID]);

      const otherId = '{0b8e8fa4-5c4c-4d4e-9a53-d1a3a39ad1c1}';
      const written = await storage.putRecord('addons', { id: otherId, payload: record.payload });
      assert.equal((await storage.getRecord('addons', otherId))?.modified, written.modified);
      await storage.deleteRecords('addons', [BRACE_ID, otherId]);
      assert.deepEqual(await storage.readIds('addons'), []);
    });
  });

  describe('ids that need care in a query string', () => {
    it('an ids read of an id containing "+" returns that record (the "+" must not reach the server as a form-encoded space)', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      await storage.putRecord('forms', { id: 'plus+id', payload: 'plus' });
      await storage.putRecord('forms', { id: 'other+one', payload: 'other' });
      assert.equal((await storage.getRecord('forms', 'plus+id'))?.payload, 'plus', 'the record exists under its id');

      assert.deepEqual(sortedIds(await readAll(storage, 'forms', { ids: ['plus+id', 'other+one'] })), ['other+one', 'plus+id']);
      assert.deepEqual((await storage.readIds('forms', { ids: ['plus+id'] })).sort(), ['plus+id']);
    });

    it('an ids read of an id containing "," returns that record, not the records its parts name', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const { storage } = await connectFxa(sandbox, account);
      for (const id of ['left,right', 'left', 'right']) await storage.putRecord('forms', { id, payload: id });
      assert.equal((await storage.getRecord('forms', 'left,right'))?.payload, 'left,right', 'the record exists under its id');

      assert.deepEqual(sortedIds(await readAll(storage, 'forms', { ids: ['left,right'] })), ['left,right']);
    });
  });

  describe('deployment quirks', () => {
    it('with the hawkIgnoreHostPort quirk on (a port-rewriting proxy, §4 "sign the host/port the node sees"), a client told the origin the node sees still authenticates, and one that is not fails with 401', async () => {
      const account = await sandbox.createAccount('fxa', { seed: SMALL_SEED });
      const session = await connectFxa(sandbox, account);
      const expected = await session.storage.infoCollections();
      const quirks = (await sandbox.setQuirks({ storage15: { hawkIgnoreHostPort: true } })) as { storage15: { hawkIgnoreHostPort: boolean } };
      assert.equal(quirks.storage15.hawkIgnoreHostPort, true);
      const node = new URL(sandbox.urls.storage15);
      assert.notEqual(node.port, '', 'the node listens on a non-default port');

      await assert.rejects(session.storage.infoCollections(), (error: unknown) => error instanceof HttpError && error.status === 401);
      const { storage } = reconnectFxa(sandbox, session, { signAsOrigin: `${node.protocol}//${node.hostname}` });
      assert.deepEqual(await storage.infoCollections(), expected);
      assert.equal((await readAll(storage, 'history')).length, 7);
    });
  });
});
