import type { SeedCollection } from '../contracts.js';
import { GuidAllocator } from './ids.js';
import type { SeededRandom } from './random.js';
import { YEAR_MS, timeBetween } from './time.js';
import { randomWebPage } from './web.js';

type SeedRecord = SeedCollection['records'][number];

/** Firefox gives folders this sortindex so that a first sync downloads the tree's skeleton first. */
export const FOLDER_SORTINDEX = 1_000_000;
/** Desktop boosts items directly on the toolbar by this much over their frecency. */
const TOOLBAR_SORTINDEX_BOOST = 150;
const MAX_FOLDER_DEPTH = 4;
const MAX_TOMBSTONES = 5;

/** The synced roots, in Places order. Their stored titles are their names (Places localizes them on display). */
export const BOOKMARK_ROOTS = ['menu', 'toolbar', 'unfiled', 'mobile'] as const;

/** Where new items land when added straight under a root. */
const ROOT_WEIGHTS = [['menu', 35], ['toolbar', 15], ['unfiled', 40], ['mobile', 10]] as const;

const FOLDER_TITLES = [
  'Work', 'Recipes', 'Travel', 'Reading List', 'Dev Docs', 'Rust', 'Banking', 'Kids', 'Photography', 'Projects',
  'Archive', 'Tools', 'News', 'Einkaufen', 'Musique', '料理', 'Ideas 💡', 'Taxes 2024', 'Home', 'Learning',
] as const;

const TAGS = ['reading', 'recipes', 'work', 'rust', 'javascript', 'travel', 'todo', 'reference', 'music', 'shopping', 'kochen', 'à lire'] as const;

const DESCRIPTIONS = [
  'Read this later', 'Good overview, see section 3', 'Recommended by Sam', 'Reference for the migration',
  'Rezept von Oma', 'Check prices again in spring',
] as const;

/** Keyword bookmarks: each keyword belongs to one URL, as Places enforces. */
const KEYWORD_BOOKMARKS = [
  ['w', 'Wikipedia search', 'https://en.wikipedia.org/wiki/Special:Search?search=%s'],
  ['mdn', 'MDN search', 'https://developer.mozilla.org/en-US/search?q=%s'],
  ['gh', 'GitHub search', 'https://github.com/search?q=%s&type=repositories'],
  ['yt', 'YouTube search', 'https://www.youtube.com/results?search_query=%s'],
  ['map', 'OpenStreetMap search', 'https://www.openstreetmap.org/search?query=%s'],
  ['dict', 'dict.cc', 'https://www.dict.cc/?s=%s'],
  ['crate', 'docs.rs search', 'https://docs.rs/releases/search?query=%s'],
  ['bug', 'Bugzilla bug', 'https://bugzilla.mozilla.org/show_bug.cgi?id=%s'],
] as const;

interface Folder {
  id: string;
  title: string;
  depth: number;
  dateAdded: number;
  children: string[];
}

type ItemKind = 'folder' | 'separator' | 'query' | 'bookmark';

/** A new profile's default bookmarks, then a tag query: even small seeds show every kind of item. */
type OpeningItem =
  | { kind: 'bookmark'; parent: string; title: string; url: string }
  | { kind: 'folder'; parent: string; title: string }
  | { kind: 'separator'; parent: string }
  | { kind: 'mostVisited'; parent: string }
  | { kind: 'tagQuery'; parent: string };

const MOZILLA_FOLDER = 'Mozilla Firefox';

const OPENING_ITEMS: readonly OpeningItem[] = [
  { kind: 'mostVisited', parent: 'toolbar' },
  { kind: 'bookmark', parent: 'toolbar', title: 'Getting Started', url: 'https://www.mozilla.org/en-US/firefox/central/' },
  { kind: 'folder', parent: 'menu', title: MOZILLA_FOLDER },
  { kind: 'bookmark', parent: MOZILLA_FOLDER, title: 'Get Help', url: 'https://support.mozilla.org/en-US/products/firefox' },
  { kind: 'bookmark', parent: MOZILLA_FOLDER, title: 'Customize Firefox', url: 'https://support.mozilla.org/en-US/kb/customize-firefox-controls-buttons-and-toolbars' },
  { kind: 'bookmark', parent: MOZILLA_FOLDER, title: 'Get Involved', url: 'https://www.mozilla.org/en-US/contribute/' },
  { kind: 'bookmark', parent: MOZILLA_FOLDER, title: 'About Us', url: 'https://www.mozilla.org/en-US/about/' },
  { kind: 'separator', parent: 'menu' },
  { kind: 'tagQuery', parent: 'menu' },
];

/**
 * Bookmarks engine v2 records: the four synced roots, then `count` items below them in an order
 * where every folder precedes its children, then a few tombstones.
 */
export function generateBookmarks(rng: SeededRandom, count: number, now: number): SeedRecord[] {
  const guids = new GuidAllocator(rng);
  const profileCreated = now - rng.int(1 * YEAR_MS, 8 * YEAR_MS);
  const roots = new Map<string, Folder>();
  const nestedFolders: Folder[] = [];
  const records: SeedRecord[] = [];
  const unusedKeywords = [...KEYWORD_BOOKMARKS];
  const tagQueryTag = rng.pick(TAGS);

  for (const root of BOOKMARK_ROOTS) {
    const folder: Folder = { id: root, title: root, depth: 0, dateAdded: profileCreated, children: [] };
    roots.set(root, folder);
    records.push(rootRecord(folder));
  }

  // Firefox creates its default bookmarks with the profile; the user adds the rest over the years.
  let addingProfileDefaults = false;
  const addItem = (parent: Folder, type: string, fields: Record<string, unknown>, sortindex: number): { id: string; dateAdded: number } => {
    const id = guids.next();
    const dateAdded = addingProfileDefaults ? profileCreated : timeBetween(rng, parent.dateAdded, now);
    parent.children.push(id);
    records.push({ cleartext: { id, type, parentid: parent.id, parentName: parent.title, dateAdded, hasDupe: true, ...fields }, sortindex });
    return { id, dateAdded };
  };

  const addFolder = (parent: Folder, title: string): Folder => {
    const children: string[] = [];
    const { id, dateAdded } = addItem(parent, 'folder', { title, children }, FOLDER_SORTINDEX);
    const folder: Folder = { id, title, depth: parent.depth + 1, dateAdded, children };
    nestedFolders.push(folder);
    return folder;
  };

  const addBookmark = (parent: Folder, title: string, url: string, extra: Record<string, unknown> = {}): void => {
    addItem(parent, 'bookmark', { title, bmkUri: url, tags: randomTags(rng), ...extra }, itemSortindex(parent, bookmarkFrecency(rng)));
  };

  const addSeparator = (parent: Folder): void => {
    addItem(parent, 'separator', { pos: parent.children.length }, itemSortindex(parent, 0));
  };

  // Queries point at place: URLs, which Places never gives a frecency.
  const addQuery = (parent: Folder, title: string, url: string, extra: Record<string, unknown>): void => {
    addItem(parent, 'query', { title, bmkUri: url, tags: [], ...extra }, itemSortindex(parent, 0));
  };

  const addTagQuery = (parent: Folder, tag: string): void => {
    addQuery(parent, tag, `place:tag=${encodeURIComponent(tag)}`, { folderName: tag });
  };

  const openingFolders = new Map<string, Folder>();
  const parentByName = (name: string): Folder => {
    const folder = roots.get(name) ?? openingFolders.get(name);
    if (!folder) throw new Error(`opening item refers to unknown folder ${name}`);
    return folder;
  };

  for (const item of OPENING_ITEMS.slice(0, count)) {
    const parent = parentByName(item.parent);
    addingProfileDefaults = item.kind !== 'tagQuery';
    switch (item.kind) {
      case 'mostVisited':
        addQuery(parent, 'Most Visited', 'place:sort=8&maxResults=10', { queryId: 'MostVisited' });
        break;
      case 'bookmark':
        addBookmark(parent, item.title, item.url);
        break;
      case 'folder':
        openingFolders.set(item.title, addFolder(parent, item.title));
        break;
      case 'separator':
        addSeparator(parent);
        break;
      case 'tagQuery':
        addTagQuery(parent, tagQueryTag);
        break;
    }
  }

  addingProfileDefaults = false;
  for (let made = OPENING_ITEMS.length; made < count; made++) {
    const parent = chooseParent(rng, roots, nestedFolders);
    switch (chooseKind(rng, parent)) {
      case 'folder':
        addFolder(parent, rng.pick(FOLDER_TITLES));
        break;
      case 'separator':
        addSeparator(parent);
        break;
      case 'query':
        addTagQuery(parent, rng.pick(TAGS));
        break;
      case 'bookmark': {
        const keyword = rng.chance(0.03) ? unusedKeywords.shift() : undefined;
        if (keyword) {
          const [word, title, url] = keyword;
          addBookmark(parent, title, url, { keyword: word });
          break;
        }
        const page = randomWebPage(rng);
        addBookmark(parent, page.title, page.url, rng.chance(0.05) ? { description: rng.pick(DESCRIPTIONS) } : {});
        break;
      }
    }
  }

  const tombstones = Math.min(MAX_TOMBSTONES, Math.ceil(count / 30));
  for (let i = 0; i < tombstones; i++) records.push({ cleartext: { id: guids.next(), deleted: true } });

  return records;
}

/** Desktop's sortindex for a non-folder: its frecency, boosted on the toolbar. */
function itemSortindex(parent: Folder, frecency: number): number {
  return frecency + (parent.id === 'toolbar' ? TOOLBAR_SORTINDEX_BOOST : 0);
}

function rootRecord(folder: Folder): SeedRecord {
  return {
    cleartext: { id: folder.id, type: 'folder', parentid: 'places', parentName: '', dateAdded: folder.dateAdded, hasDupe: true, title: folder.title, children: folder.children },
    sortindex: FOLDER_SORTINDEX,
  };
}

/** A third of new items go straight under a root, the rest into a folder already made. */
function chooseParent(rng: SeededRandom, roots: ReadonlyMap<string, Folder>, nestedFolders: readonly Folder[]): Folder {
  const intoRoot = nestedFolders.length === 0 || rng.chance(0.35);
  if (!intoRoot) return rng.pick(nestedFolders);
  const root = roots.get(rng.weighted(ROOT_WEIGHTS));
  if (!root) throw new Error('bookmark roots are created first');
  return root;
}

function chooseKind(rng: SeededRandom, parent: Folder): ItemKind {
  const roll = rng.next();
  if (roll < 0.1 && parent.depth < MAX_FOLDER_DEPTH) return 'folder';
  if (roll > 0.97) return 'separator';
  if (roll > 0.965) return 'query';
  return 'bookmark';
}

function randomTags(rng: SeededRandom): string[] {
  return rng.chance(0.2) ? rng.sample(TAGS, rng.int(1, 3)) : [];
}

/** An unvisited bookmark scores about 140 in Places; visits push a few far higher. */
function bookmarkFrecency(rng: SeededRandom): number {
  return 140 + rng.skewedInt(0, 12_000, 4);
}

