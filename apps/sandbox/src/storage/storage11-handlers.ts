/** Storage 1.1 endpoints (sync-protocols.md §6.2), as the reference server-storage answers them. */
import type { FastifyRequest } from 'fastify';
import type { StoredBso } from '../contracts.js';
import type { UserStorage } from './engine.js';
import { WeaveError, jsonOutcome, rustFloat, type Outcome } from './http.js';
import { RawNumber, serializeJson, type JsonOut } from './json.js';
import type { CollectionQuery, Ordering } from './query.js';
import { formatSyncTimestamp, parseSyncTimestamp } from './timestamps.js';
import { INVALID_WBO, INVALID_WRITE, MALFORMED_JSON, checkWbo, sortPostedWbos } from './wbo-input.js';

/** Untidy servers clients must tolerate; all off = the reference server. */
export interface Storage11Quirks {
  /** An empty info/collections answers `[]` (a PHP empty array) instead of `{}`. */
  emptyInfoAsArray: boolean;
  /** POST answers `"failed": []` when nothing failed. */
  failedAsArray: boolean;
  /** No X-Weave-Records headers. */
  omitRecordsHeader: boolean;
  /** Decimals timestamps are written with (and so the resolution the server keeps): 2 normally. */
  timestampDecimals: 0 | 1 | 2;
  /** Error bodies are JSON strings ("6") instead of numbers (6). */
  errorBodiesAsStrings: boolean;
  /** The node lookup answers the node URL without its port. */
  nodeUrlWithoutPort: boolean;
}

export const DEFAULT_STORAGE11_QUIRKS: Storage11Quirks = {
  emptyInfoAsArray: false,
  failedAsArray: false,
  omitRecordsHeader: false,
  timestampDecimals: 2,
  errorBodiesAsStrings: false,
  nodeUrlWithoutPort: false,
};

export interface Request11 {
  request: FastifyRequest;
  user: UserStorage;
  collection: string;
  id: string;
  params: URLSearchParams;
  quirks: Storage11Quirks;
  /** The request's server time in ms (10 ms resolution). */
  serverTime: number;
}

export type Handler11 = (context: Request11) => Outcome;

/** How many ms one step of the last written decimal is: a server writing fewer decimals sees time that coarsely. */
function resolutionMs(quirks: Storage11Quirks): number {
  return 10 ** (3 - quirks.timestampDecimals);
}

function timestampText(context: Request11, ms: number): string {
  return formatSyncTimestamp(ms, context.quirks.timestampDecimals);
}

function timestampJson(context: Request11, ms: number): RawNumber {
  return new RawNumber(timestampText(context, ms));
}

function recordCount(context: Request11, count: number): Record<string, string> {
  return context.quirks.omitRecordsHeader ? {} : { 'X-Weave-Records': String(count) };
}

function readTimestamp(text: string): number {
  const parsed = parseSyncTimestamp(text);
  if (!parsed.ok) throw new WeaveError(400, 0);
  return parsed.ms;
}

/**
 * X-If-Unmodified-Since on writes, always against the collection. Compared at the resolution the
 * server writes timestamps with, so a client echoing a timestamp it was given never conflicts
 * with itself.
 */
function checkUnmodified(context: Request11): void {
  const header = context.request.headers['x-if-unmodified-since'];
  if (typeof header !== 'string') return;
  const step = resolutionMs(context.quirks);
  const since = readTimestamp(header);
  if (context.user.collectionModified(context.collection) >= since - (since % step) + step) throw new WeaveError(412, 0);
}

export const infoCollections: Handler11 = (context) => {
  const collections = Object.entries(context.user.collections());
  const body: JsonOut =
    collections.length === 0 && context.quirks.emptyInfoAsArray
      ? []
      : Object.fromEntries(collections.map(([name, modified]) => [name, timestampJson(context, modified)]));
  return { ...jsonOutcome(serializeJson(body)), headers: recordCount(context, collections.length) };
};

export const infoCollectionCounts: Handler11 = (context) => {
  const counts = context.user.collectionCounts();
  return { ...jsonOutcome(JSON.stringify(counts)), headers: recordCount(context, Object.keys(counts).length) };
};

export const infoQuota: Handler11 = ({ user }) => jsonOutcome(serializeJson([new RawNumber(rustFloat(user.usageBytes() / 1024)), null]));

export const infoCollectionUsage: Handler11 = ({ user }) => {
  const usage = Object.entries(user.collectionUsage()).map(([name, bytes]) => [name, new RawNumber(rustFloat(bytes / 1024))]);
  return jsonOutcome(serializeJson(Object.fromEntries(usage) as Record<string, JsonOut>));
};

/** ids newer older index_above index_below limit offset sort; offset only counts with a limit. */
function readQuery(context: Request11): CollectionQuery {
  const { params } = context;
  const step = resolutionMs(context.quirks);
  const query: CollectionQuery = {};
  const ids = params.get('ids');
  if (ids !== null) query.ids = ids.split(',');
  const newer = params.get('newer');
  if (newer !== null) {
    const ms = readTimestamp(newer);
    query.newer = ms - (ms % step) + step - 10;
  }
  const older = params.get('older');
  if (older !== null) {
    const ms = readTimestamp(older);
    query.older = ms - (ms % step);
  }
  for (const [name, key] of [['index_above', 'indexAbove'], ['index_below', 'indexBelow']] as const) {
    const value = params.get(name);
    if (value === null) continue;
    if (value.trim() === '' || !Number.isFinite(Number(value))) throw new WeaveError(400, 0);
    query[key] = Number(value);
  }
  const limit = params.get('limit');
  const offset = params.get('offset');
  for (const value of [limit, offset]) {
    if (value !== null && !/^-?\d+$/.test(value.trim())) throw new WeaveError(400, 0);
  }
  if (limit !== null) {
    query.limit = Math.max(0, Number(limit));
    if (offset !== null) query.skip = Math.max(0, Number(offset));
  }
  const sort = params.get('sort');
  if (sort === 'oldest' || sort === 'newest' || sort === 'index') query.sort = sort as Ordering;
  return query;
}

function wboJson(context: Request11, record: StoredBso): JsonOut {
  return {
    id: record.id,
    modified: timestampJson(context, record.modified),
    payload: record.payload,
    sortindex: record.sortindex,
  };
}

/** application/whoisi: each record as a 4-byte big-endian length and its JSON. */
function whoisi(items: string[]): Buffer {
  return Buffer.concat(
    items.flatMap((item) => {
      const json = Buffer.from(item, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(json.length);
      return [length, json];
    }),
  );
}

export const getCollection: Handler11 = (context) => {
  const { records } = context.user.query(context.collection, readQuery(context));
  const full = context.params.has('full');
  const items = records.map((record) => serializeJson(full ? wboJson(context, record) : record.id));
  const headers = recordCount(context, items.length);
  const accept = context.request.headers.accept ?? '';
  if (accept.includes('application/newlines')) {
    return { status: 200, body: items.map((item) => `${item}\n`).join(''), contentType: 'application/newlines', headers };
  }
  if (accept.includes('application/whoisi')) {
    return { status: 200, body: whoisi(items), contentType: 'application/whoisi', headers };
  }
  return { ...jsonOutcome(`[${items.join(',')}]`), headers };
};

export const getItem: Handler11 = (context) => {
  const record = context.user.record(context.collection, context.id);
  if (!record) throw new WeaveError(404, 0);
  return jsonOutcome(serializeJson(wboJson(context, record)));
};

function readJsonBody(context: Request11): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(context.request.body) ? context.request.body.toString('utf8') : '') as unknown;
  } catch {
    throw new WeaveError(400, MALFORMED_JSON);
  }
}

function writeOne(context: Request11, id: string, body: unknown): Outcome {
  const check = checkWbo(body, id);
  if (!check.ok) throw new WeaveError(400, INVALID_WBO);
  const modified = context.user.writeRecords(context.collection, [check.update]);
  return { ...jsonOutcome(timestampText(context, modified)), lastModified: modified };
}

export const putItem: Handler11 = (context) => {
  checkUnmodified(context);
  return writeOne(context, context.id, readJsonBody(context));
};

/** POST (and PUT) on a collection: an array of WBOs, or a single WBO written like a PUT. */
export const postCollection: Handler11 = (context) => {
  checkUnmodified(context);
  const body = readJsonBody(context);
  if (!Array.isArray(body)) {
    const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
    if (id === undefined || id === null || String(id).includes('/')) throw new WeaveError(400, INVALID_WBO);
    return writeOne(context, String(id), body);
  }
  const { valid, failed } = sortPostedWbos(body);
  const modified = context.user.writeRecords(context.collection, valid);
  const failedJson: JsonOut = failed.size === 0 && context.quirks.failedAsArray ? [] : Object.fromEntries(failed);
  const result = serializeJson({ modified: timestampJson(context, modified), success: valid.map((wbo) => wbo.id), failed: failedJson });
  return { ...jsonOutcome(result), lastModified: modified };
};

/** Deletes answer the server's time, or the write's when that is later. */
function deletedAt(context: Request11, written: number | undefined): Outcome {
  const timestamp = Math.max(context.serverTime, written ?? 0);
  return { ...jsonOutcome(timestampText(context, timestamp)), lastModified: timestamp };
}

const DELETE_SELECTORS = ['ids', 'newer', 'older', 'index_above', 'index_below', 'limit', 'offset'];

/** Without selectors the whole collection goes; with them, just the records they select. */
export const deleteCollection: Handler11 = (context) => {
  checkUnmodified(context);
  if (!DELETE_SELECTORS.some((name) => context.params.has(name))) {
    return deletedAt(context, context.user.deleteCollection(context.collection));
  }
  const { records } = context.user.query(context.collection, readQuery(context));
  return deletedAt(context, context.user.deleteRecords(context.collection, records.map((record) => record.id)));
};

export const deleteItem: Handler11 = (context) => {
  checkUnmodified(context);
  return deletedAt(context, context.user.deleteRecord(context.collection, context.id));
};

export const deleteStorage: Handler11 = (context) => {
  if (context.request.headers['x-confirm-delete'] === undefined) throw new WeaveError(400, INVALID_WRITE);
  context.user.wipe();
  return deletedAt(context, undefined);
};
