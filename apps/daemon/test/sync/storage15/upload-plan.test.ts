import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUpload, RecordTooLargeError, serializeBso, type OutgoingBso, type ServerLimits } from '../../../src/sync/storage/index.js';

const unlimited: ServerLimits = {
  max_request_bytes: Infinity,
  max_post_records: Infinity,
  max_post_bytes: Infinity,
  max_total_records: Infinity,
  max_total_bytes: Infinity,
  max_record_payload_bytes: Infinity,
};

/** Records with ids r0, r1, ... and payloads of `size` bytes. */
function records(count: number, size = 10): OutgoingBso[] {
  return Array.from({ length: count }, (_, i) => ({ id: `r${i}`, payload: 'x'.repeat(size) }));
}

/** Plan as ids: batches → posts → ids. */
function shape(limits: Partial<ServerLimits>, input: OutgoingBso[]): string[][][] {
  return planUpload('forms', input, { ...unlimited, ...limits }).map((batch) => batch.posts.map((post) => post.map((r) => r.id)));
}

describe('planUpload', () => {
  it('puts everything in one POST without limits, and nothing for no records', () => {
    assert.deepEqual(shape({}, records(3)), [[['r0', 'r1', 'r2']]]);
    assert.deepEqual(shape({}, []), []);
  });

  it('splits POSTs by max_post_records: exactly at the limit, and one over', () => {
    assert.deepEqual(shape({ max_post_records: 3 }, records(3)), [[['r0', 'r1', 'r2']]]);
    assert.deepEqual(shape({ max_post_records: 3 }, records(4)), [[['r0', 'r1', 'r2'], ['r3']]]);
  });

  it('splits POSTs by max_post_bytes (sum of payload bytes)', () => {
    assert.deepEqual(shape({ max_post_bytes: 30 }, records(3, 10)), [[['r0', 'r1', 'r2']]]);
    assert.deepEqual(shape({ max_post_bytes: 29 }, records(3, 10)), [[['r0', 'r1'], ['r2']]]);
  });

  it('counts payload bytes as UTF-8', () => {
    const wide = [{ id: 'a', payload: 'é'.repeat(5) }, { id: 'b', payload: 'é'.repeat(5) }]; // 10 bytes each
    assert.deepEqual(shape({ max_post_bytes: 19 }, wide), [[['a'], ['b']]]);
    assert.deepEqual(shape({ max_post_bytes: 20 }, wide), [[['a', 'b']]]);
  });

  it('splits POSTs by max_request_bytes (the whole JSON body)', () => {
    const input = records(3, 10);
    const body = `[${input.map(serializeBso).join(',')}]`;
    assert.equal(body.length, JSON.stringify(input).length);
    assert.deepEqual(shape({ max_request_bytes: body.length }, input), [[['r0', 'r1', 'r2']]]);
    const twoRecordBody = `[${input.slice(0, 2).map(serializeBso).join(',')}]`;
    assert.deepEqual(shape({ max_request_bytes: body.length - 1 }, input), [[['r0', 'r1'], ['r2']]]);
    assert.deepEqual(shape({ max_request_bytes: twoRecordBody.length - 1 }, input), [[['r0'], ['r1'], ['r2']]]);
  });

  it('splits batches by max_total_records and max_total_bytes', () => {
    assert.deepEqual(shape({ max_post_records: 2, max_total_records: 4 }, records(4)), [[['r0', 'r1'], ['r2', 'r3']]]);
    assert.deepEqual(shape({ max_post_records: 2, max_total_records: 4 }, records(5)), [[['r0', 'r1'], ['r2', 'r3']], [['r4']]]);
    assert.deepEqual(shape({ max_total_bytes: 20 }, records(3, 10)), [[['r0', 'r1']], [['r2']]]);
    assert.deepEqual(shape({ max_total_bytes: 30 }, records(3, 10)), [[['r0', 'r1', 'r2']]]);
  });

  it('keeps sortindex and ttl in the serialized record', () => {
    assert.equal(serializeBso({ id: 'a', payload: 'p', sortindex: 5, ttl: 60 }), '{"id":"a","payload":"p","sortindex":5,"ttl":60}');
    assert.equal(serializeBso({ id: 'abc', payload: 'x' }), '{"id":"abc","payload":"x"}');
  });

  it('rejects a record alone over max_record_payload_bytes, naming it; exactly at the limit passes', () => {
    const input = [...records(2, 10), { id: 'huge', payload: 'x'.repeat(101) }];
    assert.throws(() => planUpload('history', input, { ...unlimited, max_record_payload_bytes: 100 }), (error: unknown) => {
      assert.ok(error instanceof RecordTooLargeError);
      assert.equal(error.collection, 'history');
      assert.equal(error.id, 'huge');
      assert.equal(error.limitName, 'max_record_payload_bytes');
      assert.match(error.message, /history\/huge is 101 bytes, over the server's max_record_payload_bytes of 100/);
      return true;
    });
    assert.doesNotThrow(() => planUpload('history', input, { ...unlimited, max_record_payload_bytes: 101 }));
  });

  it('rejects a record that could never fit a POST body or a batch', () => {
    const big = { id: 'big', payload: 'x'.repeat(50) };
    const bodyLength = JSON.stringify([big]).length;
    assert.throws(() => planUpload('forms', [big], { ...unlimited, max_request_bytes: bodyLength - 1 }), /max_request_bytes/);
    assert.doesNotThrow(() => planUpload('forms', [big], { ...unlimited, max_request_bytes: bodyLength }));
    assert.throws(() => planUpload('forms', [big], { ...unlimited, max_post_bytes: 49 }), /max_post_bytes/);
    assert.throws(() => planUpload('forms', [big], { ...unlimited, max_total_bytes: 49 }), /max_total_bytes/);
  });

  it('rejects duplicate ids', () => {
    assert.throws(() => planUpload('forms', [...records(2), { id: 'r0', payload: 'y' }], unlimited), /r0 appears twice/);
  });

  it('satisfies every limit at once on a larger input', () => {
    const limits: ServerLimits = { max_request_bytes: 700, max_post_records: 7, max_post_bytes: 500, max_total_records: 20, max_total_bytes: 1500, max_record_payload_bytes: 120 };
    const input = Array.from({ length: 57 }, (_, i) => ({ id: `id${i}`, payload: 'p'.repeat(20 + ((i * 37) % 100)) }));
    const plan = planUpload('forms', input, limits);
    assert.deepEqual(plan.flatMap((b) => b.posts.flat().map((r) => r.id)), input.map((r) => r.id));
    for (const batch of plan) {
      const all = batch.posts.flat();
      assert.ok(all.length <= limits.max_total_records);
      assert.ok(all.reduce((n, r) => n + r.payload.length, 0) <= limits.max_total_bytes);
      for (const post of batch.posts) {
        assert.ok(post.length <= limits.max_post_records);
        assert.ok(post.reduce((n, r) => n + r.payload.length, 0) <= limits.max_post_bytes);
        assert.ok(JSON.stringify(post).length <= limits.max_request_bytes);
      }
    }
  });
});
