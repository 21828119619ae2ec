import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_STORAGE_LIMITS } from '../../src/contracts.js';
import { Storage15Fixture, tokenFor } from './support.js';

interface PostResult {
  modified?: number;
  batch?: string;
  success: string[];
  failed: Record<string, string>;
}

describe('storage 1.5 POST', () => {
  let fixture: Storage15Fixture;
  before(async () => {
    fixture = await Storage15Fixture.start();
  });
  after(() => fixture.close());
  beforeEach(() => {
    fixture.engine.dropUser(fixture.uid);
    fixture.limits = { ...DEFAULT_STORAGE_LIMITS };
    fixture.token = tokenFor(fixture.uid, fixture.clock);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fixture.request('POST', `/storage/tabs${path}`, { body, headers });
  const ids = async (): Promise<string[]> => fixture.json<string[]>('GET', '/storage/tabs?sort=oldest');

  test('a JSON array is written at one timestamp, answered with modified/success/failed', async () => {
    const response = await post('', [{ id: 'a', payload: '1' }, { id: 'b', payload: '2', sortindex: 3 }]);
    assert.equal(response.status, 200);
    const result = JSON.parse(response.body) as PostResult;
    assert.deepEqual(result.success, ['a', 'b']);
    assert.deepEqual(result.failed, {});
    assert.equal(response.headers['x-last-modified'], (result.modified as number).toFixed(2));
    const records = await fixture.json<Array<{ modified: number }>>('GET', '/storage/tabs?full=1');
    assert.deepEqual(records.map((record) => record.modified), [result.modified, result.modified]);
  });

  test('application/newlines bodies are one BSO per line', async () => {
    const response = await fixture.request('POST', '/storage/tabs', {
      body: '{"id":"a","payload":"1"}\n{"id":"b","payload":"2"}\n',
      contentType: 'application/newlines',
    });
    assert.deepEqual((JSON.parse(response.body) as PostResult).success, ['a', 'b']);
  });

  test('invalid BSOs fail alone, with a reason', async () => {
    const response = await post('', [
      { id: 'ok', payload: '1' },
      { id: 'ttl', payload: '1', ttl: -5 },
      { id: 'sort', payload: '1', sortindex: 1_000_000_000 },
      { id: 'extra', payload: '1', colour: 'red' },
      { id: 'x'.repeat(65), payload: '1' },
      { id: 'type', payload: 5 },
    ]);
    const result = JSON.parse(response.body) as PostResult;
    assert.deepEqual(result.success, ['ok']);
    assert.deepEqual(Object.keys(result.failed).sort(), ['extra', 'sort', 'ttl', 'type', 'x'.repeat(65)].sort());
    assert.equal(result.failed['extra'], 'unknown field colour');
  });

  test('malformed bodies fail the whole request with 400 body 8', async () => {
    for (const body of ['{"id":"a"}', '[{"payload":"no id"}]', '[{"id":"a"},{"id":"a"}]', '[1]', 'nope']) {
      const response = await post('', body);
      assert.equal(response.status, 400, body);
      assert.equal(response.body, '8', body);
    }
  });

  test('records past max_post_records fail as "retry bso"', async () => {
    fixture.limits.max_post_records = 2;
    const result = JSON.parse((await post('', [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }])).body) as PostResult;
    assert.deepEqual(result.success, ['a', 'b']);
    assert.deepEqual(result.failed, { c: 'retry bso', d: 'retry bso' });
  });

  test('records past max_post_bytes fail as "retry bytes", as do payloads over max_record_payload_bytes', async () => {
    fixture.limits.max_post_bytes = 10;
    fixture.limits.max_record_payload_bytes = 8;
    const result = JSON.parse((await post('', [
      { id: 'a', payload: 'xxxx' },
      { id: 'big', payload: 'x'.repeat(9) },
      { id: 'b', payload: 'xxxx' },
    ])).body) as PostResult;
    assert.deepEqual(result.success, ['a']);
    assert.deepEqual(result.failed, { big: 'retry bytes', b: 'retry bytes' });
  });

  test('X-Weave-Records / X-Weave-Bytes over the limits are 400 body 17', async () => {
    const records = await post('', [], { 'X-Weave-Records': '101' });
    assert.equal(records.status, 400);
    assert.equal(records.body, '17');
    const bytes = await post('', [], { 'X-Weave-Bytes': String(DEFAULT_STORAGE_LIMITS.max_post_bytes + 1) });
    assert.equal(bytes.body, '17');
    assert.equal((await post('', [], { 'X-Weave-Records': '100' })).status, 200);
  });

  test('malformed X-Weave-* headers and totals without a batch are 400 body 1', async () => {
    assert.equal((await post('', [], { 'X-Weave-Records': 'many' })).body, '1');
    const totals = await post('', [], { 'X-Weave-Total-Records': '5' });
    assert.equal(totals.status, 400);
    assert.equal(totals.body, '1');
    assert.equal((await post('?batch=true', [], { 'X-Weave-Total-Records': '5' })).status, 202);
  });

  test('X-Weave-Total-* over the batch limits are 400 body 17', async () => {
    const response = await post('?batch=true', [], { 'X-Weave-Total-Records': String(DEFAULT_STORAGE_LIMITS.max_total_records + 1) });
    assert.equal(response.status, 400);
    assert.equal(response.body, '17');
  });

  test('bodies over max_request_bytes are 413; other content types 415', async () => {
    fixture.limits.max_request_bytes = 50;
    assert.equal((await post('', [{ id: 'a', payload: 'x'.repeat(60) }])).status, 413);
    const wrongType = await fixture.request('POST', '/storage/tabs', { body: '[]', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
  });

  test('a crypto/keys payload with an all-zero IV is refused', async () => {
    const response = await fixture.request('POST', '/storage/crypto', { body: [{ id: 'keys', payload: '{"IV":"AAAAAAAAAAAAAAAAAAAAAA==","ciphertext":"x"}' }] });
    assert.equal(response.status, 400);
  });

  describe('batches', () => {
    test('batch=true opens a batch (202), batch=<id> adds, commit=true applies all at one timestamp', async () => {
      const opened = await post('?batch=true', [{ id: 'a', payload: '1' }]);
      assert.equal(opened.status, 202);
      const { batch, success } = JSON.parse(opened.body) as PostResult;
      assert.ok(batch);
      assert.deepEqual(success, ['a']);
      fixture.clock.advance(1000);
      const added = await post(`?batch=${encodeURIComponent(batch)}`, [{ id: 'b', payload: '2' }]);
      assert.equal(added.status, 202);
      assert.deepEqual(await ids(), [], 'nothing visible before the commit');
      fixture.clock.advance(1000);
      const committed = await post(`?batch=${encodeURIComponent(batch)}&commit=true`, [{ id: 'c', payload: '3' }]);
      assert.equal(committed.status, 200);
      const result = JSON.parse(committed.body) as PostResult;
      assert.deepEqual(result.success, ['c']);
      const records = await fixture.json<Array<{ id: string; modified: number }>>('GET', '/storage/tabs?full=1&sort=oldest');
      assert.deepEqual(records.map((record) => record.id).sort(), ['a', 'b', 'c']);
      assert.ok(records.every((record) => record.modified === result.modified));
      assert.equal(committed.headers['x-last-modified'], (result.modified as number).toFixed(2));
    });

    test('a committed batch id is gone; unknown ids are 400', async () => {
      const { batch } = JSON.parse((await post('?batch=true', [])).body) as PostResult;
      assert.equal((await post(`?batch=${encodeURIComponent(batch as string)}&commit=true`, [])).status, 200);
      assert.equal((await post(`?batch=${encodeURIComponent(batch as string)}`, [])).status, 400);
      assert.equal((await post('?batch=MTIzNDU%3D', [])).status, 400);
    });

    test('a batch belongs to its collection', async () => {
      const { batch } = JSON.parse((await post('?batch=true', [])).body) as PostResult;
      const elsewhere = await fixture.request('POST', `/storage/forms?batch=${encodeURIComponent(batch as string)}`, { body: [] });
      assert.equal(elsewhere.status, 400);
    });

    test('batches expire after two hours', async () => {
      const { batch } = JSON.parse((await post('?batch=true', [{ id: 'a', payload: '1' }])).body) as PostResult;
      fixture.clock.advance(2 * 3600 * 1000);
      fixture.token = tokenFor(fixture.uid, fixture.clock);
      assert.equal((await post(`?batch=${encodeURIComponent(batch as string)}&commit=true`, [])).status, 400);
    });

    test('batch=true&commit=true is a plain POST', async () => {
      const response = await post('?batch=true&commit=true', [{ id: 'a', payload: '1' }]);
      assert.equal(response.status, 200);
      assert.deepEqual(await ids(), ['a']);
    });

    test('commit without batch, or commit other than true, is 400', async () => {
      assert.equal((await post('?commit=true', [])).status, 400);
      assert.equal((await post('?batch=true&commit=yes', [])).status, 400);
    });

    test('a batch growing past max_total_records or max_total_bytes is 400 body 17 and keeps what it had', async () => {
      fixture.limits.max_total_records = 3;
      fixture.limits.max_total_bytes = 100;
      const { batch } = JSON.parse((await post('?batch=true', [{ id: 'a', payload: '1' }, { id: 'b', payload: '1' }])).body) as PostResult;
      const id = encodeURIComponent(batch as string);
      const tooMany = await post(`?batch=${id}`, [{ id: 'c', payload: '1' }, { id: 'd', payload: '1' }]);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body, '17');
      const tooBig = await post(`?batch=${id}`, [{ id: 'c', payload: 'x'.repeat(101) }]);
      assert.equal(tooBig.body, '17');
      assert.equal((await post(`?batch=${id}&commit=true`, [])).status, 200);
      assert.deepEqual(await ids(), ['a', 'b']);
    });

    test('failed items of batch requests are reported per request', async () => {
      const opened = JSON.parse((await post('?batch=true', [{ id: 'a', payload: '1' }, { id: 'bad', ttl: -1 }])).body) as PostResult;
      assert.deepEqual(opened.failed, { bad: 'invalid json' });
    });
  });
});
