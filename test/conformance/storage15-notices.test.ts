/**
 * Storage 1.5 conformance, server notices: what a server tells a client besides its answer
 * (X-Weave-Alert, X-Weave-Quota-Remaining, X-Weave-Backoff) reaches onServerNotice as it came,
 * and the call itself still succeeds (sync-protocols.md §5.4).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerNotice } from '@syncvault/daemon/sync';
import { ConformanceSandbox, connectFxa, storage15Path } from './support/storage.js';

describe('storage 1.5 notices: Storage15Client against the sandbox', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  it('a JSON X-Weave-Alert reaches onServerNotice parsed into code, message and url; the read succeeds', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 2 } });
    const notices: ServerNotice[] = [];
    const { storage } = await connectFxa(sandbox, account, { notices });
    const expected = await storage.infoCollections();
    const alert = { code: 'hard-eol', message: 'This server is being shut down', url: 'https://example.test/eol' };
    await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 1, kind: 'alert', alert: JSON.stringify(alert) });

    assert.deepEqual(await storage.infoCollections(), expected);
    const alerts = notices.filter((notice) => notice.kind === 'alert');
    assert.equal(alerts.length, 1);
    const [notice] = alerts;
    assert.ok(notice?.kind === 'alert');
    assert.deepEqual(notice.alert, alert);
    assert.equal(notice.status, 200);
    assert.ok(notice.url.startsWith(sandbox.urls.storage15) && notice.url.endsWith('/info/collections'), notice.url);
  });

  it('a plain-text X-Weave-Alert is reported as its message alone', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 2 } });
    const notices: ServerNotice[] = [];
    const { storage } = await connectFxa(sandbox, account, { notices });
    await sandbox.addFault({ path: storage15Path(account, '/storage/forms'), count: 1, kind: 'alert', alert: 'Maintenance on Sunday' });

    assert.equal((await storage.readIds('forms')).length, 2);
    const alerts = notices.flatMap((notice) => (notice.kind === 'alert' ? [notice.alert] : []));
    assert.deepEqual(alerts, [{ message: 'Maintenance on Sunday' }]);
  });

  it('with a per-user quota configured, a write reports X-Weave-Quota-Remaining and it shrinks as records are added', async () => {
    await sandbox.setLimits({ max_quota_limit: 10 * 1024 * 1024 });
    const account = await sandbox.createAccount('fxa');
    const notices: ServerNotice[] = [];
    const { storage } = await connectFxa(sandbox, account, { notices });
    const big = 'x'.repeat(50_000);

    const first = await storage.putRecord('forms', { id: 'first', payload: big });
    const second = await storage.putRecord('forms', { id: 'second', payload: big });
    const remaining = notices.flatMap((notice) => (notice.kind === 'quota-remaining' ? [notice.kilobytes] : []));
    assert.ok(remaining.length >= 2, `quota notices: ${JSON.stringify(remaining)}`);
    assert.ok(first.quotaRemainingKb !== undefined && second.quotaRemainingKb !== undefined, 'the write results carry the quota too');
    assert.ok(second.quotaRemainingKb < first.quotaRemainingKb, `${second.quotaRemainingKb} < ${first.quotaRemainingKb}`);
    assert.ok(first.quotaRemainingKb <= 10 * 1024, 'at most the configured quota, in KB');
  });

  it('without a quota, writes carry no quota notice', async () => {
    const account = await sandbox.createAccount('fxa');
    const notices: ServerNotice[] = [];
    const { storage } = await connectFxa(sandbox, account, { notices });
    const result = await storage.putRecord('forms', { id: 'plain', payload: 'p' });
    assert.equal(result.quotaRemainingKb, undefined);
    assert.deepEqual(notices.filter((notice) => notice.kind === 'quota-remaining'), []);
  });
});
