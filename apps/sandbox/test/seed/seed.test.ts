import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BOOKMARK_ROOTS,
  DEMO_SEED_SIZE,
  EMPTY_SEED_SIZE,
  ENGINE_VERSIONS,
  SeededRandom,
  generateMetaGlobal,
  generateSeed,
  generateSyncId,
  type SeedSize,
} from '../../src/seed/index.js';
import { GUID_PATTERN, collection, live } from './helpers.js';

const ORDER = ['bookmarks', 'history', 'passwords', 'forms', 'prefs', 'tabs', 'clients', 'addons', 'addresses', 'creditcards'];

test('the same seed and size give byte-identical cleartexts', () => {
  const first = generateSeed('same', DEMO_SEED_SIZE);
  const second = generateSeed('same', DEMO_SEED_SIZE);
  assert.deepEqual(first, second);
  assert.equal(JSON.stringify(first), JSON.stringify(second));
});

test('different seeds give different records', () => {
  const one = generateSeed('one', DEMO_SEED_SIZE);
  const two = generateSeed('two', DEMO_SEED_SIZE);
  assert.notDeepEqual(one, two);
  for (const name of ['bookmarks', 'history', 'passwords', 'forms', 'clients', 'addresses', 'creditcards']) {
    const ids = new Set(collection(one, name).map((record) => record.cleartext.id));
    const shared = collection(two, name).filter((record) => ids.has(record.cleartext.id) && !(BOOKMARK_ROOTS as readonly string[]).includes(record.cleartext.id));
    assert.equal(shared.length, 0, `${name} ids differ between seeds`);
  }
});

test('resizing one collection leaves the others unchanged', () => {
  const base = generateSeed('stable', DEMO_SEED_SIZE);
  const moreHistory = generateSeed('stable', { ...DEMO_SEED_SIZE, history: 500 });
  for (const name of ORDER.filter((name) => name !== 'history')) assert.deepEqual(collection(moreHistory, name), collection(base, name), name);
  assert.equal(collection(moreHistory, 'history').length, 500);
});

test('now shifts every timestamp and defaults to a fixed date', () => {
  const later = Date.UTC(2030, 0, 1);
  const defaulted = generateSeed('clock', DEMO_SEED_SIZE);
  const shifted = generateSeed('clock', DEMO_SEED_SIZE, { now: later });
  assert.notDeepEqual(shifted, defaulted);
  const newestVisit = Math.max(...collection(shifted, 'history').map((record) => (record.cleartext.visits as Array<{ date: number }>)[0]?.date ?? 0));
  assert.ok(newestVisit > Date.UTC(2029, 9, 1) * 1000 && newestVisit <= later * 1000);
});

test('counts match the size exactly, and collections come in a fixed order', () => {
  const size: SeedSize = { bookmarks: 37, history: 123, passwords: 11, forms: 17, tabs: 2, clients: 4, addons: 19, addresses: 3, creditcards: 5, prefs: true };
  const seed = generateSeed('counts', size);
  assert.deepEqual(seed.map((entry) => entry.collection), ORDER);
  const bookmarks = live(collection(seed, 'bookmarks'));
  assert.equal(bookmarks.length, size.bookmarks + BOOKMARK_ROOTS.length);
  assert.equal(collection(seed, 'history').length, size.history);
  assert.equal(live(collection(seed, 'passwords')).length, size.passwords);
  assert.equal(collection(seed, 'forms').length, size.forms);
  assert.equal(collection(seed, 'prefs').length, 1);
  assert.equal(collection(seed, 'tabs').length, size.tabs);
  assert.equal(collection(seed, 'clients').length, size.clients);
  assert.equal(collection(seed, 'addons').length, size.addons);
  assert.equal(collection(seed, 'addresses').length, size.addresses);
  assert.equal(collection(seed, 'creditcards').length, size.creditcards);
  for (const { records } of seed) for (const record of records) assert.equal(typeof record.cleartext.id, 'string');
});

test('empty collections are left out, and the empty size gives nothing', () => {
  assert.deepEqual(generateSeed('empty', EMPTY_SEED_SIZE), []);
  const onlyHistory = generateSeed('empty', { ...EMPTY_SEED_SIZE, history: 3 });
  assert.deepEqual(onlyHistory.map((entry) => entry.collection), ['history']);
  const onlyPrefs = generateSeed('empty', { ...EMPTY_SEED_SIZE, prefs: true });
  assert.deepEqual(onlyPrefs.map((entry) => entry.collection), ['prefs']);
});

test('the demo size is a few hundred records across every collection', () => {
  const demo = generateSeed('demo', DEMO_SEED_SIZE);
  assert.deepEqual(demo.map((entry) => entry.collection), ORDER);
  const total = demo.reduce((sum, entry) => sum + entry.records.length, 0);
  assert.ok(total >= 300 && total <= 600, `${total} records`);
});

test('sizes are validated: integers, not negative, tabs no more than clients', () => {
  assert.throws(() => generateSeed('bad', { ...EMPTY_SEED_SIZE, history: -1 }), RangeError);
  assert.throws(() => generateSeed('bad', { ...EMPTY_SEED_SIZE, forms: 1.5 }), RangeError);
  assert.throws(() => generateSeed('bad', { ...EMPTY_SEED_SIZE, tabs: 3, clients: 2 }), /tabs/);
});

test('a large account has every record it was asked for, with unique ids', () => {
  const seed = generateSeed('large', { ...DEMO_SEED_SIZE, history: 50_000, bookmarks: 5_000, passwords: 500 });
  const history = collection(seed, 'history');
  assert.equal(history.length, 50_000);
  assert.equal(new Set(history.map((record) => record.cleartext.id)).size, 50_000);
});

test('generateSyncId makes 12 base64url characters from 9 random bytes, reproducibly', () => {
  const ids = Array.from({ length: 200 }, (_, index) => generateSyncId(new SeededRandom(`sync-${index}`)));
  for (const id of ids) assert.match(id, GUID_PATTERN);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(generateSyncId(new SeededRandom('x')), generateSyncId(new SeededRandom('x')));
  assert.equal(Buffer.from(ids[0] ?? '', 'base64url').length, 9);
});

test('SeededRandom forks are independent of each other and of draws on the parent', () => {
  const parent = new SeededRandom('fork');
  const before = parent.fork('a').nextUint32();
  parent.nextUint32();
  assert.equal(parent.fork('a').nextUint32(), before);
  assert.notEqual(parent.fork('b').nextUint32(), before);
});

test('meta/global lists every engine at its current version with distinct syncIDs', () => {
  const meta = generateMetaGlobal('meta');
  assert.equal(meta.id, 'global');
  assert.equal(meta.storageVersion, 5);
  assert.match(String(meta.syncID), GUID_PATTERN);
  assert.deepEqual(meta.declined, []);
  const engines = meta.engines as Record<string, { version: number; syncID: string }>;
  assert.deepEqual(
    Object.fromEntries(Object.entries(engines).map(([name, engine]) => [name, engine.version])),
    { passwords: 1, clients: 1, addons: 1, addresses: 1, bookmarks: 2, creditcards: 1, forms: 1, history: 1, prefs: 2, tabs: 1 },
  );
  const syncIds = [String(meta.syncID), ...Object.values(engines).map((engine) => engine.syncID)];
  for (const id of syncIds) assert.match(id, GUID_PATTERN);
  assert.equal(new Set(syncIds).size, syncIds.length);
  assert.deepEqual(Object.keys(meta).sort(), ['declined', 'engines', 'id', 'storageVersion', 'syncID']);
});

test('meta/global is deterministic per seed, and declined engines leave engines', () => {
  assert.deepEqual(generateMetaGlobal('meta'), generateMetaGlobal('meta'));
  assert.notEqual(generateMetaGlobal('meta').syncID, generateMetaGlobal('other').syncID);
  const full = generateMetaGlobal('meta');
  const declined = generateMetaGlobal('meta', { declined: ['passwords', 'creditcards'] });
  assert.deepEqual(declined.declined, ['passwords', 'creditcards']);
  const engines = declined.engines as Record<string, unknown>;
  assert.equal('passwords' in engines, false);
  assert.equal('creditcards' in engines, false);
  assert.deepEqual(engines.bookmarks, (full.engines as Record<string, unknown>).bookmarks, 'an engine keeps its syncID whatever else is declined');
  assert.equal(declined.syncID, full.syncID);
  const some = generateMetaGlobal('meta', { engines: ['bookmarks', 'history'] });
  assert.deepEqual(Object.keys(some.engines as object), ['bookmarks', 'history']);
  assert.throws(() => generateMetaGlobal('meta', { engines: ['bogus'] }), RangeError);
  assert.throws(() => generateMetaGlobal('meta', { declined: ['bogus'] }), RangeError);
  assert.equal(Object.keys(ENGINE_VERSIONS).length, 10);
});
