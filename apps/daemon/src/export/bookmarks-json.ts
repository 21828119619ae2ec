/**
 * Firefox's bookmarks backup (Library → Backup, and the `.jsonlz4` files of bookmarkbackups/): the
 * Places root with the menu, toolbar, unfiled and mobile roots, each node with its Places type,
 * dates in microseconds, index in its folder, tags as one comma-separated string.
 */
import type { BookmarkExportTree, ExportFolder, ExportItem, ExportRootName } from './bookmark-export-tree.js';

export const PLACES_CONTAINER = 'text/x-moz-place-container';
export const PLACES_BOOKMARK = 'text/x-moz-place';
export const PLACES_SEPARATOR = 'text/x-moz-place-separator';

/** Places item types (nsINavBookmarksService.TYPE_*). */
export const TYPE_BOOKMARK = 1;
export const TYPE_FOLDER = 2;
export const TYPE_SEPARATOR = 3;

export interface PlacesNode {
  guid?: string;
  title: string;
  index: number;
  dateAdded?: number;
  lastModified?: number;
  id: number;
  typeCode: number;
  type: string;
  root?: string;
  uri?: string;
  tags?: string;
  keyword?: string;
  children?: PlacesNode[];
}

/** The roots' Places GUIDs, backup names and stored titles (Places localises the titles on display). */
const ROOTS: Record<ExportRootName, { guid: string; root: string; title: string }> = {
  menu: { guid: 'menu________', root: 'bookmarksMenuFolder', title: 'menu' },
  toolbar: { guid: 'toolbar_____', root: 'toolbarFolder', title: 'toolbar' },
  unfiled: { guid: 'unfiled_____', root: 'unfiledBookmarksFolder', title: 'unfiled' },
  mobile: { guid: 'mobile______', root: 'mobileFolder', title: 'mobile' },
};

/** Places accepts 12 URL-safe base64 characters; for any other id a restore makes up a new GUID. */
const PLACES_GUID = /^[A-Za-z0-9_-]{12}$/;

const microseconds = (milliseconds: number | undefined): number | undefined => (milliseconds === undefined ? undefined : Math.round(milliseconds * 1000));

/** The whole backup as one object, ready for JSON.stringify. */
export function firefoxBookmarksBackup(tree: BookmarkExportTree): PlacesNode {
  let nextId = 1;
  const dateFields = (item: { dateAdded?: number; lastModified?: number }) => {
    const dateAdded = microseconds(item.dateAdded);
    const lastModified = microseconds(item.lastModified);
    return { ...(dateAdded !== undefined && { dateAdded }), ...(lastModified !== undefined && { lastModified }) };
  };

  const node = (item: ExportItem, index: number): PlacesNode => {
    const id = nextId++;
    const guid = item.kind === 'folder' && item.root !== undefined ? ROOTS[item.root].guid : PLACES_GUID.test(item.id) ? item.id : undefined;
    const common = { ...(guid !== undefined && { guid }), index, ...dateFields(item), id };
    switch (item.kind) {
      case 'folder':
        return folderNode(item, common);
      case 'separator':
        return { ...common, title: '', typeCode: TYPE_SEPARATOR, type: PLACES_SEPARATOR };
      case 'bookmark':
        return {
          ...common,
          title: item.title,
          typeCode: TYPE_BOOKMARK,
          type: PLACES_BOOKMARK,
          uri: item.url,
          ...(item.tags.length > 0 && { tags: item.tags.join(',') }),
          ...(item.keyword !== undefined && { keyword: item.keyword }),
        };
    }
  };

  const folderNode = (folder: ExportFolder, common: Omit<PlacesNode, 'title' | 'typeCode' | 'type'>): PlacesNode => ({
    ...common,
    title: folder.root === undefined ? folder.title : ROOTS[folder.root].title,
    typeCode: TYPE_FOLDER,
    type: PLACES_CONTAINER,
    ...(folder.root !== undefined && { root: ROOTS[folder.root].root }),
    children: folder.children.map((child, index) => node(child, index)),
  });

  const rootId = nextId++;
  const roots = [tree.roots.menu, tree.roots.toolbar, tree.roots.unfiled, tree.roots.mobile];
  const dateAdded = Math.min(...roots.map((root) => root.dateAdded ?? Number.POSITIVE_INFINITY));
  const lastModified = Math.max(...roots.map((root) => root.lastModified ?? 0));
  return {
    guid: 'root________',
    title: '',
    index: 0,
    ...dateFields({ ...(Number.isFinite(dateAdded) && { dateAdded }), ...(lastModified > 0 && { lastModified }) }),
    id: rootId,
    typeCode: TYPE_FOLDER,
    type: PLACES_CONTAINER,
    root: 'placesRoot',
    children: roots.map((root, index) => node(root, index)),
  };
}
