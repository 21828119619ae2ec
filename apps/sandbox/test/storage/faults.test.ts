import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_STORAGE_LIMITS } from '../../src/contracts.js';
import { FaultInjector, registerFaultInjection, type FaultRuleInput } from '../../src/faults.js';
import { StorageEngine } from '../../src/storage/engine.js';
import { DEFAULT_STORAGE15_QUIRKS, registerStorage15 } from '../../src/storage/storage15.js';
import { TOKEN_SECRET, TestClock, httpRequest, signHawk, startServer, tokenFor, type RunningServer } from './support.js';

describe('fault injection', () => {
  const injector = new FaultInjector();
  let server: RunningServer;
  let writes = 0;

  before(async () => {
    server = await startServer((app) => {
      registerFaultInjection(app, injector, '/__sandbox__');
      app.get('/hello', async () => 'hello');
      app.post('/write', async () => {
        writes++;
        return 'written';
      });
    });
  });
  after(() => server.close());
  beforeEach(() => {
    injector.clear();
    writes = 0;
  });

  const get = (path = '/hello') => httpRequest(server.port, { method: 'GET', path });
  const addRule = async (rule: Partial<FaultRuleInput>) => {
    const response = await httpRequest(server.port, {
      method: 'POST',
      path: '/__sandbox__/faults',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(rule),
    });
    return response;
  };

  test('503 with Retry-After for the next count requests, then normal answers', async () => {
    assert.equal((await addRule({ path: '^/hello$', count: 2, kind: '503', retryAfter: 7 })).status, 201);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await get();
      assert.equal(response.status, 503);
      assert.equal(response.headers['retry-after'], '7');
    }
    assert.equal((await get()).status, 200);
  });

  test('backoff answers normally but adds X-Weave-Backoff', async () => {
    await addRule({ path: '/hello', count: 1, kind: 'backoff', backoff: 120 });
    const response = await get();
    assert.equal(response.status, 200);
    assert.equal(response.body, 'hello');
    assert.equal(response.headers['x-weave-backoff'], '120');
    assert.equal((await get()).headers['x-weave-backoff'], undefined);
  });

  test('401 answers body 0, as for an expired token', async () => {
    await addRule({ path: '/hello', count: 1, kind: '401' });
    const response = await get();
    assert.equal(response.status, 401);
    assert.equal(response.body, '0');
  });

  test('reset drops the connection without an answer', async () => {
    await addRule({ path: '/hello', count: 1, kind: 'reset' });
    await assert.rejects(get(), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET' || /socket hang up/.test(error.message));
    assert.equal((await get()).status, 200);
  });

  test('delay holds the request, then answers normally', async () => {
    await addRule({ path: '/hello', count: 1, kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const response = await get();
    assert.ok(Date.now() - started >= 290);
    assert.equal(response.body, 'hello');
  });

  test('412 refuses a write without performing it', async () => {
    await addRule({ path: '/write', method: 'post', count: 1, kind: '412' });
    const refused = await httpRequest(server.port, { method: 'POST', path: '/write' });
    assert.equal(refused.status, 412);
    assert.match(String(refused.headers['x-last-modified']), /^\d+\.\d\d$/);
    assert.equal(writes, 0);
    await httpRequest(server.port, { method: 'POST', path: '/write' });
    assert.equal(writes, 1);
  });

  test('409 and 429 carry Retry-After', async () => {
    await addRule({ path: '/hello', count: 1, kind: '409' });
    await addRule({ path: '/hello', count: 1, kind: '429', retryAfter: 3 });
    const conflict = await get();
    assert.equal(conflict.status, 409);
    assert.equal(conflict.headers['retry-after'], '10');
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '3');
  });

  test('rules match by path pattern and method only', async () => {
    await addRule({ path: '^/write$', method: 'POST', count: 1, kind: '503' });
    assert.equal((await get()).status, 200);
    assert.equal((await httpRequest(server.port, { method: 'POST', path: '/write' })).status, 503);
  });

  test('the query string is not part of the matched path', async () => {
    await addRule({ path: '^/hello$', count: 1, kind: '503' });
    assert.equal((await get('/hello?x=1')).status, 503);
  });

  test('GET lists rules with remaining and fired counts; DELETE clears them', async () => {
    await addRule({ path: '/hello', count: 3, kind: '503' });
    await get();
    const listed = JSON.parse((await get('/__sandbox__/faults')).body) as { rules: Array<{ remaining: number; fired: number; kind: string }> };
    assert.equal(listed.rules.length, 1);
    assert.equal(listed.rules[0]?.remaining, 2);
    assert.equal(listed.rules[0]?.fired, 1);
    const cleared = await httpRequest(server.port, { method: 'DELETE', path: '/__sandbox__/faults' });
    assert.deepEqual(JSON.parse(cleared.body), { cleared: 1 });
    assert.equal((await get()).status, 200);
  });

  test('control routes are never faulted', async () => {
    await addRule({ path: '.*', count: 5, kind: '503' });
    assert.equal((await get('/__sandbox__/faults')).status, 200);
    assert.equal((await httpRequest(server.port, { method: 'DELETE', path: '/__sandbox__/faults' })).status, 200);
  });

  test('invalid rules are 400', async () => {
    for (const rule of [{ path: '(', count: 1, kind: '503' }, { path: '/x', count: 0, kind: '503' }, { path: '/x', count: 1, kind: '500' }, { count: 1, kind: '503' }]) {
      const response = await addRule(rule as Partial<FaultRuleInput>);
      assert.equal(response.status, 400, JSON.stringify(rule));
    }
  });
});

describe('fault injection in front of storage 1.5', () => {
  test('a faulted storage response still carries X-Weave-Timestamp, and the storage answers normally afterwards', async () => {
    const clock = new TestClock();
    const injector = new FaultInjector();
    const server = await startServer((app) => {
      registerFaultInjection(app, injector, '/__sandbox__');
      registerStorage15(app, {
        prefix: '/storage',
        engine: new StorageEngine({ now: clock.now }),
        tokenSecret: TOKEN_SECRET,
        limits: () => DEFAULT_STORAGE_LIMITS,
        quirks: () => DEFAULT_STORAGE15_QUIRKS,
      });
    });
    try {
      injector.add({ path: '^/storage/1\\.5/\\d+/info/collections$', count: 1, kind: '503' });
      const token = tokenFor(5, clock);
      const path = '/storage/1.5/5/info/collections';
      const signed = () =>
        signHawk({ id: token.id, key: token.key, method: 'GET', resource: path, host: '127.0.0.1', port: server.port, ts: clock.seconds(), nonce: 'n' }).header;
      const faulted = await httpRequest(server.port, { method: 'GET', path, headers: { Authorization: signed() } });
      assert.equal(faulted.status, 503);
      assert.equal(faulted.headers['x-weave-timestamp'], '1700000000.00');
      const normal = await httpRequest(server.port, { method: 'GET', path, headers: { Authorization: signed() } });
      assert.equal(normal.status, 200);
    } finally {
      await server.close();
    }
  });
});
