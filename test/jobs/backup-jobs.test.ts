/**
 * Backup jobs end to end through the API: queued by POST, run by the daemon's worker, followed
 * over SSE to the final event. The backup engine and account connections are FakeEngine stand-ins
 * (see support/fake-engine.ts): these tests are about the job machinery, not about Sync.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { AccountBusyError } from '@syncvault/daemon/store';
import { TEST_REDIS_URL } from '../support/redis.js';
import type { BackupProgress } from '@syncvault/daemon/backup';
import { createTestWorld, insertAccount, json, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { FAKE_COLLECTIONS, FakeEngine, gate } from './support/fake-engine.js';
import { readEvents, type ServerSentEvent } from './support/sse.js';

interface JobView {
  id: string;
  queue: string;
  name: string;
  accountId: string;
  trigger: string;
  state: string;
  progress: BackupProgress | null;
  result: { seq: number; status: string; versionsAdded: number; collections: Record<string, { count: number }> } | null;
  failedReason: string | null;
  schedulerId: string | null;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('backup jobs over the API', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  const engine = new FakeEngine();
  let cookie: string;

  before(async () => {
    world = createTestWorld('jobs');
    daemon = await startDaemon(world, { engine });
    cookie = await login(daemon.url);
  });
  after(async () => {
    await daemon?.close();
    await world?.drop();
  });

  it('POST /api/accounts/:id/backups queues a job; its progress and then the summary arrive over SSE', async () => {
    const account = await insertAccount(world.prisma, { name: 'laptop' });
    const release = gate();
    engine.gate = release.promise;
    const started = engine.nextStart();
    const queued = await fetch(`${daemon.url}/api/accounts/laptop/backups`, { method: 'POST', headers: { cookie } });
    assert.equal(queued.status, 202);
    const { jobId, accountId } = await json<{ jobId: string; accountId: string }>(queued);
    assert.equal(accountId, account.id);
    await started;

    const stream = await fetch(`${daemon.url}/api/jobs/${jobId}/events`, { headers: { cookie } });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events: ServerSentEvent[] = [];
    for await (const event of readEvents(stream)) {
      events.push(event);
      if (event.event === 'state') release.open();
    }
    engine.gate = undefined;

    assert.equal(events[0]?.event, 'state');
    assert.equal((events[0]?.data as JobView).state, 'active');
    const last = events.at(-1);
    assert.equal(last?.event, 'completed');
    const finished = last?.data as JobView;
    assert.equal(finished.id, jobId);
    assert.equal(finished.state, 'completed');
    assert.equal(finished.result?.status, 'complete');
    assert.equal(finished.result?.versionsAdded, FAKE_COLLECTIONS.bookmarks + FAKE_COLLECTIONS.history);
    assert.deepEqual(Object.keys(finished.result?.collections ?? {}).sort(), ['bookmarks', 'history']);

    const progress = events.filter((event) => event.event === 'progress').map((event) => event.data as BackupProgress);
    assert.ok(progress.length >= 3, `progress was streamed (${progress.length} events)`);
    for (const report of progress) assert.equal(report.accountId, account.id);
    assert.ok(progress.some((report) => report.collection === 'bookmarks' && report.done === 12 && report.total === 12), 'a finished collection is always reported');
    assert.ok(progress.some((report) => report.collection === 'history' && report.done === 30 && report.total === 30));
    assert.equal(progress.at(-1)?.phase, 'finishing');
    const order = progress.map((report) => report.collectionsDone);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'progress never goes backwards');

    assert.deepEqual(engine.runs.at(-1), { accountId: account.id, trigger: 'manual' });
    assert.equal(engine.opened.at(-1), account.id);
  });

  it('GET /api/jobs and /api/jobs/:id show the finished job; its events replay the end at once', async () => {
    const account = await insertAccount(world.prisma);
    const queued = await json<{ jobId: string }>(await fetch(`${daemon.url}/api/accounts/${account.id}/backups`, { method: 'POST', headers: { cookie } }));
    const done = await eventually('the job to complete', async () => {
      const job = await json<JobView>(await fetch(`${daemon.url}/api/jobs/${queued.jobId}`, { headers: { cookie } }));
      return job.state === 'completed' ? job : undefined;
    });
    assert.equal(done.queue, 'backup');
    assert.equal(done.accountId, account.id);
    assert.equal(done.trigger, 'manual');
    assert.equal(done.progress?.phase, 'finishing');
    assert.equal(done.result?.versionsAdded, 42);

    const list = await json<JobView[]>(await fetch(`${daemon.url}/api/jobs?limit=100`, { headers: { cookie } }));
    assert.ok(list.some((job) => job.id === queued.jobId && job.state === 'completed'));
    assert.ok(list.length >= 2);

    const stream = await fetch(`${daemon.url}/api/jobs/${queued.jobId}/events`, { headers: { cookie } });
    const events: string[] = [];
    for await (const event of readEvents(stream)) events.push(event.event);
    assert.deepEqual(events, ['state', 'completed']);
  });

  it('a busy account fails the job at once with a clear reason, without retrying', async () => {
    const account = await insertAccount(world.prisma);
    engine.failWith = new AccountBusyError(account.id);
    const before = engine.runs.length;
    try {
      const queued = await json<{ jobId: string }>(await fetch(`${daemon.url}/api/accounts/${account.id}/backups`, { method: 'POST', headers: { cookie } }));
      const stream = await fetch(`${daemon.url}/api/jobs/${queued.jobId}/events`, { headers: { cookie } });
      const events: ServerSentEvent[] = [];
      for await (const event of readEvents(stream)) events.push(event);
      const last = events.at(-1);
      assert.equal(last?.event, 'failed');
      assert.equal((last?.data as JobView).failedReason, `another job is already working on account ${account.id}; try again when it has finished`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(engine.runs.length, before + 1, 'tried once');
    } finally {
      engine.failWith = undefined;
    }
  });

  it('answers 404 for unknown accounts and jobs, 400 for a bad limit', async () => {
    const account = await fetch(`${daemon.url}/api/accounts/nobody/backups`, { method: 'POST', headers: { cookie } });
    assert.equal(account.status, 404);
    assert.match((await json<{ message: string }>(account)).message, /no account named "nobody"/);
    assert.equal((await fetch(`${daemon.url}/api/jobs/no-such-job`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${daemon.url}/api/jobs/no-such-job/events`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${daemon.url}/api/jobs?limit=0`, { headers: { cookie } })).status, 400);
    assert.equal((await fetch(`${daemon.url}/api/jobs?limit=many`, { headers: { cookie } })).status, 400);
  });
});

describe('scheduled backups', () => {
  it('run on the schedule and queue retention afterwards when the account has a policy', async () => {
    const world = createTestWorld('scheduled');
    const engine = new FakeEngine();
    const withPolicy = await insertAccount(world.prisma, { schedule: 'every 1h', retention: { keepLast: 3 } });
    const withoutPolicy = await insertAccount(world.prisma, { schedule: 'every 1h' });
    const daemon = await startDaemon(world, { engine });
    try {
      const cookie = await login(daemon.url);
      await eventually('retention of the account with a policy', async () => (engine.retentions.includes(withPolicy.id) ? true : undefined));
      const jobs = await eventually('both scheduled backups to complete', async () => {
        const list = await json<JobView[]>(await fetch(`${daemon.url}/api/jobs?limit=200`, { headers: { cookie } }));
        const done = list.filter((job) => job.queue === 'backup' && job.state === 'completed');
        return done.some((job) => job.accountId === withoutPolicy.id) && list.some((job) => job.queue === 'retention' && job.state === 'completed') ? list : undefined;
      });
      const backups = jobs.filter((job) => job.queue === 'backup' && job.state === 'completed');
      for (const job of backups) {
        assert.equal(job.trigger, 'schedule');
        assert.equal(job.schedulerId, `backup:${job.accountId}`);
      }
      const retention = jobs.filter((job) => job.queue === 'retention');
      assert.deepEqual(retention.map((job) => [job.accountId, job.trigger]), [[withPolicy.id, 'schedule']]);
      assert.deepEqual(engine.retentions, [withPolicy.id], 'no retention for the account that keeps everything');
      assert.ok(engine.runs.every((run) => run.trigger === 'schedule'));
    } finally {
      await daemon.close();
      await world.drop();
    }
  });
});

describe('shutdown', () => {
  it('tells a running backup to stop, fails its job with the reason, and closes', async () => {
    const world = createTestWorld('shutdown');
    const engine = new FakeEngine();
    engine.gate = new Promise(() => undefined);
    const queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
    try {
      const account = await insertAccount(world.prisma);
      const daemon = await startDaemon(world, { engine });
      const started = engine.nextStart();
      const cookie = await login(daemon.url);
      const { jobId } = await json<{ jobId: string }>(await fetch(`${daemon.url}/api/accounts/${account.id}/backups`, { method: 'POST', headers: { cookie } }));
      await started;
      await daemon.close();
      const job = await queue.getJob(jobId);
      assert.equal(await job?.getState(), 'failed');
      assert.equal(job?.failedReason, `backup of account ${account.id} stopped: the daemon is shutting down`);
      assert.equal(await queue.getWorkersCount(), 0, 'the workers are gone');
    } finally {
      await queue.close();
      await world.drop();
    }
  });
});
