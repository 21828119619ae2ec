/**
 * Collection reads: filtering, ordering and paging over one collection's records.
 *
 * Each ordering is a total order (ties broken by id), kept as a sorted array per collection and
 * rebuilt only after a write. A 1.5 offset token names the last record handed out (its sort key),
 * so the next page starts by binary search right after it: paging costs O(log n + page) and a
 * record that did not change is returned exactly once even if others are written in between.
 */
import type { StoredBso } from '../contracts.js';
import { fromBase64Url, toBase64Url } from '@syncvault/sync-crypto';

export type Ordering = 'newest' | 'oldest' | 'index';

export interface CollectionQuery {
  ids?: string[];
  /** Only records with modified > newer (ms). */
  newer?: number;
  /** Only records with modified < older (ms). */
  older?: number;
  /** 1.1 only: sortindex strictly above / below. */
  indexAbove?: number;
  indexBelow?: number;
  /** Absent = unsorted, served in the oldest-first order. */
  sort?: Ordering;
  /** Absent = no limit. */
  limit?: number;
  /** 1.5: opaque token from a previous page. */
  offsetToken?: string;
  /** 1.1: number of matching records to skip. */
  skip?: number;
}

export interface QueryPage {
  records: StoredBso[];
  /** Token for the next page; absent when this page reached the end. */
  nextOffset?: string;
}

export class InvalidOffsetError extends Error {
  override name = 'InvalidOffsetError';
}

interface SortKey {
  /** modified for newest/oldest, sortindex for index (null = none, sorts last). */
  primary: number | null;
  id: string;
}

function sortKey(record: StoredBso, ordering: Ordering): SortKey {
  return { primary: ordering === 'index' ? (record.sortindex ?? null) : record.modified, id: record.id };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(ordering: Ordering, a: SortKey, b: SortKey): number {
  switch (ordering) {
    case 'oldest':
      return (a.primary as number) - (b.primary as number) || compareIds(a.id, b.id);
    case 'newest':
      return (b.primary as number) - (a.primary as number) || compareIds(b.id, a.id);
    case 'index': {
      // Highest sortindex first; records without one after all others.
      if (a.primary !== b.primary) {
        if (a.primary === null) return 1;
        if (b.primary === null) return -1;
        return b.primary - a.primary;
      }
      return compareIds(a.id, b.id);
    }
  }
}

export function sortRecords(records: Iterable<StoredBso>, ordering: Ordering): StoredBso[] {
  return [...records].sort((a, b) => compareKeys(ordering, sortKey(a, ordering), sortKey(b, ordering)));
}

/** First index whose record satisfies `predicate`, which must be false..false,true..true over `sorted`. */
function firstIndexWhere(sorted: StoredBso[], predicate: (record: StoredBso) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(sorted[middle] as StoredBso)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function encodeOffsetToken(ordering: Ordering, record: StoredBso): string {
  const key = sortKey(record, ordering);
  return toBase64Url(Buffer.from(JSON.stringify([ordering, key.primary, key.id]), 'utf8'));
}

function decodeOffsetToken(token: string, ordering: Ordering): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(fromBase64Url(token).toString('utf8'));
  } catch {
    throw new InvalidOffsetError('offset is not a token this server issued');
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw new InvalidOffsetError('malformed offset token');
  const [tokenOrdering, primary, id] = decoded as unknown[];
  if (tokenOrdering !== ordering) throw new InvalidOffsetError('offset token belongs to another sort order');
  if (typeof id !== 'string' || !(primary === null || Number.isSafeInteger(primary))) {
    throw new InvalidOffsetError('malformed offset token');
  }
  if (primary === null && ordering !== 'index') throw new InvalidOffsetError('malformed offset token');
  return { primary: primary as number | null, id };
}

/**
 * Runs `query` over `sorted` (the live and expired records of one collection in `ordering`),
 * or over the records named by `query.ids` when given (`lookup` finds them).
 */
export function runQuery(
  query: CollectionQuery,
  sortedFor: (ordering: Ordering) => StoredBso[],
  lookup: (id: string) => StoredBso | undefined,
  isLive: (record: StoredBso) => boolean,
): QueryPage {
  const ordering: Ordering = query.sort ?? 'oldest';
  const candidates = query.ids
    ? sortRecords(
        [...new Set(query.ids)].map(lookup).filter((record): record is StoredBso => record !== undefined),
        ordering,
      )
    : sortedFor(ordering);

  let start = 0;
  if (query.offsetToken !== undefined) {
    const after = decodeOffsetToken(query.offsetToken, ordering);
    start = firstIndexWhere(candidates, (record) => compareKeys(ordering, sortKey(record, ordering), after) > 0);
  }
  // Jump over whole ranges the time bounds exclude, where the order makes them contiguous.
  const { newer, older } = query;
  if (ordering === 'oldest' && newer !== undefined) {
    start = Math.max(start, firstIndexWhere(candidates, (record) => record.modified > newer));
  }
  if (ordering === 'newest' && older !== undefined) {
    start = Math.max(start, firstIndexWhere(candidates, (record) => record.modified < older));
  }
  const pastEnd = (record: StoredBso): boolean =>
    (ordering === 'oldest' && older !== undefined && record.modified >= older) ||
    (ordering === 'newest' && newer !== undefined && record.modified <= newer);

  const matches = (record: StoredBso): boolean =>
    isLive(record) &&
    (newer === undefined || record.modified > newer) &&
    (older === undefined || record.modified < older) &&
    (query.indexAbove === undefined || (record.sortindex !== undefined && record.sortindex > query.indexAbove)) &&
    (query.indexBelow === undefined || (record.sortindex !== undefined && record.sortindex < query.indexBelow));

  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  let toSkip = query.skip ?? 0;
  const records: StoredBso[] = [];
  let hasMore = false;
  for (let index = start; index < candidates.length; index++) {
    const record = candidates[index] as StoredBso;
    if (pastEnd(record)) break;
    if (!matches(record)) continue;
    if (toSkip > 0) {
      toSkip--;
      continue;
    }
    if (records.length === limit) {
      hasMore = true;
      break;
    }
    records.push(record);
  }
  const last = records[records.length - 1];
  return hasMore && last ? { records, nextOffset: encodeOffsetToken(ordering, last) } : { records };
}
