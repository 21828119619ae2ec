import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromBase64Url, toBase64Url, toHex } from '@syncvault/sync-crypto';
import { mintToken } from '../tokenlib.js';
import { OLDSYNC_SCOPE } from '../accounts/oauth.js';
import { TokenserverError, tokenserverErrors } from './errors.js';
import type { TokenserverUser, TokenserverUsers } from './users.js';
import type { AccessTokenVerifier } from './verifier.js';

export const DEFAULT_TOKEN_DURATION_SECONDS = 3600;

export interface TokenserverOptions {
  /** Mount point, e.g. `/token`; the endpoint is `<prefix>/1.0/sync/1.5`. */
  prefix: string;
  verifier: AccessTokenVerifier;
  users: TokenserverUsers;
  /** The master secret shared with the storage node (tokenlib). */
  tokenSecret: string;
  /** Storage node base URL; tokens point at `<node>/1.5/<uid>`. */
  nodeUrl: () => string;
}

/** Same shape as syncstorage-rs: `[a-zA-Z0-9._-]{1,32}` is all X-Client-State may contain. */
const CLIENT_STATE_HEADER = /^[a-zA-Z0-9._-]{1,32}$/;
const B64URL_NO_PAD = /^[A-Za-z0-9_-]*$/;

/** Metrics ids are keyed hashes so that logs never carry the FxA uid itself. */
function metricsHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex').slice(0, 32);
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw tokenserverErrors.unauthorized();
  const space = header.indexOf(' ');
  if (space < 0) throw tokenserverErrors.unauthorized();
  if (header.slice(0, space).toLowerCase() !== 'bearer') throw tokenserverErrors.unauthorized('Unsupported');
  return header.slice(space + 1);
}

/** `X-KeyID: <keys_changed_at>-<b64url(client state)>`, cross-checked with X-Client-State (hex) when sent. */
function keyIdClaims(request: FastifyRequest): { keysChangedAt: number; clientState: string } {
  const keyId = request.headers['x-keyid'];
  if (typeof keyId !== 'string') throw tokenserverErrors.invalidKeyId('Missing X-KeyID header');
  const dash = keyId.indexOf('-');
  if (dash < 0) throw tokenserverErrors.invalidCredentials();
  const keysChangedAtText = keyId.slice(0, dash);
  const encodedClientState = keyId.slice(dash + 1);
  if (!B64URL_NO_PAD.test(encodedClientState) || encodedClientState.length % 4 === 1) {
    throw tokenserverErrors.invalidCredentials();
  }
  const clientState = toHex(fromBase64Url(encodedClientState));
  const headerClientState = request.headers['x-client-state'];
  if (typeof headerClientState === 'string') {
    if (!CLIENT_STATE_HEADER.test(headerClientState)) throw tokenserverErrors.malformedClientState();
    if (headerClientState !== clientState) throw tokenserverErrors.clientStateMismatch();
  }
  if (!/^-?\d+$/.test(keysChangedAtText)) throw tokenserverErrors.invalidCredentials();
  return { keysChangedAt: Number(keysChangedAtText), clientState };
}

/** `?duration=` may only shorten the default; anything unusable falls back to it instead of failing. */
function durationOf(request: FastifyRequest): number {
  const requested = (request.query as Record<string, unknown>)['duration'];
  if (typeof requested !== 'string' || !/^\d+$/.test(requested)) return DEFAULT_TOKEN_DURATION_SECONDS;
  const seconds = Number(requested);
  return seconds <= DEFAULT_TOKEN_DURATION_SECONDS ? seconds : DEFAULT_TOKEN_DURATION_SECONDS;
}

/** fxa_kid as syncstorage-rs writes it: keys_changed_at (or generation) zero-padded to 13 digits. */
function fxaKid(user: TokenserverUser): string {
  const changedAt = String(user.keysChangedAt ?? user.generation).padStart(13, '0');
  return `${changedAt}-${toBase64Url(Buffer.from(user.clientState, 'hex'))}`;
}

export async function registerTokenserver(app: FastifyInstance, options: TokenserverOptions): Promise<void> {
  await app.register(
    async (server) => {
      server.addHook('onSend', async (_request, reply) => {
        reply.header('X-Timestamp', String(Math.floor(Date.now() / 1000)));
        if (reply.statusCode === 401) reply.header('WWW-Authenticate', 'Bearer');
      });
      server.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
        const failure =
          error instanceof TokenserverError
            ? error
            : error.statusCode !== undefined && error.statusCode < 500
              ? new TokenserverError(error.statusCode, 'error', 'body', '', error.message)
              : tokenserverErrors.internal();
        return sendError(reply, failure);
      });
      server.setNotFoundHandler((_request, reply) => sendError(reply, tokenserverErrors.notFound()));

      server.get<{ Params: { application: string; version: string } }>('/1.0/:application/:version', async (request, reply) => {
        const verified = await options.verifier(bearerToken(request));
        if (!verified || !verified.scope.includes(OLDSYNC_SCOPE)) throw tokenserverErrors.invalidCredentials();
        const keyId = keyIdClaims(request);
        const { application, version } = request.params;
        if (application !== 'sync') throw tokenserverErrors.unsupported('Unsupported application', 'application');
        if (version !== '1.5') throw tokenserverErrors.unsupported('Unsupported application version', version);

        const user = options.users.admit(verified.fxaUid, {
          clientState: keyId.clientState,
          keysChangedAt: keyId.keysChangedAt,
          ...(verified.generation !== undefined ? { generation: verified.generation } : {}),
        });
        const duration = durationOf(request);
        const secret = options.tokenSecret;
        const hashedFxaUid = metricsHash(secret, verified.fxaUid);
        const node = options.nodeUrl();
        const token = mintToken(secret, {
          node,
          fxa_kid: fxaKid(user),
          fxa_uid: verified.fxaUid,
          hashed_device_id: metricsHash(secret, `${hashedFxaUid}none`),
          hashed_fxa_uid: hashedFxaUid,
          expires: Math.floor(Date.now() / 1000) + duration,
          uid: user.uid,
          tokenserver_origin: 'rust',
          salt: toHex(randomBytes(3)),
        });
        reply.header('X-Content-Type-Options', 'nosniff');
        return {
          id: token.id,
          key: token.key,
          uid: user.uid,
          api_endpoint: `${node}/1.5/${user.uid}`,
          duration,
          hashed_fxa_uid: hashedFxaUid,
          hashalg: 'sha256',
          node_type: 'spanner',
        };
      });
    },
    { prefix: options.prefix },
  );
}

function sendError(reply: FastifyReply, error: TokenserverError): FastifyReply {
  return reply.code(error.httpStatus).send(error.body());
}
