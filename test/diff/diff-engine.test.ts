/**
 * Diff and "when did it vanish?" against real backups: a sandbox account backed up by the real
 * engine into a real Postgres, changed on the sandbox as other clients would, backed up again,
 * then diffed snapshot to snapshot and snapshot to live server, with every decryption counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiffEngine, KeyedDecoders, type BookmarksDiff, type DecoderSource, type FieldsDiff, type HistoryDiff, type PasswordsDiff, type RecordDecoder } from '@syncvault/daemon/diff';
import { SnapshotNotCompleteError, SnapshotNotFoundError } from '@syncvault/daemon/history';
import { BackupWorld, type BackedUpAccount } from '../backup/support/backup-world.js';
import {
  CARD_NUMBERS,
  id,
  NEEDLE,
  NEEDLE_BOOKMARK,
  NEEDLE_PAGE,
  passwordOf,
  RECORD_COLLECTIONS,
  RENAMED_NEEDLE,
  writeFirstState,
  writeSecondState,
  writeThirdState,
  type RecordWrite,
} from './support/account-history.js';

interface Opened {
  side: 'stored' | 'live';
  seq?: number;
  collection: string;
  id: string;
}

/** Decoders that note every payload they open. */
function countingDecoders(inner: DecoderSource, opened: Opened[]): DecoderSource {
  const wrap = (decode: RecordDecoder, note: Omit<Opened, 'id'>): RecordDecoder => (version) => {
    opened.push({ ...note, id: version.bsoId });
    return decode(version);
  };
  return {
    stored: async (accountId, seq, collection) => wrap(await inner.stored(accountId, seq, collection), { side: 'stored', seq, collection }),
    live: async (connection, collection) => wrap(await inner.live(connection, collection), { side: 'live', collection }),
  };
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

describe('diff engine against real backups', () => {
  let world: BackupWorld;
  let subject: BackedUpAccount;
  let opened: Opened[];
  let engine: DiffEngine;

  before(async () => {
    world = await BackupWorld.start();
    subject = await world.seededAccount('fxa', {});
    const write = (changes: RecordWrite) => world.sandbox.writeRecords(subject.account.email, changes);
    await writeFirstState(write);
    assert.equal((await world.backup(subject)).seq, 1);
    await writeSecondState(write);
    assert.equal((await world.backup(subject)).seq, 2);
    await writeThirdState(write);
    assert.equal((await world.backup(subject)).seq, 3);
    opened = [];
    engine = new DiffEngine({
      prisma: world.prisma,
      keyCustody: world.keyCustody,
      decoders: countingDecoders(new KeyedDecoders({ prisma: world.prisma, keyCustody: world.keyCustody }), opened),
      openConnection: async () => (await world.connect(subject.account)).connection,
    });
  });
  after(() => world?.close());

  it('sorts every change kind of every collection into added, removed, changed and tombstoned', async () => {
    const diff = await engine.diffSnapshots(subject.accountId, 1, 2);
    for (const collection of RECORD_COLLECTIONS) {
      assert.deepEqual(
        diff.collections[collection],
        { added: [id(collection, 'added')], removed: [id(collection, 'removed')], changed: [id(collection, 'changed')], tombstoned: [id(collection, 'tombstoned')] },
        collection,
      );
    }
    assert.deepEqual(diff.collections['bookmarks'], {
      added: ['nb'],
      removed: ['beach'],
      changed: sorted(['mobile', 'p1', 'toolbar', 'u1', 'unfiled', 'w1', 'w2', 'w3', 'work']),
      tombstoned: ['map', 'summer', 'trips'],
    });
    for (const unchanged of ['meta', 'crypto']) assert.deepEqual(diff.collections[unchanged], { added: [], removed: [], changed: [], tombstoned: [] }, `${unchanged} is listed, unchanged`);
    assert.deepEqual(Object.keys(diff.semantic).sort(), sorted(['bookmarks', ...RECORD_COLLECTIONS]), 'a semantic view for each collection with changes');
  });

  it('decrypts only the records that changed, were added or removed, and the folders their paths need', async () => {
    opened.length = 0;
    const history = await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'history' });
    const changes = history.collections['history']!;
    assert.deepEqual(Object.keys(history.collections), ['history']);
    // The to side of every record on it; the from side of changed, tombstoned and removed ones.
    assert.deepEqual(sorted(opened.filter((entry) => entry.seq === 2).map((entry) => entry.id)), sorted([...changes.added, ...changes.changed, ...changes.tombstoned]));
    assert.deepEqual(sorted(opened.filter((entry) => entry.seq === 1).map((entry) => entry.id)), sorted([...changes.removed, ...changes.changed, ...changes.tombstoned]));
    assert.equal(history.stats.decrypted, opened.length);
    assert.ok(!opened.some((entry) => entry.id === id('history', 'kept') || entry.id === NEEDLE_PAGE), 'unchanged pages are never opened');

    opened.length = 0;
    const recordOnly = await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'history', semantic: false });
    assert.deepEqual(recordOnly.collections, history.collections, 'the same record-level answer without the semantic view');
    assert.deepEqual(recordOnly.semantic, {});
    assert.ok(!opened.some((entry) => entry.id === id('history', 'removed')), 'without the semantic view, removed records are not opened');

    opened.length = 0;
    const bookmarks = await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'bookmarks' });
    const touched = new Set(Object.values(bookmarks.collections['bookmarks']!).flat());
    const extra = sorted(new Set(opened.map((entry) => entry.id).filter((openedId) => !touched.has(openedId))));
    assert.deepEqual(extra, ['projects'], 'beyond the records that differ, only the unchanged folder holding p1 was opened (for its path)');
    assert.equal(opened.filter((entry) => entry.id === 'projects').length, 1, 'once, for both sides');
    for (const unchanged of ['tb1', 'u2', 'u3', NEEDLE_BOOKMARK]) assert.ok(!opened.some((entry) => entry.id === unchanged), `${unchanged} was not opened`);
  });

  it('shows the bookmark changes as a tree diff', async () => {
    const diff = (await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'bookmarks' })).semantic['bookmarks'] as BookmarksDiff;
    assert.equal(diff.kind, 'bookmarks');
    assert.deepEqual(diff.renamed.map(({ id: itemId, before: was, after: is, place }) => ({ itemId, was, is, path: place.path })), [
      { itemId: 'p1', was: 'Plan', is: 'Plan B', path: ['Bookmarks Menu', 'Work', 'Projects'] },
      { itemId: 'u1', was: 'Old needle notes', is: 'Plain notes', path: ['Other Bookmarks'] },
      { itemId: 'w1', was: 'Old name', is: 'New name', path: ['Bookmarks Menu', 'Work'] },
    ]);
    assert.deepEqual(diff.urlChanged.map(({ id: itemId, before: was, after: is }) => ({ itemId, was, is })), [{ itemId: 'w2', was: 'https://old-docs.example/', is: 'https://new-docs.example/' }]);
    assert.deepEqual(diff.moved, [
      { id: 'w3', type: 'bookmark', title: 'Wanderer', from: { parentId: 'work', path: ['Bookmarks Menu', 'Work'], index: 2 }, to: { parentId: 'toolbar', path: ['Bookmarks Toolbar'], index: 1 } },
    ]);
    assert.deepEqual(diff.reordered.map(({ id: folderId, before: was, after: is }) => ({ folderId, was, is })), [{ folderId: 'unfiled', was: ['u1', 'u2', 'u3'], is: ['u3', 'u1', 'u2'] }]);
    assert.deepEqual(diff.added.map(({ id: itemId, url, place }) => ({ itemId, url, place })), [{ itemId: 'nb', url: 'https://nb.example/', place: { parentId: 'mobile', path: ['Mobile Bookmarks'], index: 0 } }]);
    // The folder deleted with its children: one entry, its contents nested (tombstoned or gone alike).
    assert.deepEqual(diff.deleted.map(({ id: itemId, place }) => ({ itemId, place })), [{ itemId: 'trips', place: { parentId: 'unfiled', path: ['Other Bookmarks'], index: 0 } }]);
    const trips = diff.deleted[0]!;
    assert.deepEqual(trips.children?.map((child) => child.id), ['summer', 'map']);
    assert.deepEqual(trips.children?.[0]?.children?.map(({ id: itemId, url, place }) => ({ itemId, url, path: place.path })), [
      { itemId: 'beach', url: 'https://beach.example/', path: ['Other Bookmarks', 'Trips', 'Summer'] },
    ]);
    assert.deepEqual(diff.otherChanges, []);
    assert.deepEqual(diff.unreadable, []);
  });

  it('names changed password fields without showing a password, unless revealed', async () => {
    const diff = await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'passwords' });
    const passwords = diff.semantic['passwords'] as PasswordsDiff;
    assert.deepEqual(passwords.changed.map(({ id: loginId, hostname, fields }) => ({ loginId, hostname, fields })), [{ loginId: id('passwords', 'changed'), hostname: `https://${id('passwords', 'changed')}.example`, fields: ['password'] }]);
    assert.deepEqual(passwords.changed[0]?.changes, [{ field: 'password', secret: true }]);
    assert.deepEqual(passwords.removed.map(({ id: loginId, tombstone }) => [loginId, tombstone]), [[id('passwords', 'removed'), false], [id('passwords', 'tombstoned'), true]]);
    const text = JSON.stringify(diff);
    assert.doesNotMatch(text, /s3cret/, 'no password value anywhere in the answer');

    const revealed = await engine.diffSnapshots(subject.accountId, 1, 2, { collection: 'passwords', revealSecrets: true });
    assert.deepEqual((revealed.semantic['passwords'] as PasswordsDiff).changed[0]?.changes, [
      { field: 'password', before: passwordOf(id('passwords', 'changed'), 0), after: passwordOf(id('passwords', 'changed'), 1) },
    ]);
  });

  it('shows history visits added per page, fields per record and masked card numbers', async () => {
    const diff = await engine.diffSnapshots(subject.accountId, 1, 2);
    const history = diff.semantic['history'] as HistoryDiff;
    assert.deepEqual(history.changed.map(({ id: pageId, visitsAdded, visitsRemoved }) => ({ pageId, added: visitsAdded.length, removed: visitsRemoved.length })), [{ pageId: id('history', 'changed'), added: 1, removed: 0 }]);
    assert.deepEqual(history.added.map((page) => page.id), [id('history', 'added')]);
    const forms = diff.semantic['forms'] as FieldsDiff;
    assert.deepEqual(forms.changed, [{ id: id('forms', 'changed'), label: `field-${id('forms', 'changed')}`, changes: [{ field: 'value', before: 'value 0', after: 'value 1' }] }]);
    const prefs = diff.semantic['prefs'] as FieldsDiff;
    assert.deepEqual(prefs.changed[0]?.changes, [{ field: 'value.browser.startup.page', before: 0, after: 1 }]);
    const cards = diff.semantic['creditcards'] as FieldsDiff;
    assert.deepEqual(cards.changed[0]?.changes.find((change) => change.field === 'entry.cc-number'), { field: 'entry.cc-number', secret: true, before: '****1111', after: '****0004' });
    const text = JSON.stringify(diff);
    for (const number of CARD_NUMBERS) assert.ok(!text.includes(number), 'no full card number in the answer');
    assert.doesNotMatch(text, /s3cret/);
  });

  it('diffs backwards in time as well', async () => {
    const diff = await engine.diffSnapshots(subject.accountId, 2, 1, { collection: 'forms' });
    // Back from 2 to 1: the record added in 2 was not there yet, the deleted one was, the tombstone was a live record.
    assert.deepEqual(diff.collections['forms'], { added: [id('forms', 'removed')], removed: [id('forms', 'added')], changed: sorted([id('forms', 'changed'), id('forms', 'tombstoned')]), tombstoned: [] });
    assert.deepEqual((await engine.diffSnapshots(subject.accountId, 2, 2)).collections['forms'], { added: [], removed: [], changed: [], tombstoned: [] });
  });

  it('diffs a snapshot against the live server without storing anything, opening only what differs', async () => {
    const email = subject.account.email;
    await world.sandbox.writeRecords(email, { collection: 'history', upsert: [{ id: 'live-new', histUri: 'https://live.example/', title: 'Live', visits: [{ date: 1_700_000_000_000_000, type: 1 }] }] });
    await world.sandbox.writeRecords(email, { collection: 'passwords', upsert: [{ id: id('passwords', 'kept'), hostname: 'https://changed-live.example', formSubmitURL: 'https://changed-live.example', httpRealm: null, username: 'someone', password: 'pw-live-s3cret' }] });
    await world.sandbox.writeRecords(email, { collection: 'forms', tombstone: [id('forms', 'kept')] });
    const snapshotsBefore = await world.prisma.snapshot.count({ where: { accountId: subject.accountId } });
    const versionsBefore = await world.versionCount(subject.accountId);

    opened.length = 0;
    const diff = await engine.diffSnapshots(subject.accountId, 3, 'live');
    assert.equal(diff.to, 'live');
    for (const [collection, changes] of Object.entries(diff.collections)) {
      const expected = {
        history: { added: ['live-new'], removed: [], changed: [], tombstoned: [] },
        passwords: { added: [], removed: [], changed: [id('passwords', 'kept')], tombstoned: [] },
        forms: { added: [], removed: [], changed: [], tombstoned: [id('forms', 'kept')] },
      }[collection] ?? { added: [], removed: [], changed: [], tombstoned: [] };
      assert.deepEqual(changes, expected, collection);
    }
    assert.ok(diff.stats.liveRecordsRead !== undefined && diff.stats.liveRecordsRead > 40, 'every live record was read');
    assert.deepEqual(sorted(opened.filter((entry) => entry.side === 'live').map((entry) => entry.id)), sorted(['live-new', id('passwords', 'kept'), id('forms', 'kept')]));
    assert.deepEqual(sorted(opened.filter((entry) => entry.side === 'stored').map((entry) => entry.id)), sorted([id('passwords', 'kept'), id('forms', 'kept')]));
    const passwords = diff.semantic['passwords'] as PasswordsDiff;
    assert.deepEqual(passwords.changed[0]?.fields, ['formSubmitURL', 'hostname', 'password', 'passwordField', 'username', 'usernameField']);
    assert.doesNotMatch(JSON.stringify(diff), /s3cret/);
    assert.equal(await world.prisma.snapshot.count({ where: { accountId: subject.accountId } }), snapshotsBefore, 'no snapshot written');
    assert.equal(await world.versionCount(subject.accountId), versionsBefore, 'no record version written');
  });

  it('finds when a bookmark vanished, with its folder path then, decrypting each version once', async () => {
    opened.length = 0;
    const found = await engine.findAcrossSnapshots(subject.accountId, NEEDLE.toUpperCase());
    assert.equal(found.snapshotsSearched, 3);
    const byId = new Map(found.matches.map((match) => [match.id, match]));
    const guide = byId.get(NEEDLE_BOOKMARK);
    assert.ok(guide, 'the deleted bookmark is found');
    assert.deepEqual({ ...guide, firstSeen: guide.firstSeen.seq, lastSeen: guide.lastSeen.seq, gone: guide.gone && { seq: guide.gone.seq, how: guide.gone.how } }, {
      collection: 'bookmarks',
      id: NEEDLE_BOOKMARK,
      title: 'The Needle Guide',
      url: 'https://needle.example/guide',
      path: ['Bookmarks Menu', 'Work'],
      firstSeen: 1,
      lastSeen: 2,
      gone: { seq: 3, how: 'deleted' },
    });
    const renamed = byId.get(RENAMED_NEEDLE);
    assert.deepEqual([renamed?.lastSeen.seq, renamed?.gone?.seq, renamed?.gone?.how, renamed?.path], [1, 2, 'changed', ['Other Bookmarks']]);
    const page = byId.get(NEEDLE_PAGE);
    assert.deepEqual([page?.collection, page?.title, page?.lastSeen.seq, page?.gone], ['history', 'A NEEDLE in history', 3, null]);
    assert.equal(found.total, 3);
    assert.deepEqual(found.matches.map((match) => match.id), [NEEDLE_BOOKMARK, RENAMED_NEEDLE, NEEDLE_PAGE], 'most recently vanished first, still present last');

    const searchedVersions = await world.prisma.recordVersion.count({ where: { accountId: subject.accountId, collection: { in: ['bookmarks', 'history', 'passwords', 'forms', 'tabs', 'clients', 'addons', 'addresses', 'creditcards'] } } });
    assert.equal(found.versionsDecrypted, searchedVersions, 'every stored version decrypted exactly once');
    assert.equal(opened.length, searchedVersions);
  });

  it('refuses unknown and incomplete snapshots and empty searches with errors that say so', async () => {
    await assert.rejects(engine.diffSnapshots(subject.accountId, 1, 99), SnapshotNotFoundError);
    const other = await world.accountRow(subject.account);
    await world.prisma.snapshot.create({ data: { accountId: other, seq: 1, status: 'running', trigger: 'test' } });
    await assert.rejects(engine.diffSnapshots(other, 1, 'live'), SnapshotNotCompleteError);
    await assert.rejects(engine.findAcrossSnapshots(subject.accountId, '  '), { name: 'DiffInputError' });
    assert.deepEqual(await engine.findAcrossSnapshots(other, 'x'), { text: 'x', snapshotsSearched: 0, total: 0, matches: [], versionsDecrypted: 0 });
  });
});
