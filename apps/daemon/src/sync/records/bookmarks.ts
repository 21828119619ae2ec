import { arrayOf, boolean, expected, integer, literal, nullable, optional, string, type Shape } from './fields.js';

/** Fields every bookmark item carries (storage format 5, bookmarks engine version 2). */
interface BookmarkItemBase {
  id: string;
  parentid?: string;
  parentName?: string | null;
  /** Milliseconds; old records stored it as a string. */
  dateAdded?: number;
  hasDupe?: boolean;
}

export interface BookmarkRecord extends BookmarkItemBase {
  type: 'bookmark';
  title?: string | null;
  bmkUri?: string;
  description?: string | null;
  tags?: string[];
  keyword?: string | null;
  /** Legacy: the sidebar went away long ago. */
  loadInSidebar?: boolean;
}

/** A saved search; `bmkUri` is a `place:` URL. */
export interface QueryRecord extends Omit<BookmarkRecord, 'type'> {
  type: 'query';
  /** Tag name, for tag queries. */
  folderName?: string | null;
  queryId?: string | null;
}

export interface FolderRecord extends BookmarkItemBase {
  type: 'folder';
  title?: string | null;
  description?: string | null;
  /** Ordered child ids; together with each child's `parentid` this is the tree. */
  children?: string[];
}

/** Obsolete feed folder. */
export interface LivemarkRecord extends Omit<FolderRecord, 'type'> {
  type: 'livemark';
  feedUri?: string;
  siteUri?: string | null;
}

export interface SeparatorRecord extends BookmarkItemBase {
  type: 'separator';
  /** Position in the parent; only old clients use it (to dedupe). */
  pos?: number;
}

/** Long-removed live-title bookmark. */
export interface MicrosummaryRecord extends Omit<BookmarkRecord, 'type'> {
  type: 'microsummary';
  generatorUri?: string;
  staticTitle?: string;
}

export type BookmarkItem =
  | BookmarkRecord
  | QueryRecord
  | FolderRecord
  | LivemarkRecord
  | SeparatorRecord
  | MicrosummaryRecord;

export type BookmarkItemType = BookmarkItem['type'];

export type BookmarkContainer = FolderRecord | LivemarkRecord;

export function isBookmarkContainer(item: BookmarkItem): item is BookmarkContainer {
  return item.type === 'folder' || item.type === 'livemark';
}

const itemBase: Shape<BookmarkItemBase> = {
  id: string(),
  parentid: expected(string()),
  parentName: optional(nullable(string())),
  dateAdded: optional(integer()),
  hasDupe: optional(boolean()),
};

const bookmarkFields: Shape<Omit<BookmarkRecord, keyof BookmarkItemBase | 'type'>> = {
  title: expected(nullable(string())),
  bmkUri: expected(string()),
  description: optional(nullable(string())),
  tags: optional(arrayOf(string())),
  keyword: optional(nullable(string())),
  loadInSidebar: optional(boolean()),
};

const folderFields: Shape<Omit<FolderRecord, keyof BookmarkItemBase | 'type'>> = {
  title: expected(nullable(string())),
  description: optional(nullable(string())),
  children: expected(arrayOf(string())),
};

export const bookmarkItemShapes: { readonly [T in BookmarkItemType]: Shape<Extract<BookmarkItem, { type: T }>> } = {
  bookmark: { ...itemBase, ...bookmarkFields, type: literal('bookmark') },
  query: {
    ...itemBase,
    ...bookmarkFields,
    type: literal('query'),
    folderName: optional(nullable(string())),
    queryId: optional(nullable(string())),
  },
  folder: { ...itemBase, ...folderFields, type: literal('folder') },
  livemark: {
    ...itemBase,
    ...folderFields,
    children: optional(arrayOf(string())),
    type: literal('livemark'),
    feedUri: expected(string()),
    siteUri: optional(nullable(string())),
  },
  separator: { ...itemBase, type: literal('separator'), pos: optional(integer()) },
  microsummary: {
    ...itemBase,
    ...bookmarkFields,
    type: literal('microsummary'),
    generatorUri: optional(string()),
    staticTitle: optional(string()),
  },
};

export function isBookmarkItemType(type: unknown): type is BookmarkItemType {
  return typeof type === 'string' && Object.hasOwn(bookmarkItemShapes, type);
}

/** Record ids of the Places root and the four user content roots, which sync under their short names. */
export type BookmarkRootId = 'places' | 'menu' | 'toolbar' | 'unfiled' | 'mobile';

export const USER_CONTENT_ROOTS: readonly Exclude<BookmarkRootId, 'places'>[] = ['menu', 'toolbar', 'unfiled', 'mobile'];

/** Local Places GUIDs of the roots: some clients and tools leak them into records. */
const PLACES_GUID_TO_ROOT_ID: ReadonlyMap<string, BookmarkRootId> = new Map([
  ['root________', 'places'],
  ['menu________', 'menu'],
  ['toolbar_____', 'toolbar'],
  ['unfiled_____', 'unfiled'],
  ['mobile______', 'mobile'],
]);

/** Maps Places GUID aliases of the roots to their record ids; every other id is returned unchanged. */
export function normalizeBookmarkId(id: string): string {
  return PLACES_GUID_TO_ROOT_ID.get(id) ?? id;
}

/** The names Firefox shows for the roots (their records rarely carry a useful title). */
export const ROOT_TITLES: { readonly [R in Exclude<BookmarkRootId, 'places'>]: string } = {
  menu: 'Bookmarks Menu',
  toolbar: 'Bookmarks Toolbar',
  unfiled: 'Other Bookmarks',
  mobile: 'Mobile Bookmarks',
};
