import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_STORAGE_LIMITS } from '../../src/contracts.js';
import { Storage15Fixture, msOf } from './support.js';

describe('storage 1.5 collection reads', () => {
  let fixture: Storage15Fixture;
  /** Timestamps (ms) at which a, b, c were written, in that order. */
  let written: number[];

  before(async () => {
    fixture = await Storage15Fixture.start();
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.engine.dropUser(fixture.uid);
    fixture.limits = { ...DEFAULT_STORAGE_LIMITS };
    written = [];
    for (const [id, sortindex] of [['a', 10], ['b', 30], ['c', 20]] as const) {
      fixture.clock.advance(1000);
      written.push(msOf((await fixture.request('PUT', `/storage/bookmarks/${id}`, { body: { payload: `p${id}`, sortindex } })).body));
    }
  });

  const ids = async (query: string): Promise<string[]> => fixture.json<string[]>('GET', `/storage/bookmarks${query}`);
  const seconds = (ms: number): string => (ms / 1000).toFixed(2);

  test('sort=newest, oldest and index order records', async () => {
    assert.deepEqual(await ids('?sort=newest'), ['c', 'b', 'a']);
    assert.deepEqual(await ids('?sort=oldest'), ['a', 'b', 'c']);
    assert.deepEqual(await ids('?sort=index'), ['b', 'c', 'a']);
  });

  test('an unknown sort is 400', async () => {
    assert.equal((await fixture.request('GET', '/storage/bookmarks?sort=random')).status, 400);
  });

  test('newer and older are strict bounds', async () => {
    assert.deepEqual(await ids(`?sort=oldest&newer=${seconds(written[0] as number)}`), ['b', 'c']);
    assert.deepEqual(await ids(`?sort=oldest&older=${seconds(written[2] as number)}`), ['a', 'b']);
    assert.deepEqual(await ids(`?sort=newest&newer=${seconds(written[0] as number)}&older=${seconds(written[2] as number)}`), ['b']);
  });

  test('an unreadable newer is 400', async () => {
    assert.equal((await fixture.request('GET', '/storage/bookmarks?newer=soon')).status, 400);
  });

  test('ids selects records; more than 100 ids is 400', async () => {
    assert.deepEqual(await ids('?ids=c,a,zz&sort=oldest'), ['a', 'c']);
    const many = Array.from({ length: 101 }, (_, index) => `i${index}`).join(',');
    const response = await fixture.request('GET', `/storage/bookmarks?ids=${many}`);
    assert.equal(response.status, 400);
    assert.equal(response.body, '0');
  });

  test('full returns whole BSOs without ttl', async () => {
    await fixture.request('PUT', '/storage/bookmarks/d', { body: { payload: 'pd', ttl: 1000 } });
    const records = await fixture.json<Array<Record<string, unknown>>>('GET', '/storage/bookmarks?full=1&ids=a,d&sort=oldest');
    assert.deepEqual(records[0], { id: 'a', modified: (written[0] as number) / 1000, payload: 'pa', sortindex: 10 });
    assert.deepEqual(Object.keys(records[1] as object), ['id', 'modified', 'payload']);
  });

  test('Accept: application/newlines answers one JSON value per line', async () => {
    const response = await fixture.request('GET', '/storage/bookmarks?sort=oldest&full=1', { headers: { Accept: 'application/newlines' } });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^application\/newlines/);
    const lines = response.body.split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { id: string }).id), ['a', 'b', 'c']);
    assert.equal(response.headers['x-weave-records'], '3');
  });

  test('an Accept the server cannot write is 406', async () => {
    assert.equal((await fixture.request('GET', '/storage/bookmarks', { headers: { Accept: 'text/html' } })).status, 406);
  });

  test('limit pages with X-Weave-Next-Offset, which is absent on the last page', async () => {
    const first = await fixture.request('GET', '/storage/bookmarks?sort=oldest&limit=2');
    assert.deepEqual(JSON.parse(first.body), ['a', 'b']);
    assert.equal(first.headers['x-weave-records'], '2');
    const offset = String(first.headers['x-weave-next-offset']);
    assert.match(offset, /^[A-Za-z0-9_-]+$/);
    const second = await fixture.request('GET', `/storage/bookmarks?sort=oldest&limit=2&offset=${offset}`);
    assert.deepEqual(JSON.parse(second.body), ['c']);
    assert.equal(second.headers['x-weave-next-offset'], undefined);
  });

  test('a malformed offset, or one from another sort, is 400', async () => {
    assert.equal((await fixture.request('GET', '/storage/bookmarks?offset=!!!')).status, 400);
    const first = await fixture.request('GET', '/storage/bookmarks?sort=oldest&limit=1');
    const offset = String(first.headers['x-weave-next-offset']);
    assert.equal((await fixture.request('GET', `/storage/bookmarks?sort=newest&limit=1&offset=${offset}`)).status, 400);
  });

  test('paging 2 500 records 1 000 at a time returns every record exactly once, in order', async () => {
    const records = Array.from({ length: 2500 }, (_, index) => ({ id: `r${String(index).padStart(5, '0')}`, payload: 'x', sortindex: index % 7 }));
    for (let start = 0; start < records.length; start += 100) {
      await fixture.request('POST', '/storage/history', { body: records.slice(start, start + 100) });
    }
    for (const sort of ['newest', 'oldest', 'index']) {
      const seen: string[] = [];
      let offset: string | undefined;
      let pages = 0;
      do {
        const response = await fixture.request('GET', `/storage/history?sort=${sort}&limit=1000${offset ? `&offset=${offset}` : ''}`);
        seen.push(...(JSON.parse(response.body) as string[]));
        offset = response.headers['x-weave-next-offset'] as string | undefined;
        pages++;
      } while (offset);
      assert.equal(pages, 3, sort);
      assert.equal(seen.length, 2500, sort);
      assert.equal(new Set(seen).size, 2500, sort);
    }
  });

  test('a record written between pages does not shift the rest of the pages', async () => {
    const first = await fixture.request('GET', '/storage/bookmarks?sort=oldest&limit=1');
    await fixture.request('DELETE', '/storage/bookmarks/a');
    const rest = await fixture.request('GET', `/storage/bookmarks?sort=oldest&offset=${String(first.headers['x-weave-next-offset'])}`);
    assert.deepEqual(JSON.parse(rest.body), ['b', 'c']);
  });

  test('without a limit, at most 10 000 records come back, with an offset for the rest', async () => {
    const records = Array.from({ length: 10_050 }, (_, index) => ({ id: `h${index}`, payload: '' }));
    fixture.limits.max_post_records = 20_000;
    fixture.limits.max_request_bytes = 10_000_000;
    await fixture.request('POST', '/storage/history', { body: records });
    const response = await fixture.request('GET', '/storage/history?sort=oldest');
    assert.equal(JSON.parse(response.body).length, 10_000);
    assert.ok(response.headers['x-weave-next-offset']);
  });
});
