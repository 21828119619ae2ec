/**
 * Migrations through the daemon's API with the real engine, between two sandboxes: "mozilla"
 * (accounts server, tokenserver, storage 1.5 and a Sync 1.1 server) and "selfhosted" (a tokenserver
 * trusting mozilla's accounts server, its own storage node with small limits). Accounts are added
 * through the API's add-account route; the migration is planned, queued, followed over the job
 * streams, cancelled and resumed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { ApiClient } from '../api/support/api-client.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { backUpThroughApi } from '../export/support/backup.js';
import { EventLog, type ServerSentEvent } from '../jobs/support/sse.js';
import { sandboxControl } from '../support/sandbox-control.js';

interface SandboxAccount {
  email: string;
  password: string;
  uid: string;
  syncKey?: string;
}

interface Plan {
  source: { accountId: string; kind: string; snapshot: { seq: number } | null };
  target: { accountId: string; empty: boolean; limits: Record<string, number | null>; tokenServerUrl: string };
  keys: string;
  metaGlobal: string;
  collections: Array<{ collection: string; action: string; records: number }>;
  totals: { records: number; batches: number };
  refusal: string | null;
  resumes: { migrationId: string; done: number; total: number } | null;
}

interface Result {
  migrationId: string;
  plan: Plan;
  resumed: boolean;
  uploaded: Record<string, number>;
  verification: { ok: boolean; collections: Array<{ collection: string; expected: number; found: number; mismatches: number }> };
  clients: { tokenServerUri: string; desktop: string[]; android: string[]; ios: string[] };
}

interface Job {
  id: string;
  queue: string;
  accountId: string;
  state: string;
  result: Result | null;
  failedReason: string | null;
}

interface Progress {
  accountId: string;
  migrationId?: string;
  phase: string;
  collection?: string;
  done: number;
  total: number;
}

const isJob = (event: ServerSentEvent, jobId: string, ...states: string[]) => event.event === 'job' && (event.data as Job).id === jobId && states.includes((event.data as Job).state);
const progressOf = (log: EventLog, jobId: string): Progress[] =>
  log.events.filter((event) => event.event === 'progress' && (event.data as { jobId: string }).jobId === jobId).map((event) => (event.data as { progress: Progress }).progress);

describe('migrations through the API, real engine, two sandboxes', () => {
  let mozilla: RunningSandbox;
  let selfhosted: RunningSandbox;
  let world: TestWorld;
  let daemon: TestDaemon;
  let api: ApiClient;
  let cookie: string;
  const logs: EventLog[] = [];

  const openFeed = async () => {
    const feed = await EventLog.open(`${daemon.url}/api/jobs/events`, { cookie });
    logs.push(feed);
    await feed.waitFor('the ready event', (event) => event.event === 'ready');
    return feed;
  };
  const createSandboxAccount = (kind: 'fxa' | 'legacy11', label: string, seed: unknown) =>
    sandboxControl<SandboxAccount>(mozilla.urls.control, 'POST', '/accounts', { kind, email: `${label}-${randomBytes(4).toString('hex')}@migrate-api.test`, password: `pw-${randomBytes(6).toString('hex')}`, seed });
  const addFxa = async (name: string, account: SandboxAccount, tokenServerUrl: string) =>
    (await api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', { name, kind: 'selfhosted15', email: account.email, password: account.password, fxaUrl: mozilla.urls.fxa, tokenServerUrl })).account.id;
  const targetCounts = (uid: string) => sandboxControl<Record<string, number>>(selfhosted.urls.control, 'GET', `/storage-users/${encodeURIComponent(uid)}/collections`);

  before(async () => {
    mozilla = await startSandbox({ tokenSecret: 'migrate api: mozilla' });
    selfhosted = await startSandbox({ tokenSecret: 'migrate api: self-hosted', accountsServer: mozilla.urls.fxa, limits: { max_post_records: 10 } });
    world = createTestWorld('migratee2e');
    daemon = await startDaemon(world);
    cookie = await login(daemon.url);
    api = new ApiClient(daemon.url, cookie);
  });
  after(async () => {
    for (const log of logs) log.close();
    await daemon?.close();
    await selfhosted?.close();
    await mozilla?.close();
    await world?.drop();
  });

  it('1.1 → a new self-hosted 1.5 account: plan, queued job with live progress, a verified result with client instructions; then the non-empty target is refused', async () => {
    const legacy = await createSandboxAccount('legacy11', 'weave', { bookmarks: 12, history: 15, passwords: 3 });
    const fresh = await createSandboxAccount('fxa', 'fresh', 'none');
    const added = await api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', {
      name: 'old-weave',
      kind: 'legacy11',
      email: legacy.email,
      password: legacy.password,
      syncKey: legacy.syncKey,
      serverUrl: mozilla.urls.storage11,
    });
    const sourceId = added.account.id;
    const targetId = await addFxa('new-home', fresh, selfhosted.urls.tokenServer);

    // Never backed up: nothing to plan from yet.
    const unplanned = await api.call<{ message: string }>('POST', '/api/migrations/plan', { source: 'old-weave', target: 'new-home' });
    assert.equal(unplanned.status, 422, unplanned.text);
    assert.match(unplanned.body.message, /no complete snapshot yet/);

    const seq = await backUpThroughApi(api, 'old-weave');
    const plan = await api.expect<Plan>(200, 'POST', '/api/migrations/plan', { source: 'old-weave', target: 'new-home' });
    assert.deepEqual([plan.source.accountId, plan.source.kind, plan.source.snapshot?.seq, plan.target.accountId], [sourceId, 'legacy11', seq, targetId]);
    assert.deepEqual([plan.keys, plan.metaGlobal, plan.refusal, plan.target.empty, plan.resumes], ['rewrap', 'convert', null, true, null]);
    assert.equal(plan.target.limits['max_post_records'], 10);
    assert.equal(plan.target.tokenServerUrl, selfhosted.urls.tokenServer);
    assert.deepEqual(plan.collections.slice(0, 2).map((collection) => collection.collection), ['crypto', 'meta'], 'crypto/keys and meta/global go first');

    const feed = await openFeed();
    const enqueued = await api.expect<{ jobId: string; accountId: string }>(202, 'POST', '/api/migrations', { source: 'old-weave', target: 'new-home' });
    assert.equal(enqueued.accountId, targetId);
    const own = await EventLog.open(`${daemon.url}/api/jobs/${enqueued.jobId}/events`, { cookie });
    logs.push(own);
    const done = (await feed.waitFor('the migration to finish', (event) => isJob(event, enqueued.jobId, 'completed', 'failed'))).data as Job;
    assert.equal(done.state, 'completed', done.failedReason ?? '');
    assert.deepEqual([done.queue, done.accountId], ['migrate', targetId]);

    const progress = progressOf(feed, enqueued.jobId);
    assert.ok(progress.every((report) => report.accountId === targetId));
    assert.deepEqual([...new Set(progress.map((report) => report.phase))], ['source-snapshot', 'planning', 'uploading', 'verifying', 'done'], 'every phase, in order');
    const uploading = progress.filter((report) => report.phase === 'uploading');
    assert.ok(uploading.length >= 3, `several upload reports (${uploading.length})`);
    const last = progress.at(-1)!;
    assert.equal(last.done, last.total);
    assert.equal(last.migrationId, done.result?.migrationId);

    const result = done.result!;
    assert.equal(result.verification.ok, true);
    assert.equal(result.resumed, false);
    assert.equal(result.plan.source.snapshot?.seq, seq + 1, 'the job copied a fresh backup, taken first');
    assert.equal(result.clients.tokenServerUri, selfhosted.urls.tokenServer);
    assert.ok(result.clients.desktop.some((step) => step.includes(`identity.sync.tokenserver.uri to ${selfhosted.urls.tokenServer}`)));
    assert.ok(result.clients.android.length > 0 && result.clients.ios.length > 0);
    const held = await targetCounts(fresh.uid);
    assert.deepEqual([held['bookmarks'], held['history'], held['passwords'], held['crypto'], held['meta']], [result.uploaded['bookmarks'], result.uploaded['history'], result.uploaded['passwords'], 1, 1]);
    assert.ok((held['bookmarks'] ?? 0) >= 12, 'the bookmarks arrived');

    // The job's own stream ends with the completed job.
    const end = await own.waitFor('the job stream to end', (event) => event.event === 'completed' || event.event === 'failed');
    assert.deepEqual((end.data as Job).result, result);

    const view = await api.expect<{ id: string; status: string; sourceAccountId: string; targetAccountId: string; done: number; total: number; result: Result | null }>(200, 'GET', `/api/migrations/${result.migrationId}`);
    assert.deepEqual([view.status, view.sourceAccountId, view.targetAccountId, view.done], ['completed', sourceId, targetId, view.total]);
    assert.deepEqual(view.result, result);
    const listed = await api.expect<Array<{ id: string }>>(200, 'GET', '/api/migrations?account=new-home');
    assert.equal(listed[0]?.id, result.migrationId);

    // The target holds data now: the same migration again is refused before anything is queued.
    const refused = await api.call<{ message: string }>('POST', '/api/migrations', { source: 'old-weave', target: 'new-home', fromSnapshot: seq });
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.message, /is not empty .*--replace.*--merge/);
    const withReplace = await api.expect<Plan>(200, 'POST', '/api/migrations/plan', { source: 'old-weave', target: 'new-home', fromSnapshot: seq, replace: true });
    assert.equal(withReplace.refusal, null);
  });

  it('cancelling a running migration stops it with its checkpoint; retrying the job resumes it and verifies', async () => {
    const account = await createSandboxAccount('fxa', 'moving', { bookmarks: 30, history: 30, forms: 10 });
    const sourceId = await addFxa('at-mozilla', account, mozilla.urls.tokenServer);
    const targetId = await addFxa('at-home', account, selfhosted.urls.tokenServer);
    await backUpThroughApi(api, 'at-mozilla');
    const plan = await api.expect<Plan>(200, 'POST', '/api/migrations/plan', { source: sourceId, target: targetId });
    assert.equal(plan.keys, 'copy', 'the same account: the same kB on both sides');

    // Every history upload is held a while, so the migration is surely mid-way when the cancel comes.
    await sandboxControl(selfhosted.urls.control, 'POST', '/faults', { path: '/storage/history$', method: 'POST', count: 100, kind: 'delay', delayMs: 700 });
    const feed = await openFeed();
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/migrations', { source: sourceId, target: targetId, fromSnapshot: plan.source.snapshot!.seq });
    const uploadingHistory = await feed.waitFor('history to be uploading', (event) => event.event === 'progress' && (event.data as { jobId: string }).jobId === jobId && (event.data as { progress: Progress }).progress.collection === 'history');
    const migrationId = (uploadingHistory.data as { progress: Progress }).progress.migrationId!;
    assert.deepEqual(await api.expect(200, 'POST', `/api/jobs/${jobId}/cancel`), { jobId, queue: 'migrate', outcome: 'stopping' });
    const stopped = (await feed.waitFor('the migration to stop', (event) => isJob(event, jobId, 'failed', 'completed'))).data as Job;
    assert.equal(stopped.state, 'failed');
    assert.equal(stopped.failedReason, `migration into account ${targetId} stopped: cancelled on request; its checkpoint stays: retry the job to resume`);
    const interrupted = await api.expect<{ status: string; done: number; total: number }>(200, 'GET', `/api/migrations/${migrationId}`);
    assert.equal(interrupted.status, 'interrupted');
    assert.ok(interrupted.done > 0 && interrupted.done < interrupted.total, `stopped mid-way (${interrupted.done} of ${interrupted.total})`);
    const resumable = await api.expect<Plan>(200, 'POST', '/api/migrations/plan', { source: sourceId, target: targetId });
    assert.deepEqual(resumable.resumes, { migrationId, done: interrupted.done, total: interrupted.total });

    await sandboxControl(selfhosted.urls.control, 'DELETE', '/faults');
    await api.expect(202, 'POST', `/api/jobs/${jobId}/retry`);
    const completed = (await feed.waitFor('the resumed migration to complete', (event) => isJob(event, jobId, 'completed') || (isJob(event, jobId, 'failed') && (event.data as Job).failedReason !== stopped.failedReason))).data as Job;
    assert.equal(completed.state, 'completed', completed.failedReason ?? '');
    const result = completed.result!;
    assert.equal(result.migrationId, migrationId, 'the same migration, resumed');
    assert.equal(result.resumed, true);
    assert.equal(result.verification.ok, true);
    const uploadedNow = Object.values(result.uploaded).reduce((sum, count) => sum + count, 0);
    assert.ok(uploadedNow < interrupted.total, `the resumed run uploaded only the rest (${uploadedNow} of ${interrupted.total})`);
    const held = await targetCounts(account.uid);
    const sourceHeld = await sandboxControl<Record<string, number>>(mozilla.urls.control, 'GET', `/storage-users/${encodeURIComponent(account.uid)}/collections`);
    assert.deepEqual(held, sourceHeld, 'the target holds what the source does, nothing twice');
    assert.equal(held['history'], 30);
  });

  it('answers 404 for an unknown migration', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const answer = await api.call<{ message: string }>('GET', `/api/migrations/${id}`);
      assert.equal(answer.status, 404, answer.text);
      assert.equal(answer.body.message, `no migration ${id}`);
    }
  });
});
