/**
 * Deterministic seed data: cleartext Sync records shaped exactly as Firefox desktop and
 * application-services write them, for sandbox accounts, tests, benchmarks and the demo.
 * meta/global comes from generateMetaGlobal; crypto/keys is the caller's.
 */
import type { SeedCollection } from '../contracts.js';
import { generateAddons } from './addons.js';
import { generateAddresses, generateCreditCards } from './autofill.js';
import { generateBookmarks } from './bookmarks.js';
import { generateClients, generateDevices, generateTabs } from './devices.js';
import { generateForms } from './forms.js';
import { generateHistory } from './history.js';
import { generatePasswords } from './passwords.js';
import { generatePrefs } from './prefs.js';
import { SeededRandom } from './random.js';
import { DEFAULT_SEED_NOW } from './time.js';

export { SeededRandom } from './random.js';
export { generateSyncId, FIREFOX_DESKTOP_APP_ID } from './ids.js';
export { generateMetaGlobal, ENGINE_VERSIONS, STORAGE_VERSION, type MetaGlobalOptions } from './meta-global.js';
export { BOOKMARK_ROOTS, FOLDER_SORTINDEX } from './bookmarks.js';
export { HISTORY_TTL_SECONDS, MAX_VISITS_PER_RECORD } from './history.js';
export { LOGIN_SORTINDEX, LOGIN_TOMBSTONE_SORTINDEX } from './passwords.js';
export { FORMS_TTL_SECONDS } from './forms.js';
export { CLIENTS_TTL_SECONDS, TABS_TTL_SECONDS } from './devices.js';
export { DESKTOP_PREFS_ID } from './prefs.js';
export { ADDRESS_ENTRY_VERSION, CREDIT_CARD_ENTRY_VERSION } from './autofill.js';
export { DEFAULT_SEED_NOW } from './time.js';

/**
 * How much of each collection a seed holds. Counts are live records: bookmarks counts items
 * below the roots (folders and separators included, the four roots not), and bookmarks and
 * passwords add a few tombstones on top. `tabs` is how many of the clients sync tabs.
 */
export interface SeedSize {
  bookmarks: number;
  history: number;
  passwords: number;
  forms: number;
  tabs: number;
  clients: number;
  addons: number;
  addresses: number;
  creditcards: number;
  prefs: boolean;
}

/** A few hundred records in all: enough for the demo to look lived-in. */
export const DEMO_SEED_SIZE: Readonly<SeedSize> = Object.freeze({
  bookmarks: 150,
  history: 200,
  passwords: 25,
  forms: 40,
  tabs: 2,
  clients: 3,
  addons: 8,
  addresses: 3,
  creditcards: 2,
  prefs: true,
});

export const EMPTY_SEED_SIZE: Readonly<SeedSize> = Object.freeze({
  bookmarks: 0,
  history: 0,
  passwords: 0,
  forms: 0,
  tabs: 0,
  clients: 0,
  addons: 0,
  addresses: 0,
  creditcards: 0,
  prefs: false,
});

export interface GenerateSeedOptions {
  /** "Now" in ms for every timestamp; defaults to DEFAULT_SEED_NOW so output never depends on the clock. */
  now?: number;
}

const COUNTED_COLLECTIONS = ['bookmarks', 'history', 'passwords', 'forms', 'tabs', 'clients', 'addons', 'addresses', 'creditcards'] as const;

/**
 * The cleartext records of every non-empty collection, in the order bookmarks, history,
 * passwords, forms, prefs, tabs, clients, addons, addresses, creditcards. The same seed and
 * size always give identical records; each collection draws from its own stream, so resizing
 * one leaves the others unchanged (tabs follow the clients they belong to).
 */
export function generateSeed(seed: string, size: SeedSize, options: GenerateSeedOptions = {}): SeedCollection[] {
  for (const name of COUNTED_COLLECTIONS) {
    const count = size[name];
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`seed size ${name} must be a non-negative integer, got ${count}`);
  }
  if (size.tabs > size.clients) throw new RangeError(`seed size tabs (${size.tabs}) exceeds clients (${size.clients}): every tabs record belongs to a client`);
  const now = options.now ?? DEFAULT_SEED_NOW;
  const root = new SeededRandom(seed);
  const devices = generateDevices(root.fork('clients'), size.clients);

  const collections: SeedCollection[] = [
    { collection: 'bookmarks', records: size.bookmarks > 0 ? generateBookmarks(root.fork('bookmarks'), size.bookmarks, now) : [] },
    { collection: 'history', records: generateHistory(root.fork('history'), size.history, now) },
    { collection: 'passwords', records: generatePasswords(root.fork('passwords'), size.passwords, now) },
    { collection: 'forms', records: generateForms(root.fork('forms'), size.forms) },
    { collection: 'prefs', records: size.prefs ? generatePrefs(root.fork('prefs')) : [] },
    { collection: 'tabs', records: generateTabs(root.fork('tabs'), devices.slice(0, size.tabs), now) },
    { collection: 'clients', records: generateClients(devices) },
    { collection: 'addons', records: generateAddons(root.fork('addons'), size.addons) },
    { collection: 'addresses', records: generateAddresses(root.fork('addresses'), size.addresses, now) },
    { collection: 'creditcards', records: generateCreditCards(root.fork('creditcards'), size.creditcards, now) },
  ];
  return collections.filter((collection) => collection.records.length > 0);
}
