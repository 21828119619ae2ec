import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LegacyDirectory, LegacyUser } from '../../src/contracts.js';
import { StorageEngine } from '../../src/storage/engine.js';
import { DEFAULT_STORAGE11_QUIRKS, registerStorage11, type Storage11Quirks } from '../../src/storage/storage11.js';
import { TestClock, httpRequest, startServer, type HttpResult, type RunningServer } from './support.js';

// sync-protocols.md §10 vector (d): the 1.1 username of John.Doe@Example.com and its Basic header.
const ALICE: LegacyUser = { username: 'opwfhrf2c5d5jbnofigxx6x2ntnibjnj', password: 'secret-pass', storageUid: 1001 };
const ALICE_AUTH = 'Basic b3B3ZmhyZjJjNWQ1amJub2ZpZ3h4NngybnRuaWJqbmo6c2VjcmV0LXBhc3M=';
const BOB: LegacyUser = { username: 'bob', password: 'hunter2', storageUid: 1002 };

function basic(user: LegacyUser, password = user.password): string {
  return `Basic ${Buffer.from(`${user.username}:${password}`).toString('base64')}`;
}

describe('storage 1.1 and the user API', () => {
  const clock = new TestClock();
  const engine = new StorageEngine({ now: clock.now });
  const users = new Map([ALICE, BOB].map((user) => [user.username, user]));
  const directory: LegacyDirectory = { find: (username) => users.get(username) };
  let quirks: Storage11Quirks;
  let server: RunningServer;
  let publicUrl: string;

  before(async () => {
    server = await startServer((app) =>
      registerStorage11(app, { prefix: '/weave', engine, directory, publicUrl: () => publicUrl, quirks: () => quirks }),
    );
    publicUrl = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    quirks = { ...DEFAULT_STORAGE11_QUIRKS };
    engine.dropUser(ALICE.storageUid);
    engine.dropUser(BOB.storageUid);
  });

  function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; auth?: string } = {}): Promise<HttpResult> {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return httpRequest(server.port, {
      method,
      path: `/weave/1.1/${ALICE.username}${path}`,
      headers: { Authorization: options.auth ?? ALICE_AUTH, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
      ...(body !== undefined ? { body } : {}),
    });
  }

  describe('user API', () => {
    test('GET /user/1.0/<user> answers 1 for a known user and 0 otherwise', async () => {
      assert.equal((await httpRequest(server.port, { method: 'GET', path: `/weave/user/1.0/${ALICE.username}` })).body, '1');
      assert.equal((await httpRequest(server.port, { method: 'GET', path: '/weave/user/1.0/nobody' })).body, '0');
    });

    test('node/weave answers the storage node URL in plain text', async () => {
      const response = await httpRequest(server.port, { method: 'GET', path: `/weave/user/1.0/${ALICE.username}/node/weave` });
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      assert.equal(response.body, `http://127.0.0.1:${server.port}/weave/`);
    });

    test('node/weave of an unknown user is 404', async () => {
      assert.equal((await httpRequest(server.port, { method: 'GET', path: '/weave/user/1.0/nobody/node/weave' })).status, 404);
    });

    test('nodeUrlWithoutPort quirk drops the port from the node URL', async () => {
      quirks.nodeUrlWithoutPort = true;
      const response = await httpRequest(server.port, { method: 'GET', path: `/weave/user/1.0/${BOB.username}/node/weave` });
      assert.equal(response.body, 'http://127.0.0.1/weave/');
    });
  });

  describe('Basic auth', () => {
    test('the vector (d) Basic header authenticates its user', async () => {
      assert.equal(ALICE_AUTH, basic(ALICE));
      assert.equal((await call('GET', '/info/collections')).status, 200);
    });

    test('a wrong password, a missing header or another user in the path are 401', async () => {
      assert.equal((await call('GET', '/info/collections', { auth: basic(ALICE, 'wrong') })).status, 401);
      const missing = await httpRequest(server.port, { method: 'GET', path: `/weave/1.1/${ALICE.username}/info/collections` });
      assert.equal(missing.status, 401);
      assert.match(String(missing.headers['www-authenticate']), /^Basic/);
      const otherPath = await httpRequest(server.port, { method: 'GET', path: `/weave/1.1/${BOB.username}/info/collections`, headers: { Authorization: ALICE_AUTH } });
      assert.equal(otherPath.status, 401);
    });

    test('users have separate storage', async () => {
      await call('PUT', '/storage/tabs/a', { body: { payload: 'alice' } });
      const bob = await httpRequest(server.port, { method: 'GET', path: `/weave/1.1/${BOB.username}/storage/tabs`, headers: { Authorization: basic(BOB) } });
      assert.equal(bob.body, '[]');
    });
  });

  describe('storage', () => {
    test('PUT answers the bare timestamp; GET returns the WBO; no X-Last-Modified anywhere', async () => {
      clock.ms = 1_700_000_100_000;
      const put = await call('PUT', '/storage/bookmarks/a', { body: { payload: 'p', sortindex: 2 } });
      assert.equal(put.status, 200);
      assert.equal(put.body, '1700000100.00');
      assert.equal(put.headers['x-weave-timestamp'], '1700000100.00');
      assert.equal(put.headers['x-last-modified'], undefined);
      const get = await call('GET', '/storage/bookmarks/a');
      assert.equal(get.body, '{"id":"a","modified":1700000100.00,"payload":"p","sortindex":2}');
      assert.equal(get.headers['x-last-modified'], undefined);
    });

    test('info/collections, collection_counts, quota and collection_usage', async () => {
      await call('POST', '/storage/tabs', { body: [{ id: 'a', payload: 'x'.repeat(1024) }, { id: 'b', payload: '' }] });
      const info = await call('GET', '/info/collections');
      assert.deepEqual(Object.keys(JSON.parse(info.body)), ['tabs']);
      assert.equal(info.headers['x-weave-records'], '1');
      assert.deepEqual(JSON.parse((await call('GET', '/info/collection_counts')).body), { tabs: 2 });
      assert.equal((await call('GET', '/info/quota')).body, '[1.0,null]');
      assert.equal((await call('GET', '/info/collection_usage')).body, '{"tabs":1.0}');
    });

    test('GET collection: ids, newer, older, sort, limit with an integer offset, index_above/below', async () => {
      for (const [id, sortindex] of [['a', 1], ['b', 5], ['c', 3]] as const) {
        clock.advance(1000);
        await call('PUT', `/storage/bookmarks/${id}`, { body: { payload: id, sortindex } });
      }
      const get = async (query: string): Promise<string[]> => JSON.parse((await call('GET', `/storage/bookmarks${query}`)).body) as string[];
      assert.deepEqual(await get('?sort=index'), ['b', 'c', 'a']);
      assert.deepEqual(await get('?sort=newest&limit=2'), ['c', 'b']);
      assert.deepEqual(await get('?sort=newest&limit=2&offset=2'), ['a']);
      assert.deepEqual(await get('?sort=oldest&offset=2'), ['a', 'b', 'c'], 'offset needs a limit');
      assert.deepEqual(await get('?ids=a,c&sort=oldest'), ['a', 'c']);
      assert.deepEqual(await get('?index_above=1&index_below=5'), ['c']);
      const newest = JSON.parse((await call('GET', '/storage/bookmarks?ids=c&full=1')).body) as Array<{ modified: number }>;
      assert.deepEqual(await get(`?older=${(newest[0] as { modified: number }).modified}&sort=oldest`), ['a', 'b']);
      assert.deepEqual(await get(`?newer=${(newest[0] as { modified: number }).modified}`), []);
      const limited = await call('GET', '/storage/bookmarks?limit=1');
      assert.equal(limited.headers['x-weave-records'], '1');
      assert.equal(limited.headers['x-weave-next-offset'], undefined);
    });

    test('application/newlines and application/whoisi output formats', async () => {
      await call('POST', '/storage/tabs', { body: [{ id: 'a', payload: 'line\nbreak' }, { id: 'b', payload: '' }] });
      const newlines = await call('GET', '/storage/tabs?full=1&sort=oldest', { headers: { Accept: 'application/newlines' } });
      const lines = newlines.body.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 2);
      assert.equal((JSON.parse(lines[0] as string) as { payload: string }).payload, 'line\nbreak');
      const whoisi = await call('GET', '/storage/tabs?sort=oldest', { headers: { Accept: 'application/whoisi' } });
      const first = whoisi.raw.readUInt32BE(0);
      assert.equal(whoisi.raw.subarray(4, 4 + first).toString(), '"a"');
      assert.equal(whoisi.raw.subarray(8 + first).toString(), '"b"');
    });

    test('POST reports failures as string arrays, with retry wbo past 100 WBOs', async () => {
      const wbos = [{ id: 'bad', ttl: 31_536_001 }, ...Array.from({ length: 101 }, (_, index) => ({ id: `w${index}`, payload: '' }))];
      const result = JSON.parse((await call('POST', '/storage/tabs', { body: wbos })).body) as { success: string[]; failed: Record<string, string[]> };
      assert.deepEqual(result.failed['bad'], ['invalid ttl']);
      assert.deepEqual(result.failed['w99'], ['retry wbo']);
      assert.deepEqual(result.failed['w100'], ['retry wbo']);
      assert.equal(result.success.length, 99);
    });

    test('POST of a single object writes it like a PUT', async () => {
      const response = await call('POST', '/storage/tabs', { body: { id: 'solo', payload: 's' } });
      assert.match(response.body, /^\d+\.\d\d$/);
      assert.equal((await call('GET', '/storage/tabs/solo')).status, 200);
    });

    test('malformed JSON is 400 body 6; an invalid WBO in a PUT is 400 body 8', async () => {
      const malformed = await call('PUT', '/storage/tabs/a', { body: '{nope' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body, '6');
      const invalid = await call('PUT', '/storage/tabs/a', { body: { payload: 'x'.repeat(256 * 1024 + 1) } });
      assert.equal(invalid.body, '8');
    });

    test('X-If-Unmodified-Since applies to writes only, against the collection timestamp', async () => {
      const first = await call('PUT', '/storage/tabs/a', { body: { payload: '1' } });
      clock.advance(1000);
      await call('PUT', '/storage/forms/f', { body: { payload: '1' } });
      const stale = (Number(first.body) - 0.01).toFixed(2);
      const refused = await call('PUT', '/storage/tabs/b', { body: { payload: '2' }, headers: { 'X-If-Unmodified-Since': stale } });
      assert.equal(refused.status, 412);
      assert.equal((await call('GET', '/storage/tabs/b')).status, 404);
      const allowed = await call('PUT', '/storage/tabs/b', { body: { payload: '2' }, headers: { 'X-If-Unmodified-Since': first.body } });
      assert.equal(allowed.status, 200, 'item writes compare against the collection, which the forms write did not move');
      const read = await call('GET', '/storage/tabs', { headers: { 'X-If-Unmodified-Since': stale, 'X-If-Modified-Since': allowed.body } });
      assert.equal(read.status, 200, 'reads ignore preconditions');
    });

    test('DELETE item and collection answer bare timestamps; deleting a missing item is fine', async () => {
      await call('POST', '/storage/tabs', { body: [{ id: 'a', payload: '' }, { id: 'b', payload: '' }, { id: 'c', payload: '' }] });
      const item = await call('DELETE', '/storage/tabs/a');
      assert.match(item.body, /^\d+\.\d\d$/);
      assert.equal((await call('DELETE', '/storage/tabs/a')).status, 200);
      await call('DELETE', '/storage/tabs?ids=b');
      assert.deepEqual(JSON.parse((await call('GET', '/storage/tabs')).body), ['c']);
      const whole = await call('DELETE', '/storage/tabs');
      assert.match(whole.body, /^\d+\.\d\d$/);
      assert.equal((await call('GET', '/info/collections')).body, '{}');
    });

    test('DELETE storage needs X-Confirm-Delete, else 400 body 4', async () => {
      await call('PUT', '/storage/tabs/a', { body: { payload: '' } });
      const refused = await call('DELETE', '/storage');
      assert.equal(refused.status, 400);
      assert.equal(refused.body, '4');
      assert.equal((await call('DELETE', '/storage', { headers: { 'X-Confirm-Delete': '1' } })).status, 200);
      assert.equal((await call('GET', '/storage/tabs/a')).status, 404);
    });

    test('unknown paths are 404', async () => {
      assert.equal((await call('GET', '/info/configuration')).status, 404);
      assert.equal((await call('GET', '/storage/bad!name')).status, 404);
    });
  });

  describe('quirks', () => {
    test('emptyInfoAsArray: an empty info/collections is []', async () => {
      assert.equal((await call('GET', '/info/collections')).body, '{}');
      quirks.emptyInfoAsArray = true;
      assert.equal((await call('GET', '/info/collections')).body, '[]');
      await call('PUT', '/storage/tabs/a', { body: { payload: '' } });
      assert.notEqual((await call('GET', '/info/collections')).body, '[]');
    });

    test('failedAsArray: POST answers "failed": [] when nothing failed', async () => {
      assert.deepEqual(JSON.parse((await call('POST', '/storage/tabs', { body: [{ id: 'a' }] })).body).failed, {});
      quirks.failedAsArray = true;
      assert.deepEqual(JSON.parse((await call('POST', '/storage/tabs', { body: [{ id: 'a' }] })).body).failed, []);
      assert.deepEqual(JSON.parse((await call('POST', '/storage/tabs', { body: [{ id: 'b', ttl: -1 }] })).body).failed, { b: ['invalid ttl'] });
    });

    test('omitRecordsHeader: no X-Weave-Records', async () => {
      quirks.omitRecordsHeader = true;
      assert.equal((await call('GET', '/storage/tabs')).headers['x-weave-records'], undefined);
      assert.equal((await call('GET', '/info/collections')).headers['x-weave-records'], undefined);
    });

    test('timestampDecimals: timestamps written with 1 or 0 decimals, compared at that resolution', async () => {
      clock.ms = 1_700_000_200_470;
      quirks.timestampDecimals = 1;
      const put = await call('PUT', '/storage/tabs/a', { body: { payload: '' } });
      assert.equal(put.body, '1700000200.4');
      assert.equal(put.headers['x-weave-timestamp'], '1700000200.4');
      assert.match((await call('GET', '/storage/tabs?full=1')).body, /"modified":1700000200\.4,/);
      assert.deepEqual(JSON.parse((await call('GET', `/storage/tabs?newer=${put.body}`)).body), [], 'newer=<what we were told> excludes the record');
      const echoed = await call('PUT', '/storage/tabs/b', { body: { payload: '' }, headers: { 'X-If-Unmodified-Since': put.body } });
      assert.equal(echoed.status, 200, 'echoing the written timestamp is not a conflict');
      quirks.timestampDecimals = 0;
      assert.match(String((await call('GET', '/info/collections')).headers['x-weave-timestamp']), /^\d+$/);
      assert.match((await call('GET', '/info/collections')).body, /"tabs":1700000200\}/);
    });

    test('errorBodiesAsStrings: error bodies are JSON strings', async () => {
      quirks.errorBodiesAsStrings = true;
      const refused = await call('DELETE', '/storage');
      assert.equal(refused.status, 400);
      assert.equal(refused.body, '"4"');
      assert.equal((await call('PUT', '/storage/tabs/a', { body: '{nope' })).body, '"6"');
    });
  });
});
