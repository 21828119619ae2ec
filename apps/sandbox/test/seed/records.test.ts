import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADDRESS_ENTRY_VERSION,
  CLIENTS_TTL_SECONDS,
  CREDIT_CARD_ENTRY_VERSION,
  DEFAULT_SEED_NOW,
  DEMO_SEED_SIZE,
  DESKTOP_PREFS_ID,
  FIREFOX_DESKTOP_APP_ID,
  FORMS_TTL_SECONDS,
  HISTORY_TTL_SECONDS,
  LOGIN_SORTINDEX,
  LOGIN_TOMBSTONE_SORTINDEX,
  MAX_VISITS_PER_RECORD,
  TABS_TTL_SECONDS,
  generateSeed,
  type SeedSize,
} from '../../src/seed/index.js';
import {
  BRACED_UUID_PATTERN,
  FXA_DEVICE_ID_PATTERN,
  GUID_PATTERN,
  arrayField,
  collection,
  isTombstone,
  live,
  numberField,
  objectField,
  stringField,
} from './helpers.js';

const SIZE: SeedSize = { bookmarks: 80, history: 1500, passwords: 120, forms: 300, tabs: 3, clients: 5, addons: 20, addresses: 6, creditcards: 8, prefs: true };
const seed = generateSeed('records', SIZE);
const DAY_MS = 86_400_000;

function assertUniqueIds(name: string): void {
  const ids = collection(seed, name).map((record) => record.cleartext.id);
  assert.equal(new Set(ids).size, ids.length, `${name} ids are unique`);
}

test('history: unique URLs, 1 to 20 visits in microseconds, newest first, Places transitions', () => {
  const records = collection(seed, 'history');
  assertUniqueIds('history');
  const urls = records.map((record) => stringField(record, 'histUri'));
  assert.equal(new Set(urls).size, urls.length);
  const transitions = new Set<number>();
  for (const record of records) {
    assert.match(record.cleartext.id, GUID_PATTERN);
    assert.doesNotThrow(() => new URL(stringField(record, 'histUri')));
    assert.equal(record.ttl, HISTORY_TTL_SECONDS);
    assert.ok(Number.isInteger(record.sortindex) && (record.sortindex ?? -1) >= 0, 'sortindex is a frecency');
    const visits = arrayField<{ date: number; type: number }>(record, 'visits');
    assert.ok(visits.length >= 1 && visits.length <= MAX_VISITS_PER_RECORD);
    visits.forEach((visit, index) => {
      assert.deepEqual(Object.keys(visit).sort(), ['date', 'type']);
      assert.ok(Number.isSafeInteger(visit.date));
      // Microseconds: between a decade ago and now, scaled by 1000.
      assert.ok(visit.date <= DEFAULT_SEED_NOW * 1000 && visit.date > (DEFAULT_SEED_NOW - 3650 * DAY_MS) * 1000, `visit date ${visit.date} in µs`);
      const previous = visits[index - 1];
      if (previous) assert.ok(visit.date < previous.date, 'visits descend');
      assert.ok(visit.type >= 1 && visit.type <= 9 && visit.type !== 4, `transition ${visit.type}`);
      transitions.add(visit.type);
    });
  }
  assert.ok(transitions.size >= 6, 'a realistic mix of transitions');
  assert.ok(records.some((record) => /[^\x20-\x7e]/.test(stringField(record, 'title'))), 'some titles are non-ASCII');
  assert.ok(new Set(urls.map((url) => new URL(url).hostname)).size >= 20, 'a few dozen domains');
  assert.ok(records.some((record) => arrayField(record, 'visits').length > 10), 'some pages are visited often');
});

test('history frecency rewards typed and recent visits', () => {
  const records = collection(seed, 'history');
  const typedRecently = records.filter((record) => arrayField<{ date: number; type: number }>(record, 'visits').every((visit) => visit.type === 2 && visit.date > (DEFAULT_SEED_NOW - 4 * DAY_MS) * 1000));
  const redirectsOnly = records.filter((record) => arrayField<{ type: number }>(record, 'visits').every((visit) => visit.type === 5 || visit.type === 6));
  assert.ok(typedRecently.length > 0 && redirectsOnly.length > 0);
  for (const record of typedRecently) assert.ok((record.sortindex ?? 0) >= 2000);
  for (const record of redirectsOnly) assert.equal(record.sortindex, 0);
});

test('passwords: form and HTTP-auth logins, both id styles, sortindex 1 and tombstones at 5,000,000', () => {
  const records = collection(seed, 'passwords');
  assertUniqueIds('passwords');
  const logins = live(records);
  assert.equal(logins.length, SIZE.passwords);
  const tombstones = records.filter(isTombstone);
  assert.equal(tombstones.length, 2);
  for (const tombstone of tombstones) assert.equal(tombstone.sortindex, LOGIN_TOMBSTONE_SORTINDEX);

  const keys = new Set<string>();
  for (const login of logins) {
    assert.ok(BRACED_UUID_PATTERN.test(login.cleartext.id) || GUID_PATTERN.test(login.cleartext.id), `login id ${login.cleartext.id}`);
    assert.equal(login.sortindex, LOGIN_SORTINDEX);
    assert.equal(login.ttl, undefined);
    const httpAuth = login.cleartext.formSubmitURL === null;
    if (httpAuth) {
      assert.equal(typeof login.cleartext.httpRealm, 'string');
      assert.equal(login.cleartext.usernameField, '');
    } else {
      assert.equal(login.cleartext.httpRealm, null);
      assert.equal(new URL(stringField(login, 'formSubmitURL')).origin, stringField(login, 'formSubmitURL'));
      assert.ok(stringField(login, 'passwordField').length > 0);
    }
    assert.equal(new URL(stringField(login, 'hostname')).origin, stringField(login, 'hostname'));
    assert.ok(stringField(login, 'password').length >= 8);
    const created = numberField(login, 'timeCreated');
    const changed = numberField(login, 'timePasswordChanged');
    const used = numberField(login, 'timeLastUsed');
    assert.ok(created <= changed && changed <= used && used <= DEFAULT_SEED_NOW, 'times in order, in ms');
    assert.ok(created > Date.UTC(2015, 0, 1));
    assert.ok(numberField(login, 'timesUsed') >= 1);
    const key = `${stringField(login, 'hostname')}|${String(login.cleartext.httpRealm)}|${stringField(login, 'username')}`;
    assert.equal(keys.has(key), false, `duplicate login ${key}`);
    keys.add(key);
  }
  assert.ok(logins.some((login) => login.cleartext.formSubmitURL === null), 'some HTTP-auth logins');
  assert.ok(logins.some((login) => BRACED_UUID_PATTERN.test(login.cleartext.id)), 'some desktop {uuid} ids');
  assert.ok(logins.some((login) => GUID_PATTERN.test(login.cleartext.id)), 'some 12-character ids');
});

test('forms: unique name/value pairs with 12-character ids and a three-year ttl', () => {
  const records = collection(seed, 'forms');
  assert.equal(records.length, SIZE.forms);
  assertUniqueIds('forms');
  const pairs = new Set<string>();
  for (const record of records) {
    assert.match(record.cleartext.id, GUID_PATTERN);
    assert.equal(record.ttl, FORMS_TTL_SECONDS);
    assert.equal(record.sortindex, undefined);
    assert.deepEqual(Object.keys(record.cleartext).sort(), ['id', 'name', 'value']);
    const pair = `${stringField(record, 'name')}=${stringField(record, 'value')}`;
    assert.ok(stringField(record, 'value').length > 0);
    assert.equal(pairs.has(pair), false);
    pairs.add(pair);
  }
  assert.ok(records.some((record) => record.cleartext.name === 'searchbar-history'));
});

test('prefs: one record keyed by the padded base64url of the desktop app id, with a reset pref', () => {
  const records = collection(seed, 'prefs');
  assert.equal(records.length, 1);
  const [prefs] = records;
  assert.ok(prefs);
  assert.equal(DESKTOP_PREFS_ID, 'e2VjODAzMGY3LWMyMGEtNDY0Zi05YjBlLTEzYTNhOWU5NzM4NH0=');
  assert.equal(prefs.cleartext.id, DESKTOP_PREFS_ID);
  const value = objectField(prefs, 'value');
  assert.ok(Object.keys(value).length >= 10);
  assert.ok(Object.values(value).includes(null), 'a pref reset to default');
  assert.ok(Object.values(value).every((pref) => pref === null || ['string', 'number', 'boolean'].includes(typeof pref)));
  assert.equal(prefs.ttl, undefined);
});

test('clients: desktop and mobile records with FxA device ids and a 180-day ttl', () => {
  const records = collection(seed, 'clients');
  assert.equal(records.length, SIZE.clients);
  assertUniqueIds('clients');
  for (const record of records) {
    assert.equal(record.ttl, CLIENTS_TTL_SECONDS);
    assert.match(stringField(record, 'fxaDeviceId'), FXA_DEVICE_ID_PATTERN);
    assert.deepEqual(record.cleartext.commands, []);
    assert.deepEqual(record.cleartext.protocols, ['1.5']);
    assert.equal(stringField(record, 'application'), 'Firefox');
    assert.match(stringField(record, 'version'), /^\d+\.\d+(\.\d+)?$/);
    assert.ok(stringField(record, 'name').length > 0);
    if (record.cleartext.type === 'desktop') {
      assert.match(record.cleartext.id, GUID_PATTERN);
      assert.equal(record.cleartext.appPackage, FIREFOX_DESKTOP_APP_ID);
      assert.ok(['WINNT', 'Darwin', 'Linux'].includes(stringField(record, 'os')));
    } else {
      assert.equal(record.cleartext.type, 'mobile');
      assert.equal(record.cleartext.id, record.cleartext.fxaDeviceId, 'application-services uses the FxA device id as client id');
      assert.equal(record.cleartext.formfactor, 'phone');
      assert.ok(stringField(record, 'device').length > 0);
      assert.ok(['Android', 'iOS'].includes(stringField(record, 'os')));
    }
  }
  assert.equal(records[0]?.cleartext.type, 'desktop');
});

test('tabs: one record per client with tabs, ids and names taken from the clients', () => {
  const clients = new Map(collection(seed, 'clients').map((record) => [record.cleartext.id, record]));
  const records = collection(seed, 'tabs');
  assert.equal(records.length, SIZE.tabs);
  assertUniqueIds('tabs');
  for (const record of records) {
    const client = clients.get(record.cleartext.id);
    assert.ok(client, `tabs ${record.cleartext.id} belongs to a client`);
    assert.equal(record.cleartext.clientName, client.cleartext.name);
    assert.equal(record.ttl, TABS_TTL_SECONDS);
    const tabs = arrayField<Record<string, unknown>>(record, 'tabs');
    assert.ok(tabs.length >= 1);
    for (const tab of tabs) {
      assert.equal(typeof tab.title, 'string');
      const history = tab.urlHistory as unknown[];
      assert.ok(Array.isArray(history) && history.length >= 1 && history.every((url) => typeof url === 'string'));
      assert.ok(tab.icon === null || typeof tab.icon === 'string');
      const lastUsed = tab.lastUsed as number;
      assert.ok(Number.isInteger(lastUsed) && lastUsed <= DEFAULT_SEED_NOW / 1000 && lastUsed > (DEFAULT_SEED_NOW - 365 * DAY_MS) / 1000, `lastUsed ${lastUsed} in seconds`);
      assert.ok(tab.inactive === undefined || tab.inactive === true, 'inactive is omitted unless true');
    }
  }
});

test('addons: AMO add-ons for desktop Firefox with unique add-on ids', () => {
  const records = collection(seed, 'addons');
  assert.equal(records.length, SIZE.addons);
  assertUniqueIds('addons');
  const addonIds = records.map((record) => stringField(record, 'addonID'));
  assert.equal(new Set(addonIds).size, addonIds.length);
  assert.ok(addonIds.includes('uBlock0@raymondhill.net') || addonIds.length < 14, 'popular add-ons come first');
  for (const record of records) {
    assert.match(record.cleartext.id, GUID_PATTERN);
    assert.equal(record.cleartext.applicationID, FIREFOX_DESKTOP_APP_ID);
    assert.equal(record.cleartext.source, 'amo');
    assert.equal(typeof record.cleartext.enabled, 'boolean');
    assert.equal(record.sortindex, undefined);
    assert.equal(record.ttl, undefined);
  }
});

test('addresses: entries with every autofill field and version 1', () => {
  const records = collection(seed, 'addresses');
  assert.equal(records.length, SIZE.addresses);
  for (const record of records) {
    assert.match(record.cleartext.id, GUID_PATTERN);
    const entry = objectField(record, 'entry');
    for (const field of ['name', 'given-name', 'additional-name', 'family-name', 'organization', 'street-address', 'address-level3', 'address-level2', 'address-level1', 'postal-code', 'country', 'tel', 'email']) {
      assert.equal(typeof entry[field], 'string', field);
    }
    assert.match(String(entry.tel), /^\+\d{8,15}$/);
    assert.match(String(entry.country), /^[A-Z]{2}$/);
    assert.equal(entry.version, ADDRESS_ENTRY_VERSION);
    assert.ok((entry.timeCreated as number) <= (entry.timeLastModified as number));
    assert.equal(typeof entry.timesUsed, 'number');
  }
});

function luhnValid(number: string): boolean {
  let sum = 0;
  [...number].reverse().forEach((character, index) => {
    let digit = Number(character);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  });
  return sum % 10 === 0;
}

test('credit cards: Luhn-valid numbers matching their network, version 3', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  const records = collection(seed, 'creditcards');
  assert.equal(records.length, SIZE.creditcards);
  const prefixes: Record<string, RegExp> = { visa: /^4\d{15}$/, mastercard: /^(5[1-5]|2221|2720)\d+$/, amex: /^3[47]\d{13}$/, discover: /^(6011|65)\d+$/ };
  for (const record of records) {
    const entry = objectField(record, 'entry');
    const number = String(entry['cc-number']);
    assert.ok(luhnValid(number), `${number} passes Luhn`);
    const pattern = prefixes[String(entry['cc-type'])];
    assert.ok(pattern, `known type ${String(entry['cc-type'])}`);
    assert.match(number, pattern);
    assert.ok(Number.isInteger(entry['cc-exp-month']) && (entry['cc-exp-month'] as number) >= 1 && (entry['cc-exp-month'] as number) <= 12);
    assert.ok((entry['cc-exp-year'] as number) >= new Date(DEFAULT_SEED_NOW).getUTCFullYear());
    assert.equal(typeof entry['cc-name'], 'string');
    assert.equal(entry.version, CREDIT_CARD_ENTRY_VERSION);
  }
});

test('only history, forms, clients and tabs carry a ttl', () => {
  const demo = generateSeed('ttl', DEMO_SEED_SIZE);
  const expected: Record<string, number | undefined> = { history: HISTORY_TTL_SECONDS, forms: FORMS_TTL_SECONDS, clients: CLIENTS_TTL_SECONDS, tabs: TABS_TTL_SECONDS };
  for (const { collection: name, records } of demo) {
    for (const record of records) assert.equal(record.ttl, expected[name], `${name} ttl`);
  }
});
