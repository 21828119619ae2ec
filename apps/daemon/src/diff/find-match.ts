import { ROOT_TITLES } from '../sync/index.js';
import { recordLabel } from './semantic/fields.js';
import type { Cleartext } from './semantic/records.js';

/** What a matching record looked like: its title (or name) and URL, where it has them. */
export interface MatchedText {
  title: string | null;
  url: string | null;
}

/** Collections find searches unless told otherwise; meta, crypto and prefs hold nothing to look for. */
export const FIND_COLLECTIONS: readonly string[] = ['bookmarks', 'history', 'passwords', 'forms', 'tabs', 'clients', 'addons', 'addresses', 'creditcards'];

function text(record: Cleartext | undefined, field: string): string | null {
  const value = record?.[field];
  return typeof value === 'string' ? value : null;
}

function contains(value: string | null, needle: string): boolean {
  return value !== null && value.toLowerCase().includes(needle);
}

function entryOf(record: Cleartext): Cleartext | undefined {
  const entry = record['entry'];
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Cleartext) : undefined;
}

/**
 * Whether a record's title or URL (for other collections: its other searchable text) contains
 * `needle` (already lower-cased); secrets (passwords, card numbers) are never searched.
 */
export function matchRecord(collection: string, record: Cleartext, needle: string): MatchedText | null {
  if (record['deleted'] === true) return null;
  const hit = (title: string | null, url: string | null, ...others: Array<string | null>): MatchedText | null =>
    [title, url, ...others].some((value) => contains(value, needle)) ? { title, url } : null;
  switch (collection) {
    case 'bookmarks': {
      const id = text(record, 'id') ?? '';
      const title = Object.hasOwn(ROOT_TITLES, id) ? ROOT_TITLES[id as keyof typeof ROOT_TITLES] : text(record, 'title');
      return hit(title, text(record, 'bmkUri'));
    }
    case 'history':
      return hit(text(record, 'title'), text(record, 'histUri'));
    case 'passwords':
      return hit(text(record, 'username'), text(record, 'hostname'), text(record, 'formSubmitURL'), text(record, 'httpRealm'));
    case 'forms':
      return hit(text(record, 'value'), null, text(record, 'name'));
    case 'tabs': {
      const tabs = record['tabs'];
      if (!Array.isArray(tabs)) return null;
      for (const tab of tabs as unknown[]) {
        if (typeof tab !== 'object' || tab === null) continue;
        const urls = (tab as Cleartext)['urlHistory'];
        const url = Array.isArray(urls) && typeof urls[0] === 'string' ? urls[0] : null;
        const found = hit(text(tab as Cleartext, 'title'), url);
        if (found !== null) return found;
      }
      return null;
    }
    case 'clients':
      return hit(text(record, 'name'), null);
    case 'addons':
      return hit(text(record, 'addonID'), null);
    case 'addresses': {
      const entry = entryOf(record);
      const values = Object.values(entry ?? {}).filter((value): value is string => typeof value === 'string');
      return values.some((value) => contains(value, needle)) ? { title: recordLabel(collection, record), url: null } : null;
    }
    case 'creditcards':
      return contains(text(entryOf(record), 'cc-name'), needle) ? { title: recordLabel(collection, record), url: null } : null;
    default:
      return null;
  }
}
