import { isJsonObject, retryAfterSeconds, serverErrorText, type HttpResponse } from '../http/index.js';

interface TokenserverErrorDetails {
  httpStatus: number;
  /** The body's `status` (e.g. `invalid-client-state`), when the answer had one. */
  status?: string | undefined;
}

/** The tokenserver refused a token. Messages never carry the access token or keys. */
export class TokenserverError extends Error {
  override readonly name: string = 'TokenserverError';
  readonly httpStatus: number;
  readonly status: string | undefined;

  constructor(message: string, details: TokenserverErrorDetails) {
    super(message);
    this.httpStatus = details.httpStatus;
    this.status = details.status;
  }
}

/** The OAuth access token is expired or invalid (or X-KeyID malformed): get a new access token. */
export class InvalidCredentialsError extends TokenserverError {
  override readonly name: string = 'InvalidCredentialsError';
}

/** The account's keys changed (typically a password reset): the stored kB is stale. */
export class InvalidClientStateError extends TokenserverError {
  override readonly name: string = 'InvalidClientStateError';
}

/** The token's generation went down: it predates the account's latest password change. */
export class InvalidGenerationError extends TokenserverError {
  override readonly name: string = 'InvalidGenerationError';
}

/** keys_changed_at went down or exceeds the generation: the stored key timestamp is stale. */
export class InvalidKeysChangedAtError extends TokenserverError {
  override readonly name: string = 'InvalidKeysChangedAtError';
}

/** The server takes no new users (403; 401 in the old spec). */
export class NewUsersDisabledError extends TokenserverError {
  override readonly name: string = 'NewUsersDisabledError';
}

/** 503: the tokenserver, its database or FxA is down; wait `retryAfterSeconds`. */
export class TokenserverUnavailableError extends TokenserverError {
  override readonly name: string = 'TokenserverUnavailableError';
  constructor(
    message: string,
    details: TokenserverErrorDetails,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message, details);
  }
}

/** A 200 answer that lacks what the protocol promises. */
export class TokenserverProtocolError extends TokenserverError {
  override readonly name: string = 'TokenserverProtocolError';
}

const SIGN_IN_AGAIN = 'sign in to Firefox Accounts again (syncvault account reconnect) to get the current keys';

export function tokenserverErrorFrom(response: HttpResponse, parsedBody: unknown): TokenserverError {
  const body = isJsonObject(parsedBody) ? parsedBody : {};
  const status = typeof body.status === 'string' ? body.status : undefined;
  const details: TokenserverErrorDetails = { httpStatus: response.status, status };
  const serverText = serverErrorText(response.body);
  const said = serverText === undefined ? `HTTP ${response.status}` : `HTTP ${response.status}: ${serverText}`;

  if (response.status === 503) {
    const retryAfter = retryAfterSeconds(response);
    const wait = retryAfter === undefined ? '' : `; retry after ${retryAfter} s`;
    return new TokenserverUnavailableError(`The tokenserver is temporarily unavailable (${said})${wait}`, details, retryAfter);
  }
  switch (status) {
    case 'invalid-credentials':
      return new InvalidCredentialsError(`The tokenserver rejected the OAuth access token (${said})`, details);
    case 'invalid-client-state':
      return new InvalidClientStateError(
        `The tokenserver rejected the client state: the account's encryption keys changed (for example after a ` +
          `password reset), so the stored keys are stale; ${SIGN_IN_AGAIN} (${said})`,
        details,
      );
    case 'invalid-generation':
      return new InvalidGenerationError(
        `The tokenserver rejected the token's generation: the account's password changed since it was issued; ` +
          `${SIGN_IN_AGAIN} (${said})`,
        details,
      );
    case 'invalid-keysChangedAt':
      return new InvalidKeysChangedAtError(
        `The tokenserver rejected the keys-changed-at timestamp of X-KeyID: it is older than the account's; ` +
          `${SIGN_IN_AGAIN} (${said})`,
        details,
      );
    case 'new-users-disabled':
      return new NewUsersDisabledError(`The tokenserver accepts no new users (${said})`, details);
  }
  return new TokenserverError(`The tokenserver refused to issue a token (${said})`, details);
}
