import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTombstone, validateRecord, type BookmarkItem, type KnownCollection } from '../../../src/sync/records/index.js';

const typicalRecords: { readonly [C in KnownCollection]: Record<string, unknown> } = {
  bookmarks: {
    id: 'dGVzdGJtazAx',
    type: 'bookmark',
    title: 'Example',
    bmkUri: 'https://example.org/',
    parentid: 'toolbar',
    parentName: 'Bookmarks Toolbar',
    dateAdded: 1700000000000,
    tags: [],
  },
  history: {
    id: 'aGlzdG9yeTAx',
    histUri: 'https://example.org/page',
    title: 'A page',
    visits: [
      { date: 1700000000000000, type: 1 },
      { date: 1700000100000000, type: 2 },
    ],
  },
  passwords: {
    id: '{5ee0a2c4-7b6d-4c1e-9a57-2f4f0a1b3c4d}',
    hostname: 'https://example.org',
    formSubmitURL: 'https://example.org',
    httpRealm: null,
    username: 'alice',
    password: 'hunter2',
    usernameField: 'user',
    passwordField: 'pass',
    timeCreated: 1700000000000,
    timePasswordChanged: 1700000000000,
    timeLastUsed: 1700000000000,
    timesUsed: 3,
  },
  forms: { id: 'Zm9ybXMwMDAx', name: 'search', value: 'firefox sync' },
  prefs: { id: 'e2VjODAzMGY3LWMyMGEtNDY0Zi05YjBlLTEzYTNhOWU5NzM4NH0', value: { 'browser.startup.page': 3, 'some.reset': null } },
  tabs: {
    id: 'Y2xpZW50MDAx',
    clientName: 'Laptop',
    tabs: [{ title: 'Docs', urlHistory: ['https://example.org/docs'], icon: null, lastUsed: 1700000000, inactive: false }],
  },
  clients: {
    id: 'Y2xpZW50MDAx',
    name: 'Laptop',
    type: 'desktop',
    commands: [{ command: 'wipeEngine', args: ['bookmarks'], flowID: 'f1' }],
    fxaDeviceId: '0123456789abcdef0123456789abcdef',
    version: '120.0',
    protocols: ['1.5'],
    os: 'Linux',
  },
  addons: { id: 'YWRkb24wMDAx', addonID: 'addon@example.org', applicationID: '{ec8030f7-c20a-464f-9b0e-13a3a9e97384}', enabled: true, source: 'amo' },
  addresses: {
    id: 'YWRkcmVzczAx',
    entry: {
      name: 'Alice Example',
      'given-name': 'Alice',
      'family-name': 'Example',
      'street-address': '1 Main St',
      'address-level2': 'Springfield',
      'postal-code': '12345',
      country: 'US',
      tel: '+15555550100',
      email: 'alice@example.org',
      timeCreated: 1700000000000,
      timeLastUsed: 1700000000000,
      timeLastModified: 1700000000000,
      timesUsed: 1,
      version: 1,
    },
  },
  creditcards: {
    id: 'Y2FyZDAwMDAx',
    entry: {
      'cc-name': 'Alice Example',
      'cc-number': '4111111111111111',
      'cc-exp-month': 12,
      'cc-exp-year': 2030,
      'cc-type': 'visa',
      timeCreated: 1700000000000,
      timeLastUsed: 1700000000000,
      timeLastModified: 1700000000000,
      timesUsed: 0,
      version: 3,
    },
  },
  meta: {
    syncID: 'c3luY0lEMDAw',
    storageVersion: 5,
    engines: { bookmarks: { version: 2, syncID: 'Ym9va21hcmtz' }, history: { version: 1, syncID: 'aGlzdG9yeTAw' } },
    declined: ['passwords'],
  },
  crypto: {
    id: 'keys',
    collection: 'crypto',
    default: ['QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A=', 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4A='],
    collections: {},
  },
};

describe('validateRecord', () => {
  for (const [collection, cleartext] of Object.entries(typicalRecords)) {
    it(`accepts a typical ${collection} record without problems and returns it unchanged`, () => {
      const { record, problems } = validateRecord(collection, cleartext);
      assert.deepEqual(problems, []);
      assert.equal(record, cleartext);
    });
  }

  it('accepts every bookmark item type', () => {
    const items: Record<string, unknown>[] = [
      { id: 'cXVlcnkwMDAx', type: 'query', title: 'Recent', bmkUri: 'place:sort=8&maxResults=10', parentid: 'menu', folderName: null, queryId: 'RecentTags' },
      { id: 'Zm9sZGVyMDAx', type: 'folder', title: 'Work', parentid: 'menu', children: ['dGVzdGJtazAx'], description: null },
      { id: 'bGl2ZW1hcmsx', type: 'livemark', title: 'News', parentid: 'menu', feedUri: 'https://example.org/feed', siteUri: 'https://example.org/' },
      { id: 'c2VwYXJhdG9y', type: 'separator', parentid: 'menu', pos: 3 },
      { id: 'bWljcm9zdW1t', type: 'microsummary', title: 'Price', bmkUri: 'https://example.org/item', parentid: 'menu', generatorUri: 'https://example.org/gen', staticTitle: 'Price' },
    ];
    for (const item of items) {
      const { record, problems } = validateRecord('bookmarks', item);
      assert.deepEqual(problems, [], String(item.type));
      assert.equal((record as BookmarkItem).type, item.type);
    }
  });

  it('recognises tombstones in any collection and in bookmarks', () => {
    for (const collection of ['bookmarks', 'history', 'passwords', 'forms', 'tabs', 'clients']) {
      const { record, problems } = validateRecord(collection, { id: 'Z29uZTAwMDAx', deleted: true });
      assert.deepEqual(problems, []);
      assert.ok(record !== null && isTombstone(record));
    }
  });

  it('converts a string dateAdded, reports it, keeps unknown fields and leaves the input alone', () => {
    const cleartext = {
      id: 'b2xkYm1rMDAx',
      type: 'bookmark',
      title: 'Old',
      bmkUri: 'https://example.org/old',
      parentid: 'menu',
      dateAdded: '1300000000000',
      someFutureField: { nested: [1, 2] },
    };
    const snapshot = structuredClone(cleartext);
    const { record, problems } = validateRecord('bookmarks', cleartext);
    assert.deepEqual(cleartext, snapshot);
    assert.notEqual(record, null);
    assert.equal((record as BookmarkItem).dateAdded, 1300000000000);
    assert.deepEqual((record as unknown as Record<string, unknown>).someFutureField, { nested: [1, 2] });
    assert.deepEqual(
      problems.map((p) => [p.field, p.kind]),
      [['dateAdded', 'converted']],
    );
  });

  it('reports a missing title and wrong types without throwing', () => {
    const { record, problems } = validateRecord('bookmarks', {
      id: 'YnJva2VuMDAx',
      type: 'folder',
      parentid: 'menu',
      children: ['YWFhYWFhYWFh', 42, 'YmJiYmJiYmJi'],
      hasDupe: 'yes',
    });
    assert.ok(record !== null && !isTombstone(record) && record.type === 'folder');
    assert.deepEqual(record.children, ['YWFhYWFhYWFh', 'YmJiYmJiYmJi']);
    assert.equal(record.hasDupe, undefined);
    assert.deepEqual(
      problems.map((p) => [p.field, p.kind]),
      [
        ['hasDupe', 'wrong-type'],
        ['title', 'missing'],
        ['children[1]', 'wrong-type'],
      ],
    );
  });

  it('returns null with a problem for unusable records', () => {
    const cases: [string, unknown, string][] = [
      ['bookmarks', 'not an object', ''],
      ['bookmarks', ['an', 'array'], ''],
      ['bookmarks', { type: 'bookmark', title: 'no id' }, 'id'],
      ['bookmarks', { id: 'bm9UeXBlMDAx', title: 'no type' }, 'type'],
      ['bookmarks', { id: 'd2VpcmRUeXBl', type: 'tagfolder' }, 'type'],
      ['history', { id: 7, histUri: 'https://example.org/' }, 'id'],
    ];
    for (const [collection, cleartext, field] of cases) {
      const { record, problems } = validateRecord(collection, cleartext);
      assert.equal(record, null, JSON.stringify(cleartext));
      assert.ok(problems.some((p) => p.field === field), JSON.stringify(problems));
    }
  });

  it('drops unusable visits, converts fractional microseconds and flags odd transitions', () => {
    const { record, problems } = validateRecord('history', {
      id: 'aGlzdG9yeTAy',
      histUri: 'https://example.org/',
      visits: [{ date: 1700000000000000.5, type: 1 }, { type: 2 }, { date: 1700000000000001, type: 42 }],
    });
    assert.ok(record !== null && !isTombstone(record));
    assert.deepEqual(record.visits, [
      { date: 1700000000000000, type: 1 },
      { date: 1700000000000001, type: 42 },
    ]);
    assert.deepEqual(
      problems.map((p) => [p.field, p.kind]),
      [
        ['visits[0].date', 'converted'],
        ['visits[1].date', 'missing'],
        ['visits[2].type', 'invalid-value'],
      ],
    );
  });

  it('flags a login that is both a form login and an HTTP-auth login, never quoting values', () => {
    const { record, problems } = validateRecord('passwords', {
      id: '{11111111-2222-3333-4444-555555555555}',
      hostname: 'https://example.org',
      formSubmitURL: 'https://example.org',
      httpRealm: 'realm',
      username: 'alice',
      password: 12345,
      unknownLoginsField: 'kept',
    });
    assert.notEqual(record, null);
    assert.equal((record as unknown as Record<string, unknown>).unknownLoginsField, 'kept');
    assert.deepEqual(
      problems.map((p) => [p.field, p.kind]),
      [
        ['password', 'wrong-type'],
        ['formSubmitURL', 'invalid-value'],
      ],
    );
    assert.ok(problems.every((p) => !p.message.includes('12345') && !p.message.includes('alice')));
  });

  it('accepts old tab records with string and float lastUsed', () => {
    const { record, problems } = validateRecord('tabs', {
      id: 'Y2xpZW50MDAy',
      clientName: 'Old phone',
      tabs: [
        { title: 'A', urlHistory: ['https://a.example/'], icon: '', lastUsed: '1300000000' },
        { title: 'B', urlHistory: ['https://b.example/'], lastUsed: 1300000000.25 },
      ],
    });
    assert.ok(record !== null && !isTombstone(record));
    assert.deepEqual(
      record.tabs?.map((tab) => tab.lastUsed),
      [1300000000, 1300000000.25],
    );
    assert.deepEqual(
      problems.map((p) => [p.field, p.kind]),
      [['tabs[0].lastUsed', 'converted']],
    );
  });

  it('checks meta/global storage version and crypto/keys key pairs', () => {
    const meta = validateRecord('meta', { syncID: 'c3luY0lEMDAw', storageVersion: 4, engines: {} });
    assert.deepEqual(
      meta.problems.map((p) => [p.field, p.kind]),
      [['storageVersion', 'invalid-value']],
    );
    const keys = validateRecord('crypto', { id: 'keys', default: ['c2hvcnQ=', 'YWJj'], collections: { forms: ['x'] } });
    assert.notEqual(keys.record, null);
    assert.equal(keys.record?.default, undefined);
    assert.deepEqual(
      keys.problems.map((p) => [p.field, p.kind]),
      [
        ['default', 'invalid-value'],
        ['collections.forms', 'invalid-value'],
      ],
    );
  });

  it('keeps records of unknown collections as opaque records', () => {
    const cleartext = { id: 'ZXh0MDAwMDAx', data: '{"a":1}', anything: [1, 2, 3] };
    const { record, problems } = validateRecord('extension-storage', cleartext);
    assert.equal(record, cleartext);
    assert.deepEqual(problems, []);
    const noId = validateRecord('extension-storage', { data: 'x' });
    assert.notEqual(noId.record, null);
    assert.deepEqual(
      noId.problems.map((p) => [p.field, p.kind]),
      [['id', 'missing']],
    );
  });
});
