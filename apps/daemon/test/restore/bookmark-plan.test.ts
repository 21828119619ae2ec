import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BookmarkRestoreError, insertAtOriginalPosition, planBookmarkRestore, planBookmarkTreeRestore, subtreeIds, type BookmarkJson } from '../../src/restore/bookmark-plan.js';

const folder = (id: string, parentid: string, children: string[], title = id): BookmarkJson => ({ id, type: 'folder', parentid, title, children });
const item = (id: string, parentid: string): BookmarkJson => ({ id, type: 'bookmark', parentid, title: id, bmkUri: `https://${id}/` });
const tombstone = (id: string): BookmarkJson => ({ id, deleted: true });
const byId = (...records: BookmarkJson[]) => new Map(records.map((record) => [record.id, record]));

describe('insertAtOriginalPosition', () => {
  it('goes after the nearest earlier sibling still there, else before the nearest later one, else at the end', () => {
    assert.deepEqual(insertAtOriginalPosition(['a', 'c'], ['a', 'b', 'c'], 'b'), ['a', 'b', 'c']);
    assert.deepEqual(insertAtOriginalPosition(['x', 'c'], ['a', 'b', 'c'], 'b'), ['x', 'b', 'c'], 'a is gone: before c');
    assert.deepEqual(insertAtOriginalPosition(['x', 'y'], ['a', 'b', 'c'], 'b'), ['x', 'y', 'b'], 'no old neighbour left: at the end');
    assert.deepEqual(insertAtOriginalPosition(['a', 'b'], ['a', 'b'], 'b'), ['a', 'b'], 'already there: unchanged');
    assert.deepEqual(insertAtOriginalPosition(['c', 'a'], ['a', 'b', 'c'], 'b'), ['c', 'a', 'b'], 'siblings reordered since: after a wherever a is now');
  });
});

describe('subtreeIds', () => {
  it('lists a folder and everything under it once, even in a cycle, skipping tombstones', () => {
    const snapshot = byId(folder('f', 'menu', ['a', 'g']), item('a', 'f'), folder('g', 'f', ['b', 'f', 'gone']), item('b', 'g'), tombstone('gone'));
    assert.deepEqual(subtreeIds(snapshot, 'f'), ['f', 'a', 'g', 'b']);
  });
});

describe('planBookmarkRestore', () => {
  const snapshot = byId(folder('menu', 'places', ['f', 'x']), folder('f', 'menu', ['a', 'b']), item('a', 'f'), item('b', 'f'), item('x', 'menu'));

  it('recreates deleted ancestors up to the first live one, each folder listing only what will be under it', () => {
    const live = byId(folder('menu', 'places', ['x']), tombstone('f'), tombstone('a'), tombstone('b'), item('x', 'menu'));
    const changes = planBookmarkRestore({ snapshot, live, ids: ['b'] });
    const records = new Map(changes.map((change) => [change.id, change]));
    assert.deepEqual([...records.keys()].sort(), ['b', 'f', 'menu']);
    assert.equal(records.get('f')!.reason, 'ancestor-recreated');
    assert.deepEqual(records.get('f')!.record['children'], ['b']);
    assert.deepEqual(records.get('menu')!.record['children'], ['f', 'x']);
  });

  it('an item that lives elsewhere now is taken out of its current folder', () => {
    const live = byId(folder('menu', 'places', ['f', 'x']), folder('f', 'menu', ['a']), item('a', 'f'), folder('x', 'menu', ['b']), item('b', 'x'));
    const changes = new Map(planBookmarkRestore({ snapshot, live, ids: ['b'] }).map((change) => [change.id, change]));
    assert.deepEqual(changes.get('f')!.record['children'], ['a', 'b']);
    assert.equal(changes.get('x')!.reason, 'old-parent-children-updated');
    assert.deepEqual(changes.get('x')!.record['children'], []);
    assert.equal(changes.get('b')!.record['parentid'], 'f');
  });

  it('writes nothing when the server already has the item as the snapshot does', () => {
    assert.deepEqual(planBookmarkRestore({ snapshot, live: snapshot, ids: ['a'] }), []);
  });

  it('into a new folder: the top items move into it, it goes at the end of Other Bookmarks', () => {
    const live = byId(folder('unfiled', 'places', ['u']), item('u', 'unfiled'), folder('menu', 'places', ['x']), tombstone('f'), tombstone('a'), tombstone('b'));
    const changes = new Map(planBookmarkRestore({ snapshot, live, ids: ['f', 'a', 'b'], intoNewFolder: { id: 'restored0001', title: 'Restored 2026-12-02', dateAdded: 1 } }).map((change) => [change.id, change]));
    assert.deepEqual(changes.get('restored0001')!.record['children'], ['f']);
    assert.equal(changes.get('f')!.record['parentid'], 'restored0001');
    assert.deepEqual(changes.get('f')!.record['children'], ['a', 'b']);
    assert.deepEqual(changes.get('unfiled')!.record['children'], ['u', 'restored0001']);
    assert.equal(changes.has('menu'), false);
  });

  it('refuses the Places root and items the snapshot does not have', () => {
    assert.throws(() => planBookmarkRestore({ snapshot, live: snapshot, ids: ['places'] }), BookmarkRestoreError);
    assert.throws(() => planBookmarkRestore({ snapshot, live: snapshot, ids: ['zzz'] }), /no bookmark item zzz/);
  });
});

describe('planBookmarkTreeRestore', () => {
  it('writes what differs, deletes what is newer, never touches roots or places', () => {
    const snapshot = byId(folder('menu', 'places', ['a']), item('a', 'menu'));
    const live = byId(folder('menu', 'places', ['a', 'n']), { ...item('a', 'menu'), title: 'renamed' }, item('n', 'menu'), folder('places', '', []), folder('mobile', 'places', []));
    const changes = planBookmarkTreeRestore(snapshot, live).map((change) => `${change.reason}:${change.id}`).sort();
    assert.deepEqual(changes, ['deleted:n', 'restored:a', 'restored:menu']);
  });
});
