/**
 * The bookmark tree of a snapshot, end to end: a seeded sandbox account backed up by the daemon's
 * worker, then its bookmarks read back through the API as the nested tree.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from './support/api-client.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface TreeNode {
  id: string;
  type: string;
  title: string;
  url?: string;
  children?: TreeNode[];
}

interface TreeAnswer {
  tree: TreeNode;
  problems: Record<string, unknown[]>;
  unreadable: { id: string; error: string }[];
}

interface SandboxRecord {
  id: string;
  cleartext: Record<string, unknown> | null;
}

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number; status: string } | null;
}

function* walk(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

describe('bookmark tree API', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let account: SandboxAccount;
  let seq: number;

  before(async () => {
    world = createTestWorld('bookmark_tree_api');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    api = new ApiClient(daemon.url, await login(daemon.url));
    account = await sandbox.control<SandboxAccount>('POST', '/accounts', { kind: 'fxa', email: uniqueEmail('bmktree'), password: `pw-${randomBytes(8).toString('hex')}`, seed: { bookmarks: 30 } });
    await api.expect(201, 'POST', '/api/accounts', {
      name: 'desktop',
      kind: 'selfhosted15',
      email: account.email,
      password: account.password,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
    });
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/desktop/backups');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
      if (job.state === 'failed') assert.fail(`the backup failed: ${job.failedReason}`);
      if (job.state === 'completed' && job.result !== null) {
        seq = job.result.seq;
        break;
      }
      if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('nests every seeded bookmark under the Places root, roots first with their display names', async () => {
    const answer = await api.expect<TreeAnswer>(200, 'GET', `/api/accounts/desktop/snapshots/${seq}/bookmarks/tree`);
    assert.equal(answer.tree.id, 'places');
    assert.deepEqual(answer.tree.children?.slice(0, 4).map((node) => [node.id, node.title]), [
      ['menu', 'Bookmarks Menu'],
      ['toolbar', 'Bookmarks Toolbar'],
      ['unfiled', 'Other Bookmarks'],
      ['mobile', 'Mobile Bookmarks'],
    ]);
    const seeded = await sandbox.control<SandboxRecord[]>('GET', `/accounts/${encodeURIComponent(account.email)}/records/bookmarks`);
    const live = seeded.filter((record) => record.cleartext !== null && record.cleartext['deleted'] !== true && record.id !== 'places');
    const inTree = new Map([...walk(answer.tree)].map((node) => [node.id, node]));
    assert.ok(live.length >= 30, 'the seed made the bookmarks asked for');
    for (const record of live) {
      const node = inTree.get(record.id);
      assert.ok(node !== undefined, `${record.id} is in the tree`);
      assert.equal(node.type, record.cleartext!['type']);
      if (typeof record.cleartext!['bmkUri'] === 'string') assert.equal(node.url, record.cleartext!['bmkUri']);
    }
    assert.equal(inTree.size, live.length + 1, 'nothing more than the records and the Places root');

    const mozilla = answer.tree.children?.[0]?.children?.find((node) => node.title === 'Mozilla Firefox');
    assert.equal(mozilla?.type, 'folder');
    assert.ok(mozilla.children?.some((node) => node.title === 'Get Help' && node.url === 'https://support.mozilla.org/en-US/products/firefox'));
    assert.deepEqual(answer.problems['orphans'], []);
    assert.deepEqual(answer.problems['missingChildren'], []);
    assert.deepEqual(answer.unreadable, []);
  });

  it('answers 404 for a snapshot the account does not have and 400 for a bad number', async () => {
    await api.expect(404, 'GET', `/api/accounts/desktop/snapshots/${seq + 50}/bookmarks/tree`);
    await api.expect(400, 'GET', '/api/accounts/desktop/snapshots/zero/bookmarks/tree');
    await api.expect(404, 'GET', `/api/accounts/nobody/snapshots/${seq}/bookmarks/tree`);
  });
});
