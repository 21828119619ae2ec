/**
 * Transport shared by every Sync client (FxA, tokenserver, storage 1.5/1.1):
 * - `HttpTransport.send({method, url, rawPath, headers, body, signal, timeoutMs})` → `HttpResponse`
 *   (every status returned; throws `NetworkError` or the abort reason),
 * - `hawkAuthorization(...)` + `ClockOffset` for Hawk-signed requests,
 * - `RetryPolicy.run(attempt, signal)` for X-Weave-Backoff and Retry-After,
 * - `HttpError` (message includes the server's error text) and tolerant JSON helpers.
 */
export * from './url.js';
export * from './response.js';
export * from './json.js';
export * from './errors.js';
export * from './transport.js';
export * from './hawk.js';
export * from './clock.js';
export * from './retry.js';
