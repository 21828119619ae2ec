import type { SnapshotRecord } from '../history/index.js';
import { BookmarkTree, normalizeBookmarkId, USER_CONTENT_ROOTS, type BookmarkItem, type BookmarkNode } from '../sync/index.js';
import { liveRecords, type ExportTally } from './tally.js';

export type ExportRootName = (typeof USER_CONTENT_ROOTS)[number];

interface ExportItemBase {
  /** The Sync record id (roots: menu, toolbar, unfiled, mobile). */
  id: string;
  /** Milliseconds since the epoch; absent when unknown. */
  dateAdded?: number;
  lastModified?: number;
}

export interface ExportFolder extends ExportItemBase {
  kind: 'folder';
  title: string;
  description?: string;
  /** Set on the four content roots. */
  root?: ExportRootName;
  children: ExportItem[];
}

export interface ExportBookmark extends ExportItemBase {
  kind: 'bookmark';
  title: string;
  url: string;
  tags: string[];
  keyword?: string;
  description?: string;
}

export interface ExportSeparator extends ExportItemBase {
  kind: 'separator';
}

export type ExportItem = ExportFolder | ExportBookmark | ExportSeparator;

/** A snapshot's bookmarks as a file shows them: the four roots, always present, with their items in order. */
export interface BookmarkExportTree {
  roots: Record<ExportRootName, ExportFolder>;
}

/** Reads a snapshot's bookmark records into the tree the exports write. */
export async function readBookmarkExportTree(records: AsyncIterable<SnapshotRecord>, tally: ExportTally): Promise<BookmarkExportTree> {
  const items: BookmarkItem[] = [];
  const modified = new Map<string, number>();
  for await (const { record, modified: at } of liveRecords(records, 'bookmarks', tally)) {
    items.push(record);
    modified.set(normalizeBookmarkId(record.id), at);
  }
  return bookmarkExportTree(BookmarkTree.fromRecords(items), modified, tally);
}

/**
 * The tree as Firefox's validators see it (folder children win over parentid). Items that hang
 * nowhere (orphans, stray children of the Places root, loops) go to the end of Other Bookmarks,
 * where Firefox's own sync puts orphans, so that the file loses nothing.
 */
export function bookmarkExportTree(tree: BookmarkTree, modifiedById: ReadonlyMap<string, number>, tally: ExportTally): BookmarkExportTree {
  const placed = new Set<string>();

  const dates = (node: BookmarkNode): Pick<ExportItemBase, 'dateAdded' | 'lastModified'> => {
    const added = node.record.dateAdded;
    const changed = modifiedById.get(node.id);
    const dateAdded = typeof added === 'number' && added > 0 ? added : changed;
    const lastModified = changed === undefined ? dateAdded : Math.max(changed, dateAdded ?? 0);
    return { ...(dateAdded !== undefined && { dateAdded }), ...(lastModified !== undefined && { lastModified }) };
  };

  const children = (node: BookmarkNode): ExportItem[] => node.children.flatMap((child) => convert(child) ?? []);

  function convert(node: BookmarkNode): ExportItem | undefined {
    if (placed.has(node.id)) return undefined;
    placed.add(node.id);
    const record = node.record;
    const base = { id: node.id, ...dates(node) };
    switch (record.type) {
      case 'folder':
      case 'livemark':
        return { ...base, kind: 'folder', title: record.title ?? '', ...(record.description ? { description: record.description } : {}), children: children(node) };
      case 'separator':
        return { ...base, kind: 'separator' };
      case 'bookmark':
      case 'query':
      case 'microsummary': {
        if (typeof record.bmkUri !== 'string' || record.bmkUri === '') {
          tally.skip(node.id, 'a bookmark without a URL');
          return undefined;
        }
        const tags = (record.tags ?? []).filter((tag) => tag !== '');
        return {
          ...base,
          kind: 'bookmark',
          title: record.title ?? '',
          url: record.bmkUri,
          tags,
          ...(record.keyword ? { keyword: record.keyword } : {}),
          ...(record.description ? { description: record.description } : {}),
        };
      }
    }
  }

  const roots = {} as Record<ExportRootName, ExportFolder>;
  for (const name of USER_CONTENT_ROOTS) {
    const node = tree.root(name);
    if (node !== undefined) placed.add(node.id);
    roots[name] = { id: name, kind: 'folder', root: name, title: name, ...(node === undefined ? {} : dates(node)), children: node === undefined ? [] : children(node) };
  }

  // Parentless first, so an orphaned folder keeps its subtree; then whatever only loops reach.
  const strays: ExportItem[] = [];
  const place = (node: BookmarkNode): void => {
    const item = convert(node);
    if (item !== undefined) strays.push(item);
  };
  for (const node of tree.nodes()) if (node.parent === undefined && !placed.has(node.id)) place(node);
  for (const node of tree.nodes()) if (!placed.has(node.id)) place(node);
  if (strays.length > 0) {
    roots.unfiled.children.push(...strays);
    tally.note(`${strays.length} item(s) that hang nowhere in the snapshot's tree (orphans) are placed at the end of Other Bookmarks`);
  }
  tally.wrote(countItems(Object.values(roots)));
  return { roots };
}

function countItems(items: readonly ExportItem[]): number {
  let count = 0;
  for (const item of items) {
    if (item.kind === 'folder') count += (item.root === undefined ? 1 : 0) + countItems(item.children);
    else count++;
  }
  return count;
}
