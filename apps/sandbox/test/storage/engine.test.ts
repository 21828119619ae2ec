import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageEngine } from '../../src/storage/engine.js';
import { TestClock } from './support.js';

function engineAt(ms = 1_700_000_000_000): { clock: TestClock; engine: StorageEngine } {
  const clock = new TestClock(ms);
  return { clock, engine: new StorageEngine({ now: clock.now }) };
}

describe('storage engine', () => {
  test('write timestamps are at 10 ms resolution and strictly increasing per user', () => {
    const { engine } = engineAt(1_700_000_000_005);
    const user = engine.user(1);
    const first = user.writeRecords('tabs', [{ id: 'a', payload: '1' }]);
    const second = user.writeRecords('tabs', [{ id: 'b', payload: '2' }]);
    assert.equal(first, 1_700_000_000_000);
    assert.equal(second, 1_700_000_000_010);
    assert.equal(engine.user(2).writeRecords('tabs', []), 1_700_000_000_000, 'users have their own clocks');
  });

  test('time never runs backwards for a user, even after a wipe or a clock going back', () => {
    const { clock, engine } = engineAt();
    const user = engine.user(1);
    const before = user.writeRecords('tabs', [{ id: 'a', payload: '1' }]);
    user.wipe();
    clock.advance(-60_000);
    assert.ok(user.writeRecords('tabs', [{ id: 'a', payload: '1' }]) > before);
  });

  test('omitted fields keep their values; payload or sortindex moves modified, ttl alone does not', () => {
    const { clock, engine } = engineAt();
    const user = engine.user(1);
    const created = user.writeRecords('tabs', [{ id: 'a', payload: 'p', sortindex: 4 }]);
    clock.advance(1000);
    user.writeRecords('tabs', [{ id: 'a', ttl: 60 }]);
    assert.deepEqual(user.record('tabs', 'a'), { id: 'a', modified: created, payload: 'p', sortindex: 4, expiresAt: created + 1000 + 60_000 });
    clock.advance(1000);
    const resorted = user.writeRecords('tabs', [{ id: 'a', sortindex: 9 }]);
    assert.equal(user.record('tabs', 'a')?.modified, resorted);
    assert.equal(user.record('tabs', 'a')?.payload, 'p');
  });

  test('deletes stamp the collection even when nothing was deleted', () => {
    const { engine } = engineAt();
    const user = engine.user(1);
    user.writeRecords('tabs', [{ id: 'a', payload: '1' }]);
    const stamped = user.deleteRecords('tabs', ['missing']);
    assert.equal(user.collections()['tabs'], stamped);
    assert.deepEqual(user.records('tabs').map((record) => record.id), ['a']);
  });

  test('deleting a collection removes it and moves the store timestamp above the rest', () => {
    const { engine } = engineAt();
    const user = engine.user(1);
    user.writeRecords('tabs', [{ id: 'a', payload: '1' }]);
    const forms = user.writeRecords('forms', [{ id: 'f', payload: '1' }]);
    const after = user.deleteCollection('tabs');
    assert.ok(after > forms);
    assert.deepEqual(Object.keys(user.collections()), ['forms']);
    assert.equal(user.storageModified(), after);
  });

  test('expired records are invisible and uncounted', () => {
    const { clock, engine } = engineAt();
    const user = engine.user(1);
    user.writeRecords('tabs', [{ id: 'a', payload: 'xx', ttl: 1 }, { id: 'b', payload: 'yyy' }]);
    assert.equal(user.usageBytes(), 5);
    clock.advance(1000);
    assert.equal(user.record('tabs', 'a'), undefined);
    assert.deepEqual(user.records('tabs').map((record) => record.id), ['b']);
    assert.equal(user.usageBytes(), 3);
    assert.deepEqual(user.collectionCounts(), { tabs: 1 });
  });

  test('50 000 records page at 1 000 a page in linear time, every record once', () => {
    const { engine } = engineAt();
    const user = engine.user(1);
    const total = 50_000;
    for (let start = 0; start < total; start += 1000) {
      user.writeRecords(
        'history',
        Array.from({ length: 1000 }, (_, index) => ({ id: `h${start + index}`, payload: 'x', sortindex: (start + index) % 13 })),
      );
    }
    for (const sort of ['newest', 'oldest', 'index'] as const) {
      const started = performance.now();
      const seen = new Set<string>();
      let offsetToken: string | undefined;
      let pages = 0;
      do {
        const page = user.query('history', { sort, limit: 1000, ...(offsetToken ? { offsetToken } : {}) });
        for (const record of page.records) seen.add(record.id);
        offsetToken = page.nextOffset;
        pages++;
      } while (offsetToken);
      const elapsed = performance.now() - started;
      assert.equal(pages, 50, sort);
      assert.equal(seen.size, total, sort);
      assert.ok(elapsed < 2000, `${sort} paging took ${elapsed.toFixed(0)} ms`);
    }
  });

  test('newer with sort=oldest starts at the bound instead of scanning from the beginning', () => {
    const { clock, engine } = engineAt();
    const user = engine.user(1);
    const stamps: number[] = [];
    for (let index = 0; index < 5; index++) {
      clock.advance(1000);
      stamps.push(user.writeRecords('tabs', [{ id: `t${index}`, payload: '' }]));
    }
    const page = user.query('tabs', { sort: 'oldest', newer: stamps[2] as number, limit: 1 });
    assert.deepEqual(page.records.map((record) => record.id), ['t3']);
    assert.ok(page.nextOffset);
    const next = user.query('tabs', { sort: 'oldest', newer: stamps[2] as number, offsetToken: page.nextOffset });
    assert.deepEqual(next.records.map((record) => record.id), ['t4']);
  });

  test('a batch commit applies everything at one timestamp and the batch is gone', () => {
    const { clock, engine } = engineAt();
    const user = engine.user(1);
    const batch = user.batches.create('tabs');
    user.batches.append(batch, [{ id: 'a', payload: '1' }]);
    clock.advance(500);
    const committed = user.commitBatch(batch, [{ id: 'b', payload: '2' }]);
    assert.deepEqual(user.records('tabs').map((record) => record.modified), [committed, committed]);
    assert.equal(user.batches.find('tabs', batch.id), undefined);
  });

  test('batch ids are unique even when created in the same millisecond', () => {
    const { engine } = engineAt();
    const user = engine.user(1);
    assert.notEqual(user.batches.create('tabs').id, user.batches.create('tabs').id);
  });
});
