/**
 * Reading client-sent BSOs for storage 1.5 with syncstorage-rs's rules: which fields exist,
 * their types and ranges, and how a POST body is split into records to write and `failed` ones.
 */
import type { StorageLimits } from '../contracts.js';
import type { BsoUpdate } from './engine.js';
import { WeaveError } from './http.js';

export const BSO_ID_PATTERN = /^[ -~]{1,64}$/;
export const COLLECTION_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,32}$/;

const MAX_SORTINDEX = 999_999_999;
const MAX_TTL = 999_999_999;
const MAX_U32 = 4_294_967_295;
const I32_RANGE = 2_147_483_648;
/** Fields a BSO may carry; `modified` and `collection` are accepted and ignored. */
const KNOWN_FIELDS = new Set(['id', 'sortindex', 'payload', 'ttl', 'modified', 'collection']);
/** An all-zero IV in crypto/keys is a known client bug; syncstorage-rs refuses it outright. */
const KNOWN_BAD_CRYPTO_PAYLOAD = /IV":\s*"AAAAAAAAAAAAAAAAAAAAAA=="/;

const INVALID_BSO = 8;
const OVER_SIZE_LIMIT = 17;

type FieldsCheck = { ok: true; fields: Omit<BsoUpdate, 'id'> } | { ok: false; reason: string };

/** Type and range checks of one BSO object (id handled by the caller). */
function checkFields(bso: Record<string, unknown>): FieldsCheck {
  for (const key of Object.keys(bso)) {
    if (!KNOWN_FIELDS.has(key)) return { ok: false, reason: `unknown field ${key}` };
  }
  const { payload, sortindex, ttl } = bso;
  const fields: Omit<BsoUpdate, 'id'> = {};
  if (payload !== undefined && payload !== null) {
    if (typeof payload !== 'string') return { ok: false, reason: 'invalid json' };
    fields.payload = payload;
  }
  if (sortindex !== undefined && sortindex !== null) {
    if (!Number.isInteger(sortindex) || Math.abs(sortindex as number) >= I32_RANGE) return { ok: false, reason: 'invalid json' };
    if (Math.abs(sortindex as number) > MAX_SORTINDEX) return { ok: false, reason: 'invalid bso: sortindex: invalid value' };
    fields.sortindex = sortindex as number;
  }
  if (ttl !== undefined && ttl !== null) {
    if (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > MAX_U32) return { ok: false, reason: 'invalid json' };
    if ((ttl as number) > MAX_TTL) return { ok: false, reason: 'invalid bso: ttl: Invalid TTL' };
    fields.ttl = ttl as number;
  }
  return { ok: true, fields };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonOr400(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WeaveError(400, INVALID_BSO);
  }
}

/**
 * The body of `PUT <collection>/<id>`: one object whose fields must all be valid, else 400 / 8.
 * The id in the path obeys the same rule as a POSTed one, and crypto refuses the all-zero IV here too.
 */
export function readPutBody(text: string, target: { collection: string; id: string }, limits: StorageLimits): Omit<BsoUpdate, 'id'> {
  if (!BSO_ID_PATTERN.test(target.id)) throw new WeaveError(400, INVALID_BSO);
  const bso = parseJsonOr400(text);
  if (!isObject(bso)) throw new WeaveError(400, INVALID_BSO);
  if (bso['id'] !== undefined && bso['id'] !== null && (typeof bso['id'] !== 'string' || !BSO_ID_PATTERN.test(bso['id']))) {
    throw new WeaveError(400, INVALID_BSO);
  }
  const check = checkFields(bso);
  if (!check.ok) throw new WeaveError(400, INVALID_BSO);
  if (Buffer.byteLength(check.fields.payload ?? '') > limits.max_record_payload_bytes) throw new WeaveError(400, INVALID_BSO);
  if (target.collection === 'crypto' && KNOWN_BAD_CRYPTO_PAYLOAD.test(check.fields.payload ?? '')) throw new WeaveError(400, INVALID_BSO);
  return check.fields;
}

/** The items of a POST body: a JSON array, or one JSON value per line for application/newlines. */
export function readPostItems(text: string, mediaType: string): unknown[] {
  if (mediaType === 'application/newlines') {
    return text.split('\n').filter((line) => line.trim() !== '').map(parseJsonOr400);
  }
  const items = parseJsonOr400(text);
  if (!Array.isArray(items)) throw new WeaveError(400, INVALID_BSO);
  return items;
}

export interface SortedPost {
  valid: BsoUpdate[];
  /** id -> reason, in the order found. */
  failed: Map<string, string>;
}

/**
 * Splits POSTed items into records to write and failures, in syncstorage-rs's order: malformed
 * items fail the whole request; invalid ones fail alone; past max_record_payload_bytes or
 * max_post_bytes they fail as "retry bytes"; past max_post_records the last ones as "retry bso".
 */
export function sortPostedItems(items: unknown[], collection: string, limits: StorageLimits): SortedPost {
  const valid: BsoUpdate[] = [];
  const failed = new Map<string, string>();
  const seen = new Set<string>();
  let totalBytes = 0;
  for (const item of items) {
    if (!isObject(item) || typeof item['id'] !== 'string' || seen.has(item['id'])) throw new WeaveError(400, INVALID_BSO);
    const id = item['id'];
    seen.add(id);
    const check = checkFields(item);
    if (!check.ok) {
      failed.set(id, check.reason);
      continue;
    }
    if (!BSO_ID_PATTERN.test(id)) {
      failed.set(id, 'invalid bso: id: Invalid id');
      continue;
    }
    if (collection === 'crypto' && KNOWN_BAD_CRYPTO_PAYLOAD.test(check.fields.payload ?? '')) {
      throw new WeaveError(400, INVALID_BSO);
    }
    const bytes = Buffer.byteLength(check.fields.payload ?? '');
    totalBytes += bytes;
    if (bytes <= limits.max_record_payload_bytes && totalBytes <= limits.max_post_bytes) {
      valid.push({ id, ...check.fields });
    } else {
      failed.set(id, 'retry bytes');
    }
  }
  while (valid.length > limits.max_post_records) {
    failed.set((valid.pop() as BsoUpdate).id, 'retry bso');
  }
  return { valid, failed };
}

/** X-Weave-Records / -Bytes / -Total-*: malformed or totals without a batch = 400 / 1; over a limit = 400 / 17. */
export function checkDeclaredSizes(headers: Record<string, string | string[] | undefined>, inBatch: boolean, limits: StorageLimits): void {
  const declared: Array<[string, number, boolean]> = [
    ['x-weave-records', limits.max_post_records, false],
    ['x-weave-bytes', limits.max_post_bytes, false],
    ['x-weave-total-records', limits.max_total_records, true],
    ['x-weave-total-bytes', limits.max_total_bytes, true],
  ];
  for (const [name, limit, batchOnly] of declared) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || (batchOnly && !inBatch)) throw new WeaveError(400, 1);
    if (Number(value) > limit) throw new WeaveError(400, OVER_SIZE_LIMIT);
  }
}

export function overSizeLimit(): WeaveError {
  return new WeaveError(400, OVER_SIZE_LIMIT);
}
