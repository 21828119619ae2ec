import { BatchProtocolError, RecordTooLargeError } from './errors.js';
import type { PostResponse } from './parse.js';
import type { OutgoingBso, ServerLimits, UploadResult } from './types.js';

/** One atomic batch: its POST bodies in order (without batch support, simply consecutive POSTs). */
export interface UploadBatchPlan {
  posts: OutgoingBso[][];
}

/** A record as it appears in a POST body; the same text is measured and sent. */
export function serializeBso(record: OutgoingBso): string {
  const wire: Record<string, unknown> = { id: record.id, payload: record.payload };
  if (record.sortindex !== undefined) wire['sortindex'] = record.sortindex;
  if (record.ttl !== undefined) wire['ttl'] = record.ttl;
  return JSON.stringify(wire);
}

export function postBody(records: readonly OutgoingBso[]): string {
  return `[${records.map(serializeBso).join(',')}]`;
}

/**
 * Splits records into batches and POSTs, in order, so that every limit holds (all inclusive,
 * "max" meaning at most): per POST `max_post_records`, `max_post_bytes` (sum of payload UTF-8
 * bytes, as syncstorage-rs counts) and `max_request_bytes` (the whole JSON body); per batch
 * `max_total_records` and `max_total_bytes`. A record that exceeds a limit on its own throws
 * RecordTooLargeError naming it; duplicate ids throw (the server rejects them in one POST).
 */
export function planUpload(collection: string, records: readonly OutgoingBso[], limits: ServerLimits): UploadBatchPlan[] {
  const seen = new Set<string>();
  const batches: UploadBatchPlan[] = [];
  let batch: UploadBatchPlan = { posts: [] };
  let post: OutgoingBso[] = [];
  let postPayloadBytes = 0;
  let postBodyBytes = 2; // "[" and "]"
  let batchRecords = 0;
  let batchPayloadBytes = 0;

  const closePost = (): void => {
    if (post.length > 0) batch.posts.push(post);
    post = [];
    postPayloadBytes = 0;
    postBodyBytes = 2;
  };
  const closeBatch = (): void => {
    closePost();
    if (batch.posts.length > 0) batches.push(batch);
    batch = { posts: [] };
    batchRecords = 0;
    batchPayloadBytes = 0;
  };

  for (const record of records) {
    if (seen.has(record.id)) throw new TypeError(`record id ${collection}/${record.id} appears twice in one upload`);
    seen.add(record.id);
    const payloadBytes = Buffer.byteLength(record.payload, 'utf8');
    const recordBytes = Buffer.byteLength(serializeBso(record), 'utf8');
    const aloneOver: [keyof ServerLimits, number][] = [
      ['max_record_payload_bytes', payloadBytes],
      ['max_post_bytes', payloadBytes],
      ['max_total_bytes', payloadBytes],
      ['max_request_bytes', recordBytes + 2],
    ];
    for (const [limitName, bytes] of aloneOver) {
      const limit = limits[limitName] ?? Infinity;
      if (bytes > limit) throw new RecordTooLargeError(collection, record.id, bytes, limitName, limit);
    }

    const fitsBatch = batchRecords < limits.max_total_records && batchPayloadBytes + payloadBytes <= limits.max_total_bytes;
    const separator = post.length > 0 ? 1 : 0;
    const fitsPost =
      post.length < limits.max_post_records &&
      postPayloadBytes + payloadBytes <= limits.max_post_bytes &&
      postBodyBytes + separator + recordBytes <= limits.max_request_bytes;
    if (!fitsBatch) closeBatch();
    else if (!fitsPost) closePost();

    postBodyBytes += (post.length > 0 ? 1 : 0) + recordBytes;
    post.push(record);
    postPayloadBytes += payloadBytes;
    batchRecords += 1;
    batchPayloadBytes += payloadBytes;
  }
  closeBatch();
  return batches;
}

/** What the protocol client must send for one POST of an upload. */
export interface PostRequest {
  records: OutgoingBso[];
  body: string;
  /** `"true"` to open a batch, else the batch id; absent = plain POST. */
  batch?: string;
  commit: boolean;
  ifUnmodifiedSince?: number;
}

export interface UploadRunOptions {
  /** Use `batch=true` / `commit=true` (1.5); a server answering 200 to `batch=true` turns it off. */
  batching: boolean;
  ifUnmodifiedSince?: number;
  /** Rounds of resending ids the server marked "retry bso"/"retry wbo"/"retry bytes". Default 3. */
  maxRetryRounds?: number;
}

const RETRY_REASON = /^retry\b/i;

/**
 * Runs a whole upload: plans it, sends each POST through `post` (which returns the parsed answer
 * or throws the typed error), chains X-If-Unmodified-Since (the same value on every request of a
 * batch, the previous write's timestamp after each committed write) and resends records the
 * server asked to retry, after the current batch, a bounded number of times.
 */
export async function runUpload(
  collection: string,
  records: readonly OutgoingBso[],
  limits: ServerLimits,
  options: UploadRunOptions,
  post: (request: PostRequest) => Promise<PostResponse>,
): Promise<UploadResult> {
  const result: UploadResult = { success: [], failed: {} };
  let batching = options.batching;
  let ifUnmodifiedSince = options.ifUnmodifiedSince;
  let pending: readonly OutgoingBso[] = records;
  const maxRounds = options.maxRetryRounds ?? 3;

  for (let round = 0; pending.length > 0; round++) {
    const toRetry: OutgoingBso[] = [];
    for (const batch of planUpload(collection, pending, limits)) {
      let batchId: string | undefined;
      for (const [index, postRecords] of batch.posts.entries()) {
        const commit = batching && index === batch.posts.length - 1;
        const request: PostRequest = { records: postRecords, body: postBody(postRecords), commit };
        if (batching) request.batch = batchId ?? 'true';
        if (ifUnmodifiedSince !== undefined) request.ifUnmodifiedSince = ifUnmodifiedSince;
        const response = await post(request);

        const byId = new Map(postRecords.map((record) => [record.id, record]));
        result.success.push(...response.success);
        for (const [id, reason] of Object.entries(response.failed)) {
          const record = byId.get(id);
          if (record && RETRY_REASON.test(reason) && round < maxRounds) {
            toRetry.push(record);
          } else {
            result.failed[id] = reason;
          }
        }
        if (response.quotaRemainingKb !== undefined) result.quotaRemainingKb = response.quotaRemainingKb;

        if (batching && response.status === 202) {
          if (commit) throw new BatchProtocolError(collection, 'answered 202 to a commit');
          if (response.batchId === undefined) throw new BatchProtocolError(collection, 'accepted a batch without a batch id');
          if (batchId !== undefined && batchId !== response.batchId) {
            throw new BatchProtocolError(collection, `switched batch id from ${batchId} to ${response.batchId}`);
          }
          batchId = response.batchId;
          continue;
        }
        if (batching && batchId !== undefined && !commit) {
          throw new BatchProtocolError(collection, `answered ${response.status} in the middle of a batch`);
        }
        // A committed write: a commit, a plain POST, or a server that ignores batch=true.
        if (batching && batchId === undefined && !commit) batching = false;
        batchId = undefined;
        if (response.modified !== undefined) {
          result.modified = response.modified;
          if (ifUnmodifiedSince !== undefined) ifUnmodifiedSince = response.modified;
        }
      }
    }
    pending = toRetry;
  }
  return result;
}
