/**
 * Readers for exported files that share no code with the writers: an HTML parser (parse5, as a
 * browser's DOM builds it) walked the way Firefox's bookmarks.html import walks it, Papa Parse
 * (the CSV parser Bitwarden's import uses), and lz4js's block decoder for .jsonlz4.
 */
import assert from 'node:assert/strict';
import { decompressBlock } from 'lz4js';
import Papa from 'papaparse';
import { parse, type DefaultTreeAdapterMap } from 'parse5';

export interface ReadItem {
  type: 'folder' | 'bookmark' | 'separator';
  title?: string;
  url?: string;
  children?: ReadItem[];
}

export interface ReadBookmarks {
  menu: ReadItem[];
  toolbar: ReadItem[];
  unfiled: ReadItem[];
  mobile: ReadItem[];
}

type Node = DefaultTreeAdapterMap['childNode'] | DefaultTreeAdapterMap['document'];
type Element = DefaultTreeAdapterMap['element'];

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return ('childNodes' in node ? node.childNodes : []).map((child) => textOf(child)).join('');
}

interface Folder extends ReadItem {
  flag?: 'toolbar' | 'unfiled';
  children: ReadItem[];
}

/** Firefox's importer in short: a heading names the next list's folder, links and rules are items of the open folder. */
export function readNetscapeBookmarks(html: string): ReadBookmarks {
  const top: Folder = { type: 'folder', children: [] };
  const stack: Folder[] = [top];
  const folderLists = new Set<Element>();
  let pending: Folder | undefined;

  const visit = (node: Node): void => {
    if (isElement(node)) {
      const attribute = (name: string) => node.attrs.find((attr) => attr.name === name)?.value;
      const current = stack.at(-1)!;
      switch (node.tagName) {
        case 'h3':
          pending = {
            type: 'folder',
            title: textOf(node),
            children: [],
            ...(attribute('personal_toolbar_folder') === 'true' ? { flag: 'toolbar' as const } : {}),
            ...(attribute('unfiled_bookmarks_folder') === 'true' ? { flag: 'unfiled' as const } : {}),
          };
          return;
        case 'a':
          current.children.push({ type: 'bookmark', title: textOf(node), url: attribute('href')! });
          return;
        case 'hr':
          current.children.push({ type: 'separator' });
          break;
        case 'dl':
          if (pending !== undefined) {
            current.children.push(pending);
            stack.push(pending);
            folderLists.add(node);
            pending = undefined;
          }
          break;
      }
    }
    for (const child of 'childNodes' in node ? node.childNodes : []) visit(child);
    if (isElement(node) && folderLists.has(node)) stack.pop();
  };
  visit(parse(html));

  const take = (predicate: (folder: Folder) => boolean): ReadItem[] => {
    const at = top.children.findIndex((item) => item.type === 'folder' && predicate(item as Folder));
    if (at < 0) return [];
    const [folder] = top.children.splice(at, 1);
    return folder!.children ?? [];
  };
  const toolbar = take((folder) => folder.flag === 'toolbar');
  const unfiled = take((folder) => folder.flag === 'unfiled');
  // Firefox has no flag for it: the last top-level folder, by its name.
  const last = top.children.at(-1);
  const mobile = last?.type === 'folder' && last.title === 'Mobile Bookmarks' ? take((folder) => folder === last) : [];
  const strip = (items: ReadItem[]): ReadItem[] =>
    items.map((item) => (item.type === 'folder' ? { type: 'folder', title: item.title ?? '', children: strip(item.children ?? []) } : item));
  return { menu: strip(top.children), toolbar: strip(toolbar), unfiled: strip(unfiled), mobile: strip(mobile) };
}

/** Rows of a CSV file as objects keyed by its header. */
export function readCsv(text: string): Array<Record<string, string>> {
  const result = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  assert.deepEqual(result.errors, [], 'the CSV parses cleanly');
  return result.data;
}

/** The JSON text inside a .jsonlz4 file. */
export function readMozLz4(file: Uint8Array): string {
  assert.equal(Buffer.from(file.subarray(0, 8)).toString('latin1'), 'mozLz40\0');
  const size = Buffer.from(file.buffer, file.byteOffset, file.byteLength).readUInt32LE(8);
  const output = new Uint8Array(size);
  const end = decompressBlock(file, output, 12, file.length - 12, 0);
  assert.equal(end, size, 'the block decodes to the announced size');
  return Buffer.from(output).toString('utf8');
}
