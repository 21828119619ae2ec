/**
 * Reading snapshots back: real Sync ciphertext (the sync layer's encryptRecord) decrypted with the
 * keys each snapshot recorded, kept through KeyCustody in a test vault; paging, search, masking,
 * and records that do not decrypt.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { keyBundle, type KeyBundle } from '@syncvault/sync-crypto';
import { createPrismaClient, type PrismaClient } from '@syncvault/daemon/store';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import { CollectionKeys, encryptRecord, type RecordCleartext } from '@syncvault/daemon/sync';
import { SnapshotNotCompleteError, SnapshotNotFoundError, SnapshotReader } from '@syncvault/daemon/history';
import { createMigratedDatabase, type ScratchDatabase } from '../support/postgres.js';
import { day, sha256, StoreFixture, type FixtureRecord, type FixtureState } from '../retention/support/store-fixture.js';

const BASE_MODIFIED = 1_700_000_000_000;

function randomRoot(): KeyBundle {
  return keyBundle(randomBytes(32), randomBytes(32));
}

/** The cleartext records every snapshot of the test account holds. */
function cleartexts(): Record<string, RecordCleartext[]> {
  const history = Array.from({ length: 25 }, (_, index) => ({
    id: `hist${String(index).padStart(2, '0')}`,
    histUri: `https://example.com/${index}`,
    title: index === 7 ? 'Needle in the HAYSTACK' : `Page ${index}`,
    visits: [{ date: 1, type: 1 }],
  }));
  return {
    passwords: [{ id: 'pw1', hostname: 'https://example.com', username: 'ann', password: 'hunter2', formSubmitURL: '', httpRealm: null }],
    creditcards: [{ id: 'cc1', entry: { 'cc-name': 'Ann', 'cc-number': '4111111111111111', 'cc-exp-month': 4, 'cc-exp-year': 2030 } }],
    history,
    bookmarks: [
      { id: 'bm-good', type: 'bookmark', title: 'Good title', bmkUri: 'https://good.example/' },
      { id: 'bm-bad', type: 'bookmark', title: 'Tampered', bmkUri: 'https://bad.example/' },
    ],
  };
}

/** A flipped hex digit: the HMAC no longer verifies (the store keeps such records, flagged). */
function tamperHmac(payload: string): string {
  const envelope = JSON.parse(payload) as { hmac: string };
  envelope.hmac = `${envelope.hmac[0] === '0' ? '1' : '0'}${envelope.hmac.slice(1)}`;
  return JSON.stringify(envelope);
}

function encryptedState(keys: CollectionKeys, root: KeyBundle): FixtureState {
  const state: FixtureState = {
    crypto: [{ id: 'keys', payload: keys.encrypt(root) }],
    meta: [{ id: 'global', payload: JSON.stringify({ syncID: 'abcdefghijkl', storageVersion: 5, engines: {} }) }],
  };
  for (const [collection, records] of Object.entries(cleartexts())) {
    state[collection] = records.map((cleartext, index): FixtureRecord => {
      const payload = encryptRecord(collection, cleartext, keys);
      const tampered = cleartext.id === 'bm-bad';
      return { id: cleartext.id, payload: tampered ? tamperHmac(payload) : payload, modified: BASE_MODIFIED + index * 1000, sortindex: index, hmacValid: !tampered };
    });
  }
  return state;
}

describe('SnapshotReader', () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let reader: SnapshotReader;
  let accountId: string;
  let lockedOutId: string;
  const keys1 = CollectionKeys.generate(['passwords']);
  const keys2 = CollectionKeys.generate();
  const fingerprints: string[] = [];

  before(async () => {
    db = createMigratedDatabase();
    prisma = createPrismaClient(db.url);
    const keyCustody = new KeyCustody(prisma, new Vault(randomBytes(32)));
    reader = new SnapshotReader({ prisma, keyCustody });
    const fixture = new StoreFixture(prisma);
    accountId = await fixture.account('alice');

    // Snapshot 1 under the first root bundle and keys; then a password reset (new root) and a key
    // rotation (new crypto/keys) before snapshot 2; snapshot 3 recorded no fingerprint at all.
    const root1 = randomRoot();
    const root2 = randomRoot();
    await keyCustody.keepRootBundle(accountId, root1);
    await keyCustody.keepRootBundle(accountId, root2);
    fingerprints.push(await keyCustody.keepCollectionKeys(accountId, keys1), await keyCustody.keepCollectionKeys(accountId, keys2));
    await fixture.snapshot(accountId, encryptedState(keys1, root1), { startedAt: day(1), keyFingerprint: fingerprints[0] ?? null });
    const second = encryptedState(keys2, root2);
    await fixture.snapshot(accountId, second, { startedAt: day(2), keyFingerprint: fingerprints[1] ?? null });
    await fixture.snapshot(accountId, second, { startedAt: day(3), keyFingerprint: null });
    await fixture.snapshot(accountId, second, { startedAt: day(4), status: 'running' });

    // An account whose snapshot names keys that were never kept, and holds no crypto/keys.
    lockedOutId = await fixture.account('bob');
    await fixture.snapshot(lockedOutId, { passwords: [{ id: 'pw1', payload: encryptRecord('passwords', { id: 'pw1' }, CollectionKeys.generate()) }] }, { startedAt: day(1), keyFingerprint: 'ab'.repeat(32) });
  });
  after(async () => {
    await prisma.$disconnect();
    db.drop();
  });

  it('lists the snapshots oldest first with what they recorded', async () => {
    const snapshots = await reader.listSnapshots(accountId);
    assert.deepEqual(snapshots.map(({ seq, status }) => [seq, status]), [
      [1, 'complete'],
      [2, 'complete'],
      [3, 'complete'],
      [4, 'running'],
    ]);
    assert.equal(snapshots[0]?.collections['history']?.count, 25);
    assert.ok((snapshots[0]?.versionsAdded ?? 0) > 0);
  });

  it('decrypts each snapshot with the keys in force when it was taken, and masks secrets', async () => {
    for (const seq of [1, 2]) {
      const { records } = await reader.collectionContents(accountId, seq, 'passwords');
      assert.deepEqual(records[0]?.cleartext, { id: 'pw1', hostname: 'https://example.com', username: 'ann', password: '********', formSubmitURL: '', httpRealm: null }, `snapshot ${seq}`);
    }
    const revealed = await reader.collectionContents(accountId, 1, 'passwords', { revealSecrets: true });
    assert.equal(revealed.records[0]?.cleartext?.['password'], 'hunter2');
    const cards = await reader.collectionContents(accountId, 2, 'creditcards');
    assert.deepEqual(cards.records[0]?.cleartext?.['entry'], { 'cc-name': 'Ann', 'cc-number': '********', 'cc-exp-month': 4, 'cc-exp-year': 2030 });
  });

  it('opens crypto/keys with whichever kept root bundle fits, and never shows the keys', async () => {
    for (const [index, seq] of [1, 2].entries()) {
      const { records } = await reader.collectionContents(accountId, seq, 'crypto');
      assert.equal(records[0]?.error, undefined);
      assert.equal(records[0]?.cleartext?.['fingerprint'], fingerprints[index]);
      const shown = JSON.stringify(records);
      const keys = index === 0 ? keys1 : keys2;
      assert.ok(!shown.includes(keys.defaultBundle.encKey.toString('base64')) && !shown.includes(keys.defaultBundle.hmacKey.toString('base64')));
    }
  });

  it('reads meta/global as the cleartext JSON it is', async () => {
    const { records } = await reader.collectionContents(accountId, 1, 'meta');
    assert.deepEqual(records[0]?.cleartext, { syncID: 'abcdefghijkl', storageVersion: 5, engines: {} });
  });

  it('falls back to the snapshot’s own crypto/keys when it recorded no fingerprint', async () => {
    const { records } = await reader.collectionContents(accountId, 3, 'passwords');
    assert.equal(records[0]?.cleartext?.['username'], 'ann');
  });

  it('pages newest first', async () => {
    const first = await reader.collectionContents(accountId, 1, 'history', { limit: 10 });
    assert.equal(first.total, 25);
    assert.deepEqual(first.records.map((record) => record.id), Array.from({ length: 10 }, (_, index) => `hist${24 - index}`));
    assert.deepEqual(first.records[0], {
      id: 'hist24',
      modified: BASE_MODIFIED + 24_000,
      sortindex: 24,
      hmacValid: true,
      cleartext: { id: 'hist24', histUri: 'https://example.com/24', title: 'Page 24', visits: [{ date: 1, type: 1 }] },
    });
    const last = await reader.collectionContents(accountId, 1, 'history', { offset: 20, limit: 10 });
    assert.deepEqual(last.records.map((record) => record.id), ['hist04', 'hist03', 'hist02', 'hist01', 'hist00']);
    const beyond = await reader.collectionContents(accountId, 1, 'history', { offset: 30 });
    assert.deepEqual({ total: beyond.total, records: beyond.records }, { total: 25, records: [] });
  });

  it('searches the decrypted JSON, ignoring case, and pages the matches', async () => {
    const needle = await reader.collectionContents(accountId, 2, 'history', { search: 'needle in THE haystack' });
    assert.deepEqual({ total: needle.total, ids: needle.records.map((record) => record.id) }, { total: 1, ids: ['hist07'] });
    // "page 1" is in Page 1 and Page 10..19.
    const page = await reader.collectionContents(accountId, 2, 'history', { search: 'PAGE 1', offset: 5, limit: 4 });
    assert.equal(page.total, 11);
    assert.deepEqual(page.records.map((record) => record.id), ['hist14', 'hist13', 'hist12', 'hist11']);
    const none = await reader.collectionContents(accountId, 2, 'history', { search: 'hunter2' });
    assert.equal(none.total, 0);
  });

  it('does not let a search find masked secrets', async () => {
    assert.equal((await reader.collectionContents(accountId, 1, 'passwords', { search: 'hunter2' })).total, 0);
    assert.equal((await reader.collectionContents(accountId, 1, 'passwords', { search: 'hunter2', revealSecrets: true })).total, 1);
  });

  it('lists a record whose HMAC fails with the reason instead of throwing, in pages and in searches', async () => {
    const { records } = await reader.collectionContents(accountId, 1, 'bookmarks');
    const bad = records.find((record) => record.id === 'bm-bad');
    assert.equal(bad?.cleartext, null);
    assert.equal(bad?.hmacValid, false);
    assert.match(bad?.error ?? '', /HMAC mismatch/);
    assert.equal(records.find((record) => record.id === 'bm-good')?.cleartext?.['title'], 'Good title');
    const byId = await reader.collectionContents(accountId, 1, 'bookmarks', { search: 'BM-BAD' });
    assert.deepEqual(byId.records.map((record) => record.id), ['bm-bad']);
    const byTitle = await reader.collectionContents(accountId, 1, 'bookmarks', { search: 'good title' });
    assert.deepEqual(byTitle.records.map((record) => record.id), ['bm-good']);
  });

  it('says why when the snapshot’s keys are nowhere to be found', async () => {
    const { total, records } = await reader.collectionContents(lockedOutId, 1, 'passwords');
    assert.equal(total, 1);
    assert.equal(records[0]?.cleartext, null);
    assert.match(records[0]?.error ?? '', /not in key custody/);
  });

  it('names a payload missing from the store', async () => {
    const hash = new Uint8Array(sha256(encryptedState(keys1, randomRoot())['meta']?.[0]?.payload ?? ''));
    await prisma.blob.delete({ where: { hash } });
    const { records } = await reader.collectionContents(accountId, 1, 'meta');
    assert.match(records[0]?.error ?? '', /payload is missing/);
  });

  it('refuses unknown and unfinished snapshots and bad pages with clear errors', async () => {
    await assert.rejects(reader.collectionContents(accountId, 9, 'history'), SnapshotNotFoundError);
    await assert.rejects(reader.collectionContents(accountId, 4, 'history'), (error: unknown) => error instanceof SnapshotNotCompleteError && /snapshot 4 is running/.test(error.message));
    await assert.rejects(reader.collectionContents(accountId, 1, 'history', { limit: 0 }), /limit must be a whole number from 1 to 1000/);
    await assert.rejects(reader.collectionContents(accountId, 1, 'history', { offset: -1 }), /offset must be a whole number/);
  });
});
