import {
  isBookmarkContainer,
  normalizeBookmarkId,
  ROOT_TITLES,
  USER_CONTENT_ROOTS,
  type BookmarkItem,
} from './bookmarks.js';
import { isTombstone, type Tombstone } from './tombstone.js';

export interface BookmarkNode {
  /** Record id, with Places GUID aliases of the roots normalised (`menu________` -> `menu`). */
  readonly id: string;
  readonly record: BookmarkItem;
  /** Undefined for the tops (children of the Places root) and for orphans. */
  readonly parent: BookmarkNode | undefined;
  /** In the parent's `children` order, then items that only name this folder in `parentid`. */
  readonly children: readonly BookmarkNode[];
}

export interface ParentLink {
  readonly id: string;
  /** The child's `parentid`, null when it has none. */
  readonly parentId: string | null;
}

export interface ChildLink {
  readonly parentId: string;
  readonly childId: string;
}

/**
 * Structural problems in the categories Firefox's validators and dogear count. An item can be
 * in several categories (an item listed by two folders is also a parent/child disagreement).
 */
export interface BookmarkTreeReport {
  /** Items no folder lists whose `parentid` names no usable folder: they hang nowhere. */
  readonly orphans: readonly string[];
  /** `parentid` names no record, or is absent. */
  readonly missingParents: readonly ParentLink[];
  /** `parentid` names a tombstone. */
  readonly deletedParents: readonly ParentLink[];
  /** `parentid` names a bookmark, query or separator. */
  readonly nonFolderParents: readonly ParentLink[];
  /** Items whose `parentid` and the folders listing them in `children` tell different stories. */
  readonly parentChildDisagreements: readonly string[];
  /** A content root (menu, toolbar, unfiled, mobile) not placed under the Places root. */
  readonly misparentedRoots: readonly string[];
  /** Items listed in the `children` of more than one folder. */
  readonly multipleParents: readonly { readonly id: string; readonly parentIds: readonly string[] }[];
  /** `children` entries naming no record. */
  readonly missingChildren: readonly ChildLink[];
  /** `children` entries naming a tombstone. */
  readonly deletedChildren: readonly ChildLink[];
  /** Extra occurrences of an id in one folder's `children`. */
  readonly duplicateChildren: readonly ChildLink[];
  /** Items whose ancestry loops, one list of ids per loop. */
  readonly cycles: readonly (readonly string[])[];
}

export type BookmarkProblemCounts = { readonly [K in keyof BookmarkTreeReport]: number };

const PLACES_ROOT = 'places';

interface MutableNode {
  id: string;
  record: BookmarkItem;
  parent: MutableNode | undefined;
  children: MutableNode[];
  /** True when the parent was found through the child's `parentid` alone. */
  parentByParentId: boolean;
  /** True when `parent` is the Places root (kept implicit: current Firefox deletes its record). */
  isTop: boolean;
  rooted: boolean;
}

/**
 * The bookmark tree as the server holds it: folder `children` and item `parentid` together,
 * with the structural problems real clients count. Where they disagree, a folder's `children`
 * wins (as in dogear), preferring the folder the item names as its parent. The Places root is
 * implicit; a `places` record, if any, is ignored. Everything is linear in the number of
 * records and `children` entries.
 */
export class BookmarkTree {
  readonly report: BookmarkTreeReport;
  private readonly nodesById: Map<string, MutableNode>;
  private readonly deletedIds: ReadonlySet<string>;
  private readonly topNodes: readonly MutableNode[];

  private constructor(
    nodesById: Map<string, MutableNode>,
    deletedIds: ReadonlySet<string>,
    topNodes: readonly MutableNode[],
    report: BookmarkTreeReport,
  ) {
    this.nodesById = nodesById;
    this.deletedIds = deletedIds;
    this.topNodes = topNodes;
    this.report = report;
  }

  /** Builds the tree; when an id occurs more than once, the last record wins. */
  static fromRecords(records: Iterable<BookmarkItem | Tombstone>): BookmarkTree {
    const nodesById = new Map<string, MutableNode>();
    const deletedIds = new Set<string>();
    for (const record of records) {
      const id = normalizeBookmarkId(record.id);
      if (id === PLACES_ROOT) continue;
      if (isTombstone(record)) {
        nodesById.delete(id);
        deletedIds.add(id);
      } else {
        deletedIds.delete(id);
        nodesById.delete(id); // re-insert so iteration order follows the winning record
        nodesById.set(id, { id, record, parent: undefined, children: [], parentByParentId: false, isTop: false, rooted: false });
      }
    }
    const { tops, report } = new TreeBuilder(nodesById, deletedIds).build();
    return new BookmarkTree(nodesById, deletedIds, tops, report);
  }

  get size(): number {
    return this.nodesById.size;
  }

  /** Live items (tombstones excluded), in record order. */
  nodes(): IterableIterator<BookmarkNode> {
    return this.nodesById.values();
  }

  get(id: string): BookmarkNode | undefined {
    return this.nodesById.get(normalizeBookmarkId(id));
  }

  isDeleted(id: string): boolean {
    return this.deletedIds.has(normalizeBookmarkId(id));
  }

  /** The user content root with this name, if its record exists. */
  root(name: (typeof USER_CONTENT_ROOTS)[number]): BookmarkNode | undefined {
    return this.nodesById.get(name);
  }

  /** Children of the Places root: the content roots (menu, toolbar, unfiled, mobile first), then anything else parented there. */
  tops(): readonly BookmarkNode[] {
    return this.topNodes;
  }

  /** True when the item hangs, through its ancestors, under the Places root. */
  isRooted(id: string): boolean {
    return this.nodesById.get(normalizeBookmarkId(id))?.rooted ?? false;
  }

  /**
   * Titles of the folders containing the item, outermost first, with the roots' display names:
   * e.g. `["Bookmarks Menu", "Work", "Docs"]`; `[]` for a top. Undefined for unknown or
   * unrooted items (orphans, cycles).
   */
  folderPath(id: string): string[] | undefined {
    const node = this.nodesById.get(normalizeBookmarkId(id));
    if (node === undefined || !node.rooted) return undefined;
    const titles: string[] = [];
    for (let folder = node.parent; folder !== undefined; folder = folder.parent) titles.push(displayTitle(folder));
    return titles.reverse();
  }

  problemCounts(): BookmarkProblemCounts {
    const counts: Partial<Record<keyof BookmarkTreeReport, number>> = {};
    for (const key of Object.keys(this.report) as (keyof BookmarkTreeReport)[]) counts[key] = this.report[key].length;
    return counts as BookmarkProblemCounts;
  }
}

function displayTitle(node: MutableNode): string {
  if (node.isTop && Object.hasOwn(ROOT_TITLES, node.id)) return ROOT_TITLES[node.id as keyof typeof ROOT_TITLES];
  const title = (node.record as { title?: unknown }).title;
  return typeof title === 'string' ? title : '';
}

const CONTENT_ROOT_IDS: ReadonlySet<string> = new Set(USER_CONTENT_ROOTS);

class TreeBuilder {
  /** Child id -> folders listing it. */
  private readonly listedBy = new Map<string, string[]>();
  /** Folder -> its live `children`, deduplicated, in order. */
  private readonly liveChildren = new Map<MutableNode, MutableNode[]>();
  private readonly orphans: string[] = [];
  private readonly missingParents: ParentLink[] = [];
  private readonly deletedParents: ParentLink[] = [];
  private readonly nonFolderParents: ParentLink[] = [];
  private readonly parentChildDisagreements: string[] = [];
  private readonly misparentedRoots: string[] = [];
  private readonly multipleParents: { id: string; parentIds: string[] }[] = [];
  private readonly missingChildren: ChildLink[] = [];
  private readonly deletedChildren: ChildLink[] = [];
  private readonly duplicateChildren: ChildLink[] = [];
  private readonly cycles: string[][] = [];

  constructor(
    private readonly nodesById: Map<string, MutableNode>,
    private readonly deletedIds: ReadonlySet<string>,
  ) {}

  build(): { tops: MutableNode[]; report: BookmarkTreeReport } {
    this.indexChildrenLists();
    for (const node of this.nodesById.values()) this.resolveParent(node);
    const tops = this.attachChildren();
    this.markRooted();
    const report: BookmarkTreeReport = {
      orphans: this.orphans,
      missingParents: this.missingParents,
      deletedParents: this.deletedParents,
      nonFolderParents: this.nonFolderParents,
      parentChildDisagreements: this.parentChildDisagreements,
      misparentedRoots: this.misparentedRoots,
      multipleParents: this.multipleParents,
      missingChildren: this.missingChildren,
      deletedChildren: this.deletedChildren,
      duplicateChildren: this.duplicateChildren,
      cycles: this.cycles,
    };
    return { tops, report };
  }

  private indexChildrenLists(): void {
    for (const folder of this.nodesById.values()) {
      if (!isBookmarkContainer(folder.record)) continue;
      const seen = new Set<string>();
      const live: MutableNode[] = [];
      this.liveChildren.set(folder, live);
      for (const rawId of folder.record.children ?? []) {
        const childId = normalizeBookmarkId(rawId);
        const link = { parentId: folder.id, childId };
        if (seen.has(childId)) {
          this.duplicateChildren.push(link);
          continue;
        }
        seen.add(childId);
        if (this.deletedIds.has(childId)) {
          this.deletedChildren.push(link);
          continue;
        }
        const child = this.nodesById.get(childId);
        if (child === undefined) {
          this.missingChildren.push(link);
        } else {
          live.push(child);
          const listers = this.listedBy.get(childId);
          if (listers === undefined) this.listedBy.set(childId, [folder.id]);
          else listers.push(folder.id);
        }
      }
    }
  }

  private resolveParent(node: MutableNode): void {
    const listers = this.listedBy.get(node.id) ?? [];
    if (listers.length > 1) this.multipleParents.push({ id: node.id, parentIds: listers });
    const parentId = node.record.parentid === undefined ? undefined : normalizeBookmarkId(node.record.parentid);

    if (CONTENT_ROOT_IDS.has(node.id)) {
      // Roots belong under the Places root whatever their records say.
      if (parentId !== PLACES_ROOT || listers.length > 0) this.misparentedRoots.push(node.id);
      node.isTop = true;
      return;
    }

    const parentIsFolder = parentId !== undefined && parentId !== PLACES_ROOT && this.isFolder(parentId);
    if (parentId === undefined || (parentId !== PLACES_ROOT && !this.nodesById.has(parentId) && !this.deletedIds.has(parentId))) {
      this.missingParents.push({ id: node.id, parentId: parentId ?? null });
    } else if (this.deletedIds.has(parentId)) {
      this.deletedParents.push({ id: node.id, parentId });
    } else if (parentId !== PLACES_ROOT && !parentIsFolder) {
      this.nonFolderParents.push({ id: node.id, parentId });
    }

    if (listers.length > 0) {
      if (listers.length > 1 || listers[0] !== parentId) this.parentChildDisagreements.push(node.id);
      const parentFolderId = parentId !== undefined && listers.includes(parentId) ? parentId : listers[0]!;
      node.parent = this.nodesById.get(parentFolderId);
    } else if (parentIsFolder) {
      // The folder it names does not list it.
      this.parentChildDisagreements.push(node.id);
      node.parent = this.nodesById.get(parentId);
      node.parentByParentId = true;
    } else if (parentId === PLACES_ROOT) {
      node.isTop = true;
    } else {
      this.orphans.push(node.id);
    }
  }

  private isFolder(id: string): boolean {
    const node = this.nodesById.get(id);
    return node !== undefined && isBookmarkContainer(node.record);
  }

  private attachChildren(): MutableNode[] {
    for (const [folder, children] of this.liveChildren) {
      for (const child of children) if (child.parent === folder) folder.children.push(child);
    }
    const contentRoots: MutableNode[] = [];
    const otherTops: MutableNode[] = [];
    for (const node of this.nodesById.values()) {
      if (node.parentByParentId) node.parent?.children.push(node);
      if (node.isTop && !CONTENT_ROOT_IDS.has(node.id)) otherTops.push(node);
    }
    for (const rootId of USER_CONTENT_ROOTS) {
      const root = this.nodesById.get(rootId);
      if (root !== undefined) contentRoots.push(root);
    }
    return [...contentRoots, ...otherTops];
  }

  /** One walk up per unvisited item; each item is settled once, so this is linear. */
  private markRooted(): void {
    const settled = new Set<MutableNode>();
    for (const start of this.nodesById.values()) {
      const path: MutableNode[] = [];
      const onPath = new Map<MutableNode, number>();
      let current: MutableNode | undefined = start;
      let rooted = false;
      while (current !== undefined && !settled.has(current)) {
        const seenAt = onPath.get(current);
        if (seenAt !== undefined) {
          this.cycles.push(path.slice(seenAt).map((node) => node.id));
          rooted = false;
          current = undefined;
          break;
        }
        onPath.set(current, path.length);
        path.push(current);
        if (current.isTop) {
          rooted = true;
          current = undefined;
          break;
        }
        current = current.parent;
      }
      if (current !== undefined) rooted = current.rooted;
      for (const node of path) {
        node.rooted = rooted;
        settled.add(node);
      }
    }
  }
}
