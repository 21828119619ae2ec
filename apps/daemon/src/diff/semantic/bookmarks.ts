import { normalizeBookmarkId, ROOT_TITLES } from '../../sync/index.js';
import type { BookmarkEntry, BookmarkPlace, BookmarksDiff, BookmarkReorder } from '../types.js';
import { fieldChanges, liveRecord, splitUnreadable, stringField, type Cleartext, type RecordPair } from './records.js';

const PLACES_ROOT = 'places';
/** Fields the tree diff reports in its own terms (or that only describe the tree). */
const TREE_FIELDS: ReadonlySet<string> = new Set(['id', 'title', 'bmkUri', 'parentid', 'parentName', 'children', 'pos']);
const WITH_URL: ReadonlySet<string> = new Set(['bookmark', 'query', 'microsummary']);

/** A bookmark item as the tree diff reads it; undefined for an absent record or a tombstone. */
interface Item {
  id: string;
  type: string;
  title: string;
  url: string | null;
  parentId: string | null;
  children: string[] | null;
  record: Cleartext;
}

function isRootId(id: string): id is keyof typeof ROOT_TITLES {
  return Object.hasOwn(ROOT_TITLES, id);
}

function itemOf(id: string, cleartext: Cleartext | undefined): Item | undefined {
  const record = liveRecord(cleartext);
  if (record === undefined) return undefined;
  const type = stringField(record, 'type') ?? 'unknown';
  const parentid = stringField(record, 'parentid');
  const children = record['children'];
  return {
    id,
    type,
    title: isRootId(id) ? ROOT_TITLES[id] : (stringField(record, 'title') ?? ''),
    url: stringField(record, 'bmkUri'),
    parentId: parentid === null ? null : normalizeBookmarkId(parentid),
    children: Array.isArray(children) ? children.filter((child): child is string => typeof child === 'string').map(normalizeBookmarkId) : null,
    record,
  };
}

export interface BookmarkDiffInput {
  /** Every bookmark record that differs between the sides. */
  pairs: readonly RecordPair[];
  /**
   * Records the same on both sides that paths and positions need (the unchanged folders above
   * changed items), by id. Without them those paths are null.
   */
  context?: ReadonlyMap<string, Cleartext>;
}

/** Looks items up on one side: a record that differs uses that side's version, anything else the shared context. */
class Side {
  private readonly items = new Map<string, Item | undefined>();

  constructor(
    private readonly own: ReadonlyMap<string, Cleartext | undefined>,
    private readonly context: ReadonlyMap<string, Cleartext>,
  ) {}

  get(id: string): Item | undefined {
    if (!this.items.has(id)) this.items.set(id, itemOf(id, this.own.has(id) ? this.own.get(id) : this.context.get(id)));
    return this.items.get(id);
  }

  /** Titles of the folders from the root down to `folderId` included; null when the chain breaks or loops. */
  pathTo(folderId: string | null, seen: Set<string> = new Set()): string[] | null {
    if (folderId === null || seen.has(folderId)) return null;
    if (folderId === PLACES_ROOT) return [];
    if (isRootId(folderId)) return [ROOT_TITLES[folderId]];
    const folder = this.get(folderId);
    if (folder === undefined) return null;
    seen.add(folderId);
    const above = this.pathTo(folder.parentId, seen);
    return above === null ? null : [...above, folder.title];
  }

  placeOf(item: Item): BookmarkPlace {
    const place: BookmarkPlace = { parentId: item.parentId, path: this.pathTo(item.parentId) };
    const index = item.parentId === null ? -1 : (this.get(item.parentId)?.children?.indexOf(item.id) ?? -1);
    if (index >= 0) place.index = index;
    return place;
  }
}

/** The ids of folders that paths on either side need and that neither the pairs nor the context hold. */
export function missingBookmarkAncestors(input: BookmarkDiffInput): string[] {
  const { before, after } = sidesOf(input);
  const missing = new Set<string>();
  for (const side of [before, after]) {
    for (const { id } of input.pairs) {
      const seen = new Set<string>();
      for (let item = side.get(normalizeBookmarkId(id)); item !== undefined; ) {
        const parentId = item.parentId;
        if (parentId === null || parentId === PLACES_ROOT || isRootId(parentId) || seen.has(parentId)) break;
        seen.add(parentId);
        const parent = side.get(parentId);
        if (parent === undefined && !side.knows(parentId)) missing.add(parentId);
        item = parent;
      }
    }
  }
  return [...missing].sort();
}

interface Sides {
  before: Side & { knows(id: string): boolean };
  after: Side & { knows(id: string): boolean };
}

function sidesOf(input: BookmarkDiffInput): Sides {
  const context = input.context ?? new Map<string, Cleartext>();
  const beforeRecords = new Map<string, Cleartext | undefined>();
  const afterRecords = new Map<string, Cleartext | undefined>();
  for (const pair of input.pairs) {
    const id = normalizeBookmarkId(pair.id);
    beforeRecords.set(id, pair.before);
    afterRecords.set(id, pair.after);
  }
  const side = (own: Map<string, Cleartext | undefined>) =>
    Object.assign(new Side(own, context), { knows: (id: string) => own.has(id) || context.has(id) });
  return { before: side(beforeRecords), after: side(afterRecords) };
}

function entryOf(item: Item, side: Side): BookmarkEntry {
  const entry: BookmarkEntry = { id: item.id, type: item.type, title: item.title, place: side.placeOf(item) };
  if (WITH_URL.has(item.type) && item.url !== null) entry.url = item.url;
  return entry;
}

function comparePlaces(a: BookmarkEntry, b: BookmarkEntry): number {
  const pathA = (a.place.path ?? []).join('\u0000');
  const pathB = (b.place.path ?? []).join('\u0000');
  if (pathA !== pathB) return pathA < pathB ? -1 : 1;
  const indexA = a.place.index ?? Number.MAX_SAFE_INTEGER;
  const indexB = b.place.index ?? Number.MAX_SAFE_INTEGER;
  return indexA - indexB || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A folder's added (or deleted) contents go under its own entry when it was added (or deleted) too. */
function nest(entries: BookmarkEntry[]): BookmarkEntry[] {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const tops: BookmarkEntry[] = [];
  for (const entry of entries) {
    const parent = entry.place.parentId === null ? undefined : byId.get(entry.place.parentId);
    if (parent === undefined || parent === entry) tops.push(entry);
    else (parent.children ??= []).push(entry);
  }
  for (const entry of entries) entry.children?.sort(comparePlaces);
  return tops.sort(comparePlaces);
}

/** The children both sides list, in each side's order. */
function commonOrder(before: readonly string[], after: readonly string[]): { before: string[]; after: string[] } {
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  return { before: before.filter((id) => inAfter.has(id)), after: after.filter((id) => inBefore.has(id)) };
}

/**
 * The bookmark tree diff of the records that differ: items added and deleted (a folder's contents
 * nested under it), renamed, given another URL, moved to another folder (old and new place), and
 * folders whose remaining children were reordered; other field changes are listed per item.
 * Paths come from the sides' records and the context; where they are missing a path is null.
 */
export function diffBookmarkTrees(input: BookmarkDiffInput): BookmarksDiff {
  const { readable, unreadable } = splitUnreadable(input.pairs);
  const { before, after } = sidesOf(input);
  const diff: BookmarksDiff = { kind: 'bookmarks', added: [], deleted: [], renamed: [], urlChanged: [], moved: [], reordered: [], otherChanges: [], unreadable };
  const added: BookmarkEntry[] = [];
  const deleted: BookmarkEntry[] = [];
  const reordered: BookmarkReorder[] = [];
  for (const pair of readable) {
    const id = normalizeBookmarkId(pair.id);
    if (id === PLACES_ROOT) continue;
    const was = before.get(id);
    const is = after.get(id);
    if (was === undefined && is !== undefined) added.push(entryOf(is, after));
    else if (was !== undefined && is === undefined) deleted.push(entryOf(was, before));
    if (was === undefined || is === undefined) continue;

    const place = after.placeOf(is);
    if (was.title !== is.title) diff.renamed.push({ id, type: is.type, before: was.title, after: is.title, place });
    if (WITH_URL.has(is.type) && was.url !== is.url) diff.urlChanged.push({ id, title: is.title, before: was.url, after: is.url, place });
    if (was.parentId !== is.parentId) diff.moved.push({ id, type: is.type, title: is.title, from: before.placeOf(was), to: place });
    if (was.children !== null && is.children !== null) {
      const order = commonOrder(was.children, is.children);
      if (order.before.some((child, index) => order.after[index] !== child)) reordered.push({ id, title: is.title, place, ...order });
    }
    const changes = fieldChanges(was.record, is.record, { ignore: TREE_FIELDS });
    if (changes.length > 0) diff.otherChanges.push({ id, type: is.type, title: is.title, place, changes });
  }
  diff.added = nest(added);
  diff.deleted = nest(deleted);
  diff.reordered = reordered.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const list of [diff.renamed, diff.urlChanged, diff.moved, diff.otherChanges]) list.sort((a, b) => (a.id < b.id ? -1 : 1));
  return diff;
}
