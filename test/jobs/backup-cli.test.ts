/**
 * `syncvault backup`: queued for a running daemon, or run right in the command when no worker is
 * connected. Where a backup must succeed, the daemon's or the function's engine is the FakeEngine
 * stand-in (these tests are about queueing, waiting and printing, not about Sync).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import type { BackupProgress } from '@syncvault/daemon/backup';
import { loadConfig } from '@syncvault/daemon/config';
import { runBackup, snapshotDigest, type SnapshotSummaryJson } from '@syncvault/daemon/jobs';
import { TEST_REDIS_URL } from '../support/redis.js';
import { createTestWorld, insertAccount, startDaemon, type TestWorld } from '../api/support/daemon.js';
import { cliEnv, runCli, waitFor } from '../api/support/cli.js';
import { FakeEngine } from './support/fake-engine.js';

describe('syncvault backup', () => {
  let world: TestWorld;
  let queue: Queue;

  before(() => {
    world = createTestWorld('backupcli');
    queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
  });
  after(async () => {
    await queue?.close();
    await world?.drop();
  });

  it('without a daemon, processes the job in the command itself (a temporary worker)', async () => {
    const account = await insertAccount(world.prisma, { name: 'alone' });
    assert.equal(await queue.getWorkersCount(), 0);
    const run = await runCli(['backup', 'alone', '--json'], cliEnv(world.env));
    // The stored secrets of this test account are not real, so the backup itself fails; what
    // matters here is that the command took the job itself, waited for it and reported why.
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /^syncvault: backup of alone failed: \S.*\n$/);
    const jobs = await queue.getJobs(['failed']);
    const job = jobs.find((candidate) => candidate.data.accountId === account.id);
    assert.ok(job !== undefined, 'the job was queued');
    assert.ok((job.processedOn ?? 0) > 0, 'and a worker took it');
    assert.equal(job.attemptsMade, 1);
    assert.equal(await queue.getWorkersCount(), 0, 'the temporary worker is gone');
  });

  it('runBackup (the command\'s core) with no worker runs the backup here and returns the snapshot', async () => {
    const account = await insertAccount(world.prisma, { name: 'in-process' });
    const engine = new FakeEngine();
    const progress: BackupProgress[] = [];
    const queued: Array<{ inProcess: boolean }> = [];
    const outcome = await runBackup({
      config: loadConfig(world.env),
      prisma: world.prisma,
      account: 'in-process',
      wait: false,
      engine: () => engine,
      onQueued: (info) => queued.push(info),
      onProgress: (report) => progress.push(report),
    });
    assert.deepEqual(queued, [{ jobId: outcome.jobId, accountId: account.id, inProcess: true }]);
    assert.equal(outcome.inProcess, true);
    assert.equal(outcome.job?.state, 'completed');
    assert.deepEqual(snapshotDigest(outcome.job?.result as SnapshotSummaryJson), {
      seq: 1,
      status: 'complete',
      collections: { bookmarks: { count: 12 }, history: { count: 30 } },
      versionsAdded: 42,
    });
    assert.ok(progress.some((report) => report.collection === 'history' && report.done === 30), 'progress reached the caller');
    assert.deepEqual(engine.runs, [{ accountId: account.id, trigger: 'manual' }]);
  });

  it('runBackup takes its own job first and leaves other waiting jobs to the daemon', async () => {
    const mine = await insertAccount(world.prisma);
    const other = await insertAccount(world.prisma);
    const waiting = await queue.add('backup', { accountId: other.id, trigger: 'schedule' }, { jobId: `other-${other.id}` });
    const engine = new FakeEngine();
    const outcome = await runBackup({ config: loadConfig(world.env), prisma: world.prisma, account: mine.id, wait: true, engine: () => engine });
    assert.equal(outcome.job?.state, 'completed');
    assert.deepEqual(engine.runs.map((run) => run.accountId), [mine.id]);
    assert.equal(await waiting.getState(), 'waiting');
    await waiting.remove();
  });

  it('with a daemon running, queues the job for it: the job id, or with --wait the snapshot as JSON', async () => {
    const account = await insertAccount(world.prisma, { name: 'served' });
    const engine = new FakeEngine();
    const daemon = await startDaemon(world, { engine });
    try {
      const queuedRun = await runCli(['backup', 'served', '--json'], cliEnv(world.env));
      assert.equal(queuedRun.code, 0, queuedRun.stderr);
      const { jobId } = JSON.parse(queuedRun.stdout) as { jobId: string };
      assert.ok(jobId.length > 0);
      await waitFor('the daemon to run it', async () => ((await queue.getJob(jobId))?.finishedOn !== undefined ? true : undefined));
      assert.equal(await (await queue.getJob(jobId))?.getState(), 'completed');

      const waited = await runCli(['backup', account.id, '--wait', '--json'], cliEnv(world.env));
      assert.equal(waited.code, 0, waited.stderr);
      assert.deepEqual(JSON.parse(waited.stdout), {
        snapshot: { seq: 2, status: 'complete', collections: { bookmarks: { count: 12 }, history: { count: 30 } }, versionsAdded: 42 },
      });
      assert.equal(engine.runs.length, 2, 'the daemon ran both');

      const human = await runCli(['backup', 'served', '--wait'], cliEnv(world.env));
      assert.equal(human.code, 0, human.stderr);
      assert.equal(human.stdout, 'snapshot 3 complete: 2 collections, 42 records, 42 new record versions\n');
    } finally {
      await daemon.close();
    }
  });

  it('names an unknown account in one line', async () => {
    const run = await runCli(['backup', 'ghost'], cliEnv(world.env));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'syncvault: no account named "ghost"\n');
  });
});
