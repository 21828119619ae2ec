/**
 * `syncvault diff` and `syncvault find` as a user runs them: an account added with `syncvault
 * account add` against the sandbox, backed up three times with `syncvault backup` around changes
 * other clients made, then diffed and searched from the command line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { sandboxControl } from '../support/sandbox-control.js';
import { createTestWorld, type TestWorld } from '../api/support/daemon.js';
import { cliEnv, runCli, type CliRun } from '../api/support/cli.js';
import { id, NEEDLE_BOOKMARK, passwordOf, writeFirstState, writeSecondState, writeThirdState, type RecordWrite } from './support/account-history.js';

interface DiffJson {
  collections: Record<string, { added: string[]; removed: string[]; changed: string[]; tombstoned: string[] }>;
  semantic: Record<string, { kind: string; changed: Array<{ id: string; changes: Array<Record<string, unknown>> }> }>;
}

interface FindJson {
  text: string;
  snapshotsSearched: number;
  total: number;
  matches: Array<{ collection: string; id: string; title: string; path?: string[]; lastSeen: { seq: number }; gone: { seq: number; how: string } | null }>;
}

describe('syncvault diff and find', () => {
  let world: TestWorld;
  let sandbox: RunningSandbox;
  let env: Record<string, string>;

  async function cli(...args: string[]): Promise<CliRun> {
    return runCli(args, env);
  }

  async function ok(...args: string[]): Promise<string> {
    const run = await cli(...args);
    assert.equal(run.code, 0, `syncvault ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  }

  before(async () => {
    world = createTestWorld('diffcli');
    env = cliEnv(world.env);
    sandbox = await startSandbox({ port: 0 });
    const email = `diff-cli-${randomBytes(4).toString('hex')}@diff.test`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await sandboxControl(sandbox.urls.control, 'POST', '/accounts', { kind: 'fxa', email, password, seed: {} });
    const write = (changes: RecordWrite) => sandboxControl(sandbox.urls.control, 'POST', `/accounts/${encodeURIComponent(email)}/records`, changes);
    await ok('account', 'add', '--name', 'laptop', '--kind', 'selfhosted15', '--fxa', sandbox.urls.fxa, '--token-server', sandbox.urls.tokenServer, '--email', email, '--password', password, '--json');
    for (const step of [writeFirstState, writeSecondState, writeThirdState]) {
      await step(write);
      await ok('backup', 'laptop', '--wait', '--json');
    }
    await write({ collection: 'history', upsert: [{ id: 'live-page', histUri: 'https://live.example/', title: 'Live', visits: [{ date: 1_700_000_000_000_000, type: 1 }] }] });
  });
  after(async () => {
    await sandbox?.close();
    await world?.drop();
  });

  it('diff --json prints exactly {collections, semantic}, ids per change kind, no password', async () => {
    const stdout = await ok('diff', 'laptop', '1', '2', '--json');
    assert.equal(stdout.trimEnd().split('\n').length, 1, 'one JSON line');
    const diff = JSON.parse(stdout) as DiffJson;
    assert.deepEqual(Object.keys(diff), ['collections', 'semantic']);
    assert.deepEqual(diff.collections['bookmarks']?.tombstoned, ['map', 'summer', 'trips']);
    assert.deepEqual(diff.collections['passwords'], { added: [id('passwords', 'added')], removed: [id('passwords', 'removed')], changed: [id('passwords', 'changed')], tombstoned: [id('passwords', 'tombstoned')] });
    assert.equal(diff.semantic['bookmarks']?.kind, 'bookmarks');
    assert.doesNotMatch(stdout, /s3cret/);
  });

  it('diff in words, one collection, and with --reveal-secrets the password values', async () => {
    const words = await ok('diff', 'laptop', '1', '2', '--collection', 'bookmarks');
    assert.match(words, /^"laptop" from snapshot 1 to snapshot 2:\nbookmarks: 1 added, 1 removed, 9 changed, 3 tombstoned\n/);
    assert.match(words, /renamed "Old name" -> "New name" in Bookmarks Menu > Work/);
    assert.match(words, /moved "Wanderer" from Bookmarks Menu > Work to Bookmarks Toolbar/);
    assert.match(words, /- deleted folder "Trips" in Other Bookmarks with 2 item\(s\) inside/);
    assert.match(words, /reordered "Other Bookmarks"/);
    assert.doesNotMatch(words, /passwords/);

    const hidden = await ok('diff', 'laptop', '1', '2', '--collection', 'passwords');
    assert.match(hidden, /password \(secret, changed\)/);
    assert.doesNotMatch(hidden, /s3cret/);
    const revealed = JSON.parse(await ok('diff', 'laptop', '1', '2', '--collection', 'passwords', '--reveal-secrets', '--json')) as DiffJson;
    assert.deepEqual(revealed.semantic['passwords']?.changed[0]?.changes, [{ field: 'password', before: passwordOf(id('passwords', 'changed'), 0), after: passwordOf(id('passwords', 'changed'), 1) }]);
  });

  it('diff against the live server', async () => {
    const diff = JSON.parse(await ok('diff', 'laptop', '3', 'live', '--collection', 'history', '--json')) as DiffJson;
    assert.deepEqual(diff.collections, { history: { added: ['live-page'], removed: [], changed: [], tombstoned: [] } });
    const snapshots = JSON.parse(await ok('snapshots', 'laptop', '--json')) as unknown[];
    assert.equal(snapshots.length, 3, 'a live diff stores no snapshot');
  });

  it('find says when a bookmark vanished and where it was', async () => {
    const found = JSON.parse(await ok('find', 'laptop', 'Needle Guide', '--json')) as FindJson;
    assert.deepEqual(found.matches.map(({ collection, id: recordId, path, lastSeen, gone }) => ({ collection, recordId, path, lastSeen: lastSeen.seq, gone: gone && { seq: gone.seq, how: gone.how } })), [
      { collection: 'bookmarks', recordId: NEEDLE_BOOKMARK, path: ['Bookmarks Menu', 'Work'], lastSeen: 2, gone: { seq: 3, how: 'deleted' } },
    ]);
    assert.equal(found.snapshotsSearched, 3);
    const words = await ok('find', 'laptop', 'needle guide');
    assert.match(words, /bookmarks wn: "The Needle Guide" <https:\/\/needle\.example\/guide> in Bookmarks Menu > Work\n\s+seen from snapshot 1 \(.+\) to 2 \(.+\); deleted in snapshot 3/);
  });

  it('fails in one line for an unknown account, an unknown or incomplete snapshot, bad arguments', async () => {
    const expectFailure = async (args: string[], message: RegExp) => {
      const run = await cli(...args);
      assert.equal(run.code, 1, `${args.join(' ')} fails`);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line: ${run.stderr}`);
      assert.match(run.stderr, message);
    };
    await expectFailure(['diff', 'nobody', '1', '2'], /^syncvault: no account named "nobody"$/m);
    await expectFailure(['diff', 'laptop', '1', '99'], /^syncvault: the account has no snapshot 99$/m);
    await expectFailure(['find', 'nobody', 'x'], /no account named "nobody"/);
    const account = await world.prisma.account.findUniqueOrThrow({ where: { name: 'laptop' }, select: { id: true } });
    await world.prisma.snapshot.create({ data: { accountId: account.id, seq: 40, status: 'running', trigger: 'test' } });
    await expectFailure(['diff', 'laptop', '40', 'live'], /^syncvault: snapshot 40 is running; only complete snapshots can be read$/m);
    const bad = await cli('diff', 'laptop', '1', 'yesterday');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /expected a snapshot number or "live"/);
  });
});
