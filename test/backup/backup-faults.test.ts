/**
 * The backup engine when the storage server misbehaves mid-backup (the sandbox's fault
 * injection): a concurrent writer (412), maintenance (503 + Retry-After), backoff, an expired
 * token, and an outage longer than the retries, after which nothing half-written is visible and
 * the next run completes.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CollectionKeptChangingError } from '@syncvault/daemon/backup';
import { ServiceUnavailableError } from '@syncvault/daemon/sync';
import { BackupWorld, storage15Path, type BackedUpAccount } from './support/backup-world.js';

/** Small pages so that history (200 records in the demo seed) takes several requests. */
const PAGE_SIZE = 50;

describe('backup engine: faults mid-backup', () => {
  let world: BackupWorld;
  before(async () => {
    world = await BackupWorld.start();
  });
  after(() => world.close());
  afterEach(() => world.sandbox.reset());

  /** Lets the ids list and the first page of history through, then applies `fault` to the next history reads. */
  async function faultAfterFirstPage(subject: BackedUpAccount, fault: { kind: '412' | '503' | '401' | 'backoff'; count: number; retryAfter?: number; backoff?: number }): Promise<number> {
    const path = storage15Path(subject.account, '/storage/history');
    await world.sandbox.addFault({ path, method: 'GET', count: 2, kind: 'delay', delayMs: 1 });
    return (await world.sandbox.addFault({ path, method: 'GET', ...fault })).id;
  }

  it('a 412 (another client wrote) mid-paging: the collection is read again and the snapshot is complete and correct', async () => {
    const subject = await world.seededAccount('fxa');
    const rule = await faultAfterFirstPage(subject, { kind: '412', count: 1 });

    const summary = await world.backup(subject, { pageSize: PAGE_SIZE });
    assert.equal(summary.status, 'complete');
    assert.equal((await world.sandbox.fault(rule)).fired, 1);
    const stats = (await world.repository.get(subject.accountId, 1))?.stats;
    assert.equal(stats?.['collectionsRedone'], 1);
    const history = await world.sandbox.readBack(subject.account.email, 'history');
    assert.equal(await world.versionCount(subject.accountId, { collection: 'history' }), history.length, 'the aborted first read left no extra versions');
    await world.assertSnapshotEqualsServer(subject.accountId, 1, subject.connection);
  });

  it('a collection that answers 412 on every attempt fails the snapshot with CollectionKeptChangingError; nothing of it is kept', async () => {
    const subject = await world.seededAccount('fxa');
    await world.sandbox.addFault({ path: storage15Path(subject.account, '/storage/history'), method: 'GET', count: 100, kind: '412' });

    await assert.rejects(world.backup(subject, { pageSize: PAGE_SIZE }), (error: unknown) => {
      assert.ok(error instanceof CollectionKeptChangingError, `got ${String(error)}`);
      assert.equal(error.collection, 'history');
      assert.equal(error.attempts, 3);
      return true;
    });
    const snapshot = await world.repository.get(subject.accountId, 1);
    assert.equal(snapshot?.status, 'failed');
    assert.match(snapshot?.error ?? '', /^CollectionKeptChangingError: history changed/);
    assert.equal(await world.versionCount(subject.accountId), 0);
  });

  it('503 with Retry-After and X-Weave-Backoff mid-backup are waited out: the snapshot completes, the backoff is counted', async () => {
    const subject = await world.seededAccount('fxa');
    const unavailable = await faultAfterFirstPage(subject, { kind: '503', count: 2, retryAfter: 2 });
    const backoff = await world.sandbox.addFault({ path: storage15Path(subject.account, '/storage/bookmarks'), method: 'GET', count: 1, kind: 'backoff', backoff: 3 });

    const summary = await world.backup(subject, { pageSize: PAGE_SIZE });
    assert.equal(summary.status, 'complete');
    assert.equal((await world.sandbox.fault(unavailable)).fired, 2);
    assert.equal((await world.sandbox.fault(backoff.id)).fired, 1);
    const historyStatuses = subject.wire.matching('GET', /\/storage\/history\?full/).map((exchange) => exchange.status);
    assert.deepEqual(historyStatuses.filter((status) => status === 503), [503, 503]);
    const stats = (await world.repository.get(subject.accountId, 1))?.stats;
    assert.equal(stats?.['backoffNotices'], 1);
    await world.assertSnapshotEqualsServer(subject.accountId, 1, subject.connection);
  });

  it('a 401 mid-paging (the token expired) is cured with a fresh token and the snapshot completes', async () => {
    const subject = await world.seededAccount('fxa');
    const rule = await faultAfterFirstPage(subject, { kind: '401', count: 1 });

    const summary = await world.backup(subject, { pageSize: PAGE_SIZE });
    assert.equal(summary.status, 'complete');
    assert.equal((await world.sandbox.fault(rule)).fired, 1);
    assert.ok(subject.wire.exchanges.some((exchange) => exchange.status === 401), 'the 401 reached the client');
    await world.assertSnapshotEqualsServer(subject.accountId, 1, subject.connection);
  });

  it('503 past the retry bound fails the snapshot with nothing half-visible; the next run completes', async () => {
    const subject = await world.seededAccount('fxa');
    await world.backup(subject, { pageSize: PAGE_SIZE });
    const email = subject.account.email;
    for (const collection of ['bookmarks', 'history']) {
      const records = (await world.sandbox.readBack(email, collection)).filter((record) => record.cleartext !== null && record.cleartext['deleted'] !== true);
      await world.sandbox.writeRecords(email, { collection, upsert: records.slice(0, 60).map((record) => ({ ...record.cleartext, title: `edited ${record.id}` })) });
    }
    const versionsBefore = await world.versionCount(subject.accountId);
    await faultAfterFirstPage(subject, { kind: '503', count: 100, retryAfter: 1 });

    const reached: string[] = [];
    await assert.rejects(
      world.engine({ pageSize: PAGE_SIZE }).run({
        accountId: subject.accountId,
        trigger: 'manual',
        connection: subject.connection,
        onProgress: (progress) => {
          if (progress.collection !== undefined && progress.done > 0) reached.push(progress.collection);
        },
      }),
      ServiceUnavailableError,
    );
    assert.ok(reached.includes('bookmarks') && reached.includes('history'), 'the failed run had written bookmarks and a page of history');
    const failed = await world.repository.get(subject.accountId, 2);
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.error ?? '', /^ServiceUnavailableError: service unavailable after retries/);
    assert.equal((await world.repository.latestComplete(subject.accountId))?.seq, 1);
    assert.equal(await world.versionCount(subject.accountId, { fromSeq: 2 }), 0, 'no version of the failed run survives');
    assert.equal(await world.versionCount(subject.accountId, { toSeq: 2 }), 0, 'no version it closed stays closed');
    assert.equal(await world.versionCount(subject.accountId), versionsBefore);

    await world.sandbox.reset();
    const next = await world.backup(subject, { pageSize: PAGE_SIZE });
    assert.equal(next.status, 'complete');
    assert.equal(next.seq, 3);
    assert.equal(next.versionsAdded, 120);
    await world.assertSnapshotEqualsServer(subject.accountId, 3, subject.connection);
  });
});
