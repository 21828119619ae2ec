import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import {
  bookmarkExportTree,
  escapeHtml,
  ExportTally,
  firefoxBookmarksBackup,
  netscapeBookmarkHtml,
  type BookmarkExportTree,
  type ExportItem,
  type PlacesNode,
} from '../../src/export/index.js';
import { BookmarkTree, type BookmarkItem } from '../../src/sync/records/index.js';

const ADDED = 1_700_000_000_123;
const MODIFIED = 1_700_000_500_000;
const TRICKY_TITLE = 'He said "hi" & <b>bye</b>\nit\'s <script>alert(1)</script>';
const TRICKY_URL = 'https://example.com/?a=1&b="2"&c=<x>';

function records(): BookmarkItem[] {
  return [
    { id: 'menu', type: 'folder', parentid: 'places', title: 'menu', children: ['folderWork01', 'separator001', 'bookmarkAAAA'] },
    { id: 'toolbar', type: 'folder', parentid: 'places', title: 'toolbar', children: ['toolbarBmk01'] },
    { id: 'unfiled', type: 'folder', parentid: 'places', title: 'unfiled', children: [] },
    { id: 'mobile', type: 'folder', parentid: 'places', title: 'mobile', children: ['mobileBmk001'] },
    { id: 'folderWork01', type: 'folder', parentid: 'menu', title: 'Work & <Play>', description: 'folder notes', children: ['queryMost001', 'folderDeep01'], dateAdded: ADDED },
    { id: 'folderDeep01', type: 'folder', parentid: 'folderWork01', title: 'Deep', children: ['bm-C'] },
    { id: 'bookmarkAAAA', type: 'bookmark', parentid: 'menu', title: TRICKY_TITLE, bmkUri: TRICKY_URL, tags: ['rust', 'à lire'], keyword: 'ex', description: 'a note', dateAdded: ADDED },
    { id: 'queryMost001', type: 'query', parentid: 'folderWork01', title: 'Most Visited', bmkUri: 'place:sort=8&maxResults=10' },
    { id: 'separator001', type: 'separator', parentid: 'menu' },
    { id: 'bm-C', type: 'bookmark', parentid: 'folderDeep01', title: 'C', bmkUri: 'https://c.example/' },
    { id: 'toolbarBmk01', type: 'bookmark', parentid: 'toolbar', title: 'On the toolbar', bmkUri: 'https://toolbar.example/' },
    { id: 'mobileBmk001', type: 'bookmark', parentid: 'mobile', title: 'From the phone', bmkUri: 'https://mobile.example/' },
    { id: 'orphanBmk001', type: 'bookmark', parentid: 'vanished0001', title: 'Orphan', bmkUri: 'https://orphan.example/' },
    { id: 'noUrlBmk0001', type: 'bookmark', parentid: 'unfiled', title: 'No URL' },
  ];
}

function exportTree(items: BookmarkItem[] = records(), tally = new ExportTally()): BookmarkExportTree {
  const modified = new Map(items.map((item) => [item.id, MODIFIED]));
  return bookmarkExportTree(BookmarkTree.fromRecords(items), modified, tally);
}

function html(tree = exportTree()): string {
  return [...netscapeBookmarkHtml(tree)].join('');
}

type Element = DefaultTreeAdapterMap['element'];
type ChildNode = DefaultTreeAdapterMap['childNode'];

function* elements(node: { childNodes?: ChildNode[] }): Generator<Element> {
  for (const child of node.childNodes ?? []) {
    if ('tagName' in child) {
      yield child;
      yield* elements(child);
    }
  }
}

function textOf(node: { childNodes?: ChildNode[] }): string {
  return (node.childNodes ?? []).map((child) => ('value' in child && child.nodeName === '#text' ? child.value : textOf(child as { childNodes?: ChildNode[] }))).join('');
}

const attribute = (element: Element, name: string): string | undefined => element.attrs.find((attr) => attr.name === name)?.value;

describe('bookmark export tree', () => {
  it('keeps the roots and their items in order, moves orphans to the end of Other Bookmarks and skips bookmarks without a URL', () => {
    const tally = new ExportTally();
    const tree = exportTree(records(), tally);
    assert.deepEqual(tree.roots.menu.children.map((item) => item.id), ['folderWork01', 'separator001', 'bookmarkAAAA']);
    assert.deepEqual(tree.roots.unfiled.children.map((item) => item.id), ['orphanBmk001']);
    assert.deepEqual(tally.skippedSamples, [{ id: 'noUrlBmk0001', reason: 'a bookmark without a URL' }]);
    assert.equal(tally.notes.length, 1);
    assert.equal(tally.written, 9, 'every item but the roots and the one without a URL');
    const work = tree.roots.menu.children[0] as Extract<ExportItem, { kind: 'folder' }>;
    assert.deepEqual({ dateAdded: work.dateAdded, lastModified: work.lastModified }, { dateAdded: ADDED, lastModified: MODIFIED });
  });

  it('places a loop of folders that hangs nowhere once each, under Other Bookmarks', () => {
    const looped: BookmarkItem[] = [
      ...records(),
      { id: 'loopA0000001', type: 'folder', parentid: 'loopB0000001', title: 'A', children: ['loopB0000001'] },
      { id: 'loopB0000001', type: 'folder', parentid: 'loopA0000001', title: 'B', children: ['loopA0000001'] },
    ];
    const tree = exportTree(looped);
    const unfiled = tree.roots.unfiled.children;
    assert.deepEqual(unfiled.map((item) => item.id), ['orphanBmk001', 'loopA0000001']);
    const loop = unfiled[1] as Extract<ExportItem, { kind: 'folder' }>;
    assert.deepEqual(loop.children.map((item) => item.id), ['loopB0000001']);
    assert.deepEqual((loop.children[0] as Extract<ExportItem, { kind: 'folder' }>).children, []);
  });

  it('gives a snapshot without root records the four roots, empty', () => {
    const tree = exportTree([]);
    for (const root of Object.values(tree.roots)) assert.deepEqual(root.children, []);
  });
});

describe('Netscape bookmark HTML', () => {
  it('starts as browsers expect and declares UTF-8, with a policy that stops the file running anything', () => {
    const lines = html().split('\n');
    assert.equal(lines[0], '<!DOCTYPE NETSCAPE-Bookmark-file-1>');
    assert.ok(lines.includes('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">'));
    assert.ok(lines.some((line) => line.includes('Content-Security-Policy') && line.includes("default-src 'none'")));
    assert.ok(lines.includes('<H1>Bookmarks Menu</H1>'));
  });

  it('escapes titles and URLs, writes dates in seconds, keywords as SHORTCUTURL and tags', () => {
    const line = html().split('\n').find((candidate) => candidate.includes('SHORTCUTURL'));
    assert.equal(
      line,
      '    <DT><A HREF="https://example.com/?a=1&amp;b=&quot;2&quot;&amp;c=&lt;x&gt;" ADD_DATE="1700000000" LAST_MODIFIED="1700000500" SHORTCUTURL="ex" TAGS="rust,à lire">' +
        'He said &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;&#10;it&#39;s &lt;script&gt;alert(1)&lt;/script&gt;</A>',
    );
    const document = parse(html());
    const anchor = [...elements(document)].find((element) => element.tagName === 'a' && attribute(element, 'shortcuturl') === 'ex');
    assert.ok(anchor !== undefined);
    assert.equal(attribute(anchor, 'href'), TRICKY_URL, 'an HTML parser reads the URL back exactly');
    assert.equal(textOf(anchor), TRICKY_TITLE, 'and the title');
    assert.ok(![...elements(document)].some((element) => element.tagName === 'script' || element.tagName === 'b'), 'no markup from a title becomes an element');
  });

  it('nests folders in DL lists, separators as HR, the toolbar and Other Bookmarks flagged, Mobile Bookmarks as a folder', () => {
    const lines = html().split('\n');
    const index = (text: string) => {
      const at = lines.findIndex((line) => line.includes(text));
      assert.ok(at >= 0, `${text} is in the file`);
      return at;
    };
    assert.match(lines[index('>Work &amp; &lt;Play&gt;</H3>')]!, /^ {4}<DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000500">/);
    assert.equal(lines[index('>Work &amp;') + 1], '    <DD>folder notes');
    assert.equal(lines[index('>Work &amp;') + 2], '    <DL><p>');
    assert.equal(lines[index('>C</A>')], '            <DT><A HREF="https://c.example/" ADD_DATE="1700000500" LAST_MODIFIED="1700000500">C</A>', 'three levels deep: menu, Work, Deep');
    assert.equal(lines[index('<HR>')], '    <HR>');
    assert.ok(index('<HR>') > index('>Work &amp;') && index('<HR>') < index('SHORTCUTURL'), 'the separator sits between the folder and the bookmark');
    assert.match(lines[index('>Bookmarks Toolbar</H3>')]!, /PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar<\/H3>$/);
    assert.match(lines[index('>Other Bookmarks</H3>')]!, /UNFILED_BOOKMARKS_FOLDER="true">Other Bookmarks<\/H3>$/);
    assert.match(lines[index('>Mobile Bookmarks</H3>')]!, /^ {4}<DT><H3[^>]*>Mobile Bookmarks<\/H3>$/);
    assert.ok(lines.includes('    <DD>a note'));
    assert.equal(lines.filter((line) => line.trim() === '<DL><p>').length, lines.filter((line) => line.trim().startsWith('</DL>')).length);
    assert.equal(lines.at(-2), '</DL>');
  });

  it('drops the control characters HTML does not allow and keeps tabs and line breaks as references', () => {
    assert.equal(escapeHtml('a\u0000b\u0007c\u001b\u007fd\te\r\nf'), 'abcd&#9;e&#13;&#10;f');
  });

  it('keeps each item on one line, as line-reading importers (Chromium) need', () => {
    for (const line of html().split('\n')) {
      if (line.includes('<DT><A')) assert.match(line, /^\s*<DT><A [^>]*>[^<>]*<\/A>$/);
      if (line.includes('<DT><H3')) assert.match(line, /^\s*<DT><H3[^>]*>[^<>]*<\/H3>$/);
    }
  });

  it('leaves out empty toolbar, Other Bookmarks and mobile folders, as Firefox does', () => {
    const only = records().filter((item) => !['toolbarBmk01', 'mobileBmk001', 'orphanBmk001', 'noUrlBmk0001'].includes(item.id));
    const text = html(exportTree(only.map((item) => (item.type === 'folder' && ['toolbar', 'mobile'].includes(item.id) ? { ...item, children: [] } : item))));
    assert.ok(!text.includes('PERSONAL_TOOLBAR_FOLDER') && !text.includes('UNFILED_BOOKMARKS_FOLDER') && !text.includes('Mobile Bookmarks'));
    assert.ok(text.includes('>Deep</H3>'));
  });
});

function* walk(node: PlacesNode): Generator<PlacesNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

describe("Firefox's bookmarks backup JSON", () => {
  const backup = firefoxBookmarksBackup(exportTree());

  it('is the Places root with the menu, toolbar, unfiled and mobile roots', () => {
    assert.equal(backup.guid, 'root________');
    assert.equal(backup.root, 'placesRoot');
    assert.equal(backup.typeCode, 2);
    assert.equal(backup.type, 'text/x-moz-place-container');
    assert.deepEqual(
      backup.children?.map((root) => [root.guid, root.root, root.title, root.index, root.typeCode]),
      [
        ['menu________', 'bookmarksMenuFolder', 'menu', 0, 2],
        ['toolbar_____', 'toolbarFolder', 'toolbar', 1, 2],
        ['unfiled_____', 'unfiledBookmarksFolder', 'unfiled', 2, 2],
        ['mobile______', 'mobileFolder', 'mobile', 3, 2],
      ],
    );
  });

  it('types every node, dates it in microseconds, indexes it in its folder and keeps tags and keywords', () => {
    const nodes = [...walk(backup)];
    const byTitle = (title: string) => nodes.find((node) => node.title === title);
    const bookmark = byTitle(TRICKY_TITLE)!;
    assert.deepEqual(
      { guid: bookmark.guid, type: bookmark.type, typeCode: bookmark.typeCode, uri: bookmark.uri, tags: bookmark.tags, keyword: bookmark.keyword, index: bookmark.index },
      { guid: 'bookmarkAAAA', type: 'text/x-moz-place', typeCode: 1, uri: TRICKY_URL, tags: 'rust,à lire', keyword: 'ex', index: 2 },
    );
    assert.equal(bookmark.dateAdded, ADDED * 1000);
    assert.equal(bookmark.lastModified, MODIFIED * 1000);
    const separator = backup.children?.[0]?.children?.[1];
    assert.deepEqual([separator?.type, separator?.typeCode, separator?.index], ['text/x-moz-place-separator', 3, 1]);
    const work = byTitle('Work & <Play>')!;
    assert.deepEqual(work.children?.map((child) => [child.title, child.index]), [['Most Visited', 0], ['Deep', 1]]);
    assert.equal(work.children?.[0]?.uri, 'place:sort=8&maxResults=10');
    assert.equal(byTitle('C')?.guid, undefined, 'an id Places would refuse as a GUID is left for Firefox to replace');
    const ids = nodes.map((node) => node.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const node of nodes) if (node.dateAdded !== undefined && node.lastModified !== undefined) assert.ok(node.lastModified >= node.dateAdded, `${node.title} was not modified before it was added`);
  });
});
