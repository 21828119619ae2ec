/**
 * `syncvault backup` end to end with the real engine: accounts added with `syncvault account add`
 * against the sandbox, backed up by the command itself (no daemon running), and the snapshot it
 * prints compared with what the sandbox's storage holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { startSandbox, type RunningSandbox, type SandboxAccount } from '@syncvault/sandbox';
import { TEST_REDIS_URL } from '../support/redis.js';
import { createTestWorld, type TestWorld } from '../api/support/daemon.js';
import { cliEnv, runCli } from '../api/support/cli.js';

interface PrintedSnapshot {
  snapshot: { seq: number; status: string; collections: Record<string, { count: number }>; versionsAdded: number };
}

describe('syncvault backup against the sandbox (real engine, no daemon)', () => {
  let world: TestWorld;
  let sandbox: RunningSandbox;
  let queue: Queue;

  before(async () => {
    world = createTestWorld('backupsandbox');
    sandbox = await startSandbox({ port: 0, seed: 'demo' });
    queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
  });
  after(async () => {
    await queue?.close();
    await sandbox?.close();
    await world?.drop();
  });

  function demoAccount(kind: SandboxAccount['kind']): SandboxAccount {
    const account = sandbox.accounts.find((candidate) => candidate.kind === kind);
    assert.ok(account !== undefined, `the sandbox has a demo ${kind} account`);
    return account;
  }

  /** Live record counts per collection, as the sandbox's own storage has them. */
  async function serverCounts(email: string): Promise<Record<string, number>> {
    const response = await fetch(`${sandbox.urls.control}/accounts/${encodeURIComponent(email)}`);
    assert.equal(response.status, 200);
    const { storageUid } = (await response.json()) as { storageUid?: number };
    assert.ok(storageUid !== undefined, 'the account has a storage node user');
    return sandbox.engine.user(storageUid).collectionCounts();
  }

  async function backUp(name: string): Promise<PrintedSnapshot['snapshot']> {
    const run = await runCli(['backup', name, '--wait', '--json'], cliEnv(world.env));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one JSON line: ${run.stdout}`);
    return (JSON.parse(lines[0]!) as PrintedSnapshot).snapshot;
  }

  async function assertBackedUpTwice(name: string, email: string): Promise<void> {
    assert.equal(await queue.getWorkersCount(), 0, 'no daemon is serving this queue');
    const first = await backUp(name);
    const counts = await serverCounts(email);
    assert.equal(first.seq, 1);
    assert.equal(first.status, 'complete');
    assert.deepEqual(
      Object.fromEntries(Object.entries(first.collections).map(([collection, { count }]) => [collection, count])),
      counts,
      'the snapshot has every collection the server holds, with as many records',
    );
    for (const collection of ['bookmarks', 'history', 'passwords', 'meta', 'crypto']) assert.ok((counts[collection] ?? 0) > 0, `${collection} was seeded`);
    const records = Object.values(counts).reduce((sum, count) => sum + count, 0);
    assert.equal(first.versionsAdded, records, 'a first backup stores a version of every record');

    const second = await backUp(name);
    assert.deepEqual(second, { seq: 2, status: 'complete', collections: first.collections, versionsAdded: 0 }, 'nothing changed, nothing new stored');

    const account = await world.prisma.account.findUniqueOrThrow({ where: { name }, select: { id: true } });
    const jobs = (await queue.getJobs(['completed'])).filter((job) => job.data.accountId === account.id);
    assert.equal(jobs.length, 2, 'both backups went through the queue');
    assert.equal(await queue.getWorkersCount(), 0, 'the temporary worker is gone');
  }

  it('a Firefox Accounts (1.5) account: snapshot 1 holds every record, a second run adds nothing', async () => {
    const fxa = demoAccount('fxa');
    const args = ['account', 'add', '--name', 'firefox', '--kind', 'selfhosted15', '--fxa', sandbox.urls.fxa, '--token-server', sandbox.urls.tokenServer];
    const added = await runCli([...args, '--email', fxa.email, '--password', fxa.password, '--json'], cliEnv(world.env));
    assert.equal(added.code, 0, added.stderr);
    await assertBackedUpTwice('firefox', fxa.email);
  });

  it('a legacy Sync 1.1 account: the same', async () => {
    const legacy = demoAccount('legacy11');
    const args = ['account', 'add', '--name', 'legacy', '--kind', 'legacy11', '--server', sandbox.urls.storage11, '--email', legacy.email];
    const added = await runCli([...args, '--password', legacy.password, '--sync-key', legacy.syncKey ?? '', '--json'], cliEnv(world.env));
    assert.equal(added.code, 0, added.stderr);
    await assertBackedUpTwice('legacy', legacy.email);
  });
});
