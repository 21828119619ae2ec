/**
 * Retrying and cancelling jobs, and the one Server-Sent Events stream of every job, with the real
 * backup engine against the sandbox over HTTP. The API runs in one daemon without workers and the
 * workers in another, as with several `serve` processes: a cancel asked of one process stops a
 * backup running in the other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BackupProgress } from '@syncvault/daemon/backup';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { readEvents, type ServerSentEvent } from '../jobs/support/sse.js';
import { ApiClient } from './support/api-client.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface Job {
  id: string;
  queue: string;
  accountId: string;
  state: string;
  progress: BackupProgress | null;
  result: { seq: number; status: string; collections: Record<string, { count: number }> } | null;
  failedReason: string | null;
  cancelRequestedAt: string | null;
  schedulerId: string | null;
}

interface Snapshot {
  seq: number;
  status: string;
  error: string | null;
  collections: Record<string, { count: number }>;
}

interface ErrorBody {
  statusCode: number;
  message: string;
}

const SEED = { bookmarks: 15, history: 120, passwords: 6, forms: 4, clients: 2, tabs: 1, prefs: true };
const CANCELLED = /^backup of account [0-9a-f-]+ stopped: cancelled on request$/;

/** The all-jobs stream, read in the background; `waitFor` finds an event received before or after the call. */
class JobFeed {
  readonly events: ServerSentEvent[] = [];
  private ended = false;

  private constructor(private readonly abort: AbortController) {}

  static async open(url: string, cookie: string): Promise<JobFeed> {
    const abort = new AbortController();
    const response = await fetch(`${url}/api/jobs/events`, { headers: { cookie }, signal: abort.signal });
    assert.equal(response.status, 200, `GET /api/jobs/events answered ${response.status}`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const feed = new JobFeed(abort);
    void (async () => {
      try {
        for await (const event of readEvents(response)) feed.events.push(event);
      } catch {
        // Closed by the test.
      } finally {
        feed.ended = true;
      }
    })();
    await feed.waitFor('the ready event', (event) => event.event === 'ready');
    return feed;
  }

  /** Events about one job: `job` events carry it, `progress` and `removed` name it. */
  about(jobId: string): ServerSentEvent[] {
    return this.events.filter((event) => (event.event === 'job' ? (event.data as Job).id : (event.data as { jobId?: string }).jobId) === jobId);
  }

  /** The `job` events of one job, as the states it went through. */
  states(jobId: string): string[] {
    return this.about(jobId)
      .filter((event) => event.event === 'job')
      .map((event) => (event.data as Job).state);
  }

  async waitFor(what: string, predicate: (event: ServerSentEvent) => boolean, timeoutMs = 120_000): Promise<ServerSentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (this.ended) assert.fail(`the job stream ended before ${what}`);
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; got ${this.events.map((event) => event.event).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the job event that shows `jobId` in `state`. */
  jobIn(jobId: string, state: string, timeoutMs?: number): Promise<Job> {
    return this.waitFor(`job ${jobId} to be ${state}`, (event) => event.event === 'job' && (event.data as Job).id === jobId && (event.data as Job).state === state, timeoutMs).then((event) => event.data as Job);
  }

  close(): void {
    this.abort.abort();
  }
}

describe('retrying and cancelling jobs, and the all-jobs event stream', () => {
  let world: TestWorld;
  let sandbox: AccountsSandbox;
  /** The API, with no workers of its own. */
  let apiDaemon: TestDaemon;
  /** The workers, in another process-like daemon sharing the database and Redis. */
  let workerDaemon: TestDaemon | undefined;
  let api: ApiClient;
  let cookie: string;
  let desktop: SandboxAccount & { storageUid: number };
  let laptop: SandboxAccount & { storageUid: number };
  const feeds: JobFeed[] = [];

  const openFeed = async () => {
    const feed = await JobFeed.open(apiDaemon.url, cookie);
    feeds.push(feed);
    return feed;
  };
  const storagePath = (account: { storageUid: number }) => `^/storage/1\\.5/${account.storageUid}/`;

  async function addAccount(name: string): Promise<SandboxAccount & { storageUid: number }> {
    const user = await sandbox.control<SandboxAccount & { storageUid: number }>('POST', '/accounts', {
      kind: 'fxa',
      email: uniqueEmail(name),
      password: `pw-${randomBytes(8).toString('hex')}`,
      seed: SEED,
    });
    await api.expect(201, 'POST', '/api/accounts', {
      name,
      kind: 'selfhosted15',
      email: user.email,
      password: user.password,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
    });
    return user;
  }

  before(async () => {
    world = createTestWorld('jobs_api');
    sandbox = await AccountsSandbox.start();
    apiDaemon = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });
    cookie = await login(apiDaemon.url);
    api = new ApiClient(apiDaemon.url, cookie);
    desktop = await addAccount('desktop');
    laptop = await addAccount('laptop');
  });
  after(async () => {
    for (const feed of feeds) feed.close();
    await sandbox?.control('DELETE', '/faults').catch(() => undefined);
    await workerDaemon?.close();
    await apiDaemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('a queued job (no worker running) cannot be retried; cancelling removes it, and the stream says so', async () => {
    const feed = await openFeed();
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/desktop/backups');
    const queued = await feed.jobIn(jobId, 'waiting');
    assert.equal(queued.queue, 'backup');
    assert.equal(queued.cancelRequestedAt, null);

    const retry = await api.call<ErrorBody>('POST', `/api/jobs/${jobId}/retry`);
    assert.equal(retry.status, 409, retry.text);
    assert.equal(retry.body.message, `job ${jobId} is queued: only a failed job can be retried`);

    assert.deepEqual(await api.expect(200, 'POST', `/api/jobs/${jobId}/cancel`), { jobId, queue: 'backup', outcome: 'removed' });
    await feed.waitFor('the removed event', (event) => event.event === 'removed' && (event.data as { jobId: string }).jobId === jobId);
    assert.deepEqual(feed.about(jobId).at(-1)?.data, { jobId, queue: 'backup' });
    assert.equal((await api.call('GET', `/api/jobs/${jobId}`)).status, 404);
    assert.ok(!(await api.expect<Job[]>(200, 'GET', '/api/jobs')).some((job) => job.id === jobId), 'it is no longer listed');
    for (const action of ['cancel', 'retry']) {
      const answer = await api.call<ErrorBody>('POST', `/api/jobs/${jobId}/${action}`);
      assert.equal(answer.status, 404, `${action} of a removed job: ${answer.text}`);
      assert.match(answer.body.message, new RegExp(`^no job ${jobId}`));
    }
    assert.equal((await api.call('POST', '/api/jobs/no-such-job/cancel')).status, 404);
    assert.equal((await api.call('POST', '/api/jobs/no-such-job/retry')).status, 404);
  });

  it('one stream shows every job of every account: states in order, progress, the finished job', async () => {
    workerDaemon = await startDaemon(world);
    const feed = await openFeed();
    const [first, second] = await Promise.all(['desktop', 'laptop'].map((name) => api.expect<{ jobId: string; accountId: string }>(202, 'POST', `/api/accounts/${name}/backups`)));
    const done = await Promise.all([first!, second!].map(({ jobId }) => feed.jobIn(jobId, 'completed')));
    for (const [index, { jobId, accountId }] of [first!, second!].entries()) {
      const states = feed.states(jobId);
      assert.equal(states.at(-1), 'completed', `${jobId}: ${states.join(' → ')}`);
      assert.ok(states.includes('active'), `${jobId} was seen running: ${states.join(' → ')}`);
      assert.ok(states.indexOf('active') < states.indexOf('completed'));
      assert.ok(!states.slice(states.indexOf('active')).some((state) => state === 'waiting'), `no state goes back: ${states.join(' → ')}`);
      const progress = feed.about(jobId).filter((event) => event.event === 'progress').map((event) => event.data as { queue: string; progress: BackupProgress });
      assert.ok(progress.length >= 2, `${jobId}: progress was streamed (${progress.length} reports)`);
      for (const report of progress) {
        assert.equal(report.queue, 'backup');
        assert.equal(report.progress.accountId, accountId);
      }
      const finished = done[index]!;
      assert.equal(finished.accountId, accountId);
      assert.equal(finished.result?.status, 'complete');
      assert.equal(finished.result?.seq, 1);
    }
  });

  it('a failed backup shows why; retried after the fault is gone, it completes under the same id', async () => {
    const feed = await openFeed();
    // The storage server is down for this account: every request answers 503, past the retry bound.
    await sandbox.control('POST', '/faults', { path: storagePath(desktop), count: 1000, kind: '503', retryAfter: 0 });
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/desktop/backups');
    const failed = await feed.jobIn(jobId, 'failed');
    assert.ok(failed.failedReason !== null && failed.failedReason.length > 0, 'the job says why it failed');
    assert.equal((await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`)).failedReason, failed.failedReason);
    const [undone] = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.equal(undone?.seq, 2);
    assert.equal(undone.status, 'failed');

    await sandbox.control('DELETE', '/faults');
    const retried = await api.expect<Job>(202, 'POST', `/api/jobs/${jobId}/retry`);
    assert.equal(retried.id, jobId);
    assert.ok(['waiting', 'active'].includes(retried.state), `the retried job is queued again (${retried.state})`);
    assert.equal(retried.failedReason, null);
    assert.ok(retried.progress === null || retried.progress.snapshotSeq === 3, 'the failed run’s progress is gone');

    const completed = await feed.jobIn(jobId, 'completed');
    assert.equal(completed.result?.status, 'complete');
    assert.equal(completed.result?.seq, 3);
    const states = feed.states(jobId);
    assert.ok(states.indexOf('failed') < states.lastIndexOf('active'), `failed, then ran again: ${states.join(' → ')}`);

    const again = await api.call<ErrorBody>('POST', `/api/jobs/${jobId}/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.message, `job ${jobId} is completed: only a failed job can be retried`);
    const cancel = await api.call<ErrorBody>('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(cancel.status, 409);
    assert.equal(cancel.body.message, `job ${jobId} has already completed: there is nothing to cancel`);
  });

  it('a running backup cancelled from the other process stops, fails as cancelled, and its snapshot is rolled back; nothing is lost', async () => {
    const feed = await openFeed();
    const before = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.deepEqual(
      before.map((snapshot) => [snapshot.seq, snapshot.status]),
      [[1, 'complete']],
    );
    // Another client adds history, so the next backup has a collection to read.
    const visits = Array.from({ length: 3 }, (_, index) => ({
      id: `cancelvisit${index}`,
      histUri: `https://example.test/visited/${index}`,
      title: `Visited ${index}`,
      visits: [{ date: Date.now() * 1000, type: 1 }],
    }));
    await sandbox.control('POST', `/accounts/${encodeURIComponent(laptop.email)}/records`, { collection: 'history', upsert: visits });
    // Every storage request of this account is held for a while, so the backup is still running when cancelled.
    await sandbox.control('POST', '/faults', { path: storagePath(laptop), count: 1000, kind: 'delay', delayMs: 1500 });
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
    await feed.waitFor('the backup to read its collections', (event) => event.event === 'progress' && (event.data as { jobId: string }).jobId === jobId && (event.data as { progress: BackupProgress }).progress.phase === 'collections');

    assert.deepEqual(await api.expect(200, 'POST', `/api/jobs/${jobId}/cancel`), { jobId, queue: 'backup', outcome: 'stopping' });
    const stopping = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    assert.ok(stopping.cancelRequestedAt !== null, 'the job shows the cancel request');
    assert.deepEqual(await api.expect(200, 'POST', `/api/jobs/${jobId}/cancel`), { jobId, queue: 'backup', outcome: 'stopping' }, 'asking twice is harmless');

    const cancelled = await feed.jobIn(jobId, 'failed', 30_000);
    assert.match(cancelled.failedReason ?? '', CANCELLED);
    const snapshots = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.deepEqual(
      snapshots.map((snapshot) => [snapshot.seq, snapshot.status]),
      [
        [2, 'failed'],
        [1, 'complete'],
      ],
      'the cancelled run’s snapshot was rolled back; the one before stays',
    );
    assert.match(snapshots[0]?.error ?? '', /cancelled on request/);
    assert.deepEqual(snapshots[1], before[0], 'the earlier snapshot is untouched');
    assert.deepEqual(await api.expect(200, 'POST', '/api/store/check'), { healthy: true, problems: [] });
    const cancelAgain = await api.call<ErrorBody>('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(cancelAgain.status, 409);
    assert.equal(cancelAgain.body.message, `job ${jobId} has already failed: there is nothing to cancel`);

    // Retrying the cancelled job runs it in full: the cancel request does not follow it.
    await sandbox.control('DELETE', '/faults');
    const retried = await api.expect<Job>(202, 'POST', `/api/jobs/${jobId}/retry`);
    assert.equal(retried.cancelRequestedAt, null);
    const completed = await feed.jobIn(jobId, 'completed');
    assert.equal(completed.result?.seq, 3);
    const [latest] = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.equal(latest?.status, 'complete');
    const counts = (snapshot: Snapshot) => Object.fromEntries(Object.entries(snapshot.collections).map(([name, { count }]) => [name, count]));
    const expected = counts(before[0]!);
    expected['history'] = (expected['history'] ?? 0) + visits.length;
    assert.deepEqual(counts(latest), expected, 'the new snapshot holds everything the server has, the new history included');
  });

  it('the next run of a schedule cannot be cancelled alone', async () => {
    await api.expect(200, 'PATCH', '/api/accounts/desktop', { schedule: '0 0 1 1 *' });
    const next = await (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const jobs = await api.expect<Job[]>(200, 'GET', '/api/jobs?limit=200');
        const found = jobs.find((job) => job.schedulerId !== null && job.state === 'delayed');
        if (found !== undefined) return found;
        if (Date.now() > deadline) assert.fail('no scheduled run appeared');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const answer = await api.call<ErrorBody>('POST', `/api/jobs/${encodeURIComponent(next.id)}/cancel`);
    assert.equal(answer.status, 409, answer.text);
    assert.match(answer.body.message, /next run of the account's schedule .* change or clear the schedule instead$/);
    assert.equal((await api.expect<Job>(200, 'GET', `/api/jobs/${encodeURIComponent(next.id)}`)).state, 'delayed', 'it is still there');
    await api.expect(200, 'PATCH', '/api/accounts/desktop', { schedule: null });
  });
});
