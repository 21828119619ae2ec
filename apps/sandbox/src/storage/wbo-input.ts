/**
 * Reading client-sent WBOs for storage 1.1 with the reference server's (server-storage) rules,
 * which are looser than 1.5's in types (numbers may come as strings) and stricter in limits.
 */
import type { BsoUpdate } from './engine.js';

const MAX_ID_LENGTH = 64;
/** One year: 1.1 refuses longer ttls. */
const MAX_TTL = 31_536_000;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_SORTINDEX = 999_999_999;
/** Fields a WBO may carry; others are silently dropped. */
const WBO_FIELDS = new Set(['id', 'username', 'collection', 'parentid', 'predecessorid', 'sortindex', 'modified', 'payload', 'payload_size', 'ttl']);

export const MALFORMED_JSON = 6;
export const INVALID_WBO = 8;
export const INVALID_WRITE = 4;

/** A failure names the WBO's id, or '' when it has none to name. */
export type WboCheck = { ok: true; update: BsoUpdate } | { ok: false; id: string; reason: string };

/** A number, or a string that reads as one (the Python server converts with int()/float()). */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Validates one WBO; `id` is the URL's id for a PUT and the body's for POSTed ones. */
export function checkWbo(value: unknown, id: string | undefined): WboCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: '', reason: 'invalid wbo' };
  const wbo = value as Record<string, unknown>;
  for (const [name, field] of Object.entries(wbo)) {
    if (WBO_FIELDS.has(name) && field !== null && typeof field === 'object') return { ok: false, id: '', reason: 'invalid wbo' };
  }
  const wboId = id ?? (wbo['id'] === undefined || wbo['id'] === null ? undefined : String(wbo['id']));
  if (wboId === undefined) return { ok: false, id: '', reason: 'invalid id' };
  const fail = (reason: string): WboCheck => ({ ok: false, id: wboId, reason });
  if (wboId.length > MAX_ID_LENGTH) return fail('invalid id');

  const update: BsoUpdate = { id: wboId };
  if (wbo['ttl'] !== undefined && wbo['ttl'] !== null) {
    const ttl = numeric(wbo['ttl']);
    if (ttl === undefined || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) return fail('invalid ttl');
    update.ttl = ttl;
  }
  if (wbo['sortindex'] !== undefined && wbo['sortindex'] !== null) {
    const sortindex = numeric(wbo['sortindex']);
    if (sortindex === undefined || Math.abs(Math.trunc(sortindex)) > MAX_SORTINDEX) return fail('invalid sortindex');
    update.sortindex = Math.trunc(sortindex);
  }
  const payload = wbo['payload'];
  if (payload !== undefined && payload !== null) {
    if (typeof payload !== 'string') return fail('payload not a string');
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return fail('payload too large');
    update.payload = payload;
  }
  return { ok: true, update };
}

/** The reference server's POST limits: 100 WBOs and 1 MB of payload per request. */
const MAX_POST_WBOS = 100;
const MAX_POST_BYTES = 1024 * 1024;

export interface SortedWbos {
  valid: BsoUpdate[];
  /** id -> reasons ('' for WBOs without a usable id). */
  failed: Map<string, string[]>;
}

export function sortPostedWbos(items: unknown[]): SortedWbos {
  const valid: BsoUpdate[] = [];
  const failed = new Map<string, string[]>();
  let totalBytes = 0;
  items.forEach((item, position) => {
    const check = checkWbo(item, undefined);
    if (!check.ok) {
      failed.set(check.id, [check.reason]);
      return;
    }
    const { update } = check;
    if (position >= MAX_POST_WBOS) {
      failed.set(update.id, ['retry wbo']);
      return;
    }
    totalBytes += Buffer.byteLength(update.payload ?? '');
    if (totalBytes >= MAX_POST_BYTES) {
      failed.set(update.id, ['retry bytes']);
      return;
    }
    valid.push(update);
  });
  return { valid, failed };
}
