import { STATUS_CODES } from 'node:http';
import { serverErrorText } from './json.js';
import type { HttpResponse } from './response.js';

/** The server could not be reached or stopped answering: refused, reset, DNS, TLS, timeout. */
export class NetworkError extends Error {
  override readonly name: string = 'NetworkError';
  constructor(
    /** `host:port` that failed. */
    readonly host: string,
    /** Short reason, e.g. "connection refused", "timed out after 30000 ms". */
    readonly reason: string,
    /** Node/undici error code when there was one (ECONNREFUSED, UND_ERR_SOCKET, ...). */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${host}: ${reason}${code ? ` (${code})` : ''}`, options);
  }
}

const REASON_BY_CODE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the response',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

function errorCode(error: unknown): string | undefined {
  // undici wraps the socket error: the telling code may sit on a cause or an AggregateError member.
  let firstCode: string | undefined;
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') {
      if (code in REASON_BY_CODE) return code;
      firstCode ??= code;
    }
    current = current instanceof AggregateError ? (current.errors[0] as unknown) : current.cause;
  }
  return firstCode;
}

export function networkErrorFrom(error: unknown, host: string): NetworkError {
  const code = errorCode(error);
  const reason = (code && REASON_BY_CODE[code]) ?? (error instanceof Error ? error.message : String(error));
  return new NetworkError(host, reason, code, { cause: error });
}

/**
 * A response with an unwanted status. The message carries method, URL, status and the server's
 * own error text, whatever shape the body had (JSON object, bare number or string, HTML).
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The server's explanation, one line; undefined for an empty body. */
  readonly serverMessage: string | undefined;

  constructor(response: HttpResponse, summary?: string) {
    const serverMessage = serverErrorText(response.body);
    const statusText = STATUS_CODES[response.status] ?? 'Unknown Status';
    super(
      `${summary ? `${summary}: ` : ''}${response.method} ${response.url} answered ${response.status} ${statusText}` +
        (serverMessage === undefined ? '' : `: ${serverMessage}`),
    );
    this.status = response.status;
    this.method = response.method;
    this.url = response.url;
    this.headers = response.headers;
    this.body = response.body;
    this.serverMessage = serverMessage;
  }
}

/** 503 (or 429) still answered after the retries the policy allows. */
export class ServiceUnavailableError extends HttpError {
  override readonly name: string = 'ServiceUnavailableError';
  /** The server's last Retry-After, in seconds, if it sent one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(response: HttpResponse, retryAfterSeconds: number | undefined) {
    super(response, `service unavailable after retries${retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`}`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A 2xx answer whose body is not what the protocol promises. */
/**
 * Describes a body by its shape, never its content: successful answers carry tokens, keys and
 * record payloads, none of which may reach an error message or a log.
 */
function describeBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return 'an empty body';
  if (/^<(!doctype|html)/i.test(trimmed)) return `an HTML page (${body.length} bytes)`;
  try {
    const value: unknown = JSON.parse(trimmed);
    const kind = Array.isArray(value) ? 'a JSON array' : value === null ? 'JSON null' : `a JSON ${typeof value}`;
    return `${kind} (${body.length} bytes)`;
  } catch {
    return `${body.length} bytes of non-JSON text`;
  }
}

export class UnexpectedResponseError extends Error {
  override readonly name: string = 'UnexpectedResponseError';
  constructor(
    readonly response: HttpResponse,
    expectation: string,
  ) {
    super(`${response.method} ${response.url}: expected ${expectation}, got ${describeBody(response.body)}`);
  }
}
