/**
 * `syncvault account set/remove` keep a running daemon's BullMQ job schedulers in step with
 * Postgres, under the configured Redis prefix; with Redis down the change is still saved, with a
 * one-line warning.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Queue } from 'bullmq';
import { cliEnv, runCli } from './support/cli.js';
import { backupQueue, schedulerOf } from './support/api-client.js';
import { createTestWorld, insertAccount, type TestWorld } from './support/daemon.js';

describe('syncvault account and the job schedulers', () => {
  let world: TestWorld;
  let queue: Queue;
  let env: Record<string, string>;

  before(() => {
    world = createTestWorld('account_cli');
    queue = backupQueue(world);
    env = cliEnv(world.env);
  });
  after(async () => {
    await queue?.close();
    await world?.drop();
  });

  it('set --schedule creates the scheduler under SYNCVAULT_REDIS_PREFIX, --no-schedule removes it', async () => {
    const account = await insertAccount(world.prisma, { name: 'desktop' });
    const set = await runCli(['account', 'set', 'desktop', '--schedule', 'every 1h', '--json'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stderr, '');
    assert.equal((JSON.parse(set.stdout) as { schedule: string }).schedule, 'every 1h');
    assert.deepEqual(await schedulerOf(queue, account.id), { every: 3600_000 });

    const cron = await runCli(['account', 'set', account.id, '--schedule', '30 2 * * *'], env);
    assert.equal(cron.code, 0, cron.stderr);
    assert.deepEqual(await schedulerOf(queue, account.id), { pattern: '30 2 * * *' });

    const off = await runCli(['account', 'set', 'desktop', '--no-schedule'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(await schedulerOf(queue, account.id), undefined);
  });

  it('remove takes the scheduler away with the account', async () => {
    const account = await insertAccount(world.prisma, { name: 'tablet' });
    assert.equal((await runCli(['account', 'set', 'tablet', '--schedule', 'every 2h'], env)).code, 0);
    assert.deepEqual(await schedulerOf(queue, account.id), { every: 2 * 3600_000 });
    const removed = await runCli(['account', 'remove', 'tablet', '--json'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await schedulerOf(queue, account.id), undefined);
    assert.equal(await world.prisma.account.count({ where: { id: account.id } }), 0);
  });

  it('with Redis unreachable the change is saved, with one warning line on stderr and exit 0', async () => {
    const account = await insertAccount(world.prisma, { name: 'offline' });
    const run = await runCli(['account', 'set', 'offline', '--schedule', 'every 3h'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Updated account offline/);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^warning: account offline is saved, but its backup schedule could not be updated in Redis \(.+\); a running syncvault serve picks it up when it restarts$/);
    assert.equal((await world.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).schedule, 'every 3h');
    assert.equal(await schedulerOf(queue, account.id), undefined, 'nothing reached the real Redis');
  });
});
