/**
 * Storage used per account (AccountDto.storage) and the retention preview route, end to end with
 * the real backup engine against the sandbox: what a second backup with little change adds, the
 * same Sync account added twice sharing its payloads, and a policy planned without the lock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountLock } from '@syncvault/daemon/store';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from './support/api-client.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface Storage {
  bytes: number;
  exclusiveBytes: number;
  blobs: number;
  versions: number;
  snapshots: number;
}

interface Account {
  id: string;
  name: string;
  retention: Record<string, number>;
  storage: Storage;
}

interface Snapshot {
  seq: number;
  status: string;
  versionsAdded: number;
  collections: Record<string, { count: number }>;
}

interface SnapshotRef {
  seq: number;
  status: string;
  startedAt: string;
}

interface Preview {
  accountId: string;
  policy: Record<string, number>;
  kept: Array<SnapshotRef & { reasons: string[] }>;
  removed: Array<SnapshotRef & { reason: string }>;
  running: SnapshotRef[];
}

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number; status: string } | null;
}

const NOTHING: Storage = { bytes: 0, exclusiveBytes: 0, blobs: 0, versions: 0, snapshots: 0 };

describe('storage used per account and the retention preview', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let user: SandboxAccount;
  let desktop: Account;
  let afterFirst: Storage;
  let afterSecond: Storage;

  async function backUp(name: string): Promise<number> {
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', `/api/accounts/${name}/backups`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
      if (job.state === 'failed') assert.fail(`the backup of ${name} failed: ${job.failedReason}`);
      // The job view reads the job, then its state: a job that completes in between shows
      // `completed` without its result yet, so wait for the result too.
      if (job.state === 'completed' && job.result !== null) {
        assert.equal(job.result.status, 'complete');
        return job.result.seq;
      }
      if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The same sandbox user added under another name. */
  async function addUser(name: string): Promise<Account> {
    const added = await api.expect<{ account: Account }>(201, 'POST', '/api/accounts', {
      name,
      kind: 'selfhosted15',
      email: user.email,
      password: user.password,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
    });
    return added.account;
  }

  /** Distinct payload bytes of an account, counted here from the rows, as the oracle for `storage.bytes`. */
  async function payloadBytes(accountId: string, where: { fromSeq?: number } = {}): Promise<{ bytes: number; blobs: number }> {
    const versions = await world.prisma.recordVersion.findMany({ where: { accountId, ...where }, select: { blobHash: true } });
    const hashes = [...new Map(versions.map((version) => [Buffer.from(version.blobHash).toString('hex'), Buffer.from(version.blobHash)])).values()];
    const blobs = await world.prisma.blob.findMany({ where: { hash: { in: hashes } }, select: { size: true } });
    assert.equal(blobs.length, hashes.length, 'every referenced blob exists');
    return { bytes: blobs.reduce((sum, blob) => sum + blob.size, 0), blobs: blobs.length };
  }

  before(async () => {
    world = createTestWorld('account_storage');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    api = new ApiClient(daemon.url, await login(daemon.url));
    user = await sandbox.control<SandboxAccount>('POST', '/accounts', {
      kind: 'fxa',
      email: uniqueEmail('storage'),
      password: `pw-${randomBytes(8).toString('hex')}`,
      seed: { bookmarks: 20, history: 60, passwords: 10, forms: 5, prefs: true },
    });
    desktop = await addUser('desktop');
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('a new account uses nothing; after a backup it uses its distinct payloads, one version per record', async () => {
    assert.deepEqual(desktop.storage, NOTHING, 'the answer to adding it');
    assert.deepEqual((await api.expect<Account>(200, 'GET', '/api/accounts/desktop')).storage, NOTHING);

    assert.equal(await backUp('desktop'), 1);
    const [snapshot] = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    afterFirst = (await api.expect<Account>(200, 'GET', '/api/accounts/desktop')).storage;
    const counted = await payloadBytes(desktop.id);
    assert.ok(counted.bytes > 1000, `${counted.bytes} bytes of payloads`);
    assert.deepEqual(afterFirst, { bytes: counted.bytes, exclusiveBytes: counted.bytes, blobs: counted.blobs, versions: snapshot!.versionsAdded, snapshots: 1 });
  });

  it('a second backup with little change grows the storage by exactly the payloads that changed', async () => {
    const bookmarks = await sandbox.control<Array<{ id: string; cleartext: Record<string, unknown> | null }>>('GET', `/accounts/${encodeURIComponent(user.email)}/records/bookmarks`);
    const edited = bookmarks.filter((record) => record.cleartext?.['type'] === 'bookmark').slice(0, 2);
    assert.equal(edited.length, 2);
    await sandbox.control('POST', `/accounts/${encodeURIComponent(user.email)}/records`, {
      collection: 'bookmarks',
      upsert: edited.map((record) => ({ ...record.cleartext, title: `renamed ${record.id}` })),
    });
    await sandbox.control('POST', `/accounts/${encodeURIComponent(user.email)}/records`, {
      collection: 'history',
      upsert: [{ id: 'usage-new-page', histUri: 'https://usage.example/', title: 'A page visited since', visits: [{ date: 1_700_000_000_000_000, type: 1 }] }],
    });

    assert.equal(await backUp('desktop'), 2);
    const [second] = await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.equal(second!.versionsAdded, 3, 'two renamed bookmarks and one new page');
    afterSecond = (await api.expect<Account>(200, 'GET', '/api/accounts/desktop')).storage;
    const added = await payloadBytes(desktop.id, { fromSeq: 2 });
    assert.ok(added.bytes > 0);
    assert.equal(afterSecond.bytes - afterFirst.bytes, added.bytes, 'the growth is the new payloads, not a second copy of the unchanged ones');
    assert.ok(afterSecond.bytes - afterFirst.bytes < afterFirst.bytes / 10, `a little change costs little (${afterFirst.bytes} → ${afterSecond.bytes})`);
    assert.deepEqual(afterSecond, {
      bytes: afterFirst.bytes + added.bytes,
      exclusiveBytes: afterFirst.bytes + added.bytes,
      blobs: afterFirst.blobs + added.blobs,
      versions: afterFirst.versions + 3,
      snapshots: 2,
    });
  });

  it('the same Sync account added twice shares its payloads: each counts them, neither holds them alone, the store keeps them once', async () => {
    await addUser('desktop-copy');
    assert.equal(await backUp('desktop-copy'), 1);
    const accounts = await api.expect<Account[]>(200, 'GET', '/api/accounts');
    const byName = new Map(accounts.map((account) => [account.name, account.storage]));
    const original = byName.get('desktop')!;
    const copy = byName.get('desktop-copy')!;

    // The copy saw the server as it is now; the original also keeps what the edits replaced.
    const replaced = await world.prisma.recordVersion.findMany({ where: { accountId: desktop.id, toSeq: { not: null } }, select: { blobHash: true } });
    assert.equal(replaced.length, 2, 'the two renamed bookmarks’ old versions');
    assert.ok(copy.bytes > 0 && copy.bytes < original.bytes);
    assert.equal(copy.exclusiveBytes, 0, 'every payload of the copy is also the original’s');
    assert.equal(original.bytes, afterSecond.bytes, 'the original’s own figure does not change');
    assert.equal(original.exclusiveBytes, original.bytes - copy.bytes, 'only the replaced versions are the original’s alone');
    assert.ok(original.exclusiveBytes > 0);
    const stored = await world.prisma.blob.aggregate({ _sum: { size: true } });
    assert.equal(stored._sum.size, original.bytes, 'the shared payloads are stored once, not once per account');

    // The list, one account and a settings change answer the same figures.
    assert.deepEqual((await api.expect<Account>(200, 'GET', '/api/accounts/desktop-copy')).storage, copy);
    assert.deepEqual((await api.expect<Account>(200, 'PATCH', '/api/accounts/desktop', { schedule: null })).storage, original);
  });

  it('previews a policy: which snapshots it keeps and removes, as forget would, and removes nothing', async () => {
    const preview = await api.expect<Preview>(200, 'POST', '/api/accounts/desktop/retention/preview', { policy: { keepLast: 1 } });
    assert.equal(preview.accountId, desktop.id);
    assert.deepEqual(preview.policy, { keepLast: 1 });
    assert.deepEqual(preview.kept.map((snapshot) => [snapshot.seq, snapshot.reasons]), [[2, ['last', 'newest']]]);
    assert.deepEqual(preview.removed.map((snapshot) => [snapshot.seq, snapshot.reason]), [[1, 'policy']]);
    assert.deepEqual(preview.running, []);
    assert.ok(preview.removed.every((snapshot) => snapshot.status === 'complete' && !Number.isNaN(Date.parse(snapshot.startedAt))));

    const dry = await api.expect<{ kept: Preview['kept']; removed: { snapshots: Preview['removed'] } }>(200, 'POST', '/api/accounts/desktop/forget', { policy: { keepLast: 1 }, dryRun: true });
    assert.deepEqual(preview.kept, dry.kept, 'the same plan as a forget dry run');
    assert.deepEqual(preview.removed, dry.removed.snapshots);
    assert.deepEqual((await api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots')).map((snapshot) => snapshot.seq), [2, 1], 'nothing was removed');

    const stored = await api.expect<Preview>(200, 'POST', '/api/accounts/desktop/retention/preview', {});
    assert.deepEqual(stored.policy, {});
    assert.deepEqual(stored.kept.map((snapshot) => snapshot.seq), [2, 1], 'the stored policy (none) keeps everything');
    assert.ok(stored.kept.every((snapshot) => snapshot.reasons.includes('no-policy')));
    await api.expect(200, 'PATCH', '/api/accounts/desktop', { retention: { keepLast: 1 } });
    const saved = await api.expect<Preview>(200, 'POST', `/api/accounts/${desktop.id}/retention/preview`, {});
    assert.deepEqual(saved.removed.map((snapshot) => snapshot.seq), [1], 'without a policy the saved one is planned');
    await api.expect(200, 'PATCH', '/api/accounts/desktop', { retention: null });

    // Calendar rules bucket by the snapshots' times: two days apart, keep-daily 2 keeps both.
    await world.prisma.snapshot.update({ where: { accountId_seq: { accountId: desktop.id, seq: 1 } }, data: { startedAt: new Date(Date.now() - 2 * 86_400_000) } });
    const daily = await api.expect<Preview>(200, 'POST', '/api/accounts/desktop/retention/preview', { policy: { keepDaily: 2 } });
    assert.deepEqual(daily.kept.map((snapshot) => [snapshot.seq, snapshot.reasons]), [[2, ['daily', 'newest']], [1, ['daily']]]);
    assert.deepEqual(daily.removed, []);
  });

  it('answers while another job holds the account, where a forget dry run is refused (409)', async () => {
    const lock = await AccountLock.acquire(world.database.url, desktop.id);
    try {
      assert.equal((await api.call('POST', '/api/accounts/desktop/forget', { policy: { keepLast: 1 }, dryRun: true })).status, 409);
      const preview = await api.expect<Preview>(200, 'POST', '/api/accounts/desktop/retention/preview', { policy: { keepLast: 1 } });
      assert.deepEqual(preview.removed.map((snapshot) => snapshot.seq), [1]);
    } finally {
      await lock.release();
    }
  });

  it('refuses a bad policy with the rule named, and an unknown account', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ policy: { keepAll: 3 } }, /unknown retention rule "keepAll"/],
      [{ policy: { keepDaily: -1 } }, /keepDaily must be a whole number ≥ 0/],
      [{ policy: { keepWeekly: 1.5 } }, /keepWeekly must be a whole number ≥ 0/],
      [{ policy: { keepLast: '3' } }, /keepLast must be a whole number ≥ 0/],
      [{ policy: 'keep 3' }, /policy must be an object/],
      [{ policy: {}, dryRun: true }, /dryRun should not exist/],
    ];
    for (const [body, message] of cases) {
      const answer = await api.call<{ message: string }>('POST', '/api/accounts/desktop/retention/preview', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${answer.text}`);
      assert.match(answer.body.message, message);
    }
    assert.equal((await api.call('POST', '/api/accounts/nobody/retention/preview', { policy: {} })).status, 404);
  });
});
