/**
 * Restores as jobs: `POST /api/accounts/:id/restores` queues one after checking that it can be
 * done, the daemon's restore worker applies it (pre-restore snapshot, writes, read-back), its
 * phases come as progress events on both job streams and its result is the RestoreResult. Read
 * back with the sandbox's own decryption.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountLock } from '@syncvault/daemon/store';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from '../api/support/api-client.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { backUpThroughApi } from '../export/support/backup.js';
import { EventLog, type ServerSentEvent } from '../jobs/support/sse.js';
import { deleteTrips, readBack, workTree, writeAsAnotherClient, folder } from './support/bookmark-tree.js';

interface RestoreResult {
  plan: { from: number; totalChanges: number; collections: Array<{ collection: string; records: Array<{ id: string; reason: string }> }> };
  replans: number;
  preRestoreSnapshot: { seq: number };
  written: Array<{ collection: string; id: string; action: string }>;
  verification: { ok: boolean; mismatches: unknown[] };
  bookmarkValidation: { before: Record<string, number>; after: Record<string, number> } | null;
}

interface Job {
  id: string;
  queue: string;
  name: string;
  accountId: string;
  trigger: string;
  state: string;
  progress: { accountId: string; phase: string; collection?: string; done?: number; total?: number } | null;
  result: RestoreResult | null;
  failedReason: string | null;
}

const isJob = (event: ServerSentEvent, jobId: string, state: string) => event.event === 'job' && (event.data as Job).id === jobId && (event.data as Job).state === state;

describe('restore jobs', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let cookie: string;
  let user: SandboxAccount;
  let accountId: string;
  const logs: EventLog[] = [];

  const openFeed = async () => {
    const feed = await EventLog.open(`${daemon.url}/api/jobs/events`, { cookie });
    logs.push(feed);
    await feed.waitFor('the ready event', (event) => event.event === 'ready');
    return feed;
  };

  before(async () => {
    world = createTestWorld('restorejob');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    cookie = await login(daemon.url);
    api = new ApiClient(daemon.url, cookie);
    user = await sandbox.control<SandboxAccount>('POST', '/accounts', { kind: 'fxa', email: uniqueEmail('restorejob'), password: `pw-${randomBytes(8).toString('hex')}`, seed: { bookmarks: 0, passwords: 2 } });
    await writeAsAnotherClient(sandbox, user.email, { collection: 'bookmarks', upsert: workTree() });
    const added = await api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', { name: 'laptop', kind: 'selfhosted15', email: user.email, password: user.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer });
    accountId = added.account.id;
    assert.equal(await backUpThroughApi(api, 'laptop'), 1);
  });
  after(async () => {
    for (const log of logs) log.close();
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('queues a restore, reports its phases over both job streams and completes with the restore result; the folder is back in place', async () => {
    await deleteTrips(sandbox, user.email);
    const feed = await openFeed();

    const enqueued = await api.expect<{ jobId: string; accountId: string }>(202, 'POST', '/api/accounts/laptop/restores', { from: 1, kind: 'folder', id: 'tripsfolder' });
    assert.equal(enqueued.accountId, accountId);
    const own = await EventLog.open(`${daemon.url}/api/jobs/${enqueued.jobId}/events`, { cookie });
    logs.push(own);

    const completed = (await feed.waitFor('the restore to complete', (event) => isJob(event, enqueued.jobId, 'completed') || isJob(event, enqueued.jobId, 'failed'))).data as Job;
    assert.equal(completed.state, 'completed', completed.failedReason ?? '');
    assert.equal(completed.queue, 'restore');
    assert.equal(completed.name, 'restore');
    assert.equal(completed.trigger, 'manual');
    assert.equal(completed.accountId, accountId);

    const progress = feed.events.filter((event) => event.event === 'progress' && (event.data as { jobId: string }).jobId === enqueued.jobId).map((event) => event.data as { queue: string; progress: NonNullable<Job['progress']> });
    assert.ok(progress.every((event) => event.queue === 'restore' && event.progress.accountId === accountId), 'restore progress names its queue and account');
    assert.deepEqual(
      progress.map((event) => event.progress.phase),
      ['pre-restore-snapshot', 'planning', 'writing', 'writing', 'notifying-clients', 'verifying', 'done'],
      'every phase, in order',
    );
    assert.deepEqual(progress.filter((event) => event.progress.phase === 'writing').map((event) => [event.progress.collection, event.progress.done, event.progress.total]), [
      ['bookmarks', 0, 4],
      ['bookmarks', 4, 4],
    ]);

    const result = completed.result!;
    assert.equal(result.verification.ok, true);
    assert.deepEqual(result.verification.mismatches, []);
    assert.equal(result.replans, 0);
    assert.equal(result.preRestoreSnapshot.seq, 2);
    assert.deepEqual(result.written.map((write) => `${write.action}:${write.id}`).sort(), ['write:bookmarkL01', 'write:bookmarkP01', 'write:tripsfolder', 'write:workfolder1']);
    assert.ok(Object.values(result.bookmarkValidation!.after).every((count) => count === 0), 'the tree is valid after the restore');

    const stored = await api.expect<Job>(200, 'GET', `/api/jobs/${enqueued.jobId}`);
    assert.deepEqual(stored.result, result, 'GET /api/jobs/{id} answers the same result');
    assert.deepEqual(stored.progress, { accountId, phase: 'done' });

    // The job's own stream: its state, progress reports in order, then `completed` with the result, and it ends.
    const end = await own.waitFor('the job stream to end', (event) => event.event === 'completed' || event.event === 'failed');
    assert.equal(own.events[0]?.event, 'state');
    assert.equal((end.data as Job).result?.verification.ok, true);
    const ownPhases = own.events.filter((event) => event.event === 'progress').map((event) => (event.data as NonNullable<Job['progress']>).phase);
    const allPhases = ['pre-restore-snapshot', 'planning', 'writing', 'writing', 'notifying-clients', 'verifying', 'done'];
    assert.deepEqual(ownPhases, allPhases.slice(allPhases.length - ownPhases.length), 'whatever part of the run it saw, in order');

    const live = await readBack(sandbox, user.email, 'bookmarks');
    assert.deepEqual(live.get('workfolder1')?.['children'], ['bookmarkA01', 'bookmarkB01', 'tripsfolder', 'bookmarkC01'], 'Trips is back at its old position in Work');
    assert.equal(live.get('tripsfolder')?.['title'], 'Trips');
    assert.deepEqual(live.get('tripsfolder')?.['children'], ['bookmarkL01', 'bookmarkP01']);
    assert.equal(live.get('bookmarkL01')?.['bmkUri'], 'https://lisbon.example/');
    const snapshot = await api.expect<{ tags: string[]; status: string }>(200, 'GET', '/api/accounts/laptop/snapshots/2');
    assert.deepEqual([snapshot.status, snapshot.tags], ['complete', ['pre-restore']]);
  });

  it('refuses what cannot be restored before anything is queued: 400, 404, 422', async () => {
    const restoresBefore = (await api.expect<Job[]>(200, 'GET', '/api/jobs')).filter((job) => job.queue === 'restore').length;
    const refused = async (status: number, path: string, body: unknown, message?: RegExp) => {
      const answer = await api.call<{ message: string }>('POST', path, body);
      assert.equal(answer.status, status, `${JSON.stringify(body)} answered ${answer.status}: ${answer.text}`);
      if (message !== undefined) assert.match(answer.body.message, message);
    };
    await refused(400, '/api/accounts/laptop/restores', { from: 1, kind: 'folder' }, /id/);
    await refused(400, '/api/accounts/laptop/restores', { from: 1, kind: 'collection', collection: 'clients' }, /collection/);
    await refused(400, '/api/accounts/laptop/restores', { kind: 'all' }, /from/);
    await refused(404, '/api/accounts/nobody/restores', { from: 1, kind: 'all' });
    await refused(404, '/api/accounts/laptop/restores', { from: 99, kind: 'all' });
    await refused(422, '/api/accounts/laptop/restores', { from: 1, kind: 'folder', id: 'bookmarkA01' }, /not a folder/);
    await refused(422, '/api/accounts/laptop/restores', { from: 1, kind: 'password', id: '{no-such-login}' }, /no login/);
    const restoresAfter = (await api.expect<Job[]>(200, 'GET', '/api/jobs')).filter((job) => job.queue === 'restore').length;
    assert.equal(restoresAfter, restoresBefore, 'nothing was queued');
  });

  it('a running restore cannot be cancelled; a failed one is not retried blindly', async () => {
    await writeAsAnotherClient(sandbox, user.email, { collection: 'bookmarks', tombstone: ['bookmarkF01'], upsert: [folder('menu', 'places', '', ['workfolder1'])] });
    // The write is held for a while, so the job is surely running when the cancel comes.
    await sandbox.control('POST', '/faults', { path: '/storage/bookmarks$', method: 'POST', count: 1, kind: 'delay', delayMs: 3000 });
    const feed = await openFeed();
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', `/api/accounts/${accountId}/restores`, { from: 1, kind: 'bookmark', id: 'bookmarkF01' });
    await feed.waitFor('the restore to write', (event) => event.event === 'progress' && (event.data as { jobId: string; progress: { phase: string } }).jobId === jobId && (event.data as { progress: { phase: string } }).progress.phase === 'writing');
    const cancel = await api.call<{ message: string }>('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(cancel.status, 409, cancel.text);
    assert.match(cancel.body.message, /running restore, which cannot be stopped mid-write/);
    const finished = (await feed.waitFor('the restore to finish', (event) => isJob(event, jobId, 'completed') || isJob(event, jobId, 'failed'))).data as Job;
    assert.equal(finished.state, 'completed', finished.failedReason ?? '');
    assert.equal(finished.result?.verification.ok, true);
    assert.deepEqual((await readBack(sandbox, user.email, 'bookmarks')).get('menu')?.['children'], ['workfolder1', 'bookmarkF01']);

    // Another job holds the account: the restore fails at once, and is not run again without a new plan.
    await writeAsAnotherClient(sandbox, user.email, { collection: 'bookmarks', tombstone: ['bookmarkF01'], upsert: [folder('menu', 'places', '', ['workfolder1'])] });
    const failed = await AccountLock.with(daemon.config.databaseUrl, accountId, async () => {
      const queued = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/restores', { from: 1, kind: 'bookmark', id: 'bookmarkF01' });
      return (await feed.waitFor('the restore to fail', (event) => isJob(event, queued.jobId, 'failed') || isJob(event, queued.jobId, 'completed'))).data as Job;
    });
    assert.equal(failed.state, 'failed');
    assert.match(failed.failedReason ?? '', /another job is already working on account/);
    const retry = await api.call<{ message: string }>('POST', `/api/jobs/${failed.id}/retry`);
    assert.equal(retry.status, 409, retry.text);
    assert.match(retry.body.message, /not retried blindly: plan it again/);
    assert.equal((await readBack(sandbox, user.email, 'bookmarks')).get('bookmarkF01')?.['deleted'], true, 'the failed restore wrote nothing');
  });
});
