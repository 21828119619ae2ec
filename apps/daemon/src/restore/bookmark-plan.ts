/**
 * Which bookmark records to write so that items of a snapshot come back into the live tree,
 * valid: each restored item under its old parent at its old position (relative to the siblings
 * still there), deleted ancestors recreated, folders' `children` and items' `parentid` agreeing;
 * or, on request, everything under a new folder in Other Bookmarks. Pure: records in, records out.
 */
import { normalizeBookmarkId, ROOT_TITLES, USER_CONTENT_ROOTS } from '../sync/records/index.js';

/** A decrypted bookmark record (or tombstone) as JSON. */
export type BookmarkJson = Record<string, unknown> & { id: string };

export interface NewFolder {
  id: string;
  title: string;
  /** Milliseconds. */
  dateAdded: number;
}

export interface BookmarkRestoreInput {
  /** The snapshot's bookmark records by id (tombstones may be among them). */
  snapshot: ReadonlyMap<string, BookmarkJson>;
  /** The live server's bookmark records by id, tombstones included. */
  live: ReadonlyMap<string, BookmarkJson>;
  /** The items to bring back, as the snapshot has them (for a folder: the folder and everything under it). */
  ids: readonly string[];
  /** Put the restored items (the top ones of `ids`) into this new folder under Other Bookmarks. */
  intoNewFolder?: NewFolder;
}

export interface BookmarkRestoreChange {
  id: string;
  /** The record to upload. */
  record: BookmarkJson;
  reason: 'restored' | 'ancestor-recreated' | 'parent-children-updated' | 'old-parent-children-updated' | 'new-folder';
}

export class BookmarkRestoreError extends Error {
  override readonly name = 'BookmarkRestoreError';
}

const ROOT_IDS: ReadonlySet<string> = new Set(USER_CONTENT_ROOTS);
const PLACES = 'places';

export function isLiveItem(record: BookmarkJson | undefined): record is BookmarkJson {
  return record !== undefined && record['deleted'] !== true;
}

function childIds(record: BookmarkJson | undefined): string[] {
  const children = record?.['children'];
  return Array.isArray(children) ? children.filter((child): child is string => typeof child === 'string') : [];
}

function parentOf(record: BookmarkJson): string | undefined {
  const parent = record['parentid'];
  return typeof parent === 'string' ? normalizeBookmarkId(parent) : undefined;
}

function titleOf(id: string, record: BookmarkJson | undefined): string {
  const title = record?.['title'];
  if (typeof title === 'string' && title !== '') return title;
  return (ROOT_TITLES as Record<string, string | undefined>)[id] ?? '';
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** JSON with object keys sorted, so that records equal as data compare equal as text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `current` with `child` inserted where it stood in `original`: right after the nearest sibling
 * before it that is still in `current`, else before the nearest one after it, else at the end.
 */
export function insertAtOriginalPosition(current: readonly string[], original: readonly string[], child: string): string[] {
  if (current.includes(child)) return [...current];
  const index = original.indexOf(child);
  const result = [...current];
  if (index >= 0) {
    for (let before = index - 1; before >= 0; before--) {
      const at = result.indexOf(original[before]!);
      if (at >= 0) {
        result.splice(at + 1, 0, child);
        return result;
      }
    }
    for (let after = index + 1; after < original.length; after++) {
      const at = result.indexOf(original[after]!);
      if (at >= 0) {
        result.splice(at, 0, child);
        return result;
      }
    }
  }
  result.push(child);
  return result;
}

/** Every id under `folderId` in the snapshot (depth first, in `children` order), the folder first. */
export function subtreeIds(snapshot: ReadonlyMap<string, BookmarkJson>, folderId: string): string[] {
  const result: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return; // a cycle in a broken tree: each id once
    seen.add(id);
    const record = snapshot.get(id);
    if (!isLiveItem(record)) return;
    result.push(id);
    for (const child of childIds(record)) visit(normalizeBookmarkId(child));
  };
  visit(normalizeBookmarkId(folderId));
  return result;
}

export function planBookmarkRestore(input: BookmarkRestoreInput): BookmarkRestoreChange[] {
  const { snapshot, live } = input;
  const restoring = new Map<string, BookmarkJson>();
  const reasons = new Map<string, BookmarkRestoreChange['reason']>();
  for (const rawId of input.ids) {
    const id = normalizeBookmarkId(rawId);
    if (id === PLACES) throw new BookmarkRestoreError('the Places root is never uploaded');
    const record = snapshot.get(id);
    if (!isLiveItem(record)) throw new BookmarkRestoreError(`the snapshot has no bookmark item ${id}`);
    restoring.set(id, { ...record, id });
    reasons.set(id, 'restored');
  }
  if (restoring.size === 0) return [];

  // Where each restored item goes: its old parent (recreating deleted ancestors), or the new folder.
  const tops = [...restoring.keys()].filter((id) => {
    const parent = parentOf(restoring.get(id)!);
    return parent === undefined || !restoring.has(parent);
  });
  if (input.intoNewFolder !== undefined) {
    const folder = input.intoNewFolder;
    for (const id of tops) {
      if (ROOT_IDS.has(id)) throw new BookmarkRestoreError(`${id} is a root: it cannot go into a new folder`);
      restoring.set(id, { ...restoring.get(id)!, parentid: folder.id, parentName: folder.title });
    }
    restoring.set(folder.id, { id: folder.id, type: 'folder', parentid: 'unfiled', parentName: ROOT_TITLES.unfiled, title: folder.title, dateAdded: folder.dateAdded, children: tops });
    reasons.set(folder.id, 'new-folder');
  } else {
    for (const id of tops) {
      let child = id;
      let parent = parentOf(restoring.get(child)!);
      // Up to the first ancestor alive on the server (roots always count as there).
      while (parent !== undefined && parent !== PLACES && !isLiveItem(live.get(parent)) && !restoring.has(parent)) {
        const ancestor = snapshot.get(parent);
        if (!isLiveItem(ancestor)) {
          if (ROOT_IDS.has(parent)) break;
          throw new BookmarkRestoreError(`cannot place ${child}: its parent ${parent} is neither on the server nor in the snapshot`);
        }
        restoring.set(parent, { ...ancestor, id: parent });
        reasons.set(parent, 'ancestor-recreated');
        child = parent;
        parent = parentOf(ancestor);
      }
    }
  }

  const changes = new Map<string, BookmarkRestoreChange>();
  const willBeAliveUnder = (childId: string, folderId: string): boolean => {
    const restored = restoring.get(childId);
    if (restored !== undefined) return parentOf(restored) === folderId;
    const current = live.get(childId);
    return isLiveItem(current) && parentOf(current) === folderId;
  };

  // Restored and recreated folders list the children that will be theirs: from the snapshot's
  // order, those restored into them or still living there; anything else would be a missing child.
  for (const [id, record] of restoring) {
    if (reasons.get(id) === 'new-folder' || !Array.isArray(record['children'])) continue;
    const original = childIds(snapshot.get(id)).map(normalizeBookmarkId);
    const kept = original.filter((child) => willBeAliveUnder(child, id));
    const liveExtras = childIds(live.get(id))
      .map(normalizeBookmarkId)
      .filter((child) => !kept.includes(child) && willBeAliveUnder(child, id));
    restoring.set(id, { ...record, children: [...kept, ...liveExtras] });
  }

  // Live parents take their restored children back at the old positions.
  const parentUpdates = new Map<string, string[]>();
  for (const [id, record] of restoring) {
    const parent = parentOf(record);
    if (parent === undefined || restoring.has(parent)) continue;
    const liveParent = live.get(parent);
    const current = parentUpdates.get(parent) ?? childIds(liveParent).map(normalizeBookmarkId);
    const original = reasons.get(id) === 'new-folder' ? [] : childIds(snapshot.get(parent)).map(normalizeBookmarkId);
    parentUpdates.set(parent, insertAtOriginalPosition(current, original, id));
  }
  // An item restored somewhere else than where it lives now leaves its current folder.
  const oldParentUpdates = new Map<string, string[]>();
  for (const [id, record] of restoring) {
    const current = live.get(id);
    if (!isLiveItem(current)) continue;
    const from = parentOf(current);
    if (from === undefined || from === parentOf(record) || restoring.has(from)) continue;
    const children = parentUpdates.get(from) ?? oldParentUpdates.get(from) ?? childIds(live.get(from)).map(normalizeBookmarkId);
    const without = children.filter((child) => child !== id);
    if (parentUpdates.has(from)) parentUpdates.set(from, without);
    else oldParentUpdates.set(from, without);
  }

  for (const [id, record] of restoring) {
    if (sameJson(record, live.get(id))) continue;
    changes.set(id, { id, record, reason: reasons.get(id)! });
  }
  for (const [updates, reason] of [
    [parentUpdates, 'parent-children-updated'],
    [oldParentUpdates, 'old-parent-children-updated'],
  ] as const) {
    for (const [id, children] of updates) {
      const liveParent = live.get(id);
      if (!isLiveItem(liveParent)) {
        // A root the server lacks: it comes back with just what is restored into it.
        if (!ROOT_IDS.has(id)) throw new BookmarkRestoreError(`cannot update folder ${id}: it is not on the server`);
        changes.set(id, { id, record: { id, type: 'folder', parentid: PLACES, title: titleOf(id, snapshot.get(id)), children }, reason: 'ancestor-recreated' });
        continue;
      }
      if (sameJson(childIds(liveParent).map(normalizeBookmarkId), children)) continue;
      changes.set(id, { id, record: { ...liveParent, children }, reason });
    }
  }
  return [...changes.values()];
}

/**
 * The whole bookmark tree back to the snapshot: every item that differs is written, every live
 * item the snapshot lacks is deleted (a tombstone). The roots stay; `places` is never written.
 */
export function planBookmarkTreeRestore(snapshot: ReadonlyMap<string, BookmarkJson>, live: ReadonlyMap<string, BookmarkJson>): Array<{ id: string; record: BookmarkJson; reason: 'restored' | 'deleted' }> {
  const changes: Array<{ id: string; record: BookmarkJson; reason: 'restored' | 'deleted' }> = [];
  for (const [id, record] of snapshot) {
    if (id === PLACES || !isLiveItem(record)) continue;
    if (!sameJson(record, live.get(id))) changes.push({ id, record, reason: 'restored' });
  }
  for (const [id, record] of live) {
    if (id === PLACES || ROOT_IDS.has(id) || !isLiveItem(record) || isLiveItem(snapshot.get(id))) continue;
    changes.push({ id, record: { id, deleted: true }, reason: 'deleted' });
  }
  return changes;
}
