import { HttpError, parseJsonLoose, retryAfterSeconds, ServiceUnavailableError, type HttpResponse } from '../http/index.js';
import type { ServerLimits } from './types.js';

/** Weave error codes (storage 1.1 and 1.5): the integer body of a 400. */
export const WEAVE_ERRNO_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown error',
  1: 'illegal method/protocol',
  2: 'incorrect/missing captcha',
  3: 'invalid/missing username',
  4: 'attempt to overwrite data that cannot be overwritten',
  5: 'user id does not match account in path',
  6: 'JSON parse failure',
  7: 'missing password field',
  8: 'invalid Weave Basic Object',
  9: 'requested password not strong enough',
  10: 'invalid/missing password reset code',
  11: 'unsupported function',
  12: 'no email address on file',
  13: 'invalid collection',
  14: 'user over quota',
  15: 'the email does not match the username',
  16: 'client upgrade required',
  17: 'size limit exceeded',
};

const WEAVE_ERRNO_OVER_QUOTA = 14;

/** The weave errno of an error body: a bare integer, or (some proxies/servers) a string of one. */
export function weaveErrno(response: HttpResponse): number | undefined {
  const parsed = parseJsonLoose(response.body);
  if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
  if (typeof parsed === 'string' && /^\d+$/.test(parsed.trim())) return Number(parsed);
  return undefined;
}

/** 412: the target changed after the X-If-Unmodified-Since timestamp; nothing was written. Re-read. */
export class PreconditionFailedError extends HttpError {
  override readonly name: string = 'PreconditionFailedError';
}

/** 409 still answered after the retries: another client keeps writing. */
export class ConflictError extends HttpError {
  override readonly name: string = 'ConflictError';
}

/** 413: the request body is too large for the server; split it. */
export class PayloadTooLargeError extends HttpError {
  override readonly name: string = 'PayloadTooLargeError';
}

/** 401 that a fresh token (1.5) or a node re-lookup (1.1) did not cure: wrong credentials. */
export class AuthenticationError extends HttpError {
  override readonly name: string = 'AuthenticationError';
}

/** A 400 carrying a weave error code. */
export class WeaveError extends HttpError {
  override readonly name: string = 'WeaveError';
  readonly errnoName: string;
  constructor(
    response: HttpResponse,
    readonly errno: number,
  ) {
    const errnoName = WEAVE_ERRNO_NAMES[errno] ?? 'unknown weave error';
    super(response, `weave error ${errno} (${errnoName})`);
    this.errnoName = errnoName;
  }
}

/** Weave errno 14, or a 403 from the storage server: the user's quota is used up. */
export class QuotaExceededError extends WeaveError {
  override readonly name: string = 'QuotaExceededError';
}

/** Turns an unwanted storage response into the most specific error. */
export function storageErrorFor(response: HttpResponse): HttpError {
  const errno = weaveErrno(response);
  if (errno === WEAVE_ERRNO_OVER_QUOTA || response.status === 403) {
    return new QuotaExceededError(response, errno ?? WEAVE_ERRNO_OVER_QUOTA);
  }
  switch (response.status) {
    case 401:
      return new AuthenticationError(response, 'authentication failed');
    case 409:
      return new ConflictError(response, 'write conflict persisted after retries');
    case 412:
      return new PreconditionFailedError(response, 'modified since X-If-Unmodified-Since');
    case 413:
      return new PayloadTooLargeError(response, 'request too large');
    case 429:
    case 503:
      return new ServiceUnavailableError(response, retryAfterSeconds(response));
  }
  if (response.status === 400 && errno !== undefined) return new WeaveError(response, errno);
  return new HttpError(response);
}

/** A record that can never be uploaded: alone it exceeds a server limit. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  constructor(
    readonly collection: string,
    readonly id: string,
    readonly bytes: number,
    readonly limitName: keyof ServerLimits,
    readonly limit: number,
  ) {
    super(`record ${collection}/${id} is ${bytes} bytes, over the server's ${limitName} of ${limit}`);
  }
}

/** The server broke the batch protocol (§5.6), e.g. a 202 without a batch id. */
export class BatchProtocolError extends Error {
  override readonly name = 'BatchProtocolError';
  constructor(
    readonly collection: string,
    problem: string,
  ) {
    super(`batch upload to ${collection}: the server ${problem}`);
  }
}
