import { isJsonObject, parseJsonLoose, UnexpectedResponseError, type HttpResponse } from '../http/index.js';
import { quotaRemainingKb } from './notices.js';
import { parseOptionalSyncTimestamp } from './timestamps.js';
import type { CollectionsInfo, QuotaInfo, RemoteBso, WriteResult } from './types.js';

/** Reading the storage servers' JSON bodies, tolerant of the 1.1/1.5 and implementation variants. */

function jsonBody(response: HttpResponse): unknown {
  return parseJsonLoose(response.body);
}

function bsoFrom(value: unknown, response: HttpResponse): RemoteBso {
  if (!isJsonObject(value) || typeof value['id'] !== 'string') throw new UnexpectedResponseError(response, 'BSO objects with an id');
  const modified = parseOptionalSyncTimestamp(value['modified']);
  if (modified === undefined) throw new UnexpectedResponseError(response, `a timestamp in BSO ${value['id']}`);
  const bso: RemoteBso = { id: value['id'], modified, payload: typeof value['payload'] === 'string' ? value['payload'] : '' };
  if (typeof value['sortindex'] === 'number') bso.sortindex = value['sortindex'];
  return bso;
}

export function parseBso(response: HttpResponse): RemoteBso {
  return bsoFrom(jsonBody(response), response);
}

export function parseBsoList(response: HttpResponse): RemoteBso[] {
  const body = jsonBody(response);
  if (!Array.isArray(body)) throw new UnexpectedResponseError(response, 'a JSON array of BSOs');
  return body.map((item) => bsoFrom(item, response));
}

export function parseIdList(response: HttpResponse): string[] {
  const body = jsonBody(response);
  if (!Array.isArray(body) || !body.every((id) => typeof id === 'string')) {
    throw new UnexpectedResponseError(response, 'a JSON array of ids');
  }
  return body;
}

/** `{name: value}`; old servers answer `[]` when there is nothing. */
function objectBody(response: HttpResponse): Record<string, unknown> {
  const body = jsonBody(response);
  if (Array.isArray(body) && body.length === 0) return {};
  if (!isJsonObject(body)) throw new UnexpectedResponseError(response, 'a JSON object');
  return body;
}

export function parseCollectionsInfo(response: HttpResponse): CollectionsInfo {
  const info: CollectionsInfo = {};
  for (const [name, value] of Object.entries(objectBody(response))) {
    const modified = parseOptionalSyncTimestamp(value);
    if (modified === undefined) throw new UnexpectedResponseError(response, `a timestamp for collection ${name}`);
    info[name] = modified;
  }
  return info;
}

export function parseNumberMap(response: HttpResponse): Record<string, number> {
  const map: Record<string, number> = {};
  for (const [name, value] of Object.entries(objectBody(response))) {
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw new UnexpectedResponseError(response, `a number for ${name}`);
    map[name] = number;
  }
  return map;
}

export function parseQuota(response: HttpResponse): QuotaInfo {
  const body = jsonBody(response);
  if (!Array.isArray(body) || typeof body[0] !== 'number') throw new UnexpectedResponseError(response, '[usedKB, quotaKB]');
  return { usedKb: body[0], quotaKb: typeof body[1] === 'number' ? body[1] : null };
}

/**
 * The timestamp of a write: a bare number (PUT, syncstorage-rs DELETE), `{"modified": ts}`
 * (spec DELETE, POST) or, failing both, X-Last-Modified / X-Weave-Timestamp.
 */
export function parseWriteTimestamp(response: HttpResponse): number {
  const body = jsonBody(response);
  const fromBody = isJsonObject(body) ? body['modified'] : body;
  const modified =
    parseOptionalSyncTimestamp(fromBody) ??
    parseOptionalSyncTimestamp(response.headers['x-last-modified']) ??
    parseOptionalSyncTimestamp(response.headers['x-weave-timestamp']);
  if (modified === undefined) throw new UnexpectedResponseError(response, 'a write timestamp');
  return modified;
}

/** A PUT or DELETE answer: its timestamp and, when reported, the quota left. */
export function parseWriteResult(response: HttpResponse): WriteResult {
  const result: WriteResult = { modified: parseWriteTimestamp(response) };
  const quota = quotaRemainingKb(response);
  if (quota !== undefined) result.quotaRemainingKb = quota;
  return result;
}

/** One POST's answer. */
export interface PostResponse {
  status: number;
  /** Set by a 202 to a batch request. */
  batchId?: string;
  modified?: number;
  success: string[];
  /** Id → reason; 1.1's string arrays are joined. */
  failed: Record<string, string>;
  quotaRemainingKb?: number;
}

export function parsePostResponse(response: HttpResponse): PostResponse {
  const body = jsonBody(response);
  if (!isJsonObject(body)) throw new UnexpectedResponseError(response, 'a JSON object with success and failed');
  const result: PostResponse = {
    status: response.status,
    success: Array.isArray(body['success']) ? body['success'].filter((id): id is string => typeof id === 'string') : [],
    failed: {},
  };
  // 1.1 sends `"failed": []` when nothing failed, and string arrays as reasons.
  const failed = body['failed'];
  if (isJsonObject(failed)) {
    for (const [id, reason] of Object.entries(failed)) {
      result.failed[id] = Array.isArray(reason) ? reason.map(String).join('; ') : String(reason);
    }
  }
  if (typeof body['batch'] === 'string' || typeof body['batch'] === 'number') result.batchId = String(body['batch']);
  const modified =
    parseOptionalSyncTimestamp(body['modified']) ??
    parseOptionalSyncTimestamp(response.headers['x-last-modified']) ??
    parseOptionalSyncTimestamp(response.headers['x-weave-timestamp']);
  if (modified !== undefined) result.modified = modified;
  const quota = quotaRemainingKb(response);
  if (quota !== undefined) result.quotaRemainingKb = quota;
  return result;
}
