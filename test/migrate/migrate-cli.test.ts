/**
 * `syncvault migrate` with the real engine between two sandboxes ("mozilla" and a "selfhosted"
 * tokenserver trusting its accounts, with small limits): usage errors, the plan (--dry-run, human
 * and --json), an interrupted run resumed by running it again, the refusal of a non-empty target,
 * --replace --json, and a failed verification naming the record.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { AccountService } from '@syncvault/daemon/accounts';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { cliEnv, runCli, startCli, waitFor } from '../api/support/cli.js';
import { createTestWorld, type TestWorld } from '../api/support/daemon.js';
import { sandboxControl } from '../support/sandbox-control.js';

interface SandboxAccount {
  email: string;
  password: string;
  uid: string;
}

describe('syncvault migrate', () => {
  let mozilla: RunningSandbox;
  let selfhosted: RunningSandbox;
  let world: TestWorld;
  let accounts: AccountService;
  let env: Record<string, string>;
  let moving: SandboxAccount;

  const createSandboxAccount = (label: string, seed: unknown) =>
    sandboxControl<SandboxAccount>(mozilla.urls.control, 'POST', '/accounts', { kind: 'fxa', email: `${label}-${randomBytes(4).toString('hex')}@migrate-cli.test`, password: `pw-${randomBytes(6).toString('hex')}`, seed });
  const addFxa = async (name: string, account: SandboxAccount, tokenServerUrl: string) => {
    const step = await accounts.beginAdd({ name, kind: 'selfhosted15', email: account.email, password: account.password, fxaUrl: mozilla.urls.fxa, tokenServerUrl });
    assert.equal(step.status, 'done', JSON.stringify(step));
  };
  const targetCounts = (uid: string) => sandboxControl<Record<string, number>>(selfhosted.urls.control, 'GET', `/storage-users/${encodeURIComponent(uid)}/collections`);
  const sourceCounts = (uid: string) => sandboxControl<Record<string, number>>(mozilla.urls.control, 'GET', `/storage-users/${encodeURIComponent(uid)}/collections`);
  /** Holds each history upload to the target a while, so a test can act while the migration runs. */
  const slowHistory = () => sandboxControl(selfhosted.urls.control, 'POST', '/faults', { path: '/storage/history$', method: 'POST', count: 100, kind: 'delay', delayMs: 700 });
  const clearFaults = () => sandboxControl(selfhosted.urls.control, 'DELETE', '/faults');

  before(async () => {
    mozilla = await startSandbox({ tokenSecret: 'migrate cli: mozilla' });
    selfhosted = await startSandbox({ tokenSecret: 'migrate cli: self-hosted', accountsServer: mozilla.urls.fxa, limits: { max_post_records: 10 } });
    world = createTestWorld('migratecli');
    const vault = new Vault(Buffer.from(world.masterKey, 'hex'));
    accounts = new AccountService({ prisma: world.prisma, vault, keyCustody: new KeyCustody(world.prisma, vault) });
    env = cliEnv(world.env);
    moving = await createSandboxAccount('moving', { bookmarks: 20, history: 40, passwords: 5 });
    await addFxa('cli-src', moving, mozilla.urls.tokenServer);
    await addFxa('cli-dst', moving, selfhosted.urls.tokenServer);
  });
  after(async () => {
    accounts?.close();
    await selfhosted?.close();
    await mozilla?.close();
    await world?.drop();
  });

  it('usage errors: one message on stderr and exit 1', async () => {
    const both = await runCli(['migrate', 'cli-src', 'cli-dst', '--replace', '--merge'], env);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /option '--replace' cannot be used with option '--merge'/);
    const missing = await runCli(['migrate', 'cli-src'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'target-account'/);
    const badSeq = await runCli(['migrate', 'cli-src', 'cli-dst', '--from-snapshot', 'latest'], env);
    assert.equal(badSeq.code, 1);
    assert.match(badSeq.stderr, /--from-snapshot <seq>' argument 'latest' is invalid\. expected a whole number/);
    const unknown = await runCli(['migrate', 'nobody', 'cli-dst', '--dry-run'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^syncvault: .*nobody.*\n$/);
    assert.equal(unknown.stdout, '');
  });

  it('--dry-run prints the plan (a table, the limits, the keys and meta/global) or its JSON, and writes nothing', async () => {
    const early = await runCli(['migrate', 'cli-src', 'cli-dst', '--dry-run'], env);
    assert.equal(early.code, 1, 'nothing to plan from before the first backup');
    assert.match(early.stderr, /^syncvault: .*no complete snapshot yet.*\n$/);

    const backup = await runCli(['backup', 'cli-src', '--json'], env);
    assert.equal(backup.code, 0, backup.stderr);
    const human = await runCli(['migrate', 'cli-src', 'cli-dst', '--dry-run'], env);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split('\n');
    assert.match(lines[0] ?? '', /^Migrate cli-src \(selfhosted15\) into cli-dst: \d+ record\(s\), [\d.]+ (B|KiB|MiB) in \d+ batch\(es\)$/);
    assert.match(human.stdout, /\n {2}from {8}a fresh backup of the live account, taken first \(planned from snapshot 1 of \S+, the latest\)\n/);
    assert.match(human.stdout, new RegExp(`\\n {2}to {10}${selfhosted.urls.tokenServer.replace(/[.]/g, '\\.')}\\n`));
    assert.match(human.stdout, /\n {2}target now {2}empty; /);
    assert.match(human.stdout, /\n {2}limits {6}.*max_post_records 10/);
    assert.match(human.stdout, /\n {2}mode {8}into an empty target\n/);
    assert.match(human.stdout, /\n {2}crypto\/keys copied as it is \(same account key on both sides\)\n/);
    assert.match(human.stdout, /\n {2}meta\/global copied as it is/);
    assert.match(human.stdout, /\n {2}collection +action +records +bytes +on target +skipped\n {2}crypto +copy +1 /);
    assert.match(human.stdout, /\n {2}bookmarks +copy +\d+ +[\d.]+ (B|KiB) +0/);
    assert.match(human.stdout, /\n {2}history +copy +40 /);
    assert.match(human.stdout, /\n\nNothing was written: run again without --dry-run to migrate\.\n$/);

    const json = await runCli(['migrate', 'cli-src', 'cli-dst', '--dry-run', '--json', '--from-snapshot', '1'], env);
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as { source: { snapshot: { seq: number } }; keys: string; metaGlobal: string; refusal: string | null; target: { empty: boolean; limits: Record<string, number | null> }; collections: Array<{ collection: string }> };
    assert.deepEqual([plan.source.snapshot.seq, plan.keys, plan.metaGlobal, plan.refusal, plan.target.empty, plan.target.limits['max_post_records']], [1, 'copy', 'copy', null, true, 10]);
    assert.deepEqual(plan.collections.slice(0, 2).map((collection) => collection.collection), ['crypto', 'meta']);
    assert.deepEqual(await targetCounts(moving.uid), {}, 'nothing was written');
  });

  it('an interrupted run (Ctrl+C) keeps its checkpoint; running the command again resumes, verifies and prints the client settings', async () => {
    await slowHistory();
    try {
      const first = startCli(['migrate', 'cli-src', 'cli-dst', '--from-snapshot', '1'], env);
      await waitFor('history to be uploading', () => (/migrate: uploading history/.test(first.output().stderr) ? true : undefined));
      first.child.kill('SIGINT');
      const [code] = (await once(first.child, 'close')) as [number | null];
      const { stdout, stderr } = first.output();
      assert.equal(code, 1, stderr);
      assert.match(stdout, /^Migrate cli-src \(selfhosted15\) into cli-dst/, 'the plan came first');
      assert.match(stderr, /syncvault: interrupted: the migration stopped between two batches and keeps its checkpoint; run the same command again to resume\n$/);
    } finally {
      await clearFaults();
    }
    const partial = await targetCounts(moving.uid);
    assert.ok((partial['history'] ?? 0) < 40, 'stopped before history was complete');

    const again = await runCli(['migrate', 'cli-src', 'cli-dst', '--from-snapshot', '1'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\n {2}resumes {5}\d+ of \d+ record\(s\) already uploaded \(--restart starts over\)\n/);
    assert.match(again.stdout, /\nMigration [0-9a-f-]{36} from cli-src \(snapshot 1\) into cli-dst: \d+ record\(s\) uploaded \(resumed from its checkpoint\)\.\n/);
    assert.match(again.stdout, /\nVerified: the target holds every record as sent\.\n/);
    assert.match(again.stdout, /\n {2}collection +expected +found +mismatches\n/);
    assert.match(again.stdout, /\n {2}history +40 +40 +0\n/);
    const escape = (text: string) => text.replace(/[.]/g, '\\.');
    assert.match(
      again.stdout,
      new RegExp(`\\nPoint Firefox at the new server:\\n {2}token server: {4}${escape(selfhosted.urls.tokenServer)}\\n {2}accounts server: ${escape(mozilla.urls.fxa)}\\n {2}Desktop:\\n {4}1\\. `),
    );
    assert.match(again.stdout, new RegExp(`\\n {4}\\d\\. Set identity\\.sync\\.tokenserver\\.uri to ${escape(selfhosted.urls.tokenServer)}\\n`));
    assert.match(again.stdout, /\n {2}Android:\n {4}1\. /);
    assert.match(again.stdout, /\n {2}iOS:\n {4}1\. /);
    assert.match(again.stderr, /migrate: uploading history/, 'progress lines on stderr');
    assert.deepEqual(await targetCounts(moving.uid), await sourceCounts(moving.uid), 'the target holds what the source does');
  });

  it('a non-empty target is refused (exit 1 with the refusal); --replace --json wipes it and prints the result', async () => {
    const refused = await runCli(['migrate', 'cli-src', 'cli-dst', '--from-snapshot', '1'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /\n {2}REFUSED: the target cli-dst is not empty/);
    assert.match(refused.stderr, /^syncvault: refused: the target cli-dst is not empty .*--replace.*--merge.*\n$/);

    const replaced = await runCli(['migrate', 'cli-src', 'cli-dst', '--from-snapshot', '1', '--replace', '--json'], env);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(replaced.stderr, '', 'no progress lines for a script');
    const result = JSON.parse(replaced.stdout) as { plan: { mode: string }; resumed: boolean; verification: { ok: boolean }; clients: { tokenServerUri: string } };
    assert.deepEqual([result.plan.mode, result.resumed, result.verification.ok, result.clients.tokenServerUri], ['replace', false, true, selfhosted.urls.tokenServer]);
  });

  it('a source never backed up is backed up first; a failed verification exits 1 naming the record', async () => {
    const account = await createSandboxAccount('intruded', { bookmarks: 10, history: 40, passwords: 5 });
    await addFxa('intruded-src', account, mozilla.urls.tokenServer);
    await addFxa('intruded-dst', account, selfhosted.urls.tokenServer);
    await slowHistory();
    try {
      const run = startCli(['migrate', 'intruded-src', 'intruded-dst'], env);
      await waitFor('history to be uploading', () => (/migrate: uploading history/.test(run.output().stderr) ? true : undefined));
      // Another device writes into a collection already copied while history is still going up.
      const dst = (await accounts.list()).find((candidate) => candidate.name === 'intruded-dst')!;
      const connection = await accounts.openConnection(dst.id);
      const existing = await connection.storage.getRecord('passwords', (await connection.storage.readIds('passwords'))[0]!);
      await connection.storage.uploadRecords('passwords', [{ id: 'intruder-01', payload: existing!.payload }]);
      const [code] = (await once(run.child, 'close')) as [number | null];
      const { stdout, stderr } = run.output();
      assert.equal(code, 1, stderr);
      assert.match(stdout, /^intruded-src has no complete snapshot yet: the migration backs it up first, then plans/);
      assert.match(stdout, /\nVERIFICATION FAILED: 1 record\(s\) on the target differ from the source\.\n/);
      assert.match(stdout, /\n {2}unexpected {4}passwords\/intruder-01\n/);
      assert.doesNotMatch(stdout, /Point Firefox at the new server/, 'no client settings for a target that does not match');
      assert.match(stderr, /syncvault: verification failed: 1 record\(s\) on the target differ from the source: passwords\/intruder-01 \(unexpected\)\n$/);
    } finally {
      await clearFaults();
    }
  });
});
