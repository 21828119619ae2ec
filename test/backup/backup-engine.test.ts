/**
 * The backup engine against the sandbox over HTTP and a real Postgres: full and incremental
 * snapshots, what each one adds to the store, deletions of every kind, content addressing,
 * records that fail their HMAC, and one run per account at a time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountBusyError } from '@syncvault/daemon/store';
import { CollectionKeys, decryptBso, encryptRecord, fetchCollectionKeys } from '@syncvault/daemon/sync';
import type { BackupProgress } from '@syncvault/daemon/backup';
import { BackupWorld, collectionReads, newGuid, storage15Path, type BackedUpAccount } from './support/backup-world.js';

const EVERY_DEMO_COLLECTION = ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs'];

/** Polls until `check` holds (the server's own clock decides when a ttl runs out). */
async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting until ${what}`);
}

describe('backup engine: snapshots of a Sync account in the store', () => {
  let world: BackupWorld;
  before(async () => {
    world = await BackupWorld.start();
  });
  after(() => world.close());

  for (const kind of ['fxa', 'legacy11'] as const) {
    it(`a full backup of a ${kind === 'fxa' ? 'Sync 1.5' : 'Sync 1.1'} account stores every record of every collection byte for byte`, async () => {
      const subject = await world.seededAccount(kind);
      const progress: BackupProgress[] = [];
      const summary = await world.backup(subject, { pageSize: 50 }, progress);

      assert.equal(summary.status, 'complete');
      assert.equal(progress[0]?.phase, 'starting');
      assert.equal(progress.at(-1)?.phase, 'finishing');
      assert.equal(progress.at(-1)?.collectionsDone, EVERY_DEMO_COLLECTION.length);
      for (const [collection, { count }] of Object.entries(summary.collections)) {
        const reports = progress.filter((update) => update.collection === collection);
        assert.ok(reports.every((update) => update.total === count && update.done <= count), `${collection}: done/total from its ids list`);
        assert.equal(reports.at(-1)?.done, count, `${collection}: reported finished`);
      }
      const historyPages = progress.filter((update) => update.collection === 'history' && update.done > 0 && update.done < update.total);
      assert.ok(historyPages.length >= 3, 'history reports every page');
      assert.equal(summary.seq, 1);
      assert.deepEqual(Object.keys(summary.collections).sort(), EVERY_DEMO_COLLECTION);
      await world.assertSnapshotEqualsServer(subject.accountId, 1, subject.connection);
      const keys = await fetchCollectionKeys(subject.connection);
      assert.ok(keys);
      assert.equal(summary.keyFingerprint, keys.fingerprint());
      const stored = await world.repository.get(subject.accountId, 1);
      assert.equal(stored?.status, 'complete');
      assert.equal(stored?.keyFingerprint, keys.fingerprint());
      const total = Object.values(summary.collections).reduce((sum, { count }) => sum + count, 0);
      assert.equal(summary.versionsAdded, total);
      assert.equal(await world.versionCount(subject.accountId), total);
      assert.equal(await world.versionCount(subject.accountId, { hmacValid: false }), 0, 'every seeded record verifies');
      assert.equal(summary.alerts.length, 0, 'a first snapshot raises no alerts');
      const kept = await world.keyCustody.collectionKeys(subject.accountId, keys.fingerprint());
      assert.equal(kept?.fingerprint(), keys.fingerprint(), 'crypto/keys is in key custody');
      assert.equal((await world.keyCustody.rootBundles(subject.accountId)).length, 1, 'so is the root bundle');
    });
  }

  it('a second backup with no change adds a snapshot and no version, and reads no collection', async () => {
    const subject = await world.seededAccount('fxa');
    await world.backup(subject);
    const versions = await world.versionCount(subject.accountId);
    const blobs = await world.blobCount();
    subject.wire.clear();

    const second = await world.backup(subject);
    assert.equal(second.status, 'complete');
    assert.equal(second.seq, 2);
    assert.equal(second.versionsAdded, 0);
    assert.equal(await world.versionCount(subject.accountId), versions);
    assert.equal(await world.blobCount(), blobs);
    assert.deepEqual(collectionReads(subject.wire), [], 'no ids list, no records');
    assert.deepEqual(
      subject.wire.exchanges.map((exchange) => exchange.path.replace(/^.*\/info\//, 'info/')),
      ['info/collections', 'info/collection_counts'],
    );
    const stats = (await world.repository.get(subject.accountId, 2))?.stats;
    assert.equal(stats?.['requests'], 2);
    assert.equal(stats?.['recordsFetched'], 0);
    await world.assertSnapshotEqualsServer(subject.accountId, 2, subject.connection);
  });

  it('records another client changed (~1%) add exactly their versions; the older snapshot still shows the old payloads', async () => {
    const subject = await world.seededAccount('fxa');
    const first = await world.backup(subject);
    const total = Object.values(first.collections).reduce((sum, { count }) => sum + count, 0);
    const changes: Array<[string, number]> = [['history', 2], ['bookmarks', 1], ['passwords', 1]];
    const changed = new Set<string>();
    for (const [collection, howMany] of changes) {
      const records = (await world.sandbox.readBack(subject.account.email, collection)).filter((record) => record.cleartext !== null && record.cleartext['deleted'] !== true);
      const picked = records.slice(0, howMany);
      await world.sandbox.writeRecords(subject.account.email, { collection, upsert: picked.map((record) => ({ ...record.cleartext, title: `changed ${record.id}` })) });
      for (const record of picked) changed.add(`${collection}/${record.id}`);
    }
    assert.ok(changed.size <= Math.ceil(total / 100), `${changed.size} of ${total} records changed`);
    const before = new Map<string, string>();
    for (const key of changed) {
      const [collection = '', id = ''] = key.split('/');
      before.set(key, (await world.snapshotRecords(subject.accountId, 1, collection)).get(id)?.payload ?? '');
    }
    subject.wire.clear();

    const second = await world.backup(subject);
    assert.equal(second.versionsAdded, changed.size);
    const added = await world.prisma.recordVersion.findMany({ where: { accountId: subject.accountId, fromSeq: 2 }, select: { collection: true, bsoId: true } });
    assert.deepEqual(added.map((version) => `${version.collection}/${version.bsoId}`).sort(), [...changed].sort());
    const closed = await world.prisma.recordVersion.findMany({ where: { accountId: subject.accountId, toSeq: 2 }, select: { collection: true, bsoId: true } });
    assert.deepEqual(closed.map((version) => `${version.collection}/${version.bsoId}`).sort(), [...changed].sort());
    for (const [key, payload] of before) {
      const [collection = '', id = ''] = key.split('/');
      assert.equal((await world.snapshotRecords(subject.accountId, 1, collection)).get(id)?.payload, payload, `snapshot 1 keeps the old ${key}`);
      assert.notEqual((await world.snapshotRecords(subject.accountId, 2, collection)).get(id)?.payload, payload, `snapshot 2 has the new ${key}`);
    }
    const read = new Set(collectionReads(subject.wire).map((path) => /\/storage\/([^/?]+)\?/.exec(path)?.[1]));
    assert.deepEqual([...read].sort(), ['bookmarks', 'history', 'passwords'], 'only the collections that moved are read');
    await world.assertSnapshotEqualsServer(subject.accountId, 2, subject.connection);
  });

  it('a hard delete, a tombstone and a ttl expiry each show in the next snapshot, and the previous snapshot keeps the record', async () => {
    const subject = await world.seededAccount('fxa');
    await world.backup(subject);
    const email = subject.account.email;
    const [deleted] = (await world.sandbox.readBack(email, 'history')).map((record) => record.id);
    const tombstoned = (await world.sandbox.readBack(email, 'passwords')).find((record) => record.cleartext?.['deleted'] !== true)?.id;
    assert.ok(deleted && tombstoned);
    await world.sandbox.writeRecords(email, { collection: 'history', delete: [deleted] });
    await world.sandbox.writeRecords(email, { collection: 'passwords', tombstone: [tombstoned] });
    const shortLived = newGuid();
    await world.sandbox.writeRecords(email, {
      collection: 'forms',
      upsert: [{ id: shortLived, name: 'search', value: 'short-lived entry' }],
      ttl: 4,
    });

    const second = await world.backup(subject);
    assert.equal((await world.snapshotRecords(subject.accountId, 1, 'history')).has(deleted), true);
    assert.equal((await world.snapshotRecords(subject.accountId, 2, 'history')).has(deleted), false, 'the hard delete closed the record');
    const tombstoneBefore = (await world.snapshotRecords(subject.accountId, 1, 'passwords')).get(tombstoned);
    const tombstoneAfter = (await world.snapshotRecords(subject.accountId, 2, 'passwords')).get(tombstoned);
    assert.ok(tombstoneBefore && tombstoneAfter);
    assert.notEqual(tombstoneAfter.payload, tombstoneBefore.payload, 'the tombstone is a new version of the record');
    const keys = await fetchCollectionKeys(subject.connection);
    assert.ok(keys);
    assert.deepEqual(decryptBso('passwords', { id: tombstoned, payload: tombstoneAfter.payload }, keys), { id: tombstoned, deleted: true });
    assert.equal((await world.snapshotRecords(subject.accountId, 2, 'forms')).has(shortLived), true, 'snapshot 2 caught the short-lived record');
    assert.equal(second.collections['history']?.count, (await world.sandbox.readBack(email, 'history')).length);

    await waitUntil(async () => (await subject.connection.storage.getRecord('forms', shortLived)) === null, 'the forms record expired');
    const formsTimestamp = (await subject.connection.storage.infoCollections())['forms'];
    assert.equal(formsTimestamp, second.collections['forms']?.lastModified, 'expiry does not move the collection timestamp');
    const third = await world.backup(subject);
    assert.equal((await world.snapshotRecords(subject.accountId, 3, 'forms')).has(shortLived), false, 'the expired record is gone from snapshot 3');
    assert.equal((await world.snapshotRecords(subject.accountId, 2, 'forms')).has(shortLived), true, 'and kept in snapshot 2');
    assert.equal(third.versionsAdded, 0);
    assert.deepEqual((await world.repository.get(subject.accountId, 3))?.stats['collectionsRead'], ['forms']);
    await world.assertSnapshotEqualsServer(subject.accountId, 3, subject.connection);
  });

  it('a collection gone from the server has all its versions closed in the next snapshot', async () => {
    const subject = await world.seededAccount('fxa');
    const first = await world.backup(subject);
    const forms = first.collections['forms']?.count ?? 0;
    assert.ok(forms > 0);
    await subject.connection.storage.deleteCollection('forms');

    const second = await world.backup(subject);
    assert.equal(second.collections['forms'], undefined, 'forms is no longer listed');
    assert.equal(await world.versionCount(subject.accountId, { collection: 'forms', toSeq: 2 }), forms);
    assert.equal((await world.snapshotRecords(subject.accountId, 2, 'forms')).size, 0);
    assert.equal((await world.snapshotRecords(subject.accountId, 1, 'forms')).size, forms, 'snapshot 1 still has them');
    assert.deepEqual(second.alerts.map((alert) => [alert.kind, alert.collection]), [['collection-shrank', 'forms']]);
    await world.assertSnapshotEqualsServer(subject.accountId, 2, subject.connection);
  });

  it('identical payloads are stored once: a copied record and a second account backing up the same data add no blob', async () => {
    const subject = await world.seededAccount('fxa');
    await world.backup(subject);
    const blobs = await world.blobCount();
    const [original] = await world.snapshotRecords(subject.accountId, 1, 'history').then((records) => [...records.values()]);
    assert.ok(original);
    await subject.connection.storage.putRecord('history', { id: newGuid(), payload: original.payload });
    await subject.connection.storage.putRecord('forms', { id: newGuid(), payload: original.payload });

    const second = await world.backup(subject);
    assert.equal(second.versionsAdded, 2);
    assert.equal(await world.blobCount(), blobs, 'both copies point at the existing blob');

    const twin: BackedUpAccount = { ...subject, accountId: await world.accountRow(subject.account) };
    const full = await world.backup(twin);
    assert.equal(full.versionsAdded, await world.versionCount(twin.accountId));
    assert.ok(full.versionsAdded > 0);
    assert.equal(await world.blobCount(), blobs, 'a second account with the same ciphertexts adds versions, not blobs');
  });

  it('a record whose HMAC fails, or that is no envelope at all, is stored as it is and flagged', async () => {
    const subject = await world.seededAccount('fxa');
    const forged = newGuid();
    const garbage = newGuid();
    const forgedPayload = encryptRecord('history', { id: forged, histUri: 'https://forged.example/', visits: [] }, CollectionKeys.generate());
    await subject.connection.storage.putRecord('history', { id: forged, payload: forgedPayload });
    await subject.connection.storage.putRecord('history', { id: garbage, payload: 'not an envelope' });

    const summary = await world.backup(subject);
    assert.equal(summary.status, 'complete');
    const history = await world.snapshotRecords(subject.accountId, 1, 'history');
    assert.equal(history.get(forged)?.payload, forgedPayload);
    assert.equal(history.get(forged)?.hmacValid, false);
    assert.equal(history.get(garbage)?.payload, 'not an envelope');
    assert.equal(history.get(garbage)?.hmacValid, false);
    assert.equal(await world.versionCount(subject.accountId, { hmacValid: false }), 2, 'only those two are flagged');
    assert.equal((await world.repository.get(subject.accountId, 1))?.stats['hmacFailures'], 2);
  });

  it('a second run for an account that is being backed up fails with AccountBusyError; the first completes', async () => {
    const subject = await world.seededAccount('fxa');
    await world.sandbox.addFault({ path: storage15Path(subject.account, '/storage/history'), method: 'GET', count: 1, kind: 'delay', delayMs: 1500 });
    let reportStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      reportStarted = resolve;
    });
    const first = world.engine().run({ accountId: subject.accountId, trigger: 'manual', connection: subject.connection, onProgress: () => reportStarted() });
    await started;
    const other = await world.connect(subject.account);
    await assert.rejects(
      world.engine().run({ accountId: subject.accountId, trigger: 'manual', connection: other.connection }),
      (error: unknown) => error instanceof AccountBusyError && error.accountId === subject.accountId,
    );
    const summary = await first;
    assert.equal(summary.status, 'complete');
    assert.deepEqual(
      (await world.repository.list(subject.accountId)).map((snapshot) => [snapshot.seq, snapshot.status]),
      [[1, 'complete']],
      'the refused run left no snapshot behind',
    );
    await world.sandbox.reset();
  });

  it('the repository lists snapshots newest first and pages through a snapshot’s records', async () => {
    const subject = await world.seededAccount('fxa');
    await world.backup(subject);
    await world.backup(subject);
    const list = await world.repository.list(subject.accountId);
    assert.deepEqual(list.map((snapshot) => snapshot.seq), [2, 1]);
    assert.equal((await world.repository.latestComplete(subject.accountId))?.seq, 2);
    const firstPage = await world.repository.visibleVersions(subject.accountId, 2, 'history', { offset: 0, limit: 50 });
    const secondPage = await world.repository.visibleVersions(subject.accountId, 2, 'history', { offset: 50, limit: 50 });
    assert.equal(firstPage.length, 50);
    assert.ok(secondPage.length > 0);
    assert.ok((firstPage.at(-1)?.bsoId ?? '') < (secondPage[0]?.bsoId ?? ''), 'ordered by id, pages do not overlap');
  });
});
