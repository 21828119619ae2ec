import type { HttpResponse } from './response.js';

export interface RetryOptions {
  /** Attempts for a 503/409/429 answer, the first included. Default 3. */
  maxAttempts?: number;
  /** Longest single wait honoured, in seconds (Retry-After or X-Weave-Backoff beyond it are cut). Default 300. */
  maxWaitSeconds?: number;
  /** Wait before retrying when a retryable answer has no Retry-After, in seconds. Default 5. */
  defaultRetryAfterSeconds?: number;
  /** Multiplies every wait; tests set a tiny value. Default 1. */
  timeScale?: number;
  /** Told every server backoff request (X-Weave-Backoff / X-Backoff), with the seconds as sent. */
  onBackoff?: (seconds: number, response: HttpResponse) => void;
  /** Told every 503/409/429 answer that is retried, with its Retry-After in seconds when it had one. */
  onRetry?: (retryAfterSeconds: number | undefined, response: HttpResponse) => void;
}

/** Statuses that mean "try again later": maintenance/overload, write conflict, rate limit. */
const RETRYABLE_STATUSES = new Set([409, 429, 503]);

/** Retry-After is delta-seconds or an HTTP date. */
export function retryAfterSeconds(response: HttpResponse): number | undefined {
  const value = response.headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** X-Weave-Backoff (storage) or X-Backoff (tokenserver, older servers), in seconds. */
export function backoffSeconds(response: HttpResponse): number | undefined {
  const value = (response.headers['x-weave-backoff'] ?? response.headers['x-backoff'])?.trim();
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (ms <= 0) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The pacing every Sync client shares. A server backoff (X-Weave-Backoff) is reported through
 * `onBackoff` and delays this policy's NEXT request; a 503/409/429 is retried after its
 * Retry-After, a bounded number of times. One instance per client, so backoff spans requests.
 */
export class RetryPolicy {
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly timeScale: number;
  private readonly onBackoff: RetryOptions['onBackoff'];
  private readonly onRetry: RetryOptions['onRetry'];
  /** Local time (ms) before which no request may start. */
  private notBefore = 0;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.maxWaitMs = (options.maxWaitSeconds ?? 300) * 1000;
    this.defaultRetryAfterMs = (options.defaultRetryAfterSeconds ?? 5) * 1000;
    this.timeScale = options.timeScale ?? 1;
    this.onBackoff = options.onBackoff;
    this.onRetry = options.onRetry;
  }

  /**
   * Runs `attempt` (which must build a fresh request each time, e.g. a new Hawk nonce), honouring
   * pending backoff first. Returns the first non-retryable response, or the last one once the
   * attempts are used up: the caller turns that into its typed error.
   */
  async run(attempt: () => Promise<HttpResponse>, signal?: AbortSignal): Promise<HttpResponse> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      await sleep(Math.max(0, this.notBefore - Date.now()), signal);
      const response = await attempt();
      const backoff = backoffSeconds(response);
      if (backoff !== undefined) {
        this.onBackoff?.(backoff, response);
        this.delayNextRequest(backoff * 1000);
      }
      if (!RETRYABLE_STATUSES.has(response.status)) return response;
      const retryAfter = retryAfterSeconds(response);
      if (attemptNumber >= this.maxAttempts) {
        // Giving up, but a Retry-After the server sent still holds back the next request.
        if (retryAfter !== undefined) this.delayNextRequest(retryAfter * 1000);
        return response;
      }
      this.onRetry?.(retryAfter, response);
      this.delayNextRequest(retryAfter === undefined ? this.defaultRetryAfterMs : retryAfter * 1000);
    }
  }

  private delayNextRequest(serverMs: number): void {
    const waitMs = Math.min(serverMs, this.maxWaitMs) * this.timeScale;
    this.notBefore = Math.max(this.notBefore, Date.now() + waitMs);
  }
}
