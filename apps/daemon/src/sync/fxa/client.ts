import {
  deriveTokenCredentials,
  fromHex,
  stretchPassword,
  toHex,
  unwrapAccountKeys,
  xorBytes,
  type FxaTokenType,
} from '@syncvault/sync-crypto';
import {
  ClockOffset,
  hawkAuthorization,
  HttpTransport,
  isJsonObject,
  isSuccess,
  parseJsonLoose,
  RetryPolicy,
  type HawkCredentials,
  type HttpResponse,
} from '../http/index.js';
import {
  FxaErrno,
  fxaErrorFrom,
  FxaProtocolError,
  IncorrectEmailCaseError,
  InvalidVerificationCodeError,
  RequestBlockedError,
} from './errors.js';
import type {
  FxaCredentials,
  LoginStep,
  OAuthToken,
  PendingSession,
  ScopedKeyData,
  StretchedLogin,
  VerificationRequired,
  UnblockCodeRequired,
} from './types.js';

export const DEFAULT_AUTH_SERVER_URL = 'https://api.accounts.firefox.com';
/** Firefox desktop's public OAuth client; not issued to third parties, hence configurable. */
export const FIREFOX_DESKTOP_CLIENT_ID = '5882386c6d801776';
export const OLDSYNC_SCOPE = 'https://identity.mozilla.com/apps/oldsync';

export interface FxaClientOptions {
  /** Auth server base without `/v1` (a trailing `/v1` is tolerated). */
  authServerUrl?: string;
  /** Public OAuth client allowed to do direct grants. */
  clientId?: string;
  transport?: Pick<HttpTransport, 'send'>;
  /**
   * Pacing for 429/503 answers. Default: no automatic retry (a login is interactive and FxA's
   * throttling windows are long), so callers get ThrottledError/FxaServiceUnavailableError
   * with `retryAfterSeconds`.
   */
  retryPolicy?: RetryPolicy;
}

interface CallOptions {
  body?: Record<string, unknown>;
  /** Hawk-sign with these token-derived credentials. */
  hawk?: HawkCredentials;
}

interface TokenHawk {
  hawk: HawkCredentials;
  /** keyRequestKey, for keyFetchToken only. */
  extra: Buffer;
}

function tokenHawk(tokenHex: string, type: FxaTokenType): TokenHawk {
  const credentials = deriveTokenCredentials(fromHex(tokenHex), type);
  return { hawk: { id: toHex(credentials.tokenId), key: credentials.reqHmacKey }, extra: credentials.extra };
}

/**
 * The password behind each stretched login still in progress, for one purpose: FxA answers a
 * blocked login (125) before it checks the email's case (120), so the case mismatch only shows up
 * once an unblock code was spent, and the password must be stretched again with FxA's spelling.
 * Held in memory only, and only as long as the caller keeps the login step.
 */
const passwordsOfPendingLogins = new WeakMap<StretchedLogin, string>();

function stretchLogin(email: string, password: string, originalLoginEmail?: string): StretchedLogin {
  const { authPW, unwrapBKey } = stretchPassword(email, password);
  const login: StretchedLogin = { email, authPW: toHex(authPW), unwrapBKey: toHex(unwrapBKey) };
  if (originalLoginEmail !== undefined) login.originalLoginEmail = originalLoginEmail;
  passwordsOfPendingLogins.set(login, password);
  return login;
}

/** Users type codes with spaces ("123 456") or paste them with a newline. */
function cleanCode(code: string): string {
  return code.replace(/\s+/g, '');
}

/**
 * Firefox Accounts auth server client (API v1, onepw login). The interactive login is a
 * sequence of explicit steps so a CLI or an HTTP API can prompt between them:
 * `beginLogin` -> [`sendUnblockCode` + `submitUnblockCode`] -> [`submitVerificationCode` |
 * `checkVerification`] -> `{kind: "done", session}`. Every token-authenticated request is
 * Hawk-signed with the token's derived credentials and a payload hash on POSTs; a stale-clock
 * answer (errno 111) corrects the clock offset and is retried once.
 */
export class FxaClient {
  readonly clientId: string;
  private readonly baseUrl: string;
  private readonly transport: Pick<HttpTransport, 'send'>;
  private readonly retryPolicy: RetryPolicy;
  private readonly clock = new ClockOffset();

  constructor(options: FxaClientOptions = {}) {
    this.baseUrl = (options.authServerUrl ?? DEFAULT_AUTH_SERVER_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
    this.clientId = options.clientId ?? FIREFOX_DESKTOP_CLIENT_ID;
    this.transport = options.transport ?? new HttpTransport();
    this.retryPolicy = options.retryPolicy ?? new RetryPolicy({ maxAttempts: 1 });
  }

  /** Signs in with email and password. The password is stretched locally and never sent or kept. */
  async beginLogin(email: string, password: string): Promise<LoginStep> {
    try {
      return await this.login(stretchLogin(email, password));
    } catch (error) {
      // FxA stretches with the email as first registered: retry once with its spelling.
      if (!(error instanceof IncorrectEmailCaseError) || error.email === undefined || error.email === email) throw error;
      return this.login(stretchLogin(error.email, password, email));
    }
  }

  /** Mails an unblock code for a login blocked with errno 125. */
  async sendUnblockCode(email: string): Promise<void> {
    await this.call('POST', '/account/login/send_unblock_code', { body: { email } });
  }

  /**
   * Repeats a blocked login with the mailed code; a wrong code throws InvalidUnblockCodeError.
   * If only now FxA reports the email's case as wrong, the login is repeated with its spelling;
   * the code is used up by then, so that may well be a new `unblock-code-required` step.
   */
  async submitUnblockCode(step: UnblockCodeRequired, unblockCode: string): Promise<LoginStep> {
    try {
      return await this.login(step.login, cleanCode(unblockCode));
    } catch (error) {
      const password = passwordsOfPendingLogins.get(step.login);
      if (!(error instanceof IncorrectEmailCaseError) || error.email === undefined || error.email === step.login.email || password === undefined) {
        throw error;
      }
      return this.login(stretchLogin(error.email, password, step.login.originalLoginEmail ?? step.login.email));
    }
  }

  /** Confirms the session with a mailed code (`email-otp`, `email-2fa`) or an authenticator code (`totp-2fa`). */
  async submitVerificationCode(step: VerificationRequired, code: string): Promise<LoginStep> {
    const { hawk } = tokenHawk(step.session.sessionToken, 'sessionToken');
    if (step.method === 'totp-2fa') {
      const answer = await this.call('POST', '/session/verify/totp', { body: { code: cleanCode(code) }, hawk });
      // FxA answers a wrong TOTP code with 200 {success: false}.
      if (answer.success !== true) {
        throw new InvalidVerificationCodeError('The two-step authentication code is wrong or expired', { code: 200 });
      }
    } else {
      await this.call('POST', '/session/verify_code', { body: { code: cleanCode(code) }, hawk });
    }
    return { kind: 'done', session: await this.completeLogin(step.session) };
  }

  /** One poll for link confirmation (`email`): the same step while unconfirmed, else the finished login. */
  async checkVerification(step: VerificationRequired): Promise<LoginStep> {
    const { hawk } = tokenHawk(step.session.sessionToken, 'sessionToken');
    const status = await this.call('GET', '/session/status', { hawk });
    if (status.state !== 'verified') return step;
    return { kind: 'done', session: await this.completeLogin(step.session) };
  }

  /** Redeems the (single-use) keyFetchToken and gets the oldsync key timestamp and OAuth tokens. */
  async completeLogin(session: PendingSession): Promise<FxaCredentials> {
    const kB = await this.fetchKeys(session.keyFetchToken, session.unwrapBKey);
    const { keyRotationTimestamp } = await this.scopedKeyData(session.sessionToken);
    const oauth = await this.oauthTokenFromSession(session.sessionToken);
    if (oauth.refreshToken === undefined) {
      throw new FxaProtocolError('POST /v1/oauth/token: an offline grant returned no refresh_token', { code: 200 });
    }
    return {
      email: session.email,
      uid: session.uid,
      sessionToken: session.sessionToken,
      kB,
      keysChangedAt: keyRotationTimestamp,
      refreshToken: oauth.refreshToken,
      accessToken: oauth.accessToken,
      expiresAt: oauth.expiresAt,
    };
  }

  /** `GET /account/keys`: checks the bundle's MAC (AccountKeysMacError), returns kB = wrapKB XOR unwrapBkey. */
  async fetchKeys(keyFetchToken: string, unwrapBKey: string): Promise<Buffer> {
    const { hawk, extra: keyRequestKey } = tokenHawk(keyFetchToken, 'keyFetchToken');
    const answer = await this.call('GET', '/account/keys', { hawk });
    const bundle = hexField(answer, 'bundle', 96, 'GET /v1/account/keys');
    const { wrapKB } = unwrapAccountKeys(keyRequestKey, bundle);
    return xorBytes(wrapKB, fromHex(unwrapBKey));
  }

  /** The oldsync scope's key metadata; `keyRotationTimestamp` is the account's keys-changed-at. */
  async scopedKeyData(sessionToken: string): Promise<ScopedKeyData> {
    const route = 'POST /v1/account/scoped-key-data';
    const { hawk } = tokenHawk(sessionToken, 'sessionToken');
    const answer = await this.call('POST', '/account/scoped-key-data', {
      body: { client_id: this.clientId, scope: OLDSYNC_SCOPE },
      hawk,
    });
    const scoped = answer[OLDSYNC_SCOPE];
    // identifier and keyRotationSecret serve other scopes; oldsync only needs the timestamp.
    if (!isJsonObject(scoped) || typeof scoped.keyRotationTimestamp !== 'number' || !Number.isSafeInteger(scoped.keyRotationTimestamp)) {
      throw new FxaProtocolError(`${route}: the answer lacks keyRotationTimestamp for the oldsync scope`, { code: 200 });
    }
    return { keyRotationTimestamp: scoped.keyRotationTimestamp };
  }

  /** OAuth `fxa-credentials` grant signed with the session token, with a refresh token (`access_type: offline`). */
  async oauthTokenFromSession(sessionToken: string): Promise<OAuthToken> {
    const { hawk } = tokenHawk(sessionToken, 'sessionToken');
    const answer = await this.call('POST', '/oauth/token', {
      body: { grant_type: 'fxa-credentials', client_id: this.clientId, scope: OLDSYNC_SCOPE, access_type: 'offline' },
      hawk,
    });
    return parseOAuthToken(answer);
  }

  /** OAuth `refresh_token` grant: a fresh access token, unattended. */
  async refreshAccessToken(refreshToken: string): Promise<OAuthToken> {
    const answer = await this.call('POST', '/oauth/token', {
      body: { grant_type: 'refresh_token', client_id: this.clientId, refresh_token: refreshToken, scope: OLDSYNC_SCOPE },
    });
    return parseOAuthToken(answer);
  }

  /** Revokes a refresh token (it shows up as a connected device until then). */
  async destroyRefreshToken(refreshToken: string): Promise<void> {
    await this.call('POST', '/oauth/destroy', {
      body: { client_id: this.clientId, token: refreshToken, token_type_hint: 'refresh_token' },
    });
  }

  async destroySession(sessionToken: string): Promise<void> {
    const { hawk } = tokenHawk(sessionToken, 'sessionToken');
    await this.call('POST', '/session/destroy', { body: {}, hawk });
  }

  private async login(login: StretchedLogin, unblockCode?: string): Promise<LoginStep> {
    const route = 'POST /v1/account/login';
    let answer: Record<string, unknown>;
    try {
      answer = await this.call('POST', '/account/login?keys=true', {
        body: {
          email: login.email,
          authPW: login.authPW,
          reason: 'login',
          service: 'sync',
          ...(unblockCode === undefined ? {} : { unblockCode }),
          ...(login.originalLoginEmail === undefined ? {} : { originalLoginEmail: login.originalLoginEmail }),
        },
      });
    } catch (error) {
      if (!(error instanceof RequestBlockedError)) throw error;
      return {
        kind: 'unblock-code-required',
        email: login.email,
        ...(error.verificationMethod === undefined ? {} : { verificationMethod: error.verificationMethod }),
        ...(error.verificationReason === undefined ? {} : { verificationReason: error.verificationReason }),
        login,
      };
    }
    const session: PendingSession = {
      email: login.email,
      uid: toHex(hexField(answer, 'uid', 16, route)),
      sessionToken: toHex(hexField(answer, 'sessionToken', 32, route)),
      keyFetchToken: toHex(hexField(answer, 'keyFetchToken', 32, route)),
      unwrapBKey: login.unwrapBKey,
    };
    if (answer.verified === true) return { kind: 'done', session: await this.completeLogin(session) };
    const method = typeof answer.verificationMethod === 'string' ? answer.verificationMethod : 'email';
    return {
      kind: 'verification-required',
      method,
      ...(typeof answer.verificationReason === 'string' ? { reason: answer.verificationReason } : {}),
      session,
    };
  }

  /** One FxA request: a JSON object on success, a typed FxaError otherwise. */
  private async call(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<Record<string, unknown>> {
    const route = `${method} /v1${path.replace(/\?.*$/, '')}`;
    let response = await this.exchange(method, path, options);
    if (options.hawk !== undefined && response.status === 401) {
      const parsed = parseJsonLoose(response.body);
      if (isJsonObject(parsed) && parsed.errno === FxaErrno.INVALID_TIMESTAMP && typeof parsed.serverTime === 'number') {
        this.clock.observeServerSeconds(parsed.serverTime);
        response = await this.exchange(method, path, options);
      }
    }
    const parsed = parseJsonLoose(response.body);
    if (!isSuccess(response)) throw fxaErrorFrom(response, parsed, route);
    if (!isJsonObject(parsed)) throw new FxaProtocolError(`${route}: the answer is not a JSON object`, { code: response.status });
    return parsed;
  }

  private async exchange(method: string, path: string, options: CallOptions): Promise<HttpResponse> {
    const url = `${this.baseUrl}/v1${path}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await this.retryPolicy.run(() => {
      // Signed per attempt: every attempt needs a fresh nonce and timestamp.
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (options.hawk !== undefined) {
        headers.authorization = hawkAuthorization({
          method,
          url,
          credentials: options.hawk,
          ...(payload === undefined ? {} : { payload, contentType: 'application/json' }),
          offsetSeconds: this.clock.offsetSeconds,
        });
      }
      return this.transport.send({ method, url, headers, ...(payload === undefined ? {} : { body: payload }) });
    });
    this.clock.observe(response.headers);
    return response;
  }
}

function hexField(answer: Record<string, unknown>, name: string, bytes: number, route: string): Buffer {
  const value = answer[name];
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new FxaProtocolError(`${route}: the answer lacks a valid ${name}`, { code: 200 });
  }
  return fromHex(value);
}

function parseOAuthToken(answer: Record<string, unknown>): OAuthToken {
  const { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken, scope } = answer;
  if (typeof accessToken !== 'string' || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) {
    throw new FxaProtocolError('POST /v1/oauth/token: the answer lacks access_token or expires_in', { code: 200 });
  }
  return {
    accessToken,
    expiresAt: Date.now() + expiresIn * 1000,
    ...(typeof refreshToken === 'string' ? { refreshToken } : {}),
    scope: typeof scope === 'string' ? scope : OLDSYNC_SCOPE,
  };
}
