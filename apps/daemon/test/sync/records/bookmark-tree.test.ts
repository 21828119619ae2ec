import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BookmarkTree,
  validateRecord,
  type BookmarkItem,
  type BookmarkProblemCounts,
  type Tombstone,
} from '../../../src/sync/records/index.js';

type Item = BookmarkItem | Tombstone;

function folder(id: string, parentid: string, title: string, children: string[]): Item {
  return { id, type: 'folder', parentid, title, children };
}

function bookmark(id: string, parentid: string, title: string): Item {
  return { id, type: 'bookmark', parentid, title, bmkUri: `https://example.org/${id}` };
}

function separator(id: string, parentid: string): Item {
  return { id, type: 'separator', parentid };
}

function tombstone(id: string): Item {
  return { id, deleted: true };
}

/** A consistent tree; each broken-tree test changes a few records. */
function healthyRecords(): Item[] {
  return [
    folder('menu', 'places', 'menu', ['workFolder1', 'sepMenu00001']),
    folder('toolbar', 'places', 'toolbar', ['bookmarkTB01']),
    folder('unfiled', 'places', 'unfiled', []),
    folder('mobile', 'places', 'mobile', []),
    folder('workFolder1', 'menu', 'Work', ['docsFolder01', 'bookmarkW001']),
    folder('docsFolder01', 'workFolder1', 'Docs', ['bookmarkD001', 'bookmarkD002']),
    bookmark('bookmarkD001', 'docsFolder01', 'Spec'),
    bookmark('bookmarkD002', 'docsFolder01', 'Notes'),
    bookmark('bookmarkW001', 'workFolder1', 'Wiki'),
    separator('sepMenu00001', 'menu'),
    bookmark('bookmarkTB01', 'toolbar', 'Example'),
  ];
}

const NO_PROBLEMS: BookmarkProblemCounts = {
  orphans: 0,
  missingParents: 0,
  deletedParents: 0,
  nonFolderParents: 0,
  parentChildDisagreements: 0,
  misparentedRoots: 0,
  multipleParents: 0,
  missingChildren: 0,
  deletedChildren: 0,
  duplicateChildren: 0,
  cycles: 0,
};

function replace(records: Item[], ...replacements: Item[]): Item[] {
  const ids = new Set(replacements.map((r) => r.id));
  return [...records.filter((r) => !ids.has(r.id)), ...replacements];
}

describe('BookmarkTree', () => {
  it('navigates a healthy tree and reports no problems', () => {
    const tree = BookmarkTree.fromRecords(healthyRecords());
    assert.deepEqual(tree.problemCounts(), NO_PROBLEMS);
    assert.equal(tree.size, 11);
    assert.deepEqual(
      tree.tops().map((node) => node.id),
      ['menu', 'toolbar', 'unfiled', 'mobile'],
    );
    assert.deepEqual(
      tree.get('workFolder1')?.children.map((node) => node.id),
      ['docsFolder01', 'bookmarkW001'],
    );
    assert.equal(tree.get('bookmarkD002')?.parent?.id, 'docsFolder01');
    assert.equal(tree.root('toolbar')?.children[0]?.id, 'bookmarkTB01');
    assert.deepEqual(tree.folderPath('bookmarkD001'), ['Bookmarks Menu', 'Work', 'Docs']);
    assert.deepEqual(tree.folderPath('bookmarkTB01'), ['Bookmarks Toolbar']);
    assert.deepEqual(tree.folderPath('menu'), []);
    assert.equal(tree.folderPath('no-such-item'), undefined);
  });

  it('normalises Places GUID aliases of the roots', () => {
    const records = replace(
      healthyRecords(),
      folder('menu________', 'root________', 'menu', ['workFolder1', 'sepMenu00001']),
      bookmark('bookmarkW001', 'workFolder1', 'Wiki'),
      folder('workFolder1', 'menu________', 'Work', ['docsFolder01', 'bookmarkW001']),
    ).filter((r) => r.id !== 'menu');
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.problemCounts(), NO_PROBLEMS);
    assert.equal(tree.root('menu')?.id, 'menu');
    assert.equal(tree.get('menu________')?.id, 'menu');
    assert.deepEqual(tree.folderPath('bookmarkD001'), ['Bookmarks Menu', 'Work', 'Docs']);
  });

  it('detects orphans and missing parents', () => {
    const tree = BookmarkTree.fromRecords([...healthyRecords(), bookmark('orphan000001', 'goneFolder01', 'Lost')]);
    assert.deepEqual(tree.report.orphans, ['orphan000001']);
    assert.deepEqual(tree.report.missingParents, [{ id: 'orphan000001', parentId: 'goneFolder01' }]);
    assert.equal(tree.isRooted('orphan000001'), false);
    assert.equal(tree.folderPath('orphan000001'), undefined);
  });

  it('detects non-folder parents', () => {
    const tree = BookmarkTree.fromRecords([...healthyRecords(), bookmark('child0000001', 'bookmarkTB01', 'Under a bookmark')]);
    assert.deepEqual(tree.report.nonFolderParents, [{ id: 'child0000001', parentId: 'bookmarkTB01' }]);
    assert.deepEqual(tree.report.orphans, ['child0000001']);
  });

  it('detects parent/child disagreements, and follows parentid when no folder lists the item', () => {
    const records = replace(healthyRecords(), bookmark('bookmarkW001', 'docsFolder01', 'Wiki'), folder('toolbar', 'places', 'toolbar', []));
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual([...tree.report.parentChildDisagreements].sort(), ['bookmarkTB01', 'bookmarkW001']);
    // children wins over parentid...
    assert.equal(tree.get('bookmarkW001')?.parent?.id, 'workFolder1');
    // ...and an unlisted item still hangs under the folder its parentid names, after the listed ones.
    assert.equal(tree.get('bookmarkTB01')?.parent?.id, 'toolbar');
    assert.deepEqual(
      tree.root('toolbar')?.children.map((node) => node.id),
      ['bookmarkTB01'],
    );
    assert.equal(tree.report.orphans.length, 0);
  });

  it('detects missing, deleted and duplicate children', () => {
    const records = replace(
      healthyRecords(),
      folder('docsFolder01', 'workFolder1', 'Docs', ['bookmarkD001', 'missing00001', 'bookmarkD002', 'bookmarkD001', 'deleted00001']),
      tombstone('deleted00001'),
    );
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.report.missingChildren, [{ parentId: 'docsFolder01', childId: 'missing00001' }]);
    assert.deepEqual(tree.report.deletedChildren, [{ parentId: 'docsFolder01', childId: 'deleted00001' }]);
    assert.deepEqual(tree.report.duplicateChildren, [{ parentId: 'docsFolder01', childId: 'bookmarkD001' }]);
    assert.deepEqual(
      tree.get('docsFolder01')?.children.map((node) => node.id),
      ['bookmarkD001', 'bookmarkD002'],
    );
    assert.equal(tree.isDeleted('deleted00001'), true);
  });

  it('detects deleted parents', () => {
    const tree = BookmarkTree.fromRecords([...healthyRecords(), tombstone('goneFolder01'), bookmark('child0000002', 'goneFolder01', 'x')]);
    assert.deepEqual(tree.report.deletedParents, [{ id: 'child0000002', parentId: 'goneFolder01' }]);
    assert.deepEqual(tree.report.orphans, ['child0000002']);
  });

  it('detects multiple parents', () => {
    const records = replace(healthyRecords(), folder('toolbar', 'places', 'toolbar', ['bookmarkTB01', 'bookmarkD001']));
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.report.multipleParents, [{ id: 'bookmarkD001', parentIds: ['docsFolder01', 'toolbar'] }]);
    assert.deepEqual(tree.report.parentChildDisagreements, ['bookmarkD001']);
    // The folder its parentid names wins.
    assert.equal(tree.get('bookmarkD001')?.parent?.id, 'docsFolder01');
  });

  it('detects cycles and keeps them unrooted', () => {
    const records = [
      ...healthyRecords(),
      folder('loopA0000001', 'loopB0000001', 'A', ['loopB0000001']),
      folder('loopB0000001', 'loopA0000001', 'B', ['loopA0000001', 'inLoop000001']),
      bookmark('inLoop000001', 'loopB0000001', 'inside'),
    ];
    const tree = BookmarkTree.fromRecords(records);
    assert.equal(tree.report.cycles.length, 1);
    assert.deepEqual([...(tree.report.cycles[0] ?? [])].sort(), ['loopA0000001', 'loopB0000001']);
    assert.equal(tree.isRooted('inLoop000001'), false);
    assert.equal(tree.folderPath('inLoop000001'), undefined);
    assert.equal(tree.isRooted('bookmarkD001'), true);
  });

  it('detects misparented roots', () => {
    const records = replace(
      healthyRecords(),
      folder('mobile', 'menu', 'mobile', []),
      folder('menu', 'places', 'menu', ['workFolder1', 'sepMenu00001', 'mobile']),
    );
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.report.misparentedRoots, ['mobile']);
    assert.deepEqual(tree.folderPath('mobile'), []);
    assert.deepEqual(
      tree.root('menu')?.children.map((node) => node.id),
      ['workFolder1', 'sepMenu00001'],
    );
  });

  it('builds from validated records, string dateAdded included', () => {
    const raw = [
      { id: 'menu', type: 'folder', parentid: 'places', title: 'menu', children: ['b2xkQm1rMDAx'] },
      { id: 'b2xkQm1rMDAx', type: 'bookmark', parentid: 'menu', title: 'Old', bmkUri: 'https://old.example/', dateAdded: '1300000000000' },
    ];
    const records = raw.map((cleartext) => validateRecord('bookmarks', cleartext).record).filter((r) => r !== null);
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.folderPath('b2xkQm1rMDAx'), ['Bookmarks Menu']);
    assert.equal(tree.get('b2xkQm1rMDAx')?.record.dateAdded, 1300000000000);
  });

  it('handles a 20 000-item tree with deep nesting', () => {
    const records: Item[] = [folder('menu', 'places', 'menu', ['deep00000000']), folder('unfiled', 'places', 'unfiled', [])];
    const depth = 2000;
    for (let level = 0; level < depth; level++) {
      const id = `deep${String(level).padStart(8, '0')}`;
      const parent = level === 0 ? 'menu' : `deep${String(level - 1).padStart(8, '0')}`;
      const next = level + 1 < depth ? [`deep${String(level + 1).padStart(8, '0')}`] : [];
      records.push(folder(id, parent, `L${level}`, next));
    }
    const flatChildren: string[] = [];
    for (let i = 0; i < 18000; i++) {
      const id = `flat${String(i).padStart(8, '0')}`;
      flatChildren.push(id);
      records.push(bookmark(id, 'unfiled', `Item ${i}`));
    }
    records[1] = folder('unfiled', 'places', 'unfiled', flatChildren);
    const tree = BookmarkTree.fromRecords(records);
    assert.deepEqual(tree.problemCounts(), NO_PROBLEMS);
    assert.equal(tree.size, 2 + depth + 18000);
    assert.equal(tree.folderPath(`deep${String(depth - 1).padStart(8, '0')}`)?.length, depth);
    assert.equal(tree.root('unfiled')?.children.length, 18000);
  });
});
