import { isJsonObject, parseJsonLoose, type HttpResponse } from '../http/index.js';
import type { ServerNotice, WeaveAlert } from './types.js';

/** `X-Weave-Alert`: free text, or a JSON object `{code, message, url}` if it starts with `{`. */
export function parseWeaveAlert(header: string): WeaveAlert {
  const text = header.trim();
  const parsed = text.startsWith('{') ? parseJsonLoose(text) : undefined;
  if (!isJsonObject(parsed)) return { message: text };
  const alert: WeaveAlert = { message: typeof parsed['message'] === 'string' ? parsed['message'] : text };
  if (typeof parsed['code'] === 'string') alert.code = parsed['code'];
  if (typeof parsed['url'] === 'string') alert.url = parsed['url'];
  return alert;
}

/** X-Weave-Quota-Remaining in KB, if present and numeric. */
export function quotaRemainingKb(response: HttpResponse): number | undefined {
  const value = response.headers['x-weave-quota-remaining'];
  const kilobytes = value === undefined ? NaN : Number(value);
  return Number.isFinite(kilobytes) ? kilobytes : undefined;
}

/** The quota and alert notices a response carries (backoff is reported by the RetryPolicy). */
export function noticesFrom(response: HttpResponse): ServerNotice[] {
  const notices: ServerNotice[] = [];
  const quota = quotaRemainingKb(response);
  if (quota !== undefined) notices.push({ kind: 'quota-remaining', kilobytes: quota, url: response.url });
  const alert = response.headers['x-weave-alert'];
  if (alert !== undefined && alert.trim() !== '') {
    notices.push({ kind: 'alert', alert: parseWeaveAlert(alert), status: response.status, url: response.url });
  }
  return notices;
}
