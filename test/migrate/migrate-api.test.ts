/**
 * The migrations API and the migrate queue around a stand-in migration service (fake-migrations.ts):
 * body validation, the plan, refusals, the job with its progress and result, cancel (the
 * checkpoint stays) and retry (it resumes), and a daemon shutting down mid-migration (the next
 * one resumes it). The real engine against the sandbox: migrate-e2e.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { ApiClient } from '../api/support/api-client.js';
import { createTestWorld, insertAccount, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { EventLog, type ServerSentEvent } from '../jobs/support/sse.js';
import { gate } from '../jobs/support/fake-engine.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { FAKE_TOTAL, FakeMigrations } from './fake-migrations.js';

interface Job {
  id: string;
  queue: string;
  name: string;
  accountId: string;
  trigger: string;
  state: string;
  progress: { accountId: string; migrationId?: string; phase: string; collection?: string; done: number; total: number } | null;
  result: { migrationId: string; resumed: boolean; uploaded: Record<string, number>; verification: { ok: boolean } } | null;
  failedReason: string | null;
  cancelRequestedAt: string | null;
}

const isJob = (event: ServerSentEvent, jobId: string, ...states: string[]) => event.event === 'job' && (event.data as Job).id === jobId && states.includes((event.data as Job).state);
const progressOf = (log: EventLog, jobId: string) =>
  log.events.filter((event) => event.event === 'progress' && (event.data as { jobId: string }).jobId === jobId).map((event) => event.data as { queue: string; progress: NonNullable<Job['progress']> });

describe('the migrations API (stand-in engine)', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let fake: FakeMigrations;
  let api: ApiClient;
  let cookie: string;
  let source: { id: string; name: string };
  let target: { id: string; name: string };
  const logs: EventLog[] = [];

  const openFeed = async () => {
    const feed = await EventLog.open(`${daemon.url}/api/jobs/events`, { cookie });
    logs.push(feed);
    await feed.waitFor('the ready event', (event) => event.event === 'ready');
    return feed;
  };

  before(async () => {
    world = createTestWorld('migrateapi');
    fake = new FakeMigrations(world.prisma);
    daemon = await startDaemon(world, { engine: fake });
    cookie = await login(daemon.url);
    api = new ApiClient(daemon.url, cookie);
    source = await insertAccount(world.prisma, { name: 'old-server' });
    target = await insertAccount(world.prisma, { name: 'new-server' });
  });
  after(async () => {
    for (const log of logs) log.close();
    await daemon?.close();
    await world?.drop();
  });

  it('answers 400 naming the field for a body that is not a migration request, before planning anything', async () => {
    const planned = fake.planned.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ target: 'new-server' }, /source/],
      [{ source: '', target: 'new-server' }, /source should not be empty/],
      [{ source: 'old-server', target: 7 }, /target must be a string/],
      [{ source: 'old-server', target: 'new-server', fromSnapshot: 0 }, /fromSnapshot must not be less than 1/],
      [{ source: 'old-server', target: 'new-server', fromSnapshot: 2.5 }, /fromSnapshot must be an integer/],
      [{ source: 'old-server', target: 'new-server', fromSnapshot: '3' }, /fromSnapshot must be an integer/],
      [{ source: 'old-server', target: 'new-server', replace: 'yes' }, /replace must be a boolean/],
      [{ source: 'old-server', target: 'new-server', merge: 1 }, /merge must be a boolean/],
      [{ source: 'old-server', target: 'new-server', rekey: 'true' }, /rekey must be a boolean/],
      [{ source: 'old-server', target: 'new-server', restart: 'no' }, /restart must be a boolean/],
      [{ source: 'old-server', target: 'new-server', replace: true, merge: true }, /replace and merge cannot be combined/],
      [{ source: 'old-server', target: 'new-server', wipe: true }, /property wipe should not exist/],
    ];
    for (const path of ['/api/migrations/plan', '/api/migrations']) {
      for (const [body, message] of cases) {
        const answer = await api.call<{ statusCode: number; message: string }>('POST', path, body);
        assert.equal(answer.status, 400, `${path} ${JSON.stringify(body)} answered ${answer.status}: ${answer.text}`);
        assert.match(answer.body.message, message, `${path} ${JSON.stringify(body)}`);
      }
    }
    assert.equal(fake.planned.length, planned, 'nothing was planned');
    // replace or merge alone (or with the other one false) are fine.
    await api.expect(200, 'POST', '/api/migrations/plan', { source: 'old-server', target: 'new-server', replace: true, merge: false });
    await api.expect(200, 'POST', '/api/migrations/plan', { source: 'old-server', target: 'new-server', merge: true });
  });

  it('plans (200, the plan as the service makes it, from the request with only the options set); 404 for unknown accounts', async () => {
    const plan = await api.expect<{ source: { accountId: string }; target: { accountId: string }; mode: string; totals: { records: number }; refusal: string | null }>(200, 'POST', '/api/migrations/plan', {
      source: 'old-server',
      target: target.id,
      fromSnapshot: 3,
      rekey: true,
      restart: false,
    });
    assert.deepEqual(fake.planned.at(-1), { source: 'old-server', target: target.id, fromSnapshot: 3, rekey: true });
    assert.deepEqual([plan.source.accountId, plan.target.accountId, plan.mode, plan.totals.records, plan.refusal], [source.id, target.id, 'empty', FAKE_TOTAL, null]);
    const unknown = await api.call<{ message: string }>('POST', '/api/migrations/plan', { source: 'nobody', target: 'new-server' });
    assert.equal(unknown.status, 404, unknown.text);
    assert.match(unknown.body.message, /nobody/);
  });

  it('refuses a plan with a refusal: 422 with the refusal as the message, and nothing is queued', async () => {
    fake.refusal = 'the target holds 12 records: give --replace or --merge';
    try {
      const before = (await api.expect<Job[]>(200, 'GET', '/api/jobs')).filter((job) => job.queue === 'migrate').length;
      const answer = await api.call<{ statusCode: number; message: string }>('POST', '/api/migrations', { source: 'old-server', target: 'new-server', fromSnapshot: 1 });
      assert.equal(answer.status, 422, answer.text);
      assert.equal(answer.body.message, 'the target holds 12 records: give --replace or --merge');
      const after = (await api.expect<Job[]>(200, 'GET', '/api/jobs')).filter((job) => job.queue === 'migrate').length;
      assert.equal(after, before, 'nothing was queued');
      assert.equal(fake.runs.length, 0);
    } finally {
      fake.refusal = null;
    }
  });

  it('queues a source never backed up (no fromSnapshot) without a plan: the job backs it up, plans, and fails on the refusal', async () => {
    const feed = await openFeed();
    const planned = fake.planned.length;
    fake.refusal = 'the target is over its quota';
    try {
      const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/migrations', { source: 'old-server', target: 'new-server' });
      assert.equal(fake.planned.length, planned, 'not planned before it was queued: the service has no snapshot to plan from');
      const failed = (await feed.waitFor('the job to fail', (event) => isJob(event, jobId, 'failed', 'completed'))).data as Job;
      assert.equal(failed.state, 'failed');
      assert.equal(failed.failedReason, 'the target is over its quota');
    } finally {
      fake.refusal = null;
    }
  });

  it('queues a migration (202, accountId the target), reports its progress on the job streams and completes with the result; list and get read it back', async () => {
    const feed = await openFeed();
    const enqueued = await api.expect<{ jobId: string; accountId: string }>(202, 'POST', '/api/migrations', { source: 'old-server', target: 'new-server', fromSnapshot: 2 });
    assert.equal(enqueued.accountId, target.id);
    const done = (await feed.waitFor('the migration to finish', (event) => isJob(event, enqueued.jobId, 'completed', 'failed'))).data as Job;
    assert.equal(done.state, 'completed', done.failedReason ?? '');
    assert.deepEqual([done.queue, done.name, done.trigger, done.accountId], ['migrate', 'migrate', 'manual', target.id]);
    assert.deepEqual(fake.runs.at(-1)?.request, { source: source.id, target: target.id, fromSnapshot: 2 }, 'the job runs the request with account ids');
    assert.equal(done.result?.verification.ok, true);
    assert.deepEqual(done.result?.uploaded, { bookmarks: FAKE_TOTAL });

    const progress = progressOf(feed, enqueued.jobId);
    assert.ok(progress.length >= 3, `progress came (${progress.length} reports)`);
    assert.ok(progress.every((event) => event.queue === 'migrate' && event.progress.accountId === target.id && event.progress.total === FAKE_TOTAL));
    assert.equal(progress[0]?.progress.phase, 'planning');
    assert.deepEqual(progress.at(-1)?.progress, { accountId: target.id, migrationId: done.result?.migrationId, phase: 'done', done: FAKE_TOTAL, total: FAKE_TOTAL });
    const dones = progress.map((event) => event.progress.done);
    assert.deepEqual(dones, [...dones].sort((a, b) => a - b), 'never backwards');

    const stored = await api.expect<Job>(200, 'GET', `/api/jobs/${enqueued.jobId}`);
    assert.deepEqual(stored.result, done.result);

    const view = await api.expect<{ id: string; status: string; result: unknown }>(200, 'GET', `/api/migrations/${done.result?.migrationId}`);
    assert.equal(view.status, 'completed');
    assert.deepEqual(view.result, done.result);
    const bySource = await api.expect<Array<{ id: string }>>(200, 'GET', '/api/migrations?account=old-server');
    assert.ok(bySource.some((migration) => migration.id === view.id));
    const byTargetId = await api.expect<Array<{ id: string }>>(200, 'GET', `/api/migrations?account=${target.id}`);
    assert.ok(byTargetId.some((migration) => migration.id === view.id));
    const other = await insertAccount(world.prisma, { name: 'bystander' });
    assert.deepEqual(await api.expect(200, 'GET', `/api/migrations?account=${other.name}`), []);
  });

  it('answers 404 for an unknown migration and for an unknown account filter', async () => {
    const missing = await api.call<{ message: string }>('GET', '/api/migrations/00000000-0000-4000-8000-999999999999');
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.message, 'no migration 00000000-0000-4000-8000-999999999999');
    const account = await api.call<{ message: string }>('GET', '/api/migrations?account=nobody');
    assert.equal(account.status, 404, account.text);
  });

  it('cancel stops a running migration between two batches (its checkpoint stays); retry resumes it without restart', async () => {
    const otherTarget = await insertAccount(world.prisma, { name: 'cancel-target' });
    const release = gate();
    fake.gate = release.promise;
    try {
      const feed = await openFeed();
      const firstBatch = fake.nextFirstBatch();
      const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/migrations', { source: 'old-server', target: 'cancel-target', restart: true });
      await firstBatch;
      const cancel = await api.expect<{ jobId: string; queue: string; outcome: string }>(200, 'POST', `/api/jobs/${jobId}/cancel`);
      assert.deepEqual(cancel, { jobId, queue: 'migrate', outcome: 'stopping' });
      const failed = (await feed.waitFor('the migration to stop', (event) => isJob(event, jobId, 'failed', 'completed'))).data as Job;
      assert.equal(failed.state, 'failed');
      assert.equal(failed.failedReason, `migration into account ${otherTarget.id} stopped: cancelled on request; its checkpoint stays: retry the job to resume`);
      assert.equal(fake.runs.at(-1)?.outcome, 'interrupted');
      assert.equal(fake.runs.at(-1)?.request.restart, true);

      fake.gate = undefined;
      const retried = await api.expect<Job>(202, 'POST', `/api/jobs/${jobId}/retry`);
      assert.equal(retried.cancelRequestedAt, null, 'the cancel request is gone');
      const completed = (await feed.waitFor('the resumed migration to complete', (event) => isJob(event, jobId, 'completed'))).data as Job;
      const resumedRun = fake.runs.at(-1)!;
      assert.deepEqual(resumedRun.request, { source: source.id, target: otherTarget.id }, 'the same request, without restart');
      assert.equal(resumedRun.resumedFrom, 10, 'it resumed from the checkpoint');
      assert.equal(completed.result?.resumed, true);
      assert.deepEqual(completed.result?.uploaded, { bookmarks: FAKE_TOTAL - 10 });
    } finally {
      fake.gate = undefined;
      release.open();
    }
  });
});

describe('a daemon shutting down mid-migration', () => {
  it('puts the job back in the queue; the next daemon resumes it from its checkpoint', async () => {
    const world = createTestWorld('migrateshutdown');
    const fake = new FakeMigrations(world.prisma);
    fake.gate = new Promise(() => undefined);
    const queue = new Queue('migrate', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
    let daemon: TestDaemon | undefined;
    try {
      await insertAccount(world.prisma, { name: 'from' });
      const into = await insertAccount(world.prisma, { name: 'into' });
      daemon = await startDaemon(world, { engine: fake });
      const api = new ApiClient(daemon.url, await login(daemon.url));
      const firstBatch = fake.nextFirstBatch();
      const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/migrations', { source: 'from', target: 'into' });
      await firstBatch;
      await daemon.close();
      daemon = undefined;
      const job = await queue.getJob(jobId);
      assert.equal(await job?.getState(), 'waiting', 'back in the queue, not failed');
      assert.equal(fake.runs.at(-1)?.outcome, 'interrupted');
      assert.equal(await queue.getWorkersCount(), 0);

      fake.gate = undefined;
      daemon = await startDaemon(world, { engine: fake });
      const deadline = Date.now() + 30_000;
      while ((await queue.getJob(jobId).then((found) => found?.getState())) !== 'completed') {
        assert.ok(Date.now() < deadline, 'the next daemon completes it');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const completed = await queue.getJob(jobId);
      assert.equal((completed?.returnvalue as { resumed: boolean }).resumed, true);
      assert.equal(fake.runs.at(-1)?.resumedFrom, 10);
      assert.equal(fake.runs.at(-1)?.request.target, into.id);
    } finally {
      await daemon?.close();
      await queue.close();
      await world.drop();
    }
  });
});
