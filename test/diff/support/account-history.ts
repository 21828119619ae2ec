/**
 * A Sync account's life in three acts, written on the sandbox as other Firefox clients would:
 * the state backed up as snapshot 1, the changes before snapshot 2 (every change kind in every
 * collection, and the bookmark tree cases), and the changes before snapshot 3 (a bookmark
 * deleted, for "when did it vanish?"). The diff tests, the CLI test and the API test share it.
 */

/** What the sandbox control API takes to write records. */
export interface RecordWrite {
  collection: string;
  upsert?: Array<Record<string, unknown>>;
  tombstone?: string[];
  delete?: string[];
}

export type Writer = (write: RecordWrite) => Promise<unknown>;

/** Collections diffed field by field, plus passwords and history: each gets the same four change kinds. */
export const RECORD_COLLECTIONS = ['history', 'passwords', 'forms', 'prefs', 'addons', 'addresses', 'creditcards', 'tabs', 'clients'] as const;

/** Per collection: `<c>-changed` changes, `<c>-tombstoned` gets a tombstone, `<c>-removed` is deleted outright, `<c>-kept` stays, `<c>-added` is new. */
export const id = (collection: string, role: 'changed' | 'tombstoned' | 'removed' | 'kept' | 'added'): string => `${collection}-${role}`;

/** The password of a login in a given version: tests check that none of them leaks. */
export const passwordOf = (recordId: string, version: number): string => `pw-${recordId}-v${version}-s3cret`;
export const CARD_NUMBERS = ['4111111111111111', '5500000000000004'] as const;

const VISIT_BASE = 1_700_000_000_000_000;

/** A record of `collection` in its `version`-th form (0 first). */
export function makeRecord(collection: string, recordId: string, version: number): Record<string, unknown> {
  switch (collection) {
    case 'history':
      return { id: recordId, histUri: `https://pages.example/${recordId}`, title: `Page ${recordId}`, visits: Array.from({ length: version + 1 }, (_, index) => ({ date: VISIT_BASE + index * 1000, type: 1 })) };
    case 'passwords':
      return { id: recordId, hostname: `https://${recordId}.example`, formSubmitURL: `https://${recordId}.example`, httpRealm: null, username: `user-${recordId}`, password: passwordOf(recordId, version), usernameField: 'u', passwordField: 'p' };
    case 'forms':
      return { id: recordId, name: `field-${recordId}`, value: `value ${version}` };
    case 'prefs':
      return { id: recordId, value: { 'browser.startup.page': version, 'browser.search.region': 'NL' } };
    case 'addons':
      return { id: recordId, addonID: `${recordId}@addons.example`, applicationID: '{ec8030f7-c20a-464f-9b0e-13a3a9e97384}', enabled: version === 0, source: 'amo' };
    case 'addresses':
      return { id: recordId, entry: { name: `Person ${recordId}`, 'street-address': `${version + 1} Main Street`, country: 'NL' } };
    case 'creditcards':
      return { id: recordId, entry: { 'cc-name': `Card ${recordId}`, 'cc-number': CARD_NUMBERS[version % 2], 'cc-exp-month': version + 1, 'cc-exp-year': 2030 } };
    case 'tabs':
      return { id: recordId, clientName: `Device ${recordId}`, tabs: [{ title: `Tab ${version}`, urlHistory: [`https://tabs.example/${version}`], icon: null, lastUsed: 1_700_000_000 }] };
    case 'clients':
      return { id: recordId, name: `Device ${recordId}`, type: 'desktop', version: `${120 + version}`, protocols: ['1.5'] };
    default:
      throw new Error(`no record maker for ${collection}`);
  }
}

const folder = (recordId: string, parentid: string, title: string, children: string[]) => ({ id: recordId, type: 'folder', parentid, parentName: '', title, children });
const bookmark = (recordId: string, parentid: string, title: string, bmkUri: string) => ({ id: recordId, type: 'bookmark', parentid, parentName: '', title, bmkUri });

/** The history page and bookmark "when did it vanish?" looks for. */
export const NEEDLE = 'needle';
export const NEEDLE_BOOKMARK = 'wn';
export const NEEDLE_PAGE = 'hn';
/** A bookmark whose title held the needle until it was renamed (before snapshot 2). */
export const RENAMED_NEEDLE = 'u1';

/** Snapshot 1. */
export async function writeFirstState(write: Writer): Promise<void> {
  await write({
    collection: 'bookmarks',
    upsert: [
      folder('menu', 'places', 'menu', ['work']),
      folder('toolbar', 'places', 'toolbar', ['tb1']),
      folder('unfiled', 'places', 'unfiled', ['trips', 'u1', 'u2', 'u3']),
      folder('mobile', 'places', 'mobile', []),
      folder('work', 'menu', 'Work', ['w1', 'w2', 'w3', NEEDLE_BOOKMARK, 'projects']),
      folder('projects', 'work', 'Projects', ['p1']),
      bookmark('p1', 'projects', 'Plan', 'https://p1.example/'),
      bookmark('w1', 'work', 'Old name', 'https://w1.example/'),
      bookmark('w2', 'work', 'Docs', 'https://old-docs.example/'),
      bookmark('w3', 'work', 'Wanderer', 'https://w3.example/'),
      bookmark(NEEDLE_BOOKMARK, 'work', 'The Needle Guide', 'https://needle.example/guide'),
      bookmark('tb1', 'toolbar', 'Toolbar link', 'https://tb1.example/'),
      folder('trips', 'unfiled', 'Trips', ['summer', 'map']),
      folder('summer', 'trips', 'Summer', ['beach']),
      bookmark('beach', 'summer', 'Beach', 'https://beach.example/'),
      bookmark('map', 'trips', 'Map', 'https://map.example/'),
      bookmark(RENAMED_NEEDLE, 'unfiled', 'Old needle notes', 'https://u1.example/'),
      bookmark('u2', 'unfiled', 'Second', 'https://u2.example/'),
      bookmark('u3', 'unfiled', 'Third', 'https://u3.example/'),
    ],
  });
  for (const collection of RECORD_COLLECTIONS) {
    await write({ collection, upsert: (['changed', 'tombstoned', 'removed', 'kept'] as const).map((role) => makeRecord(collection, id(collection, role), 0)) });
  }
  await write({ collection: 'history', upsert: [{ id: NEEDLE_PAGE, histUri: 'https://needle.example/page', title: 'A NEEDLE in history', visits: [{ date: VISIT_BASE, type: 2 }] }] });
}

/**
 * Before snapshot 2: w1 renamed (and p1, in the unchanged folder Projects), w2 given a new URL, w3 moved to the toolbar, unfiled reordered
 * (and u1 renamed), folder Trips deleted with its contents (tombstones, and Beach deleted
 * outright), a new bookmark on mobile; in every other collection one record changed, one
 * tombstoned, one deleted outright and one added.
 */
export async function writeSecondState(write: Writer): Promise<void> {
  await write({
    collection: 'bookmarks',
    upsert: [
      bookmark('w1', 'work', 'New name', 'https://w1.example/'),
      bookmark('w2', 'work', 'Docs', 'https://new-docs.example/'),
      bookmark('w3', 'toolbar', 'Wanderer', 'https://w3.example/'),
      folder('work', 'menu', 'Work', ['w1', 'w2', NEEDLE_BOOKMARK, 'projects']),
      bookmark('p1', 'projects', 'Plan B', 'https://p1.example/'),
      folder('toolbar', 'places', 'toolbar', ['tb1', 'w3']),
      folder('unfiled', 'places', 'unfiled', ['u3', 'u1', 'u2']),
      bookmark(RENAMED_NEEDLE, 'unfiled', 'Plain notes', 'https://u1.example/'),
      folder('mobile', 'places', 'mobile', ['nb']),
      bookmark('nb', 'mobile', 'New on phone', 'https://nb.example/'),
    ],
    tombstone: ['trips', 'summer', 'map'],
  });
  await write({ collection: 'bookmarks', delete: ['beach'] });
  for (const collection of RECORD_COLLECTIONS) {
    await write({ collection, upsert: [makeRecord(collection, id(collection, 'changed'), 1), makeRecord(collection, id(collection, 'added'), 0)], tombstone: [id(collection, 'tombstoned')] });
    await write({ collection, delete: [id(collection, 'removed')] });
  }
}

/** Before snapshot 3: the needle bookmark deleted (tombstone, and its folder updated). */
export async function writeThirdState(write: Writer): Promise<void> {
  await write({ collection: 'bookmarks', upsert: [folder('work', 'menu', 'Work', ['w1', 'w2', 'projects'])], tombstone: [NEEDLE_BOOKMARK] });
}
