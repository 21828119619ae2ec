/**
 * The Netscape bookmark file (`<!DOCTYPE NETSCAPE-Bookmark-file-1>`) that Firefox, Chromium and
 * Safari import. Laid out as Firefox writes it: the Bookmarks Menu's items at the top level, the
 * toolbar and Other Bookmarks as flagged folders inside it. Chromium's importer reads the file
 * line by line, so every item stays on one line (line breaks in titles are character references).
 */
import { ROOT_TITLES } from '../sync/index.js';
import type { BookmarkExportTree, ExportFolder, ExportItem } from './bookmark-export-tree.js';

const INDENT = '    ';

/** Text and attribute values: markup characters as entities, line breaks as character references, other control characters dropped. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;')
    // eslint-disable-next-line no-control-regex -- these are exactly the characters HTML does not allow
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

function seconds(milliseconds: number | undefined): number | undefined {
  return milliseconds === undefined ? undefined : Math.floor(milliseconds / 1000);
}

function attributes(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return pairs
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeHtml(String(value))}"`)
    .join('');
}

function dateAttributes(item: { dateAdded?: number; lastModified?: number }): Array<readonly [string, number | undefined]> {
  return [
    ['ADD_DATE', seconds(item.dateAdded)],
    ['LAST_MODIFIED', seconds(item.lastModified)],
  ];
}

const ROOT_FLAGS: Partial<Record<string, string>> = { toolbar: 'PERSONAL_TOOLBAR_FOLDER', unfiled: 'UNFILED_BOOKMARKS_FOLDER' };

function* folderLines(folder: ExportFolder, indent: string): Generator<string> {
  const title = folder.root === undefined ? folder.title : ROOT_TITLES[folder.root];
  const flag = folder.root === undefined ? undefined : ROOT_FLAGS[folder.root];
  yield `${indent}<DT><H3${attributes([...dateAttributes(folder), ...(flag === undefined ? [] : [[flag, 'true'] as const])])}>${escapeHtml(title)}</H3>\n`;
  if (folder.description !== undefined) yield `${indent}<DD>${escapeHtml(folder.description)}\n`;
  yield `${indent}<DL><p>\n`;
  for (const child of folder.children) yield* itemLines(child, indent + INDENT);
  yield `${indent}</DL><p>\n`;
}

function* itemLines(item: ExportItem, indent: string): Generator<string> {
  switch (item.kind) {
    case 'folder':
      yield* folderLines(item, indent);
      return;
    case 'separator':
      yield `${indent}<HR>\n`;
      return;
    case 'bookmark': {
      const attrs = attributes([
        ['HREF', item.url],
        ...dateAttributes(item),
        ['SHORTCUTURL', item.keyword],
        ['TAGS', item.tags.length > 0 ? item.tags.join(',') : undefined],
      ]);
      yield `${indent}<DT><A${attrs}>${escapeHtml(item.title)}</A>\n`;
      if (item.description !== undefined) yield `${indent}<DD>${escapeHtml(item.description)}\n`;
    }
  }
}

/** The file, a line at a time. Empty toolbar, Other Bookmarks and mobile folders are left out, as Firefox does. */
export function* netscapeBookmarkHtml(tree: BookmarkExportTree): Generator<string> {
  yield '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n';
  yield '<!-- Bookmarks exported by Syncvault from a backup of Firefox Sync. -->\n';
  yield '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n';
  // Opened in a browser, the file is a page: it must never run or load anything.
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:">\n`;
  yield '<TITLE>Bookmarks</TITLE>\n';
  yield `<H1>${escapeHtml(ROOT_TITLES.menu)}</H1>\n\n`;
  yield '<DL><p>\n';
  for (const child of tree.roots.menu.children) yield* itemLines(child, INDENT);
  for (const root of [tree.roots.toolbar, tree.roots.unfiled, tree.roots.mobile]) {
    if (root.children.length > 0) yield* folderLines(root, INDENT);
  }
  yield '</DL>\n';
}
