/** The semantic views of a diff, as pure functions of the records that differ. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  diffBookmarkTrees,
  diffFields,
  diffHistory,
  diffPasswords,
  fieldChanges,
  matchRecord,
  missingBookmarkAncestors,
  type Cleartext,
  type RecordPair,
} from '../../src/diff/index.js';

const folder = (id: string, parentid: string, title: string, children: string[]): Cleartext => ({ id, type: 'folder', parentid, title, children });
const bookmark = (id: string, parentid: string, title: string, bmkUri: string): Cleartext => ({ id, type: 'bookmark', parentid, title, bmkUri });
const tombstone = (id: string): Cleartext => ({ id, deleted: true });

/** Records identical on both sides: the roots, and a Work folder under the menu holding Docs. */
function context(): Map<string, Cleartext> {
  return new Map([
    ['menu', folder('menu', 'places', '', ['work'])],
    ['work', folder('work', 'menu', 'Work', ['docs'])],
  ]);
}

describe('diffBookmarkTrees', () => {
  it('reports a rename and a URL change with the folder path', () => {
    const diff = diffBookmarkTrees({
      pairs: [{ id: 'b1', before: bookmark('b1', 'work', 'Old', 'https://a.example/'), after: bookmark('b1', 'work', 'New', 'https://b.example/') }],
      context: new Map([...context(), ['work', folder('work', 'menu', 'Work', ['b1'])]]),
    });
    assert.deepEqual(diff.renamed, [{ id: 'b1', type: 'bookmark', before: 'Old', after: 'New', place: { parentId: 'work', path: ['Bookmarks Menu', 'Work'], index: 0 } }]);
    assert.deepEqual(diff.urlChanged.map(({ id, before, after }) => ({ id, before, after })), [{ id: 'b1', before: 'https://a.example/', after: 'https://b.example/' }]);
    assert.deepEqual([diff.added, diff.deleted, diff.moved, diff.reordered, diff.otherChanges], [[], [], [], [], []]);
  });

  it('reports a move between folders with the old and new place, and no reorder for the folders it left and joined', () => {
    const diff = diffBookmarkTrees({
      pairs: [
        { id: 'b1', before: bookmark('b1', 'work', 'Doc', 'https://d.example/'), after: bookmark('b1', 'toolbar', 'Doc', 'https://d.example/') },
        { id: 'work', before: folder('work', 'menu', 'Work', ['a', 'b1', 'c']), after: folder('work', 'menu', 'Work', ['a', 'c']) },
        { id: 'toolbar', before: folder('toolbar', 'places', '', ['x']), after: folder('toolbar', 'places', '', ['x', 'b1']) },
      ],
      context: context(),
    });
    assert.deepEqual(diff.moved, [
      { id: 'b1', type: 'bookmark', title: 'Doc', from: { parentId: 'work', path: ['Bookmarks Menu', 'Work'], index: 1 }, to: { parentId: 'toolbar', path: ['Bookmarks Toolbar'], index: 1 } },
    ]);
    assert.deepEqual(diff.reordered, []);
    assert.deepEqual(diff.renamed, []);
  });

  it('reports a reorder within a folder, comparing only the children that stayed', () => {
    const diff = diffBookmarkTrees({
      pairs: [{ id: 'work', before: folder('work', 'menu', 'Work', ['a', 'b', 'gone', 'c']), after: folder('work', 'menu', 'Work', ['c', 'new', 'a', 'b']) }],
      context: context(),
    });
    assert.deepEqual(diff.reordered, [{ id: 'work', title: 'Work', place: { parentId: 'menu', path: ['Bookmarks Menu'], index: 0 }, before: ['a', 'b', 'c'], after: ['c', 'a', 'b'] }]);
  });

  it('nests the contents of a deleted folder under it, whether tombstoned or gone', () => {
    const diff = diffBookmarkTrees({
      pairs: [
        { id: 'work', before: folder('work', 'menu', 'Work', ['f']), after: folder('work', 'menu', 'Work', []) },
        { id: 'f', before: folder('f', 'work', 'Trips', ['s', 'b2']), after: tombstone('f') },
        { id: 's', before: folder('s', 'f', 'Summer', ['b1']), after: tombstone('s') },
        { id: 'b1', before: bookmark('b1', 's', 'Beach', 'https://beach.example/') },
        { id: 'b2', before: bookmark('b2', 'f', 'Map', 'https://map.example/'), after: tombstone('b2') },
      ],
      context: context(),
    });
    assert.equal(diff.deleted.length, 1, 'one top-level deletion: the folder');
    const [trips] = diff.deleted;
    assert.equal(trips?.id, 'f');
    assert.deepEqual(trips?.place, { parentId: 'work', path: ['Bookmarks Menu', 'Work'], index: 0 });
    assert.deepEqual(trips?.children?.map((child) => child.id), ['s', 'b2'], 'in their old order');
    assert.deepEqual(trips?.children?.[0]?.children?.map(({ id, url, place }) => ({ id, url, path: place.path })), [
      { id: 'b1', url: 'https://beach.example/', path: ['Bookmarks Menu', 'Work', 'Trips', 'Summer'] },
    ]);
    assert.deepEqual(diff.reordered, []);
  });

  it('nests added contents under an added folder and lists other field changes', () => {
    const diff = diffBookmarkTrees({
      pairs: [
        { id: 'n', after: folder('n', 'unfiled', 'New', ['n1']) },
        { id: 'n1', after: bookmark('n1', 'n', 'Inside', 'https://in.example/') },
        { id: 'k', before: { ...bookmark('k', 'unfiled', 'K', 'https://k.example/'), keyword: 'old' }, after: { ...bookmark('k', 'unfiled', 'K', 'https://k.example/'), keyword: 'new', tags: ['t'] } },
        { id: 'unfiled', before: folder('unfiled', 'places', '', ['k']), after: folder('unfiled', 'places', '', ['k', 'n']) },
      ],
    });
    assert.deepEqual(diff.added.map(({ id, title, place, children }) => ({ id, title, place, children: children?.map((child) => child.id) })), [
      { id: 'n', title: 'New', place: { parentId: 'unfiled', path: ['Other Bookmarks'], index: 1 }, children: ['n1'] },
    ]);
    assert.deepEqual(diff.otherChanges.map(({ id, changes }) => ({ id, changes })), [
      { id: 'k', changes: [{ field: 'keyword', before: 'old', after: 'new' }, { field: 'tags', after: ['t'] }] },
    ]);
  });

  it('names the unchanged ancestors it needs, level by level, and gives a null path when they cannot be found', () => {
    const pairs: RecordPair[] = [{ id: 'b1', before: bookmark('b1', 'deep', 'Old', 'https://a.example/'), after: bookmark('b1', 'deep', 'New', 'https://a.example/') }];
    assert.deepEqual(missingBookmarkAncestors({ pairs }), ['deep']);
    assert.deepEqual(missingBookmarkAncestors({ pairs, context: new Map([['deep', folder('deep', 'mid', 'Deep', ['b1'])]]) }), ['mid']);
    assert.deepEqual(missingBookmarkAncestors({ pairs, context: new Map([['deep', folder('deep', 'mid', 'Deep', ['b1'])], ['mid', folder('mid', 'toolbar', 'Mid', ['deep'])]]) }), []);
    assert.equal(diffBookmarkTrees({ pairs }).renamed[0]?.place.path, null);
  });

  it('lists records that did not decrypt instead of guessing', () => {
    const diff = diffBookmarkTrees({ pairs: [{ id: 'x', beforeError: 'HMAC mismatch', after: bookmark('x', 'menu', 'X', 'https://x.example/') }] });
    assert.deepEqual(diff.unreadable, [{ id: 'x', side: 'from', error: 'HMAC mismatch' }]);
    assert.deepEqual(diff.added, []);
  });
});

describe('diffPasswords', () => {
  const login = (password: string, extra: Cleartext = {}): Cleartext => ({ id: 'l1', hostname: 'https://site.example', username: 'ann', password, formSubmitURL: 'https://site.example', httpRealm: null, ...extra });

  it('names a changed password without its values', () => {
    const diff = diffPasswords([{ id: 'l1', before: login('old-secret-1'), after: login('new-secret-2', { timePasswordChanged: 5 }) }]);
    assert.deepEqual(diff.changed, [
      { id: 'l1', hostname: 'https://site.example', username: 'ann', fields: ['password', 'timePasswordChanged'], changes: [{ field: 'password', secret: true }, { field: 'timePasswordChanged', after: 5 }] },
    ]);
    assert.doesNotMatch(JSON.stringify(diff), /secret-1|secret-2/);
  });

  it('shows password values only when revealed', () => {
    const diff = diffPasswords([{ id: 'l1', before: login('old-secret-1'), after: login('new-secret-2') }], { revealSecrets: true });
    assert.deepEqual(diff.changed[0]?.changes, [{ field: 'password', before: 'old-secret-1', after: 'new-secret-2' }]);
  });

  it('tells added, tombstoned and removed logins apart, without their passwords', () => {
    const diff = diffPasswords([
      { id: 'a', after: { ...login('pw-a'), id: 'a' } },
      { id: 't', before: { ...login('pw-t'), id: 't' }, after: tombstone('t') },
      { id: 'r', before: { ...login('pw-r'), id: 'r' } },
    ]);
    assert.deepEqual(diff.added, [{ id: 'a', hostname: 'https://site.example', username: 'ann' }]);
    assert.deepEqual(diff.removed.map(({ id, tombstone: viaTombstone }) => [id, viaTombstone]), [['r', false], ['t', true]]);
    assert.doesNotMatch(JSON.stringify(diff), /pw-/);
  });
});

describe('diffHistory', () => {
  it('reports visits added and removed per page, and a new title', () => {
    const before = { id: 'h1', histUri: 'https://h.example/', title: 'Old', visits: [{ date: 3, type: 1 }, { date: 1, type: 1 }] };
    const after = { id: 'h1', histUri: 'https://h.example/', title: 'New', visits: [{ date: 5, type: 2 }, { date: 3, type: 1 }] };
    const diff = diffHistory([{ id: 'h1', before, after }, { id: 'h2', after: { id: 'h2', histUri: 'https://n.example/', title: 'N', visits: [{ date: 9, type: 1 }] } }]);
    assert.deepEqual(diff.changed, [{ id: 'h1', url: 'https://h.example/', title: 'New', visits: 2, titleBefore: 'Old', visitsAdded: [{ date: 5, type: 2 }], visitsRemoved: [{ date: 1, type: 1 }] }]);
    assert.deepEqual(diff.added, [{ id: 'h2', url: 'https://n.example/', title: 'N', visits: 1 }]);
  });
});

describe('diffFields', () => {
  it('lists nested field changes with dotted paths (prefs, addresses)', () => {
    const diff = diffFields('prefs', [{ id: 'p', before: { id: 'p', value: { 'browser.a': 1, 'browser.b': true } }, after: { id: 'p', value: { 'browser.a': 2, 'browser.c': 'x' } } }]);
    assert.deepEqual(diff.changed[0]?.changes, [
      { field: 'value.browser.a', before: 1, after: 2 },
      { field: 'value.browser.b', before: true },
      { field: 'value.browser.c', after: 'x' },
    ]);
  });

  it('masks card numbers to their last four digits unless revealed', () => {
    const card = (number: string, month: number): Cleartext => ({ id: 'c', entry: { 'cc-name': 'Ann', 'cc-number': number, 'cc-exp-month': month } });
    const pairs = [{ id: 'c', before: card('4111111111111111', 1), after: card('5500000000000004', 2) }];
    const masked = diffFields('creditcards', pairs);
    assert.deepEqual(masked.changed, [
      { id: 'c', label: 'Ann ****0004', changes: [{ field: 'entry.cc-exp-month', before: 1, after: 2 }, { field: 'entry.cc-number', secret: true, before: '****1111', after: '****0004' }] },
    ]);
    assert.doesNotMatch(JSON.stringify(masked), /4111111111111111|5500000000000004/);
    assert.deepEqual(diffFields('creditcards', pairs, { revealSecrets: true }).changed[0]?.changes[1], { field: 'entry.cc-number', before: '4111111111111111', after: '5500000000000004' });
  });

  it('ignores key order and labels records by what identifies them', () => {
    assert.deepEqual(fieldChanges({ id: 'x', a: { p: 1, q: 2 } }, { id: 'x', a: { q: 2, p: 1 } }), []);
    const diff = diffFields('clients', [{ id: 'd', after: { id: 'd', name: 'Laptop', type: 'desktop' } }, { id: 'f', before: { id: 'f', name: 'Old phone' }, after: tombstone('f') }]);
    assert.deepEqual(diff.added, [{ id: 'd', label: 'Laptop' }]);
    assert.deepEqual(diff.removed, [{ id: 'f', label: 'Old phone', tombstone: true }]);
  });
});

describe('matchRecord', () => {
  it('finds text in titles and URLs, any case, and never in secrets', () => {
    assert.deepEqual(matchRecord('bookmarks', bookmark('b', 'menu', 'Rust Book', 'https://doc.rust-lang.org/'), 'rust'), { title: 'Rust Book', url: 'https://doc.rust-lang.org/' });
    assert.deepEqual(matchRecord('history', { id: 'h', histUri: 'https://EXAMPLE.org/x', title: null }, 'example.org'), { title: null, url: 'https://EXAMPLE.org/x' });
    assert.equal(matchRecord('bookmarks', tombstone('b'), 'b'), null);
    assert.equal(matchRecord('passwords', { id: 'l', hostname: 'https://a.example', username: 'ann', password: 'needle' }, 'needle'), null);
    assert.equal(matchRecord('creditcards', { id: 'c', entry: { 'cc-name': 'Ann', 'cc-number': '4111111111111111' } }, '4111'), null);
    assert.deepEqual(matchRecord('tabs', { id: 't', clientName: 'Laptop', tabs: [{ title: 'One', urlHistory: ['https://one.example/'] }, { title: 'Needle tab', urlHistory: ['https://two.example/'] }] }, 'needle'), {
      title: 'Needle tab',
      url: 'https://two.example/',
    });
  });
});
