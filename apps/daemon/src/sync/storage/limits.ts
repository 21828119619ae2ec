import { isJsonObject, parseJsonLoose, UnexpectedResponseError, type HttpResponse } from '../http/index.js';
import type { ServerLimits } from './types.js';

/**
 * Storage 1.5 servers without info/configuration (404), and keys a configuration leaves out:
 * application-services assumes 260 KiB requests and 256 KiB payloads, and no other limit.
 */
export const STORAGE15_FALLBACK_LIMITS: Readonly<ServerLimits> = {
  max_request_bytes: 260 * 1024,
  max_post_records: Infinity,
  max_post_bytes: Infinity,
  max_total_records: Infinity,
  max_total_bytes: Infinity,
  max_record_payload_bytes: 256 * 1024,
};

/**
 * Storage 1.1 has no info/configuration and no batches; the reference server takes 100 WBOs and
 * 1 MB per POST, and payloads up to 256 KiB.
 */
export const STORAGE11_LIMITS: Readonly<ServerLimits> = {
  max_request_bytes: 1024 * 1024,
  max_post_records: 100,
  max_post_bytes: 1024 * 1024,
  max_total_records: Infinity,
  max_total_bytes: Infinity,
  max_record_payload_bytes: 256 * 1024,
};

const LIMIT_KEYS = [
  'max_request_bytes',
  'max_post_records',
  'max_post_bytes',
  'max_total_records',
  'max_total_bytes',
  'max_record_payload_bytes',
] as const;

/** Reads an info/configuration body; missing or non-numeric keys take the 1.5 fallback values. */
export function parseServerLimits(response: HttpResponse): ServerLimits {
  const body = parseJsonLoose(response.body);
  if (!isJsonObject(body)) throw new UnexpectedResponseError(response, 'a JSON object of limits');
  const limits: ServerLimits = { ...STORAGE15_FALLBACK_LIMITS };
  for (const key of LIMIT_KEYS) {
    const value = body[key];
    if (typeof value === 'number' && value > 0) limits[key] = value;
  }
  if (typeof body['max_quota_limit'] === 'number') limits.max_quota_limit = body['max_quota_limit'];
  return limits;
}
