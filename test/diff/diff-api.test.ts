/**
 * GET /api/accounts/:id/diff and /find end to end: an account added through the API against the
 * sandbox, backed up three times by the daemon's worker around changes other clients made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from '../api/support/api-client.js';
import { createTestWorld, json, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { CARD_NUMBERS, id, NEEDLE_BOOKMARK, passwordOf, NEEDLE_PAGE, RECORD_COLLECTIONS, writeFirstState, writeSecondState, writeThirdState, type RecordWrite } from './support/account-history.js';

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number } | null;
}

interface DiffAnswer {
  collections: Record<string, { added: string[]; removed: string[]; changed: string[]; tombstoned: string[] }>;
  semantic: Record<string, { kind: string; moved?: Array<{ id: string }>; changed: Array<{ id: string; changes: Array<Record<string, unknown>> }> }>;
}

interface FindAnswer {
  snapshotsSearched: number;
  total: number;
  matches: Array<{ collection: string; id: string; path?: string[] | null; lastSeen: { seq: number; at: string }; gone: { seq: number; how: string } | null }>;
}

describe('diff and find API', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let account: SandboxAccount;

  async function backUp(): Promise<number> {
    const { jobId } = await api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
      if (job.state === 'failed') assert.fail(`the backup failed: ${job.failedReason}`);
      if (job.state === 'completed' && job.result !== null) return job.result.seq;
      if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    world = createTestWorld('diff_api');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world);
    api = new ApiClient(daemon.url, await login(daemon.url));
    account = await sandbox.control<SandboxAccount>('POST', '/accounts', { kind: 'fxa', email: uniqueEmail('diffapi'), password: `pw-${randomBytes(8).toString('hex')}`, seed: {} });
    await api.expect(201, 'POST', '/api/accounts', { name: 'laptop', kind: 'selfhosted15', email: account.email, password: account.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer });
    const write = (changes: RecordWrite) => sandbox.control('POST', `/accounts/${encodeURIComponent(account.email)}/records`, changes);
    for (const [index, step] of [writeFirstState, writeSecondState, writeThirdState].entries()) {
      await step(write);
      assert.equal(await backUp(), index + 1);
    }
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('diffs two snapshots: record ids per change kind and the semantic view, never a password', async () => {
    const response = await api.call<DiffAnswer>('GET', '/api/accounts/laptop/diff?from=1&to=2');
    assert.equal(response.status, 200);
    const answer = response.body;
    assert.deepEqual(Object.keys(answer), ['collections', 'semantic']);
    for (const collection of RECORD_COLLECTIONS) assert.deepEqual(answer.collections[collection]?.added, [id(collection, 'added')], collection);
    assert.deepEqual(answer.semantic['bookmarks']?.moved?.map((move) => move.id), ['w3']);
    assert.deepEqual(answer.semantic['passwords']?.changed[0]?.changes, [{ field: 'password', secret: true }]);
    assert.doesNotMatch(JSON.stringify(answer), /s3cret/);
  });

  it('diffs one collection against the live server', async () => {
    await sandbox.control('POST', `/accounts/${encodeURIComponent(account.email)}/records`, { collection: 'bookmarks', tombstone: ['w1'] });
    const answer = await api.expect<DiffAnswer>(200, 'GET', '/api/accounts/laptop/diff?from=3&to=live&collection=bookmarks');
    assert.deepEqual(answer.collections, { bookmarks: { added: [], removed: [], changed: [], tombstoned: ['w1'] } });
  });

  it('finds when a bookmark vanished', async () => {
    const answer = await api.expect<FindAnswer>(200, 'GET', '/api/accounts/laptop/find?text=NEEDLE');
    assert.equal(answer.snapshotsSearched, 3);
    const guide = answer.matches.find((match) => match.id === NEEDLE_BOOKMARK);
    assert.deepEqual([guide?.path, guide?.lastSeen.seq, guide?.gone?.seq, guide?.gone?.how], [['Bookmarks Menu', 'Work'], 2, 3, 'deleted']);
    assert.match(guide?.lastSeen.at ?? '', /^\d{4}-\d\d-\d\dT/);
    const onlyHistory = await api.expect<FindAnswer>(200, 'GET', '/api/accounts/laptop/find?text=needle&collection=history&limit=5');
    assert.deepEqual(onlyHistory.matches.map((match) => [match.id, match.gone]), [[NEEDLE_PAGE, null]]);
  });

  it('answers 404 for an unknown account or snapshot, 409 for an incomplete one, 400 for bad queries and for reveal', async () => {
    await api.expect(404, 'GET', '/api/accounts/nobody/diff?from=1&to=2');
    await api.expect(404, 'GET', '/api/accounts/laptop/diff?from=1&to=99');
    await api.expect(404, 'GET', '/api/accounts/nobody/find?text=x');
    for (const query of ['from=one&to=2', 'from=1&to=tomorrow', 'from=1', 'from=0&to=2', 'from=1&to=2&collection=a%20b', 'from=1&to=2&reveal=true', 'from=1&to=9999999999']) {
      await api.expect(400, 'GET', `/api/accounts/laptop/diff?${query}`);
    }
    for (const query of ['', 'text=', 'text=x&limit=0', 'text=x&collection=crypto']) await api.expect(400, 'GET', `/api/accounts/laptop/find?${query}`);
    const accountId = (await world.prisma.account.findUniqueOrThrow({ where: { name: 'laptop' }, select: { id: true } })).id;
    await world.prisma.snapshot.create({ data: { accountId, seq: 90, status: 'failed', trigger: 'test' } });
    await api.expect(409, 'GET', '/api/accounts/laptop/diff?from=90&to=1');
  });

  it('is documented in the OpenAPI document and needs sign-in', async () => {
    const document = await api.expect<{ paths: Record<string, Record<string, unknown>> }>(200, 'GET', '/api/docs-json');
    assert.ok(document.paths['/api/accounts/{id}/diff']?.['get'], 'diff is documented');
    assert.ok(document.paths['/api/accounts/{id}/find']?.['get'], 'find is documented');
    const anonymous = await fetch(`${daemon.url}/api/accounts/laptop/diff?from=1&to=2`);
    assert.equal(anonymous.status, 401);
    await json(anonymous);
  });

  it('never answered with a password or a full card number', () => {
    const roles = ['changed', 'tombstoned', 'removed', 'kept', 'added'] as const;
    api.assertNoSecretIn([...roles.flatMap((role) => [0, 1].map((version) => passwordOf(id('passwords', role), version))), ...CARD_NUMBERS]);
    assert.ok(api.transcript.length > 10);
  });
});
