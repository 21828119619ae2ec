/**
 * Account schedules live in Postgres; BullMQ job schedulers mirror them at start-up and on every
 * sync(), and a Redis wiped of this installation's keys gets them all back on restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Queue, type JobSchedulerJson } from 'bullmq';
import { InvalidScheduleError, SchedulesService, syncAccountSchedule } from '@syncvault/daemon/jobs';
import { loadConfig } from '@syncvault/daemon/config';
import { TEST_REDIS_URL } from '../support/redis.js';
import { createTestWorld, deleteRedisKeys, insertAccount, startDaemon, type TestWorld } from '../api/support/daemon.js';

type Mirror = Record<string, { every?: number; pattern?: string; tz?: string; accountId?: string }>;

describe('schedules', () => {
  let world: TestWorld;
  let queue: Queue;
  const accounts: Record<string, { id: string; name: string }> = {};

  /** What BullMQ holds, by scheduler id. */
  async function mirror(): Promise<Mirror> {
    const schedulers: JobSchedulerJson[] = await queue.getJobSchedulers(0, -1);
    return Object.fromEntries(
      schedulers.map((scheduler) => [
        scheduler.key,
        {
          ...(scheduler.every !== undefined && { every: Number(scheduler.every) }),
          ...(scheduler.pattern !== undefined && { pattern: scheduler.pattern }),
          ...(scheduler.tz !== undefined && { tz: scheduler.tz }),
          ...(scheduler.template?.data?.accountId !== undefined && { accountId: scheduler.template.data.accountId as string }),
        },
      ]),
    );
  }

  // Workers stay off: these tests are about the schedulers, not about running what they make.
  const start = () => startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });

  before(async () => {
    world = createTestWorld('schedules');
    queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
    accounts['interval'] = await insertAccount(world.prisma, { schedule: 'every 1s' });
    accounts['cron'] = await insertAccount(world.prisma, { schedule: '0 3 * * *' });
    accounts['none'] = await insertAccount(world.prisma, { schedule: null });
    accounts['broken'] = await insertAccount(world.prisma, { schedule: 'whenever it suits' });
  });
  after(async () => {
    await queue?.close();
    await world?.drop();
  });

  it('start-up mirrors every stored schedule and removes stale schedulers, leaving others alone', async () => {
    const gone = randomUUID();
    await queue.upsertJobScheduler(`backup:${gone}`, { every: 60_000 }, { name: 'backup', data: { accountId: gone, trigger: 'schedule' } });
    await queue.upsertJobScheduler('someone-else', { every: 60_000 });
    const daemon = await start();
    try {
      assert.deepEqual(await mirror(), {
        [`backup:${accounts['interval']!.id}`]: { every: 1000, accountId: accounts['interval']!.id },
        [`backup:${accounts['cron']!.id}`]: { pattern: '0 3 * * *', tz: 'UTC', accountId: accounts['cron']!.id },
        'someone-else': { every: 60_000 },
      });
    } finally {
      await daemon.close();
    }
    await queue.removeJobScheduler('someone-else');
  });

  it('a restart leaves unchanged schedulers alone (their next run does not move)', async () => {
    const id = `backup:${accounts['cron']!.id}`;
    const before = await queue.getJobScheduler(id);
    assert.ok(before?.next !== undefined);
    const daemon = await start();
    try {
      assert.equal((await queue.getJobScheduler(id))?.next, before.next);
    } finally {
      await daemon.close();
    }
  });

  it('sync() follows every change of an account: new, changed, unscheduled, deleted, invalid', async () => {
    const daemon = await start();
    try {
      const schedules = daemon.app.get(SchedulesService);
      const added = await insertAccount(world.prisma, { schedule: 'every 6h' });
      assert.deepEqual(await schedules.sync(added.id), { accountId: added.id, schedule: { every: 6 * 3_600_000 }, next: (await queue.getJobScheduler(`backup:${added.id}`))?.next ?? null });
      assert.deepEqual((await mirror())[`backup:${added.id}`], { every: 21_600_000, accountId: added.id });

      await world.prisma.account.update({ where: { id: added.id }, data: { schedule: '*/15 * * * *' } });
      await schedules.sync(added.id);
      assert.deepEqual((await mirror())[`backup:${added.id}`], { pattern: '*/15 * * * *', tz: 'UTC', accountId: added.id });

      await world.prisma.account.update({ where: { id: added.id }, data: { schedule: null } });
      assert.deepEqual(await schedules.sync(added.id), { accountId: added.id, schedule: null, next: null });
      assert.equal((await mirror())[`backup:${added.id}`], undefined);

      const deleted = await insertAccount(world.prisma, { schedule: 'every 2d' });
      await schedules.sync(deleted.id);
      assert.ok((await mirror())[`backup:${deleted.id}`] !== undefined);
      await world.prisma.account.delete({ where: { id: deleted.id } });
      await schedules.sync(deleted.id);
      assert.equal((await mirror())[`backup:${deleted.id}`], undefined);

      await assert.rejects(schedules.sync(accounts['broken']!.id), (error: unknown) => error instanceof InvalidScheduleError && /whenever it suits/.test(error.message));
      assert.deepEqual(Object.keys(await mirror()).sort(), [`backup:${accounts['cron']!.id}`, `backup:${accounts['interval']!.id}`].sort());
    } finally {
      await daemon.close();
    }
  });

  it('syncAccountSchedule does the same without a daemon (for the CLI)', async () => {
    const config = loadConfig(world.env);
    const account = await insertAccount(world.prisma, { schedule: 'every 30m' });
    const state = await syncAccountSchedule(config, world.prisma, account.id);
    assert.deepEqual(state.schedule, { every: 1_800_000 });
    assert.deepEqual((await mirror())[`backup:${account.id}`], { every: 1_800_000, accountId: account.id });
    await world.prisma.account.delete({ where: { id: account.id } });
    assert.equal((await syncAccountSchedule(config, world.prisma, account.id)).schedule, null);
    assert.equal((await mirror())[`backup:${account.id}`], undefined);
  });

  it('Postgres is the source of truth: after this installation\'s Redis keys are deleted, a restart restores the schedulers', async () => {
    const expected = await mirror();
    assert.equal(Object.keys(expected).length, 2);
    const deleted = await deleteRedisKeys(world.redisPrefix);
    assert.ok(deleted > 0, 'there were keys to delete');
    assert.deepEqual(await mirror(), {}, 'the schedulers are gone with Redis');
    const daemon = await start();
    try {
      assert.deepEqual(await mirror(), expected);
    } finally {
      await daemon.close();
    }
  });
});
