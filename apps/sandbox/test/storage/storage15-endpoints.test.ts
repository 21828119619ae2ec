import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_STORAGE_LIMITS } from '../../src/contracts.js';
import { Storage15Fixture, msOf } from './support.js';

describe('storage 1.5 endpoints', () => {
  let fixture: Storage15Fixture;
  before(async () => {
    fixture = await Storage15Fixture.start();
  });
  after(() => fixture.close());
  beforeEach(() => {
    fixture.engine.dropUser(fixture.uid);
    fixture.limits = { ...DEFAULT_STORAGE_LIMITS };
  });

  test('an empty store: info/collections {} with X-Last-Modified 0.00 and X-Weave-Records 0', async () => {
    const response = await fixture.request('GET', '/info/collections');
    assert.equal(response.status, 200);
    assert.equal(response.body, '{}');
    assert.equal(response.headers['x-last-modified'], '0.00');
    assert.equal(response.headers['x-weave-records'], '0');
    assert.equal(response.headers['x-weave-timestamp'], '1700000000.00');
  });

  test('PUT answers the bare new timestamp, also in X-Last-Modified and X-Weave-Timestamp', async () => {
    fixture.clock.ms = 1_700_000_000_257;
    const response = await fixture.request('PUT', '/storage/bookmarks/abc', { body: { payload: 'p', sortindex: 5 } });
    assert.equal(response.status, 200);
    assert.equal(response.body, '1700000000.25');
    assert.equal(response.headers['x-last-modified'], '1700000000.25');
    assert.equal(response.headers['x-weave-timestamp'], '1700000000.25');
  });

  test('GET item returns the BSO with two-decimal modified; ttl is never returned', async () => {
    fixture.clock.ms = 1_700_000_000_200;
    await fixture.request('PUT', '/storage/bookmarks/abc', { body: { payload: 'p', sortindex: 5, ttl: 100 } });
    const response = await fixture.request('GET', '/storage/bookmarks/abc');
    assert.equal(response.status, 200);
    assert.equal(response.body, '{"id":"abc","modified":1700000000.20,"payload":"p","sortindex":5}');
    assert.equal(response.headers['x-last-modified'], '1700000000.20');
  });

  test('writes get strictly increasing timestamps even within the same 10 ms', async () => {
    const first = await fixture.request('PUT', '/storage/tabs/a', { body: { payload: '1' } });
    const second = await fixture.request('PUT', '/storage/tabs/b', { body: { payload: '2' } });
    const third = await fixture.request('POST', '/storage/forms', { body: [{ id: 'c', payload: '3' }] });
    assert.ok(msOf(second.body) > msOf(first.body));
    assert.ok(msOf(JSON.parse(third.body).modified as number) > msOf(second.body));
    const info = JSON.parse((await fixture.request('GET', '/info/collections')).body);
    assert.equal(info.tabs, msOf(second.body) / 1000);
  });

  test('a PUT changing only ttl keeps modified but moves the collection timestamp', async () => {
    await fixture.request('PUT', '/storage/tabs/a', { body: { payload: 'keep', sortindex: 1 } });
    const before = JSON.parse((await fixture.request('GET', '/storage/tabs/a')).body);
    fixture.clock.advance(1000);
    const written = await fixture.request('PUT', '/storage/tabs/a', { body: { ttl: 3600 } });
    const after = JSON.parse((await fixture.request('GET', '/storage/tabs/a')).body);
    assert.deepEqual(after, before);
    const info = JSON.parse((await fixture.request('GET', '/info/collections')).body);
    assert.equal(info.tabs, msOf(written.body) / 1000);
  });

  test('GET of a missing BSO and of a missing collection', async () => {
    const item = await fixture.request('GET', '/storage/bookmarks/nope');
    assert.equal(item.status, 404);
    assert.equal(item.body, '0');
    const collection = await fixture.request('GET', '/storage/nothing-here');
    assert.equal(collection.status, 200);
    assert.equal(collection.body, '[]');
    assert.equal(collection.headers['x-last-modified'], '0.00');
    assert.equal(collection.headers['x-weave-records'], '0');
  });

  test('invalid collection names are 400, unknown URLs 404, wrong methods 405', async () => {
    assert.equal((await fixture.request('GET', '/storage/bad!name')).status, 400);
    assert.equal((await fixture.request('GET', `/storage/${'x'.repeat(33)}`)).status, 400);
    const unknown = await fixture.request('GET', '/info/nonsense');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body, '0');
    assert.equal((await fixture.request('GET', '/storage/tabs/a/b')).status, 404);
    assert.equal((await fixture.request('PUT', '/storage/tabs', { body: [] })).status, 405);
  });

  test('ids with spaces and slashes travel percent-encoded', async () => {
    await fixture.request('PUT', '/storage/tabs/a%20b%2Fc', { body: { payload: 'odd' } });
    const record = JSON.parse((await fixture.request('GET', '/storage/tabs/a%20b%2Fc')).body);
    assert.equal(record.id, 'a b/c');
  });

  test('DELETE item answers {"modified": ts} and 404 when absent', async () => {
    await fixture.request('PUT', '/storage/tabs/a', { body: { payload: '1' } });
    const deleted = await fixture.request('DELETE', '/storage/tabs/a');
    assert.equal(deleted.status, 200);
    assert.match(deleted.body, /^\{"modified":\d+\.\d\d\}$/);
    assert.equal((await fixture.request('GET', '/storage/tabs/a')).status, 404);
    const again = await fixture.request('DELETE', '/storage/tabs/a');
    assert.equal(again.status, 404);
    assert.equal(again.body, '0');
  });

  test('DELETE ?ids= removes those records, keeps the collection and moves its timestamp', async () => {
    await fixture.request('POST', '/storage/tabs', { body: [{ id: 'a', payload: '1' }, { id: 'b', payload: '2' }, { id: 'c', payload: '3' }] });
    const deleted = await fixture.request('DELETE', '/storage/tabs?ids=a,c');
    assert.equal(deleted.status, 200);
    assert.match(deleted.body, /^\d+\.\d\d$/);
    assert.equal(deleted.headers['x-last-modified'], deleted.body);
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/storage/tabs')).body), ['b']);
    const info = JSON.parse((await fixture.request('GET', '/info/collections')).body);
    assert.equal(info.tabs, Number(deleted.body));
  });

  test('DELETE ?ids= with more than 100 ids is 400', async () => {
    const ids = Array.from({ length: 101 }, (_, index) => `id${index}`).join(',');
    assert.equal((await fixture.request('DELETE', `/storage/tabs?ids=${ids}`)).status, 400);
  });

  test('DELETE collection drops it from info/collections, answers a bare number and moves the store timestamp', async () => {
    await fixture.request('PUT', '/storage/tabs/a', { body: { payload: '1' } });
    await fixture.request('PUT', '/storage/forms/f', { body: { payload: '1' } });
    const deleted = await fixture.request('DELETE', '/storage/tabs');
    assert.equal(deleted.status, 200);
    assert.match(deleted.body, /^\d+\.\d\d$/);
    const info = await fixture.request('GET', '/info/collections');
    assert.deepEqual(Object.keys(JSON.parse(info.body)), ['forms']);
    assert.equal(info.headers['x-last-modified'], deleted.body);
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/storage/tabs')).body), []);
  });

  test('DELETE of a collection that never existed answers the store timestamp', async () => {
    const written = await fixture.request('PUT', '/storage/forms/f', { body: { payload: '1' } });
    const deleted = await fixture.request('DELETE', '/storage/never');
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body, written.body);
  });

  test('DELETE /storage and DELETE on the base URL wipe everything', async () => {
    for (const path of ['/storage', '']) {
      await fixture.request('PUT', '/storage/tabs/a', { body: { payload: '1' } });
      const wiped = await fixture.request('DELETE', path);
      assert.equal(wiped.status, 200, path);
      assert.equal(wiped.body, 'null');
      assert.equal((await fixture.request('GET', '/info/collections')).body, '{}');
      assert.equal((await fixture.request('GET', '/storage/tabs/a')).status, 404);
    }
  });

  test('info/collection_counts and collection_usage count live records only, with X-Weave-Records', async () => {
    await fixture.request('POST', '/storage/tabs', { body: [{ id: 'a', payload: 'x'.repeat(1024) }, { id: 'b', payload: 'x'.repeat(512), ttl: 10 }] });
    await fixture.request('PUT', '/storage/forms/f', { body: { payload: 'yy' } });
    fixture.clock.advance(11_000);
    const counts = await fixture.request('GET', '/info/collection_counts');
    assert.deepEqual(JSON.parse(counts.body), { tabs: 1, forms: 1 });
    assert.equal(counts.headers['x-weave-records'], '2');
    const usage = await fixture.request('GET', '/info/collection_usage');
    assert.equal(usage.body, '{"tabs":1.0,"forms":0.001953125}');
    assert.equal(usage.headers['x-weave-records'], '2');
  });

  test('info/quota is [usedKB, null] without a quota and [usedKB, quotaKB] with one', async () => {
    await fixture.request('PUT', '/storage/tabs/a', { body: { payload: 'x'.repeat(2048) } });
    assert.equal((await fixture.request('GET', '/info/quota')).body, '[2.0,null]');
    fixture.limits.max_quota_limit = 1024 * 1024;
    assert.equal((await fixture.request('GET', '/info/quota')).body, '[2.0,1024.0]');
  });

  test('info/configuration reports the current limits with X-Last-Modified 0.00', async () => {
    fixture.limits.max_post_records = 7;
    const response = await fixture.request('GET', '/info/configuration');
    assert.deepEqual(JSON.parse(response.body), { ...DEFAULT_STORAGE_LIMITS, max_post_records: 7 });
    assert.equal(response.headers['x-last-modified'], '0.00');
  });

  test('over quota: writes are 403 body 14; writes under it carry X-Weave-Quota-Remaining', async () => {
    fixture.limits.max_quota_limit = 4096;
    const first = await fixture.request('PUT', '/storage/tabs/a', { body: { payload: 'x'.repeat(3072) } });
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-weave-quota-remaining'], '1.0');
    const second = await fixture.request('POST', '/storage/tabs', { body: [{ id: 'b', payload: 'x'.repeat(1024) }] });
    assert.equal(second.status, 200);
    assert.equal(second.headers['x-weave-quota-remaining'], '0.0');
    const refused = await fixture.request('PUT', '/storage/tabs/c', { body: { payload: 'x' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, '14');
    const refusedPost = await fixture.request('POST', '/storage/tabs', { body: [{ id: 'c', payload: 'x' }] });
    assert.equal(refusedPost.status, 403);
    assert.equal(refusedPost.body, '14');
    await fixture.request('DELETE', '/storage/tabs?ids=a');
    assert.equal((await fixture.request('PUT', '/storage/tabs/c', { body: { payload: 'x' } })).status, 200);
  });

  test('records whose ttl ran out vanish from every read', async () => {
    await fixture.request('POST', '/storage/history', { body: [{ id: 'short', payload: 's', ttl: 5 }, { id: 'long', payload: 'l' }] });
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/storage/history?sort=oldest')).body), ['long', 'short']);
    fixture.clock.advance(5_000);
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/storage/history')).body), ['long']);
    assert.equal((await fixture.request('GET', '/storage/history/short')).status, 404);
    assert.equal((await fixture.request('GET', '/storage/history?ids=short')).body, '[]');
    assert.equal((await fixture.request('DELETE', '/storage/history/short')).status, 404);
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/info/collection_counts')).body), { history: 1 });
  });

  test('rewriting an expired record starts it afresh', async () => {
    await fixture.request('PUT', '/storage/history/h', { body: { payload: 'old', sortindex: 9, ttl: 1 } });
    fixture.clock.advance(2_000);
    await fixture.request('PUT', '/storage/history/h', { body: { sortindex: 3 } });
    const record = JSON.parse((await fixture.request('GET', '/storage/history/h')).body);
    assert.equal(record.payload, '');
    assert.equal(record.sortindex, 3);
  });

  test('PUT body errors: invalid JSON, unknown field, bad ttl are 400 body 8; oversized payload too', async () => {
    for (const body of ['not json', '{"payload":"x","bogus":1}', '{"ttl":-1}', '{"sortindex":1000000000}', '[1]']) {
      const response = await fixture.request('PUT', '/storage/tabs/a', { body });
      assert.equal(response.status, 400, body);
      assert.equal(response.body, '8', body);
    }
    fixture.limits.max_record_payload_bytes = 10;
    const big = await fixture.request('PUT', '/storage/tabs/a', { body: { payload: 'x'.repeat(11) } });
    assert.equal(big.status, 400);
    assert.equal(big.body, '8');
  });

  test('writes with another Content-Type are 415; text/plain is read as JSON', async () => {
    const html = await fixture.request('PUT', '/storage/tabs/a', { body: '{"payload":"x"}', contentType: 'text/html' });
    assert.equal(html.status, 415);
    const plain = await fixture.request('PUT', '/storage/tabs/a', { body: '{"payload":"x"}', contentType: 'text/plain;charset=UTF-8' });
    assert.equal(plain.status, 200);
  });

  test('request bodies over max_request_bytes are 413', async () => {
    fixture.limits.max_request_bytes = 100;
    const response = await fixture.request('PUT', '/storage/tabs/a', { body: { payload: 'x'.repeat(200) } });
    assert.equal(response.status, 413);
  });

  test('every response carries X-Weave-Timestamp, errors included', async () => {
    for (const [method, path] of [['GET', '/info/collections'], ['GET', '/storage/tabs/none'], ['GET', '/storage/bad!'], ['GET', '/nope']] as const) {
      const response = await fixture.request(method, path);
      assert.match(String(response.headers['x-weave-timestamp']), /^\d+\.\d\d$/, `${method} ${path}`);
    }
  });
});
