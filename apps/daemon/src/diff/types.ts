/**
 * What a diff answers. `collections` is the record-level diff (ids only, from the store's record
 * versions); `semantic` says what changed in words a person uses, per collection. Both are plain
 * JSON: the CLI prints them as they are (`syncvault diff --json`) and the API returns them.
 */

/** Record ids per kind of change, each list sorted. A record is in at most one list. */
export interface CollectionChanges {
  /** Absent on the `from` side, present on the `to` side (not as a tombstone). */
  added: string[];
  /** Present on the `from` side, gone from the `to` side (deleted on the server, or expired). */
  removed: string[];
  /** Present on both sides with different content (a tombstone brought back to life included). */
  changed: string[];
  /** A tombstone (`deleted: true`) on the `to` side where the `from` side had the record or nothing. */
  tombstoned: string[];
}

/** One field that differs, by dotted path (`entry.tel`, `value.browser.startup.homepage`). An absent side means the field was absent. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  /** A password or card number: its values are left out unless secrets were revealed. */
  secret?: true;
}

/** A record that did not decrypt on one side: the semantic view could not say what changed in it. */
export interface UnreadableRecord {
  id: string;
  side: 'from' | 'to';
  error: string;
}

// ---------------------------------------------------------------------------------------------
// Bookmarks: a tree diff
// ---------------------------------------------------------------------------------------------

/** Where a bookmark item hung on one side. */
export interface BookmarkPlace {
  /** The folder listing it (its `parentid`); null when the record names none. */
  parentId: string | null;
  /** Titles of the folders containing it, outermost first (`["Bookmarks Menu", "Work"]`); null when not known (orphans, cycles). */
  path: string[] | null;
  /** Its position among the folder's children on that side, when the folder's record is known. */
  index?: number;
}

/** An item added or deleted; a folder's added or deleted contents nest under it. */
export interface BookmarkEntry {
  id: string;
  type: string;
  title: string;
  url?: string;
  place: BookmarkPlace;
  children?: BookmarkEntry[];
}

export interface BookmarkRename {
  id: string;
  type: string;
  before: string;
  after: string;
  place: BookmarkPlace;
}

export interface BookmarkUrlChange {
  id: string;
  title: string;
  before: string | null;
  after: string | null;
  place: BookmarkPlace;
}

export interface BookmarkMove {
  id: string;
  type: string;
  title: string;
  from: BookmarkPlace;
  to: BookmarkPlace;
}

/** A folder whose children that stayed in it are in another order. */
export interface BookmarkReorder {
  id: string;
  title: string;
  /** Where the folder itself hangs (on the `to` side). */
  place: BookmarkPlace;
  /** Ids of the children present on both sides, in each side's order. */
  before: string[];
  after: string[];
}

/** Changes to anything else of an item (description, tags, keyword, dateAdded, ...). */
export interface BookmarkFieldChanges {
  id: string;
  type: string;
  title: string;
  place: BookmarkPlace;
  changes: FieldChange[];
}

export interface BookmarksDiff {
  kind: 'bookmarks';
  added: BookmarkEntry[];
  /** Deleted by a tombstone or gone from the server. */
  deleted: BookmarkEntry[];
  renamed: BookmarkRename[];
  urlChanged: BookmarkUrlChange[];
  /** To another folder (a new `parentid`). */
  moved: BookmarkMove[];
  reordered: BookmarkReorder[];
  otherChanges: BookmarkFieldChanges[];
  unreadable: UnreadableRecord[];
}

// ---------------------------------------------------------------------------------------------
// Passwords, history, and the field-level view of everything else
// ---------------------------------------------------------------------------------------------

export interface LoginRef {
  id: string;
  hostname: string | null;
  username: string | null;
}

export interface LoginChange extends LoginRef {
  /** Names of the fields that differ (`password`, `username`, `timePasswordChanged`, ...). */
  fields: string[];
  /** The same fields with their values; the password's only when secrets were revealed. */
  changes: FieldChange[];
}

export interface PasswordsDiff {
  kind: 'passwords';
  added: LoginRef[];
  removed: Array<LoginRef & { tombstone: boolean }>;
  changed: LoginChange[];
  unreadable: UnreadableRecord[];
}

export interface HistoryVisitRef {
  /** Microseconds since the epoch, as Sync stores it. */
  date: number;
  /** Transition type (1 link, 2 typed, 3 bookmark, ...). */
  type: number;
}

export interface PageRef {
  id: string;
  url: string | null;
  title: string | null;
  visits: number;
}

export interface PageChange extends PageRef {
  /** Title or URL on the `from` side, when it differs. */
  titleBefore?: string | null;
  urlBefore?: string | null;
  visitsAdded: HistoryVisitRef[];
  visitsRemoved: HistoryVisitRef[];
}

export interface HistoryDiff {
  kind: 'history';
  /** Pages added. */
  added: PageRef[];
  /** Pages removed (tombstoned, or forgotten by the server). */
  removed: Array<PageRef & { tombstone: boolean }>;
  /** Pages whose visits (or title) changed. */
  changed: PageChange[];
  unreadable: UnreadableRecord[];
}

export interface RecordRef {
  id: string;
  /** A few words to recognise the record by (form field name, add-on id, device name, masked card, ...). */
  label: string | null;
}

export interface FieldsDiff {
  kind: 'fields';
  added: RecordRef[];
  removed: Array<RecordRef & { tombstone: boolean }>;
  changed: Array<RecordRef & { changes: FieldChange[] }>;
  unreadable: UnreadableRecord[];
}

export type SemanticDiff = BookmarksDiff | PasswordsDiff | HistoryDiff | FieldsDiff;

/** One side of a diff: a complete snapshot, or what the server holds right now. */
export type DiffSide = number | 'live';

export interface DiffStats {
  /** Record versions that differ between the sides (the only ones looked at). */
  versionsCompared: number;
  /** Stored or live payloads decrypted (changed, added and removed records, and the folders their paths need). */
  decrypted: number;
  /** Live diffs: records read from the server. */
  liveRecordsRead?: number;
}

export interface SnapshotDiff {
  from: number;
  to: DiffSide;
  /** Every collection either side holds (or the one asked for), with its changes (lists may be empty). */
  collections: Record<string, CollectionChanges>;
  /** Per collection with changes: bookmarks as a tree diff, passwords per login, history per page, the rest field by field. */
  semantic: Record<string, SemanticDiff>;
  stats: DiffStats;
}
