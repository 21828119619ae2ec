/**
 * "Keep what the server drops": records the server deleted or forgot stay browsable in the
 * archive, decrypted with the keys of the snapshot that saw them, even across a key rotation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotReader } from '@syncvault/daemon/history';
import { BackupWorld, newGuid } from '../backup/support/backup-world.js';

describe('archive: every record ever backed up', () => {
  let world: BackupWorld;
  before(async () => {
    world = await BackupWorld.start();
  });
  after(() => world.close());

  it('lists records gone from the server with their last content, marks them, and decrypts across a key rotation', async () => {
    const subject = await world.seededAccount('fxa', { history: 6, forms: 2 });
    const { email } = subject.account;
    const reader = new SnapshotReader({ prisma: world.prisma, keyCustody: world.keyCustody });
    const forgotten = newGuid();
    await world.sandbox.writeRecords(email, { collection: 'history', upsert: [{ id: forgotten, histUri: 'https://forgotten.example/', title: 'Forgotten page', visits: [{ date: 1_700_000_000_000_000, type: 1 }] }] });
    await world.backup(subject);

    // The server forgets the page, then the account's keys are rotated and a new page arrives.
    await world.sandbox.writeRecords(email, { collection: 'history', delete: [forgotten] });
    await world.sandbox.control('POST', `/accounts/${encodeURIComponent(email)}/rotate-keys`);
    const fresh = newGuid();
    await world.sandbox.writeRecords(email, { collection: 'history', upsert: [{ id: fresh, histUri: 'https://fresh.example/', title: 'Fresh page', visits: [{ date: 1_700_000_100_000_000, type: 1 }] }] });
    const second = await world.backup(subject);
    assert.equal(second.status, 'complete');

    const latest = await reader.collectionContents(subject.accountId, second.seq, 'history', { limit: 1000 });
    assert.ok(!latest.records.some((record) => record.id === forgotten), 'the newest snapshot no longer has the forgotten page');

    const archive = await reader.archiveContents(subject.accountId, 'history', { limit: 1000 });
    assert.equal(archive.total, latest.total + 1, 'the archive has every page the newest snapshot has, plus the forgotten one');
    const old = archive.records.find((record) => record.id === forgotten);
    assert.ok(old, 'the forgotten page is in the archive');
    assert.equal(old.onServer, false);
    assert.equal(old.firstSeenSeq, 1);
    assert.equal(old.cleartext?.['title'], 'Forgotten page', 'decrypted with the keys in force before the rotation');
    const current = archive.records.find((record) => record.id === fresh);
    assert.ok(current?.onServer);
    assert.equal(current.cleartext?.['title'], 'Fresh page', 'decrypted with the rotated keys');
    assert.deepEqual(archive.records.map((record) => record.id), [...archive.records.map((record) => record.id)].sort(), 'ordered by id');

    const found = await reader.archiveContents(subject.accountId, 'history', { search: 'FORGOTTEN.example' });
    assert.deepEqual(found.records.map((record) => record.id), [forgotten]);
    assert.equal(found.total, 1);

    const page = await reader.archiveContents(subject.accountId, 'history', { offset: 2, limit: 3 });
    assert.deepEqual(page.records.map((record) => record.id), archive.records.slice(2, 5).map((record) => record.id));
    assert.equal(page.total, archive.total);
  });
});
