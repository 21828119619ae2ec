import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromHex, toHex, wrapAccountKeys } from '@syncvault/sync-crypto';
import { newEmailOtpCode, newUnblockCode, totpCodeIsValid } from './codes.js';
import { AuthServerError, authErrors } from './errors.js';
import { verifyHawk } from './hawk.js';
import { OLDSYNC_SCOPE, type OAuthAuthority } from './oauth.js';
import type { AccountRegistry, DeviceRecord, FxaAccount, SessionRecord } from './registry.js';
import type { Throttle } from './throttle.js';

export interface AccountsServerOptions {
  /** Mount point, e.g. `/fxa`; the API lives under `<prefix>/v1`. */
  prefix: string;
  registry: AccountRegistry;
  oauth: OAuthAuthority;
  throttle: Throttle;
  /** Public base URL of this server (with the prefix, without /v1). */
  publicUrl: () => string;
  /** Public base URL of the tokenserver that trusts this server (without /1.0/sync/1.5). */
  tokenServerUrl: () => string;
}

/** The OAuth endpoints answer both as part of the auth server API and on an oauth-server style base. */
const OAUTH_BASES = ['/v1/oauth', '/oauth/v1'];

const HEX_32_BYTES = /^[0-9a-fA-F]{64}$/;
const CLIENT_ID = /^[0-9a-fA-F]{16}$/;

type JsonBody = Record<string, unknown>;

/** Bodies arrive as text so that Hawk payload hashes can be checked against the exact bytes. */
function readJson(request: FastifyRequest): JsonBody {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw authErrors.invalidJson();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw authErrors.invalidParameter('payload');
  return parsed as JsonBody;
}

function stringField(body: JsonBody, name: string, pattern?: RegExp): string {
  const value = body[name];
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) throw authErrors.invalidParameter(name);
  return value;
}

function optionalStringField(body: JsonBody, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw authErrors.invalidParameter(name);
  return value;
}

function scopesOf(scope: string): string[] {
  return scope.split(/\s+/).filter(Boolean);
}

/** Authenticates a Hawk-signed request against one kind of FxA token; throws the errno the real server would. */
function hawkCredentials<T extends { hmacKey: Buffer }>(
  request: FastifyRequest,
  lookup: (id: string) => T | undefined,
  payloadHashRequired: boolean,
): T {
  let found: T | undefined;
  const check = verifyHawk({
    header: request.headers.authorization,
    request: {
      method: request.method,
      resource: request.raw.url ?? request.url,
      host: request.headers.host ?? '',
      protocol: request.protocol,
    },
    keyFor: (id) => {
      found = lookup(id);
      return found?.hmacKey;
    },
    ...(typeof request.body === 'string'
      ? { payload: { contentType: request.headers['content-type'] ?? '', body: request.body } }
      : {}),
    payloadHashRequired,
    nowMs: Date.now(),
  });
  if (check.ok && found) return found;
  if (check.ok) throw authErrors.invalidToken();
  switch (check.reason) {
    case 'missing':
    case 'unknown-credentials':
      throw authErrors.invalidToken();
    case 'stale':
      throw authErrors.staleTimestamp(check.serverTime, check.wwwAuthenticate);
    default:
      throw authErrors.invalidSignature();
  }
}

export async function registerAccountsServer(app: FastifyInstance, options: AccountsServerOptions): Promise<void> {
  const { registry, oauth, throttle } = options;

  const accountOf = (uid: string): FxaAccount => {
    const account = registry.fxaByUid(uid);
    if (!account) throw authErrors.invalidToken();
    return account;
  };
  const sessionAuth = (request: FastifyRequest, payloadHashRequired = false): SessionRecord => {
    // Newer FxA also takes the session token id as a bearer credential on session routes.
    const bearer = /^Bearer fxs_([0-9a-f]{64})$/i.exec(request.headers.authorization ?? '');
    if (bearer) {
      const session = registry.session((bearer[1] ?? '').toLowerCase());
      if (!session) throw authErrors.invalidToken();
      return session;
    }
    return hawkCredentials(request, (id) => registry.session(id), payloadHashRequired);
  };

  const loginResponse = (account: FxaAccount, session: SessionRecord, sessionToken: Buffer, keyFetchToken?: Buffer) => ({
    uid: account.uid,
    sessionToken: toHex(sessionToken),
    ...(keyFetchToken ? { keyFetchToken: toHex(keyFetchToken) } : {}),
    authAt: session.authAt,
    metricsEnabled: true,
    emailVerified: true,
    sessionVerified: session.verified,
    verified: session.verified,
    // As on the real server, these are only present while the session still needs confirming.
    ...(session.verified ? {} : { verificationMethod: session.verificationMethod, verificationReason: 'login' }),
  });

  const grantFromSession = (body: JsonBody, request: FastifyRequest) => {
    const session = sessionAuth(request, true);
    const clientId = stringField(body, 'client_id', CLIENT_ID);
    const scope = stringField(body, 'scope');
    if (!session.verified) throw authErrors.unverifiedSession();
    const account = accountOf(session.uid);
    const access = oauth.issueAccessToken({
      uid: account.uid,
      clientId,
      scope: scopesOf(scope),
      generation: account.generation,
      ...ttlOf(body),
    });
    const offline = body['access_type'] === 'offline';
    return {
      access_token: access.token,
      token_type: 'bearer',
      scope,
      expires_in: access.expiresIn,
      auth_at: session.authAt,
      ...(offline
        ? { refresh_token: oauth.issueRefreshToken({ uid: account.uid, clientId, scope: scopesOf(scope), authAt: session.authAt }) }
        : {}),
    };
  };

  const grantFromRefreshToken = (body: JsonBody) => {
    const clientId = stringField(body, 'client_id', CLIENT_ID);
    const record = oauth.refreshToken(stringField(body, 'refresh_token', HEX_32_BYTES));
    if (!record || record.clientId !== clientId) throw authErrors.invalidOAuthToken();
    const account = accountOf(record.uid);
    const requested = optionalStringField(body, 'scope');
    const scope = requested === undefined ? record.scope : scopesOf(requested);
    if (!scope.every((wanted) => record.scope.includes(wanted))) throw authErrors.invalidParameter('scope');
    const access = oauth.issueAccessToken({ uid: account.uid, clientId, scope, generation: account.generation, ...ttlOf(body) });
    return {
      access_token: access.token,
      token_type: 'bearer',
      scope: scope.join(' '),
      expires_in: access.expiresIn,
      auth_at: record.authAt,
    };
  };

  await app.register(
    async (server) => {
      server.removeAllContentTypeParsers();
      server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

      server.addHook('onRequest', async (request) => {
        const path = request.url.split('?')[0] ?? '';
        const retryAfter = throttle.take(path, path.slice(options.prefix.length));
        if (retryAfter !== undefined) throw authErrors.throttled(retryAfter);
      });
      server.addHook('onSend', async (_request, reply) => {
        reply.header('Timestamp', String(Math.floor(Date.now() / 1000)));
      });
      server.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => sendError(reply, error));
      server.setNotFoundHandler((_request, reply) => sendError(reply, authErrors.notFound()));

      server.get('/.well-known/fxa-client-configuration', async () => ({
        auth_server_base_url: options.publicUrl(),
        oauth_server_base_url: `${options.publicUrl()}/oauth`,
        profile_server_base_url: `${options.publicUrl()}/profile`,
        sync_tokenserver_base_url: options.tokenServerUrl(),
      }));

      server.post('/v1/account/credentials/status', async (request) => {
        const account = registry.fxaByEmail(stringField(readJson(request), 'email'));
        if (!account) throw authErrors.unknownAccount();
        // Accounts here only have onepw v1 credentials.
        return { currentVersion: 'v1', upgradeNeeded: false };
      });

      server.post<{ Querystring: { keys?: string } }>('/v1/account/login', async (request) => {
        const body = readJson(request);
        const email = stringField(body, 'email');
        const authPW = fromHex(stringField(body, 'authPW', HEX_32_BYTES));
        const account = registry.fxaByEmail(email);
        if (!account) throw authErrors.unknownAccount();
        if (account.gates.unblock) {
          const unblockCode = optionalStringField(body, 'unblockCode');
          if (unblockCode === undefined) throw authErrors.requestBlocked();
          if (!registry.redeemUnblockCode(account, unblockCode)) throw authErrors.invalidUnblockCode();
        }
        if (!registry.checkAuthPW(account, authPW)) {
          // The client salted its stretch with the typed spelling; tell it the stored one so it can retry.
          throw email === account.email ? authErrors.incorrectPassword() : authErrors.incorrectEmailCase(account.email);
        }
        const verificationMethod = account.gates.verification ?? null;
        const { token, session } = registry.createSession(account, verificationMethod);
        if (verificationMethod === 'email-otp') account.emailOtpCode = newEmailOtpCode();
        const keyFetchToken = request.query.keys === 'true' ? registry.createKeyFetchToken(session) : undefined;
        return loginResponse(account, session, token, keyFetchToken);
      });

      server.post('/v1/account/login/send_unblock_code', async (request) => {
        const account = registry.fxaByEmail(stringField(readJson(request), 'email'));
        if (!account) throw authErrors.unknownAccount();
        registry.issueUnblockCode(account, newUnblockCode());
        return {};
      });

      server.post('/v1/account/login/reject_unblock_code', async (request) => {
        const body = readJson(request);
        const account = registry.fxaByUid(stringField(body, 'uid'));
        if (account) registry.redeemUnblockCode(account, stringField(body, 'unblockCode'));
        return {};
      });

      server.post('/v1/session/verify_code', async (request) => {
        const session = sessionAuth(request, true);
        const code = stringField(readJson(request), 'code');
        const account = accountOf(session.uid);
        const mailedCodeApplies = session.verificationMethod !== 'totp-2fa';
        if (!mailedCodeApplies || account.emailOtpCode === undefined || code !== account.emailOtpCode) {
          throw authErrors.invalidOtpCode();
        }
        session.verified = true;
        return {};
      });

      server.post('/v1/session/resend_code', async (request) => {
        const session = sessionAuth(request);
        const account = accountOf(session.uid);
        // Accounts with two-step authentication get no mailed code: it must not bypass TOTP.
        if (!account.totpSecret) account.emailOtpCode = newEmailOtpCode();
        return {};
      });

      server.post('/v1/session/verify/totp', async (request) => {
        const session = sessionAuth(request, true);
        const code = stringField(readJson(request), 'code', /^\d{1,32}$/);
        const account = accountOf(session.uid);
        if (!account.totpSecret) throw authErrors.totpNotSetUp();
        const success = totpCodeIsValid(account.totpSecret, code, Date.now());
        if (success) session.verified = true;
        return { success };
      });

      server.get('/v1/session/status', async (request) => {
        const session = sessionAuth(request);
        return {
          state: session.verified ? 'verified' : 'unverified',
          uid: session.uid,
          details: {
            accountEmailVerified: true,
            sessionVerificationMethod: session.verified ? session.verificationMethod : null,
            sessionVerified: session.verified,
            mustVerify: session.verificationMethod !== null,
            sessionVerificationMeetsMinimumAAL: session.verified,
            verified: session.verified,
          },
        };
      });

      server.post('/v1/session/destroy', async (request) => {
        const session = sessionAuth(request);
        registry.destroySession(session.id);
        return {};
      });

      server.get('/v1/recovery_email/status', async (request) => {
        const session = sessionAuth(request);
        const account = accountOf(session.uid);
        return { email: account.email, verified: session.verified, sessionVerified: session.verified, emailVerified: true };
      });

      server.post('/v1/account/device', async (request) => {
        const session = sessionAuth(request);
        const body = readJson(request);
        const name = optionalStringField(body, 'name');
        const type = optionalStringField(body, 'type');
        const device: DeviceRecord = session.device ?? {
          id: toHex(randomBytes(16)),
          name: name ?? 'Unnamed device',
          type: type ?? 'desktop',
          createdAt: Date.now(),
        };
        if (name !== undefined) device.name = name;
        if (type !== undefined) device.type = type;
        session.device = device;
        return { id: device.id, name: device.name, type: device.type, createdAt: device.createdAt, availableCommands: {}, pushEndpointExpired: false };
      });

      server.get('/v1/account/devices', async (request) => {
        const session = sessionAuth(request);
        return registry.sessionsOf(session.uid).flatMap((other) =>
          other.device
            ? [
                {
                  id: other.device.id,
                  isCurrentDevice: other.id === session.id,
                  name: other.device.name,
                  type: other.device.type,
                  lastAccessTime: other.device.createdAt,
                  availableCommands: {},
                  pushEndpointExpired: false,
                },
              ]
            : [],
        );
      });

      server.get('/v1/account/keys', async (request) => {
        const keyFetch = hawkCredentials(request, (id) => registry.keyFetchToken(id), false);
        if (!registry.session(keyFetch.sessionId)?.verified) throw authErrors.unverifiedAccount();
        const account = accountOf(keyFetch.uid);
        registry.consumeKeyFetchToken(keyFetch.id);
        return { bundle: toHex(wrapAccountKeys(keyFetch.keyRequestKey, account.kA, account.wrapKB)) };
      });

      server.post('/v1/account/scoped-key-data', async (request) => {
        const session = sessionAuth(request, true);
        const body = readJson(request);
        stringField(body, 'client_id', CLIENT_ID);
        const scopes = scopesOf(stringField(body, 'scope'));
        if (!session.verified) throw authErrors.unverifiedSession();
        const account = accountOf(session.uid);
        if (!scopes.includes(OLDSYNC_SCOPE)) return {};
        return {
          [OLDSYNC_SCOPE]: {
            identifier: OLDSYNC_SCOPE,
            // oldsync keys are derived from kB alone; Mozilla reports an all-zero rotation secret for it.
            keyRotationSecret: '0'.repeat(64),
            keyRotationTimestamp: account.keysChangedAt,
          },
        };
      });

      for (const base of OAUTH_BASES) {
        server.post(`${base}/token`, async (request) => {
          const body = readJson(request);
          switch (body['grant_type']) {
            case 'fxa-credentials':
              return grantFromSession(body, request);
            case 'refresh_token':
              return grantFromRefreshToken(body);
            default:
              throw authErrors.invalidParameter('grant_type');
          }
        });

        server.post(`${base}/verify`, async (request) => {
          const info = oauth.verifyAccessToken(stringField(readJson(request), 'token'));
          const account = info && registry.fxaByUid(info.user);
          if (!info || !account) throw authErrors.invalidOAuthToken();
          return {
            user: info.user,
            client_id: info.client_id,
            scope: info.scope,
            generation: info.generation,
            profile_changed_at: account.profileChangedAt,
          };
        });

        server.post(`${base}/destroy`, async (request) => {
          const body = readJson(request);
          for (const name of ['token', 'access_token', 'refresh_token']) {
            const token = optionalStringField(body, name);
            if (token !== undefined) oauth.destroy(token);
          }
          return {};
        });

        server.get(`${base}/jwks`, async () => oauth.jwks());
      }
    },
    { prefix: options.prefix },
  );
}

function ttlOf(body: JsonBody): { ttlSeconds?: number } {
  const ttl = body['ttl'];
  if (ttl === undefined) return {};
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) throw authErrors.invalidParameter('ttl');
  return { ttlSeconds: ttl };
}

function sendError(reply: FastifyReply, error: Error & { statusCode?: number }): FastifyReply {
  const failure =
    error instanceof AuthServerError
      ? error
      : error.statusCode === 413
        ? new AuthServerError(413, 113, 'Request Entity Too Large', 'Payload too large')
        : error.statusCode !== undefined && error.statusCode < 500
          ? new AuthServerError(error.statusCode, 107, 'Bad Request', error.message)
          : new AuthServerError(500, 999, 'Internal Server Error', 'Unspecified error');
  return reply.code(failure.code).headers(failure.headers).send(failure.body());
}
