/**
 * Postgres holds an account's schedule; Redis only mirrors it. A settings change while Redis is
 * unreachable is saved and answered, and the daemon mirrors it once Redis is back, without a restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Queue } from 'bullmq';
import { TEST_REDIS_URL } from '../support/redis.js';
import { ApiClient, backupQueue, schedulerOf } from './support/api-client.js';
import { waitFor } from './support/cli.js';
import { createTestWorld, insertAccount, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';
import { TcpProxy } from './support/tcp-proxy.js';

describe('account schedules while Redis is unreachable', () => {
  let world: TestWorld;
  let proxy: TcpProxy;
  let daemon: TestDaemon;
  let queue: Queue;

  before(async () => {
    world = createTestWorld('schedules_down');
    const redis = new URL(TEST_REDIS_URL);
    proxy = await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
    daemon = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false', REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
    queue = backupQueue(world);
  });
  after(async () => {
    await proxy?.up().catch(() => undefined);
    await queue?.close();
    await daemon?.close();
    await proxy?.down();
    await world?.drop();
  });

  it('PATCH answers 200 with Redis down, and the scheduler appears once Redis is back', async () => {
    const account = await insertAccount(world.prisma, { name: 'cut-off' });
    const api = new ApiClient(daemon.url, await login(daemon.url));
    await proxy.down();
    const updated = await api.expect<{ schedule: string }>(200, 'PATCH', '/api/accounts/cut-off', { schedule: 'every 2h' });
    assert.equal(updated.schedule, 'every 2h');
    assert.equal((await world.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).schedule, 'every 2h', 'Postgres has the change');
    assert.equal(await schedulerOf(queue, account.id), undefined, 'Redis did not get it yet');

    await proxy.up();
    const mirrored = await waitFor('the scheduler to be mirrored', async () => await schedulerOf(queue, account.id), 90_000);
    assert.deepEqual(mirrored, { every: 2 * 3600_000 });
  });
});
