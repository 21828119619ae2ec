import { formatSyncTimestamp } from './timestamps.js';
import type { ReadOptions } from './types.js';

/**
 * Encodes one id or collection name for a path or query. Characters legal in a request target
 * (RFC 3986 path characters, plus `{` and `}`) are sent as they are: Firefox ids
 * such as `{ec8030f7-...}` then read the same to a server that checks Hawk against the raw path
 * and to one that checks it against the decoded path. Only what would change the URL's meaning
 * (space, `/ ? # % & , +`, control and non-ASCII characters) is percent-encoded; `+` because
 * servers form-decode the query, where it would become a space.
 */
export function encodeSegment(value: string): string {
  return value.replace(/[^!$'()*\-.0-9:;=@A-Z_a-z{}~]/g, (ch) => encodeURIComponent(ch));
}

/** Paths are built here once; the transport then sends and signs them byte for byte. */
export function collectionPath(collection: string): string {
  return `/storage/${encodeSegment(collection)}`;
}

export function recordPath(collection: string, id: string): string {
  return `${collectionPath(collection)}/${encodeSegment(id)}`;
}

/**
 * Servers split `ids=` on commas after decoding, so an id that itself holds a comma cannot be
 * named in a list, however it is encoded: such ids are read and deleted one request each.
 */
export function partitionListableIds(ids: readonly string[]): { listable: string[]; single: string[] } {
  const listable: string[] = [];
  const single: string[] = [];
  for (const id of ids) (id.includes(',') ? single : listable).push(id);
  return { listable, single };
}

/** `?ids=a,b` with each id encoded and the commas kept. */
export function idsParameter(ids: readonly string[]): string {
  return `ids=${ids.map(encodeSegment).join(',')}`;
}

export const MAX_IDS_PER_REQUEST = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * The query of a collection GET, in a fixed order so every page repeats the same query:
 * full, ids, newer, older, sort, limit, then the paging `offset`.
 */
export function collectionQuery(
  options: Pick<ReadOptions, 'newer' | 'older' | 'limit'> & { full: boolean; ids?: readonly string[]; sort: string; offset?: string },
): string {
  const parameters: string[] = [];
  if (options.full) parameters.push('full=1');
  if (options.ids !== undefined) parameters.push(idsParameter(options.ids));
  if (options.newer !== undefined) parameters.push(`newer=${formatSyncTimestamp(options.newer)}`);
  if (options.older !== undefined) parameters.push(`older=${formatSyncTimestamp(options.older)}`);
  parameters.push(`sort=${options.sort}`);
  if (options.limit !== undefined) parameters.push(`limit=${options.limit}`);
  if (options.offset !== undefined) parameters.push(`offset=${encodeURIComponent(options.offset)}`);
  return `?${parameters.join('&')}`;
}
