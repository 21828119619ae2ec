import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffSeconds, ClockOffset, retryAfterSeconds, RetryPolicy, type HttpResponse } from '../../../src/sync/http/index.js';

function response(status: number, headers: Record<string, string> = {}): HttpResponse {
  return { method: 'GET', url: 'http://h/x', status, headers, body: '' };
}

function scripted(...responses: HttpResponse[]): { attempt: () => Promise<HttpResponse>; times: number[] } {
  const times: number[] = [];
  let index = 0;
  return {
    times,
    attempt: () => {
      times.push(Date.now());
      const next = responses[Math.min(index++, responses.length - 1)];
      return Promise.resolve(next ?? response(500));
    },
  };
}

describe('RetryPolicy', () => {
  it('retries 503/409/429 after Retry-After (scaled) and returns the success', async () => {
    const script = scripted(response(503, { 'retry-after': '10' }), response(409, { 'retry-after': '10' }), response(200));
    const policy = new RetryPolicy({ timeScale: 0.005 });
    const result = await policy.run(script.attempt);
    assert.equal(result.status, 200);
    assert.equal(script.times.length, 3);
    const [t0 = 0, t1 = 0] = script.times;
    assert.ok(t1 - t0 >= 45, `waited ${t1 - t0} ms for 10 s × 0.005`);
  });

  it('gives up after maxAttempts and returns the last answer', async () => {
    const script = scripted(response(429, { 'retry-after': '1' }));
    const result = await new RetryPolicy({ maxAttempts: 2, timeScale: 0.001 }).run(script.attempt);
    assert.equal(result.status, 429);
    assert.equal(script.times.length, 2);
  });

  it("keeps honouring the last Retry-After for the next request after giving up", async () => {
    const policy = new RetryPolicy({ maxAttempts: 1, timeScale: 0.01 });
    const script = scripted(response(503, { 'retry-after': '6' }), response(200));
    assert.equal((await policy.run(script.attempt)).status, 503);
    assert.equal((await policy.run(script.attempt)).status, 200);
    const [t0 = 0, t1 = 0] = script.times;
    assert.ok(t1 - t0 >= 55, `second request after ${t1 - t0} ms`);
  });

  it('caps waits at maxWaitSeconds', async () => {
    const script = scripted(response(503, { 'retry-after': '100000' }), response(200));
    const started = Date.now();
    await new RetryPolicy({ maxWaitSeconds: 1, timeScale: 0.01 }).run(script.attempt);
    assert.ok(Date.now() - started < 500);
  });

  it('does not retry other statuses', async () => {
    const script = scripted(response(500, { 'retry-after': '1' }), response(200));
    assert.equal((await new RetryPolicy({ timeScale: 0.001 }).run(script.attempt)).status, 500);
    assert.equal(script.times.length, 1);
  });

  it('reports X-Weave-Backoff and holds the next request back', async () => {
    const reported: number[] = [];
    const policy = new RetryPolicy({ timeScale: 0.01, onBackoff: (seconds) => reported.push(seconds) });
    const script = scripted(response(200, { 'x-weave-backoff': '6' }), response(200));
    await policy.run(script.attempt);
    await policy.run(script.attempt);
    assert.deepEqual(reported, [6]);
    const [t0 = 0, t1 = 0] = script.times;
    assert.ok(t1 - t0 >= 55, `second request after ${t1 - t0} ms`);
  });

  it('rejects with the abort reason while waiting', async () => {
    const controller = new AbortController();
    const policy = new RetryPolicy({ timeScale: 1 });
    const script = scripted(response(503, { 'retry-after': '30' }), response(200));
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await assert.rejects(policy.run(script.attempt, controller.signal), /stop/);
    assert.equal(script.times.length, 1);
  });
});

describe('Retry-After, backoff headers and the clock offset', () => {
  it('reads seconds and HTTP dates', () => {
    assert.equal(retryAfterSeconds(response(503, { 'retry-after': '10' })), 10);
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    const seconds = retryAfterSeconds(response(503, { 'retry-after': inOneMinute })) ?? 0;
    assert.ok(seconds > 55 && seconds <= 60);
    assert.equal(retryAfterSeconds(response(503, { 'retry-after': 'soon' })), undefined);
    assert.equal(backoffSeconds(response(200, { 'x-backoff': '3600' })), 3600);
    assert.equal(backoffSeconds(response(200, { 'x-weave-backoff': 'x' })), undefined);
  });

  it('learns server minus local time from any timestamp header', () => {
    const clock = new ClockOffset();
    assert.equal(clock.offsetSeconds, 0);
    clock.observe({ 'x-weave-timestamp': String(Date.now() / 1000 + 120) });
    assert.ok(Math.abs(clock.offsetSeconds - 120) <= 1);
    clock.observe({ 'x-timestamp': String(Math.floor(Date.now() / 1000) - 3600) });
    assert.ok(Math.abs(clock.offsetSeconds + 3600) <= 1);
    clock.observe({ 'www-authenticate': `Hawk ts="${Math.floor(Date.now() / 1000) + 600}", tsm="x", error="Stale timestamp"` });
    assert.ok(Math.abs(clock.offsetSeconds - 600) <= 1);
    clock.observe({ 'content-type': 'text/plain' });
    assert.ok(Math.abs(clock.offsetSeconds - 600) <= 1);
  });
});
