/**
 * Firefox Accounts error responses: `{code, errno, error, message, ...extra}`. Clients switch on
 * `errno`, so each error here carries the number, HTTP status and wording of the real auth server.
 */
export class AuthServerError extends Error {
  override readonly name = 'AuthServerError';

  constructor(
    readonly code: number,
    readonly errno: number,
    readonly error: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { code: this.code, errno: this.errno, error: this.error, message: this.message, ...this.extra };
  }
}

const badRequest = (errno: number, message: string, extra?: Record<string, unknown>) =>
  new AuthServerError(400, errno, 'Bad Request', message, extra);
const unauthorized = (errno: number, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>) =>
  new AuthServerError(401, errno, 'Unauthorized', message, extra, headers);

export const authErrors = {
  unknownAccount: () => badRequest(102, 'Unknown account'),
  incorrectPassword: () => badRequest(103, 'Incorrect password'),
  unverifiedAccount: () => badRequest(104, 'Unverified account'),
  invalidJson: () => badRequest(106, 'Invalid JSON in request body'),
  invalidParameter: (detail: string) =>
    badRequest(107, 'Invalid parameter in request body', { validation: { source: 'payload', keys: [detail] } }),
  invalidSignature: () => unauthorized(109, 'Invalid request signature'),
  invalidToken: () => unauthorized(110, 'The authentication token could not be found'),
  staleTimestamp: (serverTime: number, header: string) =>
    unauthorized(111, 'Invalid timestamp in request signature', { serverTime }, { 'WWW-Authenticate': header }),
  throttled: (retryAfterSeconds: number) =>
    new AuthServerError(
      429,
      114,
      'Too Many Requests',
      'Client has sent too many requests',
      { retryAfter: retryAfterSeconds, retryAfterLocalized: `in ${retryAfterSeconds} seconds` },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  incorrectEmailCase: (storedEmail: string) => badRequest(120, 'Incorrect email case', { email: storedEmail }),
  requestBlocked: () =>
    badRequest(125, 'The request was blocked for security reasons', {
      verificationMethod: 'email-captcha',
      verificationReason: 'login',
    }),
  invalidUnblockCode: () => badRequest(127, 'Invalid unblock code'),
  unverifiedSession: () => badRequest(138, 'Unverified session'),
  totpNotSetUp: () => badRequest(155, 'TOTP token not found for user'),
  invalidOtpCode: () => badRequest(183, 'Invalid or expired confirmation code'),
  /** The OAuth half of the server numbers its own errors; an unknown or revoked OAuth token is 108 there. */
  invalidOAuthToken: () => badRequest(108, 'Invalid token'),
  notFound: () => new AuthServerError(404, 999, 'Not Found', 'Unknown endpoint'),
};
