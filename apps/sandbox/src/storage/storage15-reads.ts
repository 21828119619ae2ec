/** Storage 1.5 reads: info/* and GET of collections and BSOs (sync-protocols.md §5.1-5.4). */
import type { StoredBso } from '../contracts.js';
import { BSO_ID_PATTERN } from './bso-input.js';
import { WeaveError, jsonOutcome, rustFloat, type Outcome } from './http.js';
import { RawNumber, serializeJson, type JsonOut } from './json.js';
import { InvalidOffsetError, type CollectionQuery, type Ordering } from './query.js';
import type { Handler15, Request15 } from './storage15-context.js';
import { formatSyncTimestamp, parseSyncTimestamp } from './timestamps.js';

/** What syncstorage-rs returns at most when no limit is asked for (more follow via the offset). */
const DEFAULT_READ_LIMIT = 10_000;
const MAX_IDS = 100;
const SORTS = new Set(['newest', 'oldest', 'index', 'none']);

export function bsoJson(record: StoredBso): JsonOut {
  return {
    id: record.id,
    modified: new RawNumber(formatSyncTimestamp(record.modified)),
    payload: record.payload,
    sortindex: record.sortindex,
  };
}

function withRecordCount(outcome: Outcome, count: number): Outcome {
  return { ...outcome, headers: { ...outcome.headers, 'X-Weave-Records': String(count) } };
}

function kilobytes(bytesByName: Record<string, number>): JsonOut {
  const result: Record<string, JsonOut> = {};
  for (const [name, bytes] of Object.entries(bytesByName)) result[name] = new RawNumber(rustFloat(bytes / 1024));
  return result;
}

export const infoCollections: Handler15 = ({ user }) => () => {
  const timestamps: Record<string, JsonOut> = {};
  for (const [name, modified] of Object.entries(user.collections())) {
    timestamps[name] = new RawNumber(formatSyncTimestamp(modified));
  }
  return withRecordCount(jsonOutcome(serializeJson(timestamps)), Object.keys(timestamps).length);
};

export const infoQuota: Handler15 = ({ user, limits }) => () => {
  const quota = limits.max_quota_limit > 0 ? new RawNumber(rustFloat(limits.max_quota_limit / 1024)) : null;
  return jsonOutcome(serializeJson([new RawNumber(rustFloat(user.usageBytes() / 1024)), quota]));
};

export const infoCollectionUsage: Handler15 = ({ user }) => () => {
  const usage = user.collectionUsage();
  return withRecordCount(jsonOutcome(serializeJson(kilobytes(usage))), Object.keys(usage).length);
};

export const infoCollectionCounts: Handler15 = ({ user }) => () => {
  const counts = user.collectionCounts();
  return withRecordCount(jsonOutcome(serializeJson(counts)), Object.keys(counts).length);
};

/** Not a database read in syncstorage-rs: no precondition check and an X-Last-Modified of 0.00. */
export const infoConfiguration: Handler15 = ({ limits }) => () => ({ ...jsonOutcome(JSON.stringify(limits)), lastModified: 0 });

function readTimestampParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const parsed = parseSyncTimestamp(text);
  if (!parsed.ok) throw new WeaveError(400, 0);
  return parsed.ms;
}

/** ids, newer, older, sort, limit, offset as syncstorage-rs validates them (any violation = 400). */
export function readCollectionQuery(params: URLSearchParams): CollectionQuery {
  const query: CollectionQuery = {};
  const ids = params.get('ids');
  if (ids !== null) {
    query.ids = ids.split(',').map((id) => id.trim()).filter((id) => id !== '');
    if (query.ids.length > MAX_IDS || !query.ids.every((id) => BSO_ID_PATTERN.test(id))) throw new WeaveError(400, 0);
  }
  const newer = readTimestampParam(params, 'newer');
  if (newer !== undefined) query.newer = newer;
  const older = readTimestampParam(params, 'older');
  if (older !== undefined) query.older = older;
  const sort = params.get('sort');
  if (sort !== null) {
    if (!SORTS.has(sort)) throw new WeaveError(400, 0);
    if (sort !== 'none') query.sort = sort as Ordering;
  }
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) > 4_294_967_295) throw new WeaveError(400, 0);
    query.limit = Number(limit);
  }
  const offset = params.get('offset');
  if (offset !== null) query.offsetToken = offset;
  return query;
}

type ReplyFormat = 'json' | 'newlines';

/** Accept negotiation: the best-rated type we can write; undefined = 406. */
function replyFormat(accept: string | undefined): ReplyFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const offered = accept
    .split(',')
    .map((entry, position) => {
      const [type = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
      const quality = parameters.find((parameter) => parameter.startsWith('q='));
      return { type, quality: quality ? Number(quality.slice(2)) : 1, position };
    })
    .sort((a, b) => b.quality - a.quality || a.position - b.position);
  for (const { type } of offered) {
    if (type === 'application/newlines') return 'newlines';
    if (type === 'application/json' || type === '*/*' || type === 'text/plain') return 'json';
  }
  return undefined;
}

export const getCollection: Handler15 = (context: Request15) => {
  const query = readCollectionQuery(context.params);
  const full = context.params.has('full');
  const format = replyFormat(context.request.headers.accept);
  if (!format) throw new WeaveError(406, 0);
  return () => {
    let page;
    try {
      page = context.user.query(context.collection, { ...query, limit: query.limit ?? DEFAULT_READ_LIMIT });
    } catch (error) {
      if (error instanceof InvalidOffsetError) throw new WeaveError(400, 0);
      throw error;
    }
    const items: JsonOut[] = page.records.map((record) => (full ? bsoJson(record) : record.id));
    const headers: Record<string, string> = { 'X-Weave-Records': String(items.length) };
    if (page.nextOffset !== undefined) headers['X-Weave-Next-Offset'] = page.nextOffset;
    if (format === 'newlines') {
      const body = items.map((item) => `${serializeJson(item)}\n`).join('');
      return { status: 200, body, contentType: 'application/newlines', headers };
    }
    return { ...jsonOutcome(serializeJson(items)), headers };
  };
};

export const getItem: Handler15 = ({ user, collection, id }) => () => {
  const record = user.record(collection, id);
  if (!record) throw new WeaveError(404, 0);
  return jsonOutcome(serializeJson(bsoJson(record)));
};
