import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOOKMARK_ROOTS, DEFAULT_SEED_NOW, EMPTY_SEED_SIZE, FOLDER_SORTINDEX, generateSeed } from '../../src/seed/index.js';
import { GUID_PATTERN, arrayField, collection, isTombstone, live, numberField, stringField, type SeedRecord } from './helpers.js';

/**
 * Checks a bookmarks collection the way Firefox's validator and dogear would, returning every
 * problem found: duplicates, orphans, parent/children disagreements, non-folder parents,
 * missing or deleted children, multiple parents, cycles, unreachable items and roots that are
 * missing or misparented.
 */
function treeProblems(records: readonly SeedRecord[]): string[] {
  const problems: string[] = [];
  const items = new Map<string, SeedRecord>();
  const tombstones = new Set<string>();
  for (const record of records) {
    const id = record.cleartext.id;
    if (items.has(id) || tombstones.has(id)) problems.push(`duplicate id ${id}`);
    if (isTombstone(record)) tombstones.add(id);
    else items.set(id, record);
  }
  if (items.has('places')) problems.push('places root uploaded');
  for (const root of BOOKMARK_ROOTS) {
    const record = items.get(root);
    if (!record) problems.push(`missing root ${root}`);
    else if (record.cleartext.parentid !== 'places' || record.cleartext.type !== 'folder') problems.push(`misparented root ${root}`);
  }

  const listedBy = new Map<string, string>();
  for (const [id, record] of items) {
    if (record.cleartext.type !== 'folder') continue;
    for (const child of arrayField<string>(record, 'children')) {
      const previous = listedBy.get(child);
      if (previous !== undefined) problems.push(`${child} listed by ${previous} and ${id}`);
      listedBy.set(child, id);
      if (tombstones.has(child)) problems.push(`${id} lists deleted child ${child}`);
      const childRecord = items.get(child);
      if (!childRecord) problems.push(`${id} lists missing child ${child}`);
      else if (childRecord.cleartext.parentid !== id) problems.push(`${child} has parentid ${String(childRecord.cleartext.parentid)} but is listed by ${id}`);
    }
  }

  for (const [id, record] of items) {
    if ((BOOKMARK_ROOTS as readonly string[]).includes(id)) continue;
    const parentId = stringField(record, 'parentid');
    const parent = items.get(parentId);
    if (!parent) {
      problems.push(`orphan ${id} (parent ${parentId})`);
      continue;
    }
    if (parent.cleartext.type !== 'folder') problems.push(`${id} has non-folder parent ${parentId}`);
    if (listedBy.get(id) !== parentId) problems.push(`${id} not in its parent's children`);
    if (record.cleartext.parentName !== parent.cleartext.title) problems.push(`${id} parentName disagrees with ${parentId}'s title`);
  }

  const reached = new Set<string>();
  const walk = (id: string, path: Set<string>): void => {
    if (path.has(id)) {
      problems.push(`cycle through ${id}`);
      return;
    }
    if (reached.has(id)) return;
    reached.add(id);
    const record = items.get(id);
    if (record?.cleartext.type !== 'folder') return;
    path.add(id);
    for (const child of arrayField<string>(record, 'children')) walk(child, path);
    path.delete(id);
  };
  for (const root of BOOKMARK_ROOTS) walk(root, new Set());
  for (const id of items.keys()) if (!reached.has(id)) problems.push(`${id} unreachable from the roots`);

  for (const record of records) {
    if (record.cleartext.parentid !== undefined && tombstones.has(String(record.cleartext.parentid))) problems.push(`${record.cleartext.id} has a deleted parent`);
  }
  return problems;
}

function bookmarks(seed: string, count: number): SeedRecord[] {
  return collection(generateSeed(seed, { ...EMPTY_SEED_SIZE, bookmarks: count }), 'bookmarks');
}

function depthOf(items: ReadonlyMap<string, SeedRecord>, id: string): number {
  let depth = 0;
  for (let record = items.get(id); record && record.cleartext.parentid !== 'places'; record = items.get(String(record.cleartext.parentid))) depth++;
  return depth;
}

test('the tree checker finds each kind of broken tree', () => {
  const valid = bookmarks('checker', 60);
  assert.deepEqual(treeProblems(valid), []);

  const clone = (): SeedRecord[] => structuredClone(valid);
  const folder = (records: SeedRecord[]): SeedRecord => {
    const found = records.find((record) => record.cleartext.type === 'folder' && !BOOKMARK_ROOTS.includes(record.cleartext.id as never) && arrayField(record, 'children').length > 0);
    if (!found) throw new Error('seed has no non-empty nested folder');
    return found;
  };

  const unlisted = clone();
  arrayField(folder(unlisted), 'children').pop();
  assert.ok(treeProblems(unlisted).some((problem) => problem.includes('not in its parent')));

  const orphaned = clone();
  const orphan = orphaned.find((record) => record.cleartext.type === 'bookmark');
  if (!orphan) throw new Error('seed has no bookmark');
  orphan.cleartext.parentid = 'AAAAAAAAAAAA';
  assert.ok(treeProblems(orphaned).some((problem) => problem.startsWith('orphan')));

  const cyclic = clone();
  const cycleFolder = folder(cyclic);
  arrayField(cycleFolder, 'children').push(cycleFolder.cleartext.id);
  assert.ok(treeProblems(cyclic).some((problem) => problem.startsWith('cycle')));

  const deletedChild = clone();
  const tombstone = deletedChild.find(isTombstone);
  if (!tombstone) throw new Error('seed has no tombstone');
  arrayField(folder(deletedChild), 'children').push(tombstone.cleartext.id);
  assert.ok(treeProblems(deletedChild).some((problem) => problem.includes('deleted child')));
});

test('bookmark trees are valid for many seeds and sizes', () => {
  for (const [seed, count] of [['a', 1], ['b', 5], ['c', 9], ['d', 10], ['e', 150], ['f', 1000], ['g', 5000]] as const) {
    const records = bookmarks(seed, count);
    assert.deepEqual(treeProblems(records), [], `seed ${seed}, ${count} items`);
    const liveItems = live(records).filter((record) => !(BOOKMARK_ROOTS as readonly string[]).includes(record.cleartext.id));
    assert.equal(liveItems.length, count, `seed ${seed}: live items below the roots`);
  }
});

test('roots are folders under places titled by their names, and no places record exists', () => {
  const records = bookmarks('roots', 40);
  assert.deepEqual(
    records.slice(0, 4).map((record) => [record.cleartext.id, record.cleartext.type, record.cleartext.parentid, record.cleartext.parentName, record.cleartext.title, record.sortindex]),
    BOOKMARK_ROOTS.map((root) => [root, 'folder', 'places', '', root, FOLDER_SORTINDEX]),
  );
  assert.equal(records.filter((record) => record.cleartext.id === 'places').length, 0);
});

test('a large tree has every item kind with its fields, nested up to depth five', () => {
  const records = bookmarks('kinds', 3000);
  const items = new Map(live(records).map((record) => [record.cleartext.id, record]));
  const byType = (type: string): SeedRecord[] => live(records).filter((record) => record.cleartext.type === type);

  for (const record of live(records)) {
    const id = record.cleartext.id;
    assert.ok((BOOKMARK_ROOTS as readonly string[]).includes(id) || GUID_PATTERN.test(id), `id ${id}`);
    assert.equal(record.cleartext.hasDupe, true);
    const dateAdded = numberField(record, 'dateAdded');
    assert.ok(Number.isInteger(dateAdded) && dateAdded <= DEFAULT_SEED_NOW && dateAdded > Date.UTC(2010, 0, 1), `dateAdded ${dateAdded} in ms`);
    assert.equal(record.ttl, undefined);
  }

  const bookmarkRecords = byType('bookmark');
  for (const record of bookmarkRecords) {
    assert.ok(stringField(record, 'title').length > 0);
    assert.doesNotThrow(() => new URL(stringField(record, 'bmkUri')));
    assert.ok(arrayField(record, 'tags').every((tag) => typeof tag === 'string'));
  }
  assert.ok(bookmarkRecords.some((record) => arrayField(record, 'tags').length > 0), 'some bookmarks are tagged');
  const keywords = bookmarkRecords.filter((record) => record.cleartext.keyword !== undefined).map((record) => stringField(record, 'keyword'));
  assert.ok(keywords.length > 0, 'some bookmarks have keywords');
  assert.equal(new Set(keywords).size, keywords.length, 'keywords are unique');
  assert.ok(bookmarkRecords.some((record) => typeof record.cleartext.description === 'string'), 'some bookmarks have descriptions');

  const queries = byType('query');
  assert.ok(queries.every((record) => stringField(record, 'bmkUri').startsWith('place:')));
  assert.ok(queries.some((record) => record.cleartext.queryId === 'MostVisited'));
  const tagQueries = queries.filter((record) => typeof record.cleartext.folderName === 'string');
  assert.ok(tagQueries.length > 0);
  for (const record of tagQueries) assert.equal(stringField(record, 'bmkUri'), `place:tag=${encodeURIComponent(stringField(record, 'folderName'))}`);

  const separators = byType('separator');
  assert.ok(separators.length > 0);
  for (const record of separators) {
    const parent = items.get(stringField(record, 'parentid'));
    assert.ok(parent);
    assert.equal(arrayField(parent, 'children').indexOf(record.cleartext.id), numberField(record, 'pos'));
  }

  const folders = byType('folder');
  assert.ok(folders.length > BOOKMARK_ROOTS.length);
  for (const record of folders) assert.equal(record.sortindex, FOLDER_SORTINDEX);
  for (const record of [...bookmarkRecords, ...queries, ...separators]) {
    assert.ok(Number.isInteger(record.sortindex) && (record.sortindex ?? -1) >= 0 && (record.sortindex ?? 0) < FOLDER_SORTINDEX);
  }

  const depths = live(records).map((record) => depthOf(items, record.cleartext.id));
  assert.ok(Math.max(...depths) >= 4, 'folders nest');
  assert.ok(Math.max(...depths) <= 5, 'folders nest at most four deep below a root');
});

test('a few tombstones for deleted items are referenced by no folder', () => {
  const records = bookmarks('tombstones', 150);
  const tombstones = records.filter(isTombstone);
  assert.ok(tombstones.length >= 1 && tombstones.length <= 5);
  const listed = new Set(live(records).flatMap((record) => (record.cleartext.type === 'folder' ? arrayField<string>(record, 'children') : [])));
  for (const tombstone of tombstones) {
    assert.deepEqual(Object.keys(tombstone.cleartext).sort(), ['deleted', 'id']);
    assert.match(tombstone.cleartext.id, GUID_PATTERN);
    assert.equal(listed.has(tombstone.cleartext.id), false);
  }
});
