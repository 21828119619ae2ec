import { isJsonObject, retryAfterSeconds, serverErrorText, type HttpResponse } from '../http/index.js';

/** FxA errnos this client reacts to (docs: fxa-auth-server error codes). */
export const FxaErrno = {
  UNKNOWN_ACCOUNT: 102,
  INCORRECT_PASSWORD: 103,
  UNVERIFIED_ACCOUNT: 104,
  INVALID_VERIFICATION_CODE: 105,
  INVALID_TIMESTAMP: 111,
  THROTTLED: 114,
  INCORRECT_EMAIL_CASE: 120,
  REQUEST_BLOCKED: 125,
  INVALID_UNBLOCK_CODE: 127,
  UNVERIFIED_SESSION: 138,
  INVALID_EXPIRED_OTP_CODE: 183,
  SERVER_BUSY: 201,
} as const;

interface FxaErrorDetails {
  /** HTTP status of the answer (FxA calls it `code`). */
  code: number;
  errno?: number | undefined;
}

/**
 * An FxA request failed. Messages never carry secrets (password, tokens, keys): they are
 * built from fixed text and the server's error message only.
 */
export class FxaError extends Error {
  override readonly name: string = 'FxaError';
  readonly code: number;
  /** FxA's error number; undefined when the answer was not an FxA error object (proxies, edge). */
  readonly errno: number | undefined;

  constructor(message: string, details: FxaErrorDetails) {
    super(message);
    this.code = details.code;
    this.errno = details.errno;
  }
}

export class UnknownAccountError extends FxaError {
  override readonly name: string = 'UnknownAccountError';
}

export class IncorrectPasswordError extends FxaError {
  override readonly name: string = 'IncorrectPasswordError';
}

/** The session (or account) is not confirmed yet: keys and OAuth tokens are refused until it is. */
export class UnverifiedSessionError extends FxaError {
  override readonly name: string = 'UnverifiedSessionError';
}

export class InvalidUnblockCodeError extends FxaError {
  override readonly name: string = 'InvalidUnblockCodeError';
}

export class InvalidVerificationCodeError extends FxaError {
  override readonly name: string = 'InvalidVerificationCodeError';
}

/** errno 120: the password was stretched with a differently cased email; `email` is FxA's spelling. */
export class IncorrectEmailCaseError extends FxaError {
  override readonly name: string = 'IncorrectEmailCaseError';
  constructor(
    message: string,
    details: FxaErrorDetails,
    readonly email: string | undefined,
  ) {
    super(message, details);
  }
}

/** errno 125 outside a login (logins turn it into an `unblock-code-required` step). */
export class RequestBlockedError extends FxaError {
  override readonly name: string = 'RequestBlockedError';
  constructor(
    message: string,
    details: FxaErrorDetails,
    readonly verificationMethod: string | undefined,
    readonly verificationReason: string | undefined,
  ) {
    super(message, details);
  }
}

/** errno 114 / HTTP 429: wait `retryAfterSeconds` before trying again. */
export class ThrottledError extends FxaError {
  override readonly name: string = 'ThrottledError';
  constructor(
    message: string,
    details: FxaErrorDetails,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message, details);
  }
}

/** errno 201 / HTTP 503. Named apart from the transport's ServiceUnavailableError. */
export class FxaServiceUnavailableError extends FxaError {
  override readonly name: string = 'FxaServiceUnavailableError';
  constructor(
    message: string,
    details: FxaErrorDetails,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message, details);
  }
}

/** HTTP 406 with an empty body: Mozilla's edge wants a browser challenge solved. Retrying will not help. */
export class BotChallengeError extends FxaError {
  override readonly name: string = 'BotChallengeError';
}

/** A success answer that lacks what the protocol promises. */
export class FxaProtocolError extends FxaError {
  override readonly name: string = 'FxaProtocolError';
}

function numberField(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** Turns an error answer into the typed error for its errno; any body shape is accepted. */
export function fxaErrorFrom(response: HttpResponse, parsedBody: unknown, route: string): FxaError {
  const body = isJsonObject(parsedBody) ? parsedBody : {};
  const errno = numberField(body, 'errno');
  const details: FxaErrorDetails = { code: response.status, errno };
  const serverText = serverErrorText(response.body);
  const suffix = errno === undefined ? `HTTP ${response.status}` : `errno ${errno}, HTTP ${response.status}`;
  const retryAfter = numberField(body, 'retryAfter') ?? retryAfterSeconds(response);

  switch (errno) {
    case FxaErrno.UNKNOWN_ACCOUNT:
      return new UnknownAccountError(`Firefox Accounts knows no account with this email (${suffix})`, details);
    case FxaErrno.INCORRECT_PASSWORD:
      return new IncorrectPasswordError(`Incorrect password for this Firefox account (${suffix})`, details);
    case FxaErrno.UNVERIFIED_ACCOUNT:
    case FxaErrno.UNVERIFIED_SESSION:
      return new UnverifiedSessionError(
        `The Firefox Accounts session is not confirmed yet: confirm the sign-in first (${suffix})`,
        details,
      );
    case FxaErrno.INCORRECT_EMAIL_CASE:
      return new IncorrectEmailCaseError(
        `The email must be spelled as when the account was created (${suffix})`,
        details,
        stringField(body, 'email'),
      );
    case FxaErrno.INVALID_UNBLOCK_CODE:
      return new InvalidUnblockCodeError(`The unblock code is wrong or expired (${suffix})`, details);
    case FxaErrno.INVALID_VERIFICATION_CODE:
    case FxaErrno.INVALID_EXPIRED_OTP_CODE:
      return new InvalidVerificationCodeError(`The confirmation code is wrong or expired (${suffix})`, details);
    case FxaErrno.REQUEST_BLOCKED:
      return new RequestBlockedError(
        `Firefox Accounts blocked the request for security reasons (${suffix})`,
        details,
        stringField(body, 'verificationMethod'),
        stringField(body, 'verificationReason'),
      );
    case FxaErrno.THROTTLED:
      return throttled(details, suffix, retryAfter);
    case FxaErrno.SERVER_BUSY:
      return unavailable(details, suffix, retryAfter);
  }
  if (response.status === 429) return throttled(details, suffix, retryAfter);
  if (response.status === 503) return unavailable(details, suffix, retryAfter);
  if (response.status === 406 && response.body.trim() === '') {
    return new BotChallengeError(
      `${route}: Firefox Accounts answered 406 with an empty body, a bot challenge from its edge network; ` +
        'sign in from a browser on this network or try again later',
      details,
    );
  }
  return new FxaError(`${route} failed${serverText === undefined ? '' : `: ${serverText}`} (${suffix})`, details);
}

function throttled(details: FxaErrorDetails, suffix: string, retryAfter: number | undefined): ThrottledError {
  const wait = retryAfter === undefined ? '' : `; retry after ${retryAfter} s`;
  return new ThrottledError(`Firefox Accounts is throttling this client (${suffix})${wait}`, details, retryAfter);
}

function unavailable(details: FxaErrorDetails, suffix: string, retryAfter: number | undefined): FxaServiceUnavailableError {
  const wait = retryAfter === undefined ? '' : `; retry after ${retryAfter} s`;
  return new FxaServiceUnavailableError(`Firefox Accounts is temporarily unavailable (${suffix})${wait}`, details, retryAfter);
}
