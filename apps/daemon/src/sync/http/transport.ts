import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { networkErrorFrom, NetworkError } from './errors.js';
import type { HttpResponse } from './response.js';
import { resolveTarget, targetHref } from './url.js';

export interface HttpRequest {
  method: string;
  /** Base URL (`scheme://host[:port][/base/path]`); its path is kept byte-for-byte. */
  url: string;
  /** Appended verbatim to the base path, query included: no re-encoding (ids with `{}` stay as given). */
  rawPath?: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this request (connect to end of body). */
  timeoutMs?: number;
}

export interface HttpTransportOptions {
  /** Whole-exchange timeout, connect to last body byte. Default 60 s. */
  timeoutMs?: number;
  /** Connection pool; default undici's global dispatcher (so an app-wide proxy agent applies). */
  dispatcher?: Dispatcher;
  /** Sent unless the request sets its own. */
  userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_USER_AGENT = 'Syncvault/0.1';

/**
 * Sends one request and reads the whole answer. Every status is returned, none thrown: callers
 * decide what is an error. Throws `NetworkError` when the server cannot be reached or the
 * timeout passes, and the caller's abort reason when its signal fires.
 */
export class HttpTransport {
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly userAgent: string;

  constructor(options: HttpTransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.dispatcher = options.dispatcher;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    request.signal?.throwIfAborted();
    const target = resolveTarget(request.url, request.rawPath);
    const url = targetHref(target);
    const hostPort = `${target.hostname}:${target.port}`;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;

    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;

    try {
      const dispatcher = this.dispatcher ?? getGlobalDispatcher();
      const answer = await dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: request.body ?? null,
        signal,
      });
      const body = await answer.body.text();
      return { method: request.method, url, status: answer.statusCode, headers: flattenHeaders(answer.headers), body };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (timeout.aborted) throw new NetworkError(hostPort, `timed out after ${timeoutMs} ms`, undefined, { cause: error });
      throw networkErrorFrom(error, hostPort);
    }
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
