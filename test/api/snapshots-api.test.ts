/**
 * End to end with the real backup engine: an account added through the API, backed up by the
 * daemon's worker from the sandbox over HTTP, then browsed, searched, revealed, forgotten and
 * checked through the snapshot routes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient, storedSecrets } from './support/api-client.js';
import { createTestWorld, json, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface Snapshot {
  seq: number;
  status: string;
  trigger: string;
  tags: string[];
  startedAt: string;
  finishedAt: string | null;
  collections: Record<string, { count: number; lastModified: number }>;
  versionsAdded: number;
  keyFingerprint: string | null;
  stats: Record<string, unknown>;
  error: string | null;
}

interface Alert {
  id: string;
  snapshotSeq: number;
  kind: string;
  collection: string | null;
  message: string;
  acknowledgedAt: string | null;
}

interface Contents {
  total: number;
  offset: number;
  limit: number;
  records: Array<{ id: string; modified: number; hmacValid: boolean; cleartext: Record<string, unknown> | null; error?: string }>;
}

interface SandboxRecord {
  id: string;
  modified: number;
  cleartext: Record<string, unknown> | null;
}

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number; status: string } | null;
}

const SEED = { bookmarks: 12, history: 20, passwords: 15, forms: 6, clients: 2, tabs: 1, addons: 2, addresses: 1, creditcards: 2, prefs: true };
const MASK = '********';

describe('snapshots API with the real engine', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let account: SandboxAccount;
  let accountId: string;

  const sandboxRecords = (collection: string) => sandbox.control<SandboxRecord[]>('GET', `/accounts/${encodeURIComponent(account.email)}/records/${collection}`);

  /** Backs up now through the API and waits (polling the job) for the snapshot it made. */
  async function backUp(): Promise<number> {
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/desktop/backups');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
      if (job.state === 'failed') assert.fail(`the backup failed: ${job.failedReason}`);
      if (job.state === 'completed') {
        assert.equal(job.result?.status, 'complete');
        return job.result.seq;
      }
      if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    world = createTestWorld('snapshots_api');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    api = new ApiClient(daemon.url, await login(daemon.url));
    account = await sandbox.control<SandboxAccount>('POST', '/accounts', { kind: 'fxa', email: uniqueEmail('snapshots'), password: `pw-${randomBytes(8).toString('hex')}`, seed: SEED });
    const added = await api.expect<{ account: { id: string } }>(201, 'POST', '/api/accounts', {
      name: 'desktop',
      kind: 'selfhosted15',
      email: account.email,
      password: account.password,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
    });
    accountId = added.account.id;
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('a backup asked for through the API lists as a complete snapshot with the sandbox’s collection counts', async () => {
    assert.deepEqual(await api.expect(200, 'GET', '/api/accounts/desktop/snapshots'), []);
    const seq = await backUp();
    assert.equal(seq, 1);
    const snapshots = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.equal(snapshots.length, 1);
    const [snapshot] = snapshots;
    assert.equal(snapshot!.seq, 1);
    assert.equal(snapshot!.status, 'complete');
    assert.equal(snapshot!.trigger, 'manual');
    assert.deepEqual(snapshot!.tags, []);
    assert.equal(snapshot!.error, null);
    assert.match(snapshot!.keyFingerprint ?? '', /^[0-9a-f]{16,}$/);
    assert.ok(typeof snapshot!.stats['requests'] === 'number' && snapshot!.stats['requests'] > 0, 'the run stats are there');
    assert.ok(Date.parse(snapshot!.finishedAt ?? '') >= Date.parse(snapshot!.startedAt));

    const collections = Object.keys(snapshot!.collections).sort();
    for (const expected of ['bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs']) {
      assert.ok(collections.includes(expected), `${expected} is in the snapshot (${collections.join(', ')})`);
    }
    let versions = 0;
    for (const collection of collections) {
      versions += snapshot!.collections[collection]!.count;
      if (collection === 'crypto') continue;
      assert.equal(snapshot!.collections[collection]!.count, (await sandboxRecords(collection)).length, `${collection}: the snapshot counts what the server holds`);
    }
    assert.equal(snapshot!.versionsAdded, versions, 'a first snapshot adds a version per record');

    const detail = await api.expect<Snapshot & { alerts: Alert[] }>(200, 'GET', `/api/accounts/${accountId}/snapshots/1`);
    assert.deepEqual({ ...detail, alerts: undefined }, { ...snapshot!, alerts: undefined });
    assert.ok(Array.isArray(detail.alerts));
  });

  it('shows a collection decrypted, passwords masked unless reveal=true, with paging and search', async () => {
    const server = new Map((await sandboxRecords('passwords')).map((record) => [record.id, record]));
    const masked = await api.call<Contents>('GET', '/api/accounts/desktop/snapshots/1/collections/passwords?limit=1000');
    assert.equal(masked.status, 200, masked.text);
    const all = masked.body;
    assert.equal(all.total, server.size);
    assert.deepEqual(all.records.map((record) => record.id).sort(), [...server.keys()].sort());
    const newestFirst = all.records.map((record) => record.modified);
    assert.deepEqual(newestFirst, [...newestFirst].sort((a, b) => b - a), 'newest first');
    const logins = all.records.filter((record) => typeof server.get(record.id)?.cleartext?.['password'] === 'string');
    assert.ok(logins.length >= 10, `${logins.length} live logins`);
    for (const record of all.records) {
      assert.equal(record.hmacValid, true);
      const expected = server.get(record.id)!.cleartext!;
      if (typeof expected['password'] !== 'string') continue;
      assert.equal(record.cleartext?.['password'], MASK, `${record.id}: the password is masked`);
      assert.equal(record.cleartext?.['username'], expected['username'], `${record.id}: everything else is shown`);
      assert.equal(record.cleartext?.['hostname'], expected['hostname']);
    }
    const serverPasswords = logins.map((record) => server.get(record.id)!.cleartext!['password'] as string);
    assert.ok(serverPasswords.every((password) => !masked.text.includes(password)), 'no password in the masked answer');

    const revealed = await api.expect<Contents>(200, 'GET', '/api/accounts/desktop/snapshots/1/collections/passwords?limit=1000&reveal=true');
    for (const record of revealed.records) assert.deepEqual(record.cleartext, server.get(record.id)!.cleartext, `${record.id}: reveal shows the record as Firefox has it`);

    const pages: string[] = [];
    for (let offset = 0; offset < server.size; offset += 4) {
      const page = await api.expect<Contents>(200, 'GET', `/api/accounts/desktop/snapshots/1/collections/passwords?offset=${offset}&limit=4`);
      assert.equal(page.total, server.size);
      assert.equal(page.offset, offset);
      assert.equal(page.limit, 4);
      assert.equal(page.records.length, Math.min(4, server.size - offset));
      pages.push(...page.records.map((record) => record.id));
    }
    assert.deepEqual(pages, all.records.map((record) => record.id), 'pages walk the same order without gaps or repeats');

    const host = new URL(String(logins[0]!.cleartext!['hostname'])).hostname.toUpperCase();
    const matching = [...server.values()].filter((record) => JSON.stringify({ ...record.cleartext, password: MASK }).toLowerCase().includes(host.toLowerCase()));
    const found = await api.expect<Contents>(200, 'GET', `/api/accounts/desktop/snapshots/1/collections/passwords?search=${encodeURIComponent(host)}`);
    assert.ok(found.total >= 1 && found.total < server.size, `search narrows (${found.total} of ${server.size})`);
    assert.deepEqual(found.records.map((record) => record.id).sort(), matching.map((record) => record.id).sort());
    const secret = await api.expect<Contents>(200, 'GET', `/api/accounts/desktop/snapshots/1/collections/passwords?search=${encodeURIComponent(serverPasswords[0]!)}`);
    assert.equal(secret.total, 0, 'a masked password cannot be found by searching for it');

    const cases: Array<[string, number]> = [
      ['/api/accounts/desktop/snapshots/1/collections/passwords?limit=0', 400],
      ['/api/accounts/desktop/snapshots/1/collections/passwords?limit=1001', 400],
      ['/api/accounts/desktop/snapshots/1/collections/passwords?reveal=maybe', 400],
      ['/api/accounts/desktop/snapshots/1/collections/passwords?offset=-1', 400],
      ['/api/accounts/desktop/snapshots/1/collections/passwords?color=red', 400],
      ['/api/accounts/desktop/snapshots/abc/collections/passwords', 400],
      ['/api/accounts/desktop/snapshots/99999999999/collections/passwords', 400],
      ['/api/accounts/desktop/snapshots/1/collections/no%20such', 400],
      ['/api/accounts/desktop/snapshots/9/collections/passwords', 404],
      ['/api/accounts/desktop/snapshots/9', 404],
      ['/api/accounts/nobody/snapshots', 404],
    ];
    for (const [path, status] of cases) {
      const answer = await api.call<{ message: string }>('GET', path);
      assert.equal(answer.status, status, `${path} → ${answer.text}`);
      assert.ok(!answer.body.message.includes('\n'));
    }
    const empty = await api.expect<Contents>(200, 'GET', '/api/accounts/desktop/snapshots/1/collections/nothing-here');
    assert.deepEqual(empty, { total: 0, offset: 0, limit: 100, records: [] });
  });

  it('shows one record, its password masked unless reveal=true, and nothing of the others', async () => {
    const logins = (await sandboxRecords('passwords')).filter((record) => typeof record.cleartext?.['password'] === 'string');
    const [login, other] = logins;
    assert.ok(login !== undefined && other !== undefined);
    const path = `/api/accounts/desktop/snapshots/1/collections/passwords/records/${encodeURIComponent(login.id)}`;
    const masked = await api.call<Contents['records'][number]>('GET', path);
    assert.equal(masked.status, 200, masked.text);
    assert.equal(masked.body.id, login.id);
    assert.equal(masked.body.cleartext?.['password'], MASK);
    assert.equal(masked.body.cleartext?.['username'], login.cleartext!['username']);
    const revealed = await api.call<Contents['records'][number]>('GET', `${path}?reveal=true`);
    assert.equal(revealed.status, 200, revealed.text);
    assert.deepEqual(revealed.body.cleartext, login.cleartext, 'reveal shows the record as Firefox has it');
    assert.ok(!revealed.text.includes(String(other.cleartext!['password'])), 'no other password in the answer');
    const cases: Array<[string, number]> = [
      ['/api/accounts/desktop/snapshots/1/collections/passwords/records/no-such-record', 404],
      ['/api/accounts/desktop/snapshots/9/collections/passwords/records/abc', 404],
      [`${path}?reveal=maybe`, 400],
      [`/api/accounts/desktop/snapshots/1/collections/passwords/records/${'x'.repeat(65)}`, 400],
    ];
    for (const [target, status] of cases) {
      const answer = await api.call<{ message: string }>('GET', target);
      assert.equal(answer.status, status, `${target} → ${answer.text}`);
    }
  });

  it('a collection that shrank raises a health alert, listed per account and per snapshot', async () => {
    const history = await sandboxRecords('history');
    const gone = history.slice(0, Math.ceil(history.length / 2)).map((record) => record.id);
    await sandbox.control('POST', `/accounts/${encodeURIComponent(account.email)}/records`, { collection: 'history', delete: gone });
    const seq = await backUp();
    assert.equal(seq, 2);
    const alerts = await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts');
    const shrank = alerts.find((alert) => alert.kind === 'collection-shrank');
    assert.ok(shrank, `a collection-shrank alert (have ${alerts.map((alert) => alert.kind).join(', ')})`);
    assert.equal(shrank.snapshotSeq, 2);
    assert.equal(shrank.collection, 'history');
    assert.match(shrank.id, /^\d+$/);
    const ofSecond = await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?seq=2');
    assert.ok(ofSecond.some((alert) => alert.id === shrank.id) && ofSecond.every((alert) => alert.snapshotSeq === 2), 'seq narrows to one snapshot');
    assert.deepEqual(await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?seq=1'), alerts.filter((alert) => alert.snapshotSeq === 1));
    assert.equal((await api.call('GET', '/api/accounts/desktop/alerts?seq=zero')).status, 400);
    const detail = await api.expect<{ alerts: Alert[] }>(200, 'GET', '/api/accounts/desktop/snapshots/2');
    assert.ok(detail.alerts.some((alert) => alert.kind === 'collection-shrank' && alert.id === shrank.id));
    const snapshots = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.deepEqual(snapshots.map((snapshot) => snapshot.seq), [2, 1], 'newest first');
    assert.equal(snapshots[0]!.collections['history']!.count, history.length - gone.length);
    assert.deepEqual((await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots?limit=1&offset=1')).map((snapshot) => snapshot.seq), [1]);

    // Acknowledged alerts stay listed but are no longer open.
    assert.equal(shrank.acknowledgedAt, null);
    const open = await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=open');
    assert.deepEqual(open.map((alert) => alert.id), alerts.map((alert) => alert.id), 'nothing acknowledged yet');
    assert.deepEqual(await api.expect(200, 'POST', '/api/accounts/desktop/alerts/acknowledge', { ids: [shrank.id] }), { acknowledged: 1 });
    assert.deepEqual(await api.expect(200, 'POST', '/api/accounts/desktop/alerts/acknowledge', { ids: [shrank.id] }), { acknowledged: 0 }, 'twice is once');
    const acknowledged = await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=acknowledged');
    assert.deepEqual(acknowledged.map((alert) => alert.id), [shrank.id]);
    assert.ok(Date.parse(acknowledged[0]!.acknowledgedAt ?? '') > 0);
    const stillOpen = await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=open');
    assert.deepEqual(stillOpen.map((alert) => alert.id), open.map((alert) => alert.id).filter((id) => id !== shrank.id));
    assert.equal((await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts')).length, alerts.length, 'the history keeps them all');
    assert.equal((await api.call('POST', '/api/accounts/desktop/alerts/acknowledge', { ids: ['1; drop'] })).status, 400);
    assert.equal((await api.call('GET', '/api/accounts/desktop/alerts?state=closed')).status, 400);
    assert.deepEqual(await api.expect(200, 'POST', '/api/accounts/desktop/alerts/acknowledge', {}), { acknowledged: stillOpen.length }, 'no ids: every open one');
    assert.equal((await api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=open')).length, 0);

    const before = await api.expect<Contents>(200, 'GET', `/api/accounts/desktop/snapshots/1/collections/history?search=${encodeURIComponent(gone[0]!)}&limit=1`);
    assert.equal(before.total, 1, 'the older snapshot still shows what the server dropped');
  });

  it('forget: a dry run reports and changes nothing; the stored (empty) policy keeps everything; removal by hand', async () => {
    const dry = await api.expect<{ dryRun: boolean; policy: object; kept: Array<{ seq: number; reasons: string[] }>; removed: { snapshots: Array<{ seq: number; reason: string }>; versions: number } }>(
      200,
      'POST',
      '/api/accounts/desktop/forget',
      { policy: { keepLast: 1 }, dryRun: true },
    );
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.policy, { keepLast: 1 });
    assert.deepEqual(dry.kept.map((snapshot) => snapshot.seq), [2]);
    assert.deepEqual(dry.removed.snapshots.map((snapshot) => [snapshot.seq, snapshot.reason]), [[1, 'policy']]);
    assert.ok(dry.removed.versions > 0, 'the history records only snapshot 1 saw would go');
    assert.equal((await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots')).length, 2, 'nothing changed');

    const stored = await api.expect<{ kept: Array<{ seq: number; reasons: string[] }>; removed: { snapshots: unknown[] } }>(200, 'POST', '/api/accounts/desktop/forget', { dryRun: true });
    assert.deepEqual(stored.kept.map((snapshot) => snapshot.seq), [2, 1]);
    assert.ok(stored.kept.every((snapshot) => snapshot.reasons.includes('no-policy')));
    assert.deepEqual(stored.removed.snapshots, []);

    const bad = await api.call<{ message: string }>('POST', '/api/accounts/desktop/forget', { policy: { keepAll: 3 } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /unknown retention rule "keepAll"/);
    assert.equal((await api.call('POST', '/api/accounts/desktop/forget', { dryRun: 'yes' })).status, 400);

    const removed = await api.expect<{ snapshots: Array<{ seq: number; reason: string }>; versions: number; blobs: number }>(200, 'DELETE', '/api/accounts/desktop/snapshots/1');
    assert.deepEqual(removed.snapshots.map((snapshot) => [snapshot.seq, snapshot.reason]), [[1, 'by-hand']]);
    assert.equal(removed.versions, dry.removed.versions, 'the dry run predicted it');
    assert.deepEqual((await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots')).map((snapshot) => snapshot.seq), [2]);
    assert.equal((await api.call('DELETE', '/api/accounts/desktop/snapshots/1')).status, 404);
  });

  it('the store check reports a healthy store', async () => {
    assert.deepEqual(await api.expect(200, 'POST', '/api/store/check'), { healthy: true, problems: [] });
  });

  it('no answer carried the account password, kB or tokens, and every route is documented', async () => {
    api.assertNoSecretIn([account.password, account.kB ?? '', ...(await storedSecrets(world, accountId))]);
    const document = await json<{ paths: Record<string, Record<string, unknown>> }>(await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie: await login(daemon.url) } }));
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const route of [
      'GET /api/accounts/{id}/snapshots',
      'GET /api/accounts/{id}/snapshots/{seq}',
      'DELETE /api/accounts/{id}/snapshots/{seq}',
      'GET /api/accounts/{id}/snapshots/{seq}/collections/{collection}',
      'POST /api/accounts/{id}/forget',
      'GET /api/accounts/{id}/alerts',
      'POST /api/store/check',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented`);
    }
  });
});
