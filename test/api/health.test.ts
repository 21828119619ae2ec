/** /health: Postgres, Redis and workers, unauthenticated, 503 naming what failed. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestWorld, json, startDaemon, type TestWorld } from './support/daemon.js';

interface Health {
  status: 'ok' | 'failed';
  checks: Record<'database' | 'redis' | 'workers', { status: 'ok' | 'failed'; message?: string }>;
}

describe('/health', () => {
  let world: TestWorld;

  before(() => {
    world = createTestWorld('health');
  });
  after(async () => {
    await world?.drop();
  });

  it('is ok with Postgres, Redis and this process running its workers', async () => {
    const daemon = await startDaemon(world);
    try {
      const response = await fetch(`${daemon.url}/health`);
      const body = await json<Health>(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'ok');
      assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'redis', 'workers']);
      for (const check of Object.values(body.checks)) assert.equal(check.status, 'ok');
      assert.match(body.checks.workers.message ?? '', /4 of 4 workers running in this process, [1-9]\d* connected/);
    } finally {
      await daemon.close();
    }
  });

  it('is 503 with Redis unreachable, naming the failed check, and the daemon still shuts down', async () => {
    const daemon = await startDaemon(world, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const response = await fetch(`${daemon.url}/health`);
      assert.equal(response.status, 503);
      const body = await json<Health>(response);
      assert.equal(body.status, 'failed');
      assert.equal(body.checks.database.status, 'ok');
      assert.equal(body.checks.redis.status, 'failed');
      assert.match(body.checks.redis.message ?? '', /not connected to 127\.0\.0\.1:1/);
      assert.equal(body.checks.workers.status, 'failed');
      // The API says so too, instead of hanging.
      const jobs = await fetch(`${daemon.url}/api/jobs`, { headers: { authorization: 'Bearer sva_unknown' } });
      assert.equal(jobs.status, 401, 'auth is Postgres-only: it still answers');
    } finally {
      await daemon.close();
    }
  });

  it('in an API-only process (SYNCVAULT_WORKERS=false) fails the workers check while no worker is connected', async () => {
    const apiOnly = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });
    try {
      const alone = await fetch(`${apiOnly.url}/health`);
      assert.equal(alone.status, 503);
      const body = await json<Health>(alone);
      assert.equal(body.checks.workers.status, 'failed');
      assert.match(body.checks.workers.message ?? '', /no worker is connected to the backup queue/);
      const workers = await startDaemon(world);
      try {
        const together = await fetch(`${apiOnly.url}/health`);
        const withWorkers = await json<Health>(together);
        assert.equal(together.status, 200, JSON.stringify(withWorkers));
        assert.match(withWorkers.checks.workers.message ?? '', /no workers in this process, [1-9]\d* connected to the backup queue/);
      } finally {
        await workers.close();
      }
    } finally {
      await apiOnly.close();
    }
  });
});
