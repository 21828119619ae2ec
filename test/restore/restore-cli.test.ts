/**
 * `syncvault restore`: the plan without --yes (nothing written), the restore with --yes --json,
 * one-line errors; and the API's plan route, which answers the same plan.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from '../api/support/api-client.js';
import { cliEnv, runCli, waitFor } from '../api/support/cli.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';

type Json = Record<string, unknown>;

describe('syncvault restore', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let user: SandboxAccount;
  let env: Record<string, string>;

  const records = async (collection: string) =>
    new Map((await sandbox.control<Array<{ id: string; cleartext: Json | null }>>('GET', `/accounts/${encodeURIComponent(user.email)}/records/${collection}`)).map((record) => [record.id, record.cleartext]));

  before(async () => {
    world = createTestWorld('restorecli');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    api = new ApiClient(daemon.url, await login(daemon.url));
    env = cliEnv(world.env);
    user = await sandbox.control<SandboxAccount>('POST', '/accounts', { kind: 'fxa', email: uniqueEmail('restorecli'), password: `pw-${randomBytes(8).toString('hex')}`, seed: { bookmarks: 12, passwords: 2 } });
    await api.expect(201, 'POST', '/api/accounts', { name: 'laptop', kind: 'selfhosted15', email: user.email, password: user.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer });
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
    await waitFor('the first backup', async () => ((await api.expect<{ state: string }>(200, 'GET', `/api/jobs/${jobId}`)).state === 'completed' ? true : undefined));
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('prints the plan and writes nothing without --yes; restores with --yes and reports the check', async () => {
    const bookmarks = await records('bookmarks');
    const [id, victim] = [...bookmarks].find(([, cleartext]) => cleartext?.['type'] === 'bookmark' && typeof cleartext['parentid'] === 'string' && bookmarks.get(cleartext['parentid'] as string)?.['children'] !== undefined)!;
    const parentId = victim!['parentid'] as string;
    const parent = bookmarks.get(parentId)!;
    await sandbox.control('POST', `/accounts/${encodeURIComponent(user.email)}/records`, {
      collection: 'bookmarks',
      tombstone: [id],
      upsert: [{ ...parent, children: (parent['children'] as string[]).filter((child) => child !== id) }],
    });

    const plan = await runCli(['restore', 'laptop', '--from', '1', '--bookmark', id], env);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`^Restore into laptop from snapshot 1: 2 change\\(s\\)`));
    assert.match(plan.stdout, new RegExp(`\\+ ${id} .*\\(restored\\)`));
    assert.match(plan.stdout, new RegExp(`\\+ ${parentId} .*\\(parent-children-updated\\)`));
    assert.match(plan.stdout, /Nothing was written: run again with --yes to restore\.\n$/);
    assert.equal((await records('bookmarks')).get(id)?.['deleted'], true, 'still deleted');

    const applied = await runCli(['restore', 'laptop', '--from', '1', '--bookmark', id, '--yes', '--json'], env);
    assert.equal(applied.code, 0, applied.stderr);
    const result = JSON.parse(applied.stdout) as { written: Array<{ id: string }>; verification: { ok: boolean }; preRestoreSnapshot: { seq: number } };
    assert.deepEqual(result.written.map((write) => write.id).sort(), [id, parentId].sort());
    assert.equal(result.verification.ok, true);
    assert.equal(result.preRestoreSnapshot.seq, 2);
    const after = await records('bookmarks');
    assert.equal(after.get(id)?.['title'], victim!['title']);
    assert.deepEqual(after.get(parentId)?.['children'], parent['children'], 'back at its old position');
  });

  it('POST /api/accounts/{id}/restore/plan answers the plan the CLI prints, and writes nothing', async () => {
    const passwords = await records('passwords');
    const [loginId, login] = [...passwords].find(([, cleartext]) => typeof cleartext?.['password'] === 'string')!;
    await sandbox.control('POST', `/accounts/${encodeURIComponent(user.email)}/records`, { collection: 'passwords', upsert: [{ ...login, password: 'overwritten' }] });
    const plan = await api.expect<{ collections: Array<{ collection: string; ifUnmodifiedSince: number; records: Array<{ id: string; action: string; reason: string; label: string }> }>; totalChanges: number; from: number }>(
      200,
      'POST',
      '/api/accounts/laptop/restore/plan',
      { from: 1, kind: 'password', id: loginId },
    );
    assert.equal(plan.totalChanges, 1);
    assert.deepEqual(plan.collections.map((collection) => [collection.collection, collection.records.map((record) => [record.id, record.action, record.reason])]), [['passwords', [[loginId, 'write', 'restored']]]]);
    assert.ok(!JSON.stringify(plan).includes(String(login!['password'])) && !JSON.stringify(plan).includes('overwritten'), 'no password in the plan');
    const cli = await runCli(['restore', 'laptop', '--from', '1', '--password', loginId, '--json'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), plan, 'the CLI and the API plan alike');
    assert.equal((await records('passwords')).get(loginId)?.['password'], 'overwritten', 'nothing written');

    assert.equal((await api.call('POST', '/api/accounts/laptop/restore/plan', { from: 1, kind: 'password' })).status, 400, 'a password restore needs its id');
    assert.equal((await api.call('POST', '/api/accounts/laptop/restore/plan', { from: 1, kind: 'collection', collection: 'crypto' })).status, 400);
    const missing = await api.call<{ message: string }>('POST', '/api/accounts/laptop/restore/plan', { from: 1, kind: 'bookmark', id: 'nosuchthing1' });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /no bookmark item nosuchthing1/);
    assert.equal((await api.call('POST', '/api/accounts/laptop/restore/plan', { from: 99, kind: 'all' })).status, 404);
  });

  it('says in one line what is wrong', async () => {
    const none = await runCli(['restore', 'laptop', '--from', '1'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^syncvault: name exactly one of --bookmark, --folder, --deleted-since, --password, --collection, --all\n$/);
    const missing = await runCli(['restore', 'laptop', '--from', '1', '--bookmark', 'nosuchthing1'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^syncvault: the snapshot has no bookmark item nosuchthing1\n$/);
    const unknown = await runCli(['restore', 'desktop', '--from', '1', '--all'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /desktop/);
  });
});
