/** Storage 1.5 writes: PUT, POST (with batches) and DELETE (sync-protocols.md §5.1, 5.4-5.6). */
import type { BsoUpdate } from './engine.js';
import {
  BSO_ID_PATTERN,
  checkDeclaredSizes,
  overSizeLimit,
  readPostItems,
  readPutBody,
  sortPostedItems,
  type SortedPost,
} from './bso-input.js';
import { WeaveError, jsonOutcome, mediaTypeOf, rawBody, type Outcome } from './http.js';
import { RawNumber, serializeJson, type JsonOut } from './json.js';
import { checkQuota, quotaHeaders, type Handler15, type Request15 } from './storage15-context.js';
import { formatSyncTimestamp } from './timestamps.js';

const WRITABLE_TYPES = new Set(['application/json', 'text/plain', 'application/newlines']);
const MAX_DELETE_IDS = 100;

/** The body of a write as text, after the checks syncstorage-rs makes first: 415, then 413. */
function readWriteBody(context: Request15): { text: string; mediaType: string } {
  const mediaType = mediaTypeOf(context.request.headers['content-type']);
  if (!WRITABLE_TYPES.has(mediaType)) throw new WeaveError(415, 0);
  const body = rawBody(context.request);
  if (body.length > context.limits.max_request_bytes) throw new WeaveError(413, 17);
  return { text: body.toString('utf8'), mediaType };
}

function timestampJson(ms: number): RawNumber {
  return new RawNumber(formatSyncTimestamp(ms));
}

export const putItem: Handler15 = (context) => {
  const fields = readPutBody(readWriteBody(context).text, { collection: context.collection, id: context.id }, context.limits);
  return () => {
    checkQuota(context);
    const timestamp = context.user.writeRecords(context.collection, [{ id: context.id, ...fields }]);
    return { ...jsonOutcome(formatSyncTimestamp(timestamp)), lastModified: timestamp, headers: quotaHeaders(context) };
  };
};

type BatchRequest = { kind: 'plain' } | { kind: 'batch'; id: string | undefined; commit: boolean };

/** ?batch and ?commit: `batch` empty or "true" opens a batch, any other value names one. */
function readBatchRequest(params: URLSearchParams): BatchRequest {
  const batch = params.get('batch');
  const commit = params.get('commit');
  if (batch === null && commit === null) return { kind: 'plain' };
  if (batch === null || (commit !== null && !/^true$/i.test(commit))) throw new WeaveError(400, 0);
  const opensBatch = batch === '' || /^true$/i.test(batch);
  if (opensBatch && commit !== null) return { kind: 'plain' };
  return { kind: 'batch', id: opensBatch ? undefined : batch, commit: commit !== null };
}

function postResult(post: SortedPost): { success: JsonOut; failed: JsonOut } {
  return { success: post.valid.map((bso) => bso.id), failed: Object.fromEntries(post.failed) };
}

function payloadBytes(updates: BsoUpdate[]): number {
  return updates.reduce((sum, update) => sum + Buffer.byteLength(update.payload ?? ''), 0);
}

export const postCollection: Handler15 = (context) => {
  const { text, mediaType } = readWriteBody(context);
  const post = sortPostedItems(readPostItems(text, mediaType), context.collection, context.limits);
  const batchRequest = readBatchRequest(context.params);
  checkDeclaredSizes(context.request.headers, context.params.has('batch'), context.limits);
  return () => {
    checkQuota(context);
    const { user, collection, limits } = context;
    if (batchRequest.kind === 'plain') {
      const modified = user.writeRecords(collection, post.valid);
      const body = serializeJson({ modified: timestampJson(modified), ...postResult(post) });
      return { ...jsonOutcome(body), lastModified: modified, headers: quotaHeaders(context) };
    }
    const existing = batchRequest.id === undefined ? undefined : user.batches.find(collection, batchRequest.id);
    if (batchRequest.id !== undefined && !existing) throw new WeaveError(400, 0);
    const heldRecords = existing?.updates.length ?? 0;
    const heldBytes = existing?.bytes ?? 0;
    if (heldRecords + post.valid.length > limits.max_total_records || heldBytes + payloadBytes(post.valid) > limits.max_total_bytes) {
      throw overSizeLimit();
    }
    const batch = existing ?? user.batches.create(collection);
    if (!batchRequest.commit) {
      user.batches.append(batch, post.valid);
      return jsonOutcome(serializeJson({ batch: batch.id, ...postResult(post) }), 202);
    }
    const modified = user.commitBatch(batch, post.valid);
    const body = serializeJson({ modified: timestampJson(modified), ...postResult(post) });
    return { ...jsonOutcome(body), lastModified: modified, headers: quotaHeaders(context) };
  };
};

/**
 * `?ids=` deletes those BSOs and answers their new timestamp; without ids the whole collection
 * goes and the answer is the store's timestamp (a bare number either way, as syncstorage-rs).
 */
export const deleteCollection: Handler15 = (context) => {
  const ids = (context.params.get('ids') ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (ids.length > MAX_DELETE_IDS || !ids.every((id) => BSO_ID_PATTERN.test(id))) throw new WeaveError(400, 0);
  return (): Outcome => {
    if (ids.length === 0) return jsonOutcome(formatSyncTimestamp(context.user.deleteCollection(context.collection)));
    const modified = context.user.deleteRecords(context.collection, ids);
    return { ...jsonOutcome(formatSyncTimestamp(modified)), lastModified: modified };
  };
};

export const deleteItem: Handler15 = ({ user, collection, id }) => () => {
  const modified = user.deleteRecord(collection, id);
  if (modified === undefined) throw new WeaveError(404, 0);
  return jsonOutcome(serializeJson({ modified: timestampJson(modified) }));
};

/** DELETE /storage and DELETE on the base URL; syncstorage-rs answers a JSON null. */
export const deleteAll: Handler15 = ({ user }) => () => {
  user.wipe();
  return jsonOutcome('null');
};
