import { addonShape, type AddonRecord } from './addons.js';
import {
  addressShape,
  creditCardShape,
  type AddressRecord,
  type CreditCardRecord,
} from './autofill.js';
import { bookmarkItemShapes, isBookmarkItemType, type BookmarkItem } from './bookmarks.js';
import { clientShape, type ClientRecord } from './clients.js';
import { describeType, INVALID, readShape, type RecordProblem, type Shape } from './fields.js';
import { formShape, type FormRecord } from './forms.js';
import { cryptoKeysShape, metaGlobalShape, type CryptoKeysRecord, type MetaGlobalRecord } from './global.js';
import { historyShape, type HistoryRecord } from './history.js';
import { checkPasswordKind, passwordShape, type PasswordRecord } from './passwords.js';
import { prefsShape, type PrefsRecord } from './prefs.js';
import { tabsShape, type TabsRecord } from './tabs.js';
import { tombstoneShape, type Tombstone } from './tombstone.js';

/** The typed cleartext of each collection Firefox syncs. */
export interface CollectionRecords {
  bookmarks: BookmarkItem | Tombstone;
  history: HistoryRecord | Tombstone;
  passwords: PasswordRecord | Tombstone;
  forms: FormRecord | Tombstone;
  prefs: PrefsRecord | Tombstone;
  tabs: TabsRecord | Tombstone;
  clients: ClientRecord | Tombstone;
  addons: AddonRecord | Tombstone;
  addresses: AddressRecord | Tombstone;
  creditcards: CreditCardRecord | Tombstone;
  meta: MetaGlobalRecord;
  crypto: CryptoKeysRecord;
}

export type KnownCollection = keyof CollectionRecords;

/** A record of a collection this code has no schema for (e.g. `extension-storage`): kept verbatim. */
export interface OpaqueRecord {
  readonly [field: string]: unknown;
}

export type SyncRecord<C extends string> = C extends KnownCollection ? CollectionRecords[C] : OpaqueRecord;

export interface RecordValidation<R> {
  /**
   * The typed record, or null when it is unusable (no object, no id, unknown bookmark type).
   * It is the input object itself when nothing needed fixing, otherwise a shallow copy with
   * converted values and without unusable ones. Unknown fields are kept either way, and the
   * input is never mutated: re-upload the original cleartext to change nothing.
   */
  readonly record: R | null;
  readonly problems: RecordProblem[];
}

type LiveRecordCheck = (cleartext: Record<string, unknown>, problems: RecordProblem[]) => unknown;

function shapeCheck<T>(shape: Shape<T>, afterwards?: (record: T, problems: RecordProblem[]) => void): LiveRecordCheck {
  return (cleartext, problems) => {
    const record = readShape(shape, cleartext, '', problems);
    if (record !== INVALID) afterwards?.(record, problems);
    return record;
  };
}

function checkBookmarkItem(cleartext: Record<string, unknown>, problems: RecordProblem[]): unknown {
  const type = cleartext.type;
  if (isBookmarkItemType(type)) return readShape<BookmarkItem>(bookmarkItemShapes[type], cleartext, '', problems);
  if (type === undefined) {
    problems.push({ field: 'type', kind: 'missing', message: 'type: missing' });
  } else if (typeof type === 'string') {
    problems.push({ field: 'type', kind: 'invalid-value', message: `type: unknown bookmark type ${JSON.stringify(type.slice(0, 40))}` });
  } else {
    problems.push({ field: 'type', kind: 'wrong-type', message: `type: expected a string, got ${describeType(type)}` });
  }
  return INVALID;
}

const liveRecordChecks: { readonly [C in KnownCollection]: LiveRecordCheck } = {
  bookmarks: checkBookmarkItem,
  history: shapeCheck(historyShape),
  passwords: shapeCheck(passwordShape, checkPasswordKind),
  forms: shapeCheck(formShape),
  prefs: shapeCheck(prefsShape),
  tabs: shapeCheck(tabsShape),
  clients: shapeCheck(clientShape),
  addons: shapeCheck(addonShape),
  addresses: shapeCheck(addressShape),
  creditcards: shapeCheck(creditCardShape),
  meta: shapeCheck(metaGlobalShape),
  crypto: shapeCheck(cryptoKeysShape),
};

/** meta/global and crypto/keys are never deleted by tombstone: clients wipe the server instead. */
const COLLECTIONS_WITHOUT_TOMBSTONES: ReadonlySet<string> = new Set<KnownCollection>(['meta', 'crypto']);

export function isKnownCollection(collection: string): collection is KnownCollection {
  return Object.hasOwn(liveRecordChecks, collection);
}

/**
 * Checks a decrypted cleartext against its collection's record format. Never throws: odd
 * real-world data (string timestamps, missing titles, wrong types) is reported as problems.
 */
export function validateRecord<C extends string>(collection: C, cleartext: unknown): RecordValidation<SyncRecord<C>> {
  const problems: RecordProblem[] = [];
  if (typeof cleartext !== 'object' || cleartext === null || Array.isArray(cleartext)) {
    problems.push({ field: '', kind: 'wrong-type', message: `record: expected an object, got ${describeType(cleartext)}` });
    return { record: null, problems };
  }
  const fields = cleartext as Record<string, unknown>;
  let record: unknown;
  if (!isKnownCollection(collection)) {
    if (typeof fields.id !== 'string') {
      problems.push({ field: 'id', kind: fields.id === undefined ? 'missing' : 'wrong-type', message: 'id: expected a string' });
    }
    record = fields;
  } else if (fields.deleted === true && !COLLECTIONS_WITHOUT_TOMBSTONES.has(collection)) {
    record = readShape(tombstoneShape, fields, '', problems);
  } else {
    record = liveRecordChecks[collection](fields, problems);
  }
  return { record: record === INVALID ? null : (record as SyncRecord<C>), problems };
}
