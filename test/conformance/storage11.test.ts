/**
 * Storage 1.1 conformance: the daemon's Storage11Client (via connectLegacyAccount) against the
 * sandbox's legacy Weave server over real HTTP: node discovery, Basic auth, reads, writes,
 * preconditions and every 1.1 quirk the sandbox can switch on (sync-protocols.md §6, 7.3).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { formatSyncKey } from '@syncvault/sync-crypto';
import {
  AuthenticationError,
  decryptBso,
  NetworkError,
  encryptRecord,
  fetchCollectionKeys,
  PreconditionFailedError,
  ServiceUnavailableError,
  UnknownUserError,
  WeaveError,
  WrongAccountKeyError,
  type OutgoingBso,
  type RemoteBso,
  type ServerNotice,
} from '@syncvault/daemon/sync';
import {
  collectionKeys,
  collectPages,
  ConformanceSandbox,
  connectLegacy,
  distinct,
  historyCleartexts,
  queryParameter,
  readAll,
  RecordingTransport,
  sortedIds,
  uniqueEmail,
  type AccountSummary,
  type LegacySession,
} from './support/storage.js';

const SEED = { bookmarks: 10, history: 30, passwords: 4, forms: 6, tabs: 1, clients: 2, addons: 2, addresses: 1, creditcards: 1, prefs: true };
const SMALL_SEED = { history: 5, forms: 4 };

/** A request straight to the 1.1 server with Basic auth, to see what the server itself answers. */
async function rawGet(url: string, account: AccountSummary): Promise<{ status: number; headers: Headers; body: string }> {
  const authorization = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;
  const response = await fetch(url, { headers: { authorization } });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('storage 1.1: Storage11Client against the sandbox', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  function storageBase(account: AccountSummary): string {
    return `${sandbox.urls.storage11}/1.1/${account.username}`;
  }

  /** Reads, one upload, one PUT and one delete: what every quirk must leave working. */
  async function exercise(session: LegacySession, options: { seededForms: number }): Promise<void> {
    const { storage, connection, account } = session;
    const info = await storage.infoCollections();
    if (options.seededForms > 0) {
      const keys = await collectionKeys(connection);
      const expected = await sandbox.readBack(account.email, 'forms');
      const forms = await readAll(storage, 'forms', { limit: 3 });
      assert.deepEqual(sortedIds(forms), sortedIds(expected));
      const byId = new Map(expected.map((record) => [record.id, record.cleartext]));
      for (const bso of forms) assert.deepEqual(decryptBso('forms', bso, keys), byId.get(bso.id));
      assert.equal(info['forms'], Math.max(...forms.map((bso) => bso.modified)));
    }
    const records: OutgoingBso[] = [0, 1, 2].map((n) => ({ id: `quirky${n}aaaaa`, payload: `{"n":${n}}`, sortindex: n }));
    const upload = await storage.uploadRecords('prefs', records);
    assert.deepEqual(upload.failed, {});
    assert.deepEqual([...upload.success].sort(), sortedIds(records));
    const put = await storage.putRecord('prefs', { id: 'quirkyput001', payload: '{"put":true}' }, { ifUnmodifiedSince: upload.modified ?? 0 });
    const stored = await storage.getRecord('prefs', 'quirkyput001');
    assert.deepEqual(stored, { id: 'quirkyput001', modified: put.modified, payload: '{"put":true}' });
    assert.equal((await storage.infoCollections())['prefs'], put.modified);
    await storage.deleteRecords('prefs', ['quirky1aaaaa']);
    assert.deepEqual((await storage.readIds('prefs')).sort(), ['quirky0aaaaa', 'quirky2aaaaa', 'quirkyput001']);
  }

  describe('reading an account end to end', () => {
    it('discovers the node once, lists the seeded collections and reads every one fully, decrypted with the Sync-Key-derived keys', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SEED });
      const transport = new RecordingTransport();
      const session = connectLegacy(sandbox, account, { transport });
      const { storage, connection } = session;

      const info = await storage.infoCollections();
      const expectedCollections = ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs'];
      assert.deepEqual(Object.keys(info).sort(), expectedCollections);

      const keys = await fetchCollectionKeys(connection);
      assert.ok(keys, 'crypto/keys opens with the Sync Key');
      for (const collection of Object.keys(info)) {
        const expected = await sandbox.readBack(account.email, collection);
        const records = await readAll(storage, collection);
        assert.deepEqual([...distinct(records.map((bso) => bso.id))].sort(), sortedIds(expected), `${collection} ids`);
        assert.equal(info[collection], Math.max(...records.map((bso) => bso.modified)), `${collection} timestamp`);
        const byId = new Map(expected.map((record) => [record.id, record]));
        for (const bso of records) {
          const readBack = byId.get(bso.id);
          assert.equal(bso.sortindex, readBack?.sortindex, `${collection}/${bso.id} sortindex`);
          if (collection === 'meta') assert.deepEqual(JSON.parse(bso.payload), readBack?.cleartext);
          else if (collection !== 'crypto') assert.deepEqual(decryptBso(collection, bso, keys), readBack?.cleartext, `${collection}/${bso.id}`);
        }
      }

      const lookups = transport.exchanges.filter((exchange) => exchange.path.includes('/user/1.0/'));
      assert.equal(lookups.length, 1, 'the node is looked up once');
      assert.equal(lookups[0]?.path, `/weave/user/1.0/${account.username}/node/weave`);
      assert.equal(transport.exchanges[0], lookups[0], 'the lookup comes first');
      const node = (lookups[0]?.responseBody ?? '').trim();
      assert.match(node, /^http:\/\/127\.0\.0\.1:\d+\/weave\/?$/);
      const storageRequests = transport.exchanges.slice(1);
      assert.ok(storageRequests.length > 12);
      for (const request of storageRequests) {
        assert.ok(request.url.startsWith(`${node.replace(/\/$/, '')}/1.1/${account.username}/`), request.url);
        assert.equal(request.headers['authorization'], `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`);
      }
    });

    it('pages with limit and integer offsets: every record exactly once', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: { history: 250 } });
      const transport = new RecordingTransport();
      const { storage } = connectLegacy(sandbox, account, { transport });
      const pages = await collectPages(storage.readRecords('history', { limit: 40 }));
      assert.deepEqual(
        pages.map((page) => page.length),
        [40, 40, 40, 40, 40, 40, 10],
      );
      assert.deepEqual([...distinct(pages.flat().map((bso) => bso.id))].sort(), sortedIds(await sandbox.readBack(account.email, 'history')));
      const offsets = transport.matching('GET', /\/storage\/history\?/).map((exchange) => queryParameter(exchange.path, 'offset'));
      assert.deepEqual(offsets, [undefined, '40', '80', '120', '160', '200', '240']);
      assert.deepEqual(await storage.readIds('history', { limit: 100 }).then((ids) => ids.length), 250);
    });

    it('a write by another client while pages are read fails the read with PreconditionFailedError', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: { history: 120 } });
      const { storage } = connectLegacy(sandbox, account);
      const pages = storage.readRecords('history', { limit: 50 })[Symbol.asyncIterator]();
      const first = await pages.next();
      assert.equal((first.value as RemoteBso[]).length, 50);
      await sandbox.writeRecords(account.email, { collection: 'history', upsert: historyCleartexts(1, 'concurrent') });
      await assert.rejects(
        (async () => {
          for (let next = await pages.next(); !next.done; next = await pages.next());
        })(),
        PreconditionFailedError,
      );
    });

    it('ids (150, over the 100 per request), newer and sort=newest select as 1.5 does', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: { history: 300 } });
      const { storage } = connectLegacy(sandbox, account);
      const all = sortedIds(await sandbox.readBack(account.email, 'history'));
      const wanted = all.slice(0, 150);
      assert.deepEqual(sortedIds(await readAll(storage, 'history', { ids: [...wanted, 'notthere0001'] })), wanted);

      const since = (await storage.infoCollections())['history'];
      assert.ok(since !== undefined);
      const added = historyCleartexts(2, 'newer');
      const written = await sandbox.writeRecords(account.email, { collection: 'history', upsert: added });
      const newer = await readAll(storage, 'history', { newer: since });
      assert.deepEqual(sortedIds(newer), sortedIds(added));
      assert.ok(newer.every((bso) => bso.modified === written));
      const newestFirst = await readAll(storage, 'history', { sort: 'newest', limit: 100 });
      assert.equal(newestFirst.length, 302);
      assert.deepEqual(sortedIds(newestFirst.slice(0, 2)), sortedIds(added));
    });

    it('getRecord: an existing record as listed, a missing one as null', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const [listed] = await readAll(storage, 'forms');
      assert.ok(listed);
      assert.deepEqual(await storage.getRecord('forms', listed.id), listed);
      assert.equal(await storage.getRecord('forms', 'nosuchrecord'), null);
    });

    it('an id with braces is read, listed by ids and deleted with the braces raw', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const id = '{e8bc7e6e-24fe-4208-97e8-136d9819c3fd}';
      const written = await storage.putRecord('addons', { id, payload: 'addon' });
      assert.deepEqual(await storage.getRecord('addons', id), { id, modified: written.modified, payload: 'addon' });
      assert.deepEqual(sortedIds(await readAll(storage, 'addons', { ids: [id] })), [id]);
      await storage.deleteRecords('addons', [id]);
      assert.equal(await storage.getRecord('addons', id), null);
    });

    it('ids containing "+": an ids read returns the record and deleteRecords deletes it, not the one whose id has a space there', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      await storage.putRecord('forms', { id: 'plus+id', payload: 'plus' });
      await storage.putRecord('forms', { id: 'plus id', payload: 'space' });
      assert.equal((await storage.getRecord('forms', 'plus+id'))?.payload, 'plus', 'the record exists under its id');

      assert.deepEqual(sortedIds(await readAll(storage, 'forms', { ids: ['plus+id'] })), ['plus+id']);
      await storage.deleteRecords('forms', ['plus+id']);
      const left = (await storage.readIds('forms')).filter((id) => id.startsWith('plus'));
      assert.deepEqual(left, ['plus id'], '"plus+id" is gone and "plus id" is untouched');
    });

    it('ids containing ",": an ids read returns the record and deleteRecords deletes it, not the records its parts name', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      for (const id of ['left,right', 'left', 'right']) await storage.putRecord('forms', { id, payload: id });
      assert.equal((await storage.getRecord('forms', 'left,right'))?.payload, 'left,right', 'the record exists under its id');

      assert.deepEqual(sortedIds(await readAll(storage, 'forms', { ids: ['left,right'] })), ['left,right']);
      await storage.deleteRecords('forms', ['left,right']);
      const left = (await storage.readIds('forms')).filter((id) => id.startsWith('left') || id.startsWith('right')).sort();
      assert.deepEqual(left, ['left', 'right'], '"left,right" is gone and "left" and "right" are untouched');
    });

    it('collection counts, usage and quota describe the stored records', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const counts = await storage.collectionCounts();
      const usage = await storage.collectionUsage();
      for (const name of ['history', 'forms']) {
        const records = await readAll(storage, name);
        assert.equal(counts[name], records.length);
        assert.equal(usage[name], records.reduce((sum, bso) => sum + Buffer.byteLength(bso.payload), 0) / 1024);
      }
      const quota = await storage.infoQuota();
      assert.equal(quota.quotaKb, null);
      assert.ok(Math.abs(quota.usedKb - Object.values(usage).reduce((sum, kb) => sum + kb, 0)) < 1e-9);
    });
  });

  describe('credentials', () => {
    it('a wrong password fails with AuthenticationError after looking the node up again', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = connectLegacy(sandbox, account, { transport, password: 'not-the-password' });
      await assert.rejects(storage.infoCollections(), AuthenticationError);
      assert.equal(transport.exchanges.filter((exchange) => exchange.path.endsWith('/node/weave')).length, 2);
    });

    it('a wrong Sync Key: crypto/keys does not open and fetchCollectionKeys fails with WrongAccountKeyError', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { connection, storage } = connectLegacy(sandbox, account, { syncKey: formatSyncKey(randomBytes(16)) });
      assert.ok(await storage.getRecord('crypto', 'keys'), 'the record is there and readable over HTTP');
      await assert.rejects(fetchCollectionKeys(connection), WrongAccountKeyError);
    });

    it('the Sync Key is accepted in any friendly spelling (dashes, case)', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      assert.ok(account.syncKey);
      const { connection } = connectLegacy(sandbox, account, { syncKey: account.syncKey.replace(/-/g, '').toUpperCase() });
      const keys = await collectionKeys(connection);
      const [record] = await readAll(connection.storage, 'forms');
      assert.ok(record);
      assert.equal(decryptBso('forms', record, keys)['id'], record.id);
    });

    it('an unknown user fails the node lookup with UnknownUserError', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const stranger = { ...account, email: uniqueEmail('nobody') };
      const { storage } = connectLegacy(sandbox, stranger);
      await assert.rejects(storage.infoCollections(), UnknownUserError);
    });
  });

  describe('writes', () => {
    it('uploadRecords of 250 records: plain POSTs (no batches) of at most 100, all land and decrypt on the server side', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage, connection } = connectLegacy(sandbox, account, { transport });
      const keys = await collectionKeys(connection);
      const cleartexts = historyCleartexts(250, 'upload11');
      const records = cleartexts.map((cleartext, index) => ({ id: cleartext.id, payload: encryptRecord('history', cleartext, keys), sortindex: index }));

      const result = await storage.uploadRecords('history', records);
      assert.deepEqual(result.failed, {});
      assert.deepEqual([...distinct(result.success)].sort(), sortedIds(records));
      assert.equal(result.modified, (await storage.infoCollections())['history']);

      const posts = transport.matching('POST', /\/storage\/history/);
      assert.deepEqual(
        posts.map((post) => (JSON.parse(post.body ?? '[]') as unknown[]).length),
        [100, 100, 50],
      );
      assert.ok(posts.every((post) => !post.path.includes('?')), 'no batch parameters');

      const stored = new Map((await readAll(storage, 'history')).map((bso) => [bso.id, bso]));
      for (const record of records) {
        assert.equal(stored.get(record.id)?.payload, record.payload);
        assert.equal(stored.get(record.id)?.sortindex, record.sortindex);
      }
      const readBack = new Map((await sandbox.readBack(account.email, 'history')).map((record) => [record.id, record.cleartext]));
      for (const cleartext of cleartexts) assert.deepEqual(readBack.get(cleartext.id), cleartext);
    });

    it('putRecord answers the timestamp the record and collection then carry', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const result = await storage.putRecord('prefs', { id: 'prefs11put01', payload: 'hello', sortindex: 7 });
      assert.deepEqual(await storage.getRecord('prefs', 'prefs11put01'), { id: 'prefs11put01', modified: result.modified, sortindex: 7, payload: 'hello' });
      assert.equal((await storage.infoCollections())['prefs'], result.modified);
    });

    it('deleteRecords of 150 ids deletes exactly those, at most 100 per request', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: { history: 200 } });
      const transport = new RecordingTransport();
      const { storage } = connectLegacy(sandbox, account, { transport });
      const ids = sortedIds(await sandbox.readBack(account.email, 'history'));
      const doomed = ids.slice(0, 150);
      const result = await storage.deleteRecords('history', doomed);
      assert.ok(result);
      const deletes = transport.matching('DELETE', /\/storage\/history\?/);
      assert.equal(deletes.length, 2);
      assert.ok(deletes.every((request) => (queryParameter(request.path, 'ids') ?? '').split(',').length <= 100));
      assert.deepEqual((await storage.readIds('history')).sort(), ids.slice(150));
    });

    it('ifUnmodifiedSince older than the collection: PUT, upload and delete fail with PreconditionFailedError and change nothing', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const seen = (await storage.infoCollections())['forms'];
      assert.ok(seen !== undefined);
      await sandbox.writeRecords(account.email, { collection: 'forms', upsert: [{ id: 'otherclient1', name: 'a', value: 'b' }] });
      const before = await readAll(storage, 'forms');

      await assert.rejects(storage.putRecord('forms', { id: 'stale0000001', payload: 'x' }, { ifUnmodifiedSince: seen }), PreconditionFailedError);
      await assert.rejects(storage.uploadRecords('forms', [{ id: 'stale0000002', payload: 'y' }], { ifUnmodifiedSince: seen }), PreconditionFailedError);
      await assert.rejects(storage.deleteRecords('forms', ['otherclient1'], { ifUnmodifiedSince: seen }), PreconditionFailedError);
      assert.deepEqual(await readAll(storage, 'forms'), before);

      const current = (await storage.infoCollections())['forms'];
      assert.ok(current !== undefined);
      const put = await storage.putRecord('forms', { id: 'fresh0000001', payload: 'z' }, { ifUnmodifiedSince: current });
      await storage.deleteRecords('forms', ['otherclient1'], { ifUnmodifiedSince: put.modified });
      assert.equal(await storage.getRecord('forms', 'otherclient1'), null);
    });

    it('a 250-record upload with a current ifUnmodifiedSince chains it across its POSTs', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const current = (await storage.infoCollections())['history'];
      assert.ok(current !== undefined);
      const records = Array.from({ length: 250 }, (_, index) => ({ id: `chain${String(index).padStart(7, '0')}`, payload: `p${index}` }));
      const result = await storage.uploadRecords('history', records, { ifUnmodifiedSince: current });
      assert.equal(result.success.length, 250);
      assert.equal((await storage.readIds('history')).length, 255);
    });

    it('deleteCollection drops one collection; deleteAll (with X-Confirm-Delete) empties the account', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = connectLegacy(sandbox, account, { transport });
      await storage.deleteCollection('history');
      const info = await storage.infoCollections();
      assert.equal(info['history'], undefined);
      assert.ok(info['forms'] !== undefined);
      await storage.deleteAll();
      assert.deepEqual(await storage.infoCollections(), {});
      const wipe = transport.matching('DELETE', /\/storage$/);
      assert.equal(wipe.length, 1);
      assert.ok(wipe[0]?.headers['x-confirm-delete'] !== undefined);
    });
  });

  describe('faults', () => {
    function path11(account: AccountSummary, rest: string): string {
      return `^/weave/1\\.1/${account.username}${rest}$`;
    }

    it('two 503s on storage and two on the node lookup are waited out and retried', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      const lookup = await sandbox.addFault({ path: `^/weave/user/1\\.0/${account.username}/node/weave$`, count: 2, kind: '503', retryAfter: 5 });
      const info = await sandbox.addFault({ path: path11(account, '/info/collections'), count: 2, kind: '503', retryAfter: 5 });
      assert.deepEqual(Object.keys(await storage.infoCollections()).sort(), ['crypto', 'forms', 'history', 'meta']);
      assert.equal((await sandbox.fault(lookup.id)).fired, 2);
      assert.equal((await sandbox.fault(info.id)).fired, 2);
    });

    it('503s past the retry bound fail with ServiceUnavailableError carrying Retry-After', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      await storage.infoCollections();
      await sandbox.addFault({ path: path11(account, '/storage/forms'), count: 10, kind: '503', retryAfter: 9 });
      await assert.rejects(storage.readIds('forms'), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailableError, `got ${String(error)}`);
        assert.equal(error.retryAfterSeconds, 9);
        return true;
      });
    });

    it('X-Weave-Backoff reaches onServerNotice and the call succeeds', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const notices: ServerNotice[] = [];
      const { storage } = connectLegacy(sandbox, account, { notices });
      await sandbox.addFault({ path: path11(account, '/storage/forms'), count: 1, kind: 'backoff', backoff: 30 });
      assert.equal((await storage.readIds('forms')).length, 4);
      assert.deepEqual(
        notices.map((notice) => notice.kind === 'backoff' && notice.seconds),
        [30],
      );
    });

    it('a 401 makes the client look the node up again; the same node means the password is wrong: AuthenticationError', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const { storage } = connectLegacy(sandbox, account, { transport });
      await storage.infoCollections();
      await sandbox.addFault({ path: path11(account, '/info/collections'), count: 1, kind: '401' });
      await assert.rejects(storage.infoCollections(), AuthenticationError);
      assert.equal(transport.exchanges.filter((exchange) => exchange.path.endsWith('/node/weave')).length, 2);
    });

    it('a connection reset fails with NetworkError; the next call succeeds', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      await storage.infoCollections();
      await sandbox.addFault({ path: path11(account, '/storage/forms'), count: 1, kind: 'reset' });
      await assert.rejects(storage.readIds('forms'), NetworkError);
      assert.equal((await storage.readIds('forms')).length, 4);
    });

    it('a delayed answer is waited for; a 412 fails with PreconditionFailedError; two 409s are retried', async () => {
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const { storage } = connectLegacy(sandbox, account);
      await sandbox.addFault({ path: path11(account, '/storage/forms'), method: 'GET', count: 1, kind: 'delay', delayMs: 200 });
      assert.equal((await storage.readIds('forms')).length, 4);
      await sandbox.addFault({ path: path11(account, '/storage/forms/faulty000001'), method: 'PUT', count: 1, kind: '412' });
      await assert.rejects(storage.putRecord('forms', { id: 'faulty000001', payload: 'x' }), PreconditionFailedError);
      const conflict = await sandbox.addFault({ path: path11(account, '/storage/forms/faulty000002'), method: 'PUT', count: 2, kind: '409', retryAfter: 1 });
      await storage.putRecord('forms', { id: 'faulty000002', payload: 'y' });
      assert.equal((await sandbox.fault(conflict.id)).fired, 2);
      assert.equal((await storage.getRecord('forms', 'faulty000002'))?.payload, 'y');
    });
  });

  describe('quirks', () => {
    it('emptyInfoAsArray: an empty account’s info/collections `[]` reads as no collections; writes and deletes work', async () => {
      await sandbox.setQuirks({ storage11: { emptyInfoAsArray: true } });
      const account = await sandbox.createAccount('legacy11');
      const raw = await rawGet(`${storageBase(account)}/info/collections`, account);
      assert.equal(raw.body.trim(), '[]', 'the quirk is on');
      const session = connectLegacy(sandbox, account);
      assert.deepEqual(await session.storage.infoCollections(), {});
      await exercise(session, { seededForms: 0 });
    });

    it('failedAsArray: POST answers with `"failed": []` are read as nothing failed', async () => {
      await sandbox.setQuirks({ storage11: { failedAsArray: true } });
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const session = connectLegacy(sandbox, account, { transport });
      await exercise(session, { seededForms: 4 });
      const post = transport.matching('POST', /\/storage\/prefs$/)[0];
      assert.match(post?.responseBody ?? '', /"failed":\[\]/, 'the quirk is on');
    });

    it('omitRecordsHeader: reads without X-Weave-Records work', async () => {
      await sandbox.setQuirks({ storage11: { omitRecordsHeader: true } });
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const transport = new RecordingTransport();
      const session = connectLegacy(sandbox, account, { transport });
      await exercise(session, { seededForms: 4 });
      const gets = transport.matching('GET', /\/storage\/forms\?/);
      assert.ok(gets.length > 0);
      assert.ok(gets.every((get) => get.responseHeaders?.['x-weave-records'] === undefined), 'the quirk is on');
    });

    for (const decimals of [0, 1] as const) {
      it(`timestampDecimals ${decimals}: coarse timestamps parse, and echoing them as ifUnmodifiedSince never conflicts with itself`, async () => {
        await sandbox.setQuirks({ storage11: { timestampDecimals: decimals } });
        const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
        const transport = new RecordingTransport();
        const session = connectLegacy(sandbox, account, { transport });
        await exercise(session, { seededForms: 4 });

        const info = await session.storage.infoCollections();
        const step = 10 ** (3 - decimals);
        for (const [name, modified] of Object.entries(info)) assert.equal(modified % step, 0, `${name} at ${decimals} decimals`);
        const stamp = transport.exchanges.at(-1)?.responseHeaders?.['x-weave-timestamp'] ?? '';
        assert.match(stamp, decimals === 0 ? /^\d+$/ : /^\d+\.\d$/, 'the quirk is on');

        // Several writes in a row, each guarded by the timestamp the previous one answered.
        let since = info['prefs'] ?? 0;
        for (let n = 0; n < 3; n++) since = (await session.storage.putRecord('prefs', { id: `coarse${n}aaaaa`, payload: `${n}` }, { ifUnmodifiedSince: since })).modified;
        const many = Array.from({ length: 150 }, (_, index) => ({ id: `coarsemany${String(index).padStart(3, '0')}`, payload: `${index}` }));
        const upload = await session.storage.uploadRecords('prefs', many, { ifUnmodifiedSince: since });
        assert.equal(upload.success.length, 150);
        assert.equal((await readAll(session.storage, 'prefs', { limit: 40 })).length, 3 + 3 + 150);
      });
    }

    it('errorBodiesAsStrings: string error bodies still give AuthenticationError, WeaveError with its errno, and PreconditionFailedError', async () => {
      await sandbox.setQuirks({ storage11: { errorBodiesAsStrings: true } });
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const session = connectLegacy(sandbox, account);
      await exercise(session, { seededForms: 4 });

      await assert.rejects(connectLegacy(sandbox, account, { password: 'wrong' }).storage.infoCollections(), AuthenticationError);
      await assert.rejects(
        session.storage.putRecord('forms', { id: 'badttl000001', payload: 'x', ttl: 40_000_000 }),
        (error: unknown) => {
          assert.ok(error instanceof WeaveError, `got ${String(error)}`);
          assert.equal(error.status, 400);
          assert.equal(error.errno, 8);
          assert.equal(error.body.trim(), '"8"', 'the quirk is on');
          return true;
        },
      );
      const seen = (await session.storage.infoCollections())['forms'] ?? 0;
      await sandbox.writeRecords(account.email, { collection: 'forms', upsert: [{ id: 'otherclient2', name: 'a', value: 'b' }] });
      await assert.rejects(session.storage.putRecord('forms', { id: 'stale0000003', payload: 'x' }, { ifUnmodifiedSince: seen }), PreconditionFailedError);
      await assert.rejects(
        connectLegacy(sandbox, { ...account, email: uniqueEmail('nobody') }).storage.infoCollections(),
        UnknownUserError,
      );
    });

    it('nodeUrlWithoutPort: with the storageUrl option the client skips node discovery and works', async () => {
      await sandbox.setQuirks({ storage11: { nodeUrlWithoutPort: true } });
      const account = await sandbox.createAccount('legacy11', { seed: SMALL_SEED });
      const lookup = await fetch(`${sandbox.urls.storage11}/user/1.0/${account.username}/node/weave`);
      const node = (await lookup.text()).trim();
      assert.equal(new URL(node).port, '', `the quirk is on: ${node}`);

      const transport = new RecordingTransport();
      const session = connectLegacy(sandbox, account, { transport, storageUrl: sandbox.urls.storage11 });
      await exercise(session, { seededForms: 4 });
      assert.deepEqual(transport.exchanges.filter((exchange) => exchange.path.includes('/user/1.0/')), [], 'no node lookup');
      assert.ok(transport.exchanges.every((exchange) => exchange.url.startsWith(`${storageBase(account)}/`)));

      // The full `<node>/1.1/<user>` base is accepted as well.
      const full = connectLegacy(sandbox, account, { storageUrl: `${storageBase(account)}/` });
      assert.deepEqual(Object.keys(await full.storage.infoCollections()).sort(), ['crypto', 'forms', 'history', 'meta', 'prefs']);
    });
  });
});
