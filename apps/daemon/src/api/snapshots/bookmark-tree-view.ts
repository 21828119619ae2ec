import type { SnapshotRecord } from '../../history/index.js';
import { BookmarkTree, ROOT_TITLES, validateRecord, type BookmarkItem, type BookmarkNode, type Tombstone } from '../../sync/index.js';
import type { BookmarkTreeDto, BookmarkTreeNodeDto, UnreadableRecordDto } from './snapshots-dto.js';

/** The snapshot's bookmarks as one nested tree under the Places root, with what is wrong with it. */
export async function bookmarkTreeView(records: AsyncIterable<SnapshotRecord>): Promise<BookmarkTreeDto> {
  const items: (BookmarkItem | Tombstone)[] = [];
  const unreadable: UnreadableRecordDto[] = [];
  for await (const record of records) {
    if (record.cleartext === null) {
      unreadable.push({ id: record.id, error: record.error ?? 'does not decrypt' });
      continue;
    }
    const { record: item, problems } = validateRecord('bookmarks', record.cleartext);
    if (item === null) unreadable.push({ id: record.id, error: problems[0]?.message ?? 'not a bookmark item' });
    else items.push(item);
  }
  const tree = BookmarkTree.fromRecords(items);
  const tops = tree.tops().map((node) => nodeDto(node, true));
  return { tree: { id: 'places', type: 'places', title: '', children: tops }, problems: tree.report as BookmarkTreeDto['problems'], unreadable };
}

function nodeDto(node: BookmarkNode, isTop = false): BookmarkTreeNodeDto {
  const record = node.record;
  const rootTitle = isTop && Object.hasOwn(ROOT_TITLES, node.id) ? ROOT_TITLES[node.id as keyof typeof ROOT_TITLES] : undefined;
  const title = rootTitle ?? ('title' in record && typeof record.title === 'string' ? record.title : '');
  const dto: BookmarkTreeNodeDto = { id: node.id, type: record.type, title };
  if ((record.type === 'bookmark' || record.type === 'query' || record.type === 'microsummary') && typeof record.bmkUri === 'string') dto.url = record.bmkUri;
  if (record.type === 'folder' || record.type === 'livemark') dto.children = node.children.map((child) => nodeDto(child));
  return dto;
}
