import type { SeedCollection } from '../contracts.js';
import { generateSyncId, generateUuid } from './ids.js';
import { FIRST_NAMES, LAST_NAMES, emailAddress } from './people.js';
import type { SeededRandom } from './random.js';
import { YEAR_MS, recentTime, timeBetween } from './time.js';

type SeedRecord = SeedCollection['records'][number];

/** application-services uploads live logins at sortindex 1 and tombstones far ahead of them. */
export const LOGIN_SORTINDEX = 1;
export const LOGIN_TOMBSTONE_SORTINDEX = 5_000_000;
const TOMBSTONES = 2;

/** Sites with a login form: origin and the form's field names as the page defines them. */
const FORM_SITES = [
  ['https://accounts.google.com', 'identifier', 'Passwd'],
  ['https://github.com', 'login', 'password'],
  ['https://www.amazon.com', 'email', 'password'],
  ['https://www.amazon.de', 'email', 'password'],
  ['https://www.paypal.com', 'login_email', 'login_password'],
  ['https://login.live.com', 'loginfmt', 'passwd'],
  ['https://www.reddit.com', 'username', 'password'],
  ['https://news.ycombinator.com', 'acct', 'pw'],
  ['https://bugzilla.mozilla.org', 'Bugzilla_login', 'Bugzilla_password'],
  ['https://www.netflix.com', 'userLoginId', 'password'],
  ['https://www.ebay.com', 'userid', 'pass'],
  ['https://www.linkedin.com', 'session_key', 'session_password'],
  ['https://id.atlassian.com', 'username', 'password'],
  ['https://gitlab.com', 'user[login]', 'user[password]'],
  ['https://www.deutschebahn.com', 'username', 'password'],
  ['https://www.booking.com', 'username', 'password'],
  ['https://app.example-bank.de', 'kontonummer', 'pin'],
  ['https://mail.proton.me', 'username', 'password'],
  ['https://www.wikipedia.org', 'wpName', 'wpPassword'],
  ['https://forum.example.org', 'user', 'pass'],
] as const;

/** Devices asking for HTTP authentication: no form, a realm instead. */
const HTTP_AUTH_SITES = [
  ['http://192.168.1.1', 'TP-Link Router'],
  ['http://fritz.box', 'FRITZ!Box'],
  ['https://nas.home.arpa:5001', 'Synology DiskStation'],
  ['https://printer.home.arpa', 'HP LaserJet'],
  ['https://staging.example.com', 'Restricted Area'],
] as const;

/** Firefox's generated passwords avoid look-alike characters. */
const GENERATED_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789-_';
const HUMAN_PASSWORD_WORDS = ['Sunshine', 'Dragon', 'Bluebird', 'Kaffee', 'Sommer', 'Matrix', 'Pancake', 'Nordlicht'] as const;

/**
 * Logins with unique (origin, realm, username). Ids mix desktop's braced UUIDs with
 * application-services' 12-character GUIDs, as an account synced from both has.
 */
export function generatePasswords(rng: SeededRandom, count: number, now: number): SeedRecord[] {
  const ids = new Set<string>();
  const nextId = (): string => {
    let id = loginId(rng);
    while (ids.has(id)) id = loginId(rng);
    ids.add(id);
    return id;
  };
  const seenLogins = new Set<string>();
  const records: SeedRecord[] = [];
  while (records.length < count) {
    const login = rng.chance(0.1) ? httpAuthLogin(rng) : formLogin(rng);
    const key = `${login.hostname}\u0000${login.httpRealm ?? ''}\u0000${login.username}`;
    if (seenLogins.has(key)) continue;
    seenLogins.add(key);
    const timeCreated = recentTime(rng, now, 6 * YEAR_MS, 1);
    const timePasswordChanged = rng.chance(0.6) ? timeCreated : timeBetween(rng, timeCreated, now);
    records.push({
      cleartext: {
        id: nextId(),
        ...login,
        password: rng.chance(0.6) ? rng.string(GENERATED_PASSWORD_ALPHABET, 15) : humanPassword(rng),
        timeCreated,
        timePasswordChanged,
        timeLastUsed: timeBetween(rng, timePasswordChanged, now),
        timesUsed: rng.skewedInt(1, 400, 3),
      },
      sortindex: LOGIN_SORTINDEX,
    });
  }
  for (let i = 0; i < Math.min(TOMBSTONES, count); i++) {
    records.push({ cleartext: { id: nextId(), deleted: true }, sortindex: LOGIN_TOMBSTONE_SORTINDEX });
  }
  return records;
}

function loginId(rng: SeededRandom): string {
  return rng.chance(0.5) ? `{${generateUuid(rng)}}` : generateSyncId(rng);
}

interface LoginTarget {
  hostname: string;
  formSubmitURL: string | null;
  httpRealm: string | null;
  username: string;
  usernameField: string;
  passwordField: string;
}

function formLogin(rng: SeededRandom): LoginTarget {
  const [origin, usernameField, passwordField] = rng.pick(FORM_SITES);
  return { hostname: origin, formSubmitURL: origin, httpRealm: null, username: username(rng), usernameField, passwordField };
}

function httpAuthLogin(rng: SeededRandom): LoginTarget {
  const [origin, realm] = rng.pick(HTTP_AUTH_SITES);
  const user = rng.chance(0.5) ? 'admin' : rng.pick(FIRST_NAMES).toLowerCase();
  return { hostname: origin, formSubmitURL: null, httpRealm: realm, username: user, usernameField: '', passwordField: '' };
}

function username(rng: SeededRandom): string {
  if (rng.chance(0.6)) return emailAddress(rng);
  const first = rng.pick(FIRST_NAMES).toLowerCase();
  return rng.chance(0.5) ? `${first}${rng.int(1, 9999)}` : `${first}_${rng.pick(LAST_NAMES).toLowerCase()}`;
}

function humanPassword(rng: SeededRandom): string {
  return `${rng.pick(HUMAN_PASSWORD_WORDS)}${rng.int(1970, 2024)}${rng.pick(['!', '?', '#', '', '.'])}`;
}
