import assert from 'node:assert/strict';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { AccountKeysMacError } from '@syncvault/sync-crypto';
import {
  BotChallengeError,
  FxaClient,
  FxaError,
  FxaProtocolError,
  IncorrectPasswordError,
  InvalidUnblockCodeError,
  InvalidVerificationCodeError,
  RefreshingAccessToken,
  ThrottledError,
  type LoginStep,
} from '../../../src/sync/fxa/index.js';

// Vectors (a) and (a2) of the protocol reference, section 10.
const EMAIL = 'andré@example.org';
const PASSWORD = 'pässwörd';
const AUTH_PW = '247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375';
const KEY_FETCH_TOKEN = '404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f';
const KEY_FETCH_TOKEN_ID = '7b9e2fe87facde0192caa793e1039a882ce93b339e19fe0b2c45cab9180addb4';
const KEY_FETCH_REQ_HMAC_KEY = 'dcf194ff6dc2853e8fb74970cddf09f3ffab5096c51c7f8f1a201fb602143618';
const KEYS_BUNDLE =
  '6a3fd742b499bf913d8f96f13e011e025230245e2da7a0046979f9e1ae7b8e46' +
  '2a76754c8e5c9d25d6c4e33dcec43b0e06ea89267fec04501f6abaaa73566b6e' +
  '4223b1f5ad4a3019593683672aed6613db4eb7f77cf68d449cdbbd3b88313b29';
const KB = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';
const SESSION_TOKEN = '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f';
const SESSION_TOKEN_ID = 'e268b26dacb6d057a5ac2dd1ee1ba21d3ab565a14627ae5ebdc56a946ed121ff';
const SESSION_REQ_HMAC_KEY = '470d6fcfc9a497695db8478b22fd3d0686bdec3c5cb884fbffd8daa2bbfd1a62';

const UID = '0123456789abcdef0123456789abcdef';
const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
const DESKTOP_CLIENT_ID = '5882386c6d801776';
const KEYS_CHANGED_AT = 1700000000000;
const UNBLOCK_CODE = 'ABCD1234';
const EMAIL_OTP = '123456';
const TOTP_CODE = '654321';

interface Scenario {
  /** How the new session must be confirmed; undefined = verified at login. */
  verification?: 'email-otp' | 'totp-2fa' | 'email';
  requireUnblock?: boolean;
  throttle?: boolean;
  /** Server clock minus real clock, in seconds. */
  clockSkewSeconds?: number;
  /** Leave out the Timestamp header so the client learns the skew only from errno 111. */
  omitTimestampHeader?: boolean;
  /** A canned answer for the login route (odd edge answers). */
  loginAnswer?: { status: number; body: string; contentType?: string };
  /** Replace the /account/keys bundle (tampering). */
  keysBundle?: string;
}

interface SeenRequest {
  method: string;
  url: string;
  body: Record<string, unknown>;
  hawkId?: string;
  hashed?: boolean;
  authorization?: string;
}

/**
 * A tiny FxA auth server following the protocol reference: checks authPW against the vector,
 * verifies every Hawk header by recomputing the normalized string and payload hash, enforces
 * single-use keyFetchTokens and session verification before keys and OAuth grants.
 */
class FakeAuthServer {
  readonly seen: SeenRequest[] = [];
  readonly unblockCodesSent: string[] = [];
  staleTimestampRejections = 0;
  private sessionVerified: boolean;
  private keysFetched = false;
  private statusPolls = 0;
  private issuedAccessTokens = 0;
  private readonly refreshTokens = new Set<string>();
  private readonly nonces = new Set<string>();
  private server: Server | undefined;

  constructor(private readonly scenario: Scenario = {}) {
    this.sessionVerified = scenario.verification === undefined;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private now(): number {
    return Math.floor(Date.now() / 1000) + (this.scenario.clockSkewSeconds ?? 0);
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const timestamp: Record<string, string> = this.scenario.omitTimestampHeader ? {} : { timestamp: String(this.now()) };
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 200 ? timestamp : {}), ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, errno: number, message: string, extra: Record<string, unknown> = {}): void {
    this.reply(res, status, { code: status, errno, error: status === 401 ? 'Unauthorized' : 'Bad Request', message, ...extra });
  }

  /** Checks the Hawk header like a Hawk server: MAC over the normalized string, payload hash, clock, nonce. */
  private checkHawk(req: IncomingMessage, body: string, res: ServerResponse, expectedId: string, keyHex: string): boolean {
    const header = req.headers.authorization ?? '';
    assert.match(header, /^Hawk /, `${req.method} ${req.url} must be Hawk-signed`);
    const attributes = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const [host, port] = (req.headers.host ?? '').split(':');
    const normalized = [
      'hawk.1.header',
      attributes.ts,
      attributes.nonce,
      req.method,
      req.url,
      host?.toLowerCase(),
      port,
      attributes.hash ?? '',
      attributes.ext ?? '',
      '',
    ].join('\n');
    const expectedMac = createHmac('sha256', Buffer.from(keyHex, 'hex')).update(normalized).digest();
    const mac = Buffer.from(attributes.mac ?? '', 'base64');
    if (attributes.id !== expectedId || mac.length !== 32 || !timingSafeEqual(mac, expectedMac)) {
      this.fail(res, 401, 109, 'Invalid request signature');
      return false;
    }
    if (req.method === 'POST') {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const payloadHash = createHash('sha256').update(`hawk.1.payload\n${contentType}\n${body}\n`).digest('base64');
      assert.equal(attributes.hash, payloadHash, `${req.url}: payload hash must cover the body`);
    }
    if (Math.abs(Number(attributes.ts) - this.now()) > 60) {
      this.staleTimestampRejections++;
      this.fail(res, 401, 111, 'Invalid timestamp in request signature', { serverTime: this.now() });
      return false;
    }
    assert.ok(!this.nonces.has(attributes.nonce ?? ''), 'nonces are never reused');
    this.nonces.add(attributes.nonce ?? '');
    return true;
  }

  private sessionHawk(req: IncomingMessage, body: string, res: ServerResponse): boolean {
    return this.checkHawk(req, body, res, SESSION_TOKEN_ID, SESSION_REQ_HMAC_KEY);
  }

  private handle(req: IncomingMessage, rawBody: string, res: ServerResponse): void {
    const body = rawBody === '' ? {} : (JSON.parse(rawBody) as Record<string, unknown>);
    const hawkId = /id="([^"]*)"/.exec(req.headers.authorization ?? '')?.[1];
    this.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      body,
      ...(hawkId === undefined ? {} : { hawkId, hashed: /hash="/.test(req.headers.authorization ?? '') }),
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const route = `${req.method} ${req.url?.replace(/\?.*$/, '')}`;
    switch (route) {
      case 'POST /v1/account/login':
        return this.login(req, body, res);
      case 'POST /v1/account/login/send_unblock_code':
        this.unblockCodesSent.push(String(body.email));
        return this.reply(res, 200, {});
      case 'POST /v1/session/verify_code':
        if (!this.sessionHawk(req, rawBody, res)) return;
        if (body.code !== EMAIL_OTP) return this.fail(res, 400, 183, 'Invalid or expired confirmation code');
        this.sessionVerified = true;
        return this.reply(res, 200, {});
      case 'POST /v1/session/verify/totp':
        if (!this.sessionHawk(req, rawBody, res)) return;
        this.sessionVerified ||= body.code === TOTP_CODE;
        return this.reply(res, 200, { success: body.code === TOTP_CODE });
      case 'GET /v1/session/status':
        if (!this.sessionHawk(req, rawBody, res)) return;
        this.statusPolls++;
        if (this.scenario.verification === 'email' && this.statusPolls >= 2) this.sessionVerified = true;
        return this.reply(res, 200, { state: this.sessionVerified ? 'verified' : 'unverified', uid: UID });
      case 'GET /v1/account/keys':
        if (!this.checkHawk(req, rawBody, res, KEY_FETCH_TOKEN_ID, KEY_FETCH_REQ_HMAC_KEY)) return;
        if (this.keysFetched) return this.fail(res, 401, 110, 'Invalid authentication token in request signature');
        if (!this.sessionVerified) return this.fail(res, 400, 104, 'Unverified account');
        this.keysFetched = true;
        return this.reply(res, 200, { bundle: this.scenario.keysBundle ?? KEYS_BUNDLE });
      case 'POST /v1/account/scoped-key-data':
        if (!this.sessionHawk(req, rawBody, res)) return;
        if (!this.sessionVerified) return this.fail(res, 400, 138, 'Unconfirmed session');
        assert.deepEqual(body, { client_id: DESKTOP_CLIENT_ID, scope: OLDSYNC });
        return this.reply(res, 200, {
          [OLDSYNC]: { identifier: OLDSYNC, keyRotationSecret: '00'.repeat(32), keyRotationTimestamp: KEYS_CHANGED_AT },
        });
      case 'POST /v1/oauth/token':
        return this.oauthToken(req, rawBody, body, res);
      case 'POST /v1/oauth/destroy':
        assert.equal(req.headers.authorization, undefined);
        assert.equal(body.client_id, DESKTOP_CLIENT_ID);
        assert.equal(body.token_type_hint, 'refresh_token');
        this.refreshTokens.delete(String(body.token));
        return this.reply(res, 200, {});
      case 'POST /v1/session/destroy':
        if (!this.sessionHawk(req, rawBody, res)) return;
        return this.reply(res, 200, {});
      default:
        return this.fail(res, 404, 999, 'Not Found');
    }
  }

  private login(req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): void {
    assert.equal(req.url, '/v1/account/login?keys=true');
    assert.equal(req.headers.authorization, undefined, 'login is not Hawk-signed');
    const canned = this.scenario.loginAnswer;
    if (canned !== undefined) {
      res.writeHead(canned.status, canned.contentType === undefined ? {} : { 'content-type': canned.contentType });
      res.end(canned.body);
      return;
    }
    if (this.scenario.throttle) {
      return this.reply(
        res,
        429,
        { code: 429, errno: 114, error: 'Too Many Requests', message: 'Client has sent too many requests', retryAfter: 30 },
        { 'retry-after': '30' },
      );
    }
    assert.equal(body.reason, 'login');
    assert.equal(body.service, 'sync');
    if (body.email !== EMAIL) {
      if (String(body.email).toLowerCase() === EMAIL) return this.fail(res, 400, 120, 'Incorrect email case', { email: EMAIL });
      return this.fail(res, 400, 102, 'Unknown account');
    }
    if (body.authPW !== AUTH_PW) return this.fail(res, 400, 103, 'Incorrect password', { email: EMAIL });
    if (this.scenario.requireUnblock) {
      if (body.unblockCode === undefined) {
        return this.fail(res, 400, 125, 'The request was blocked for security reasons', {
          verificationMethod: 'email-captcha',
          verificationReason: 'login',
        });
      }
      if (body.unblockCode !== UNBLOCK_CODE) return this.fail(res, 400, 127, 'Invalid unblock code');
    }
    const verification = this.scenario.verification;
    this.reply(res, 200, {
      uid: UID,
      sessionToken: SESSION_TOKEN,
      keyFetchToken: KEY_FETCH_TOKEN,
      verified: verification === undefined,
      ...(verification === undefined ? {} : { verificationMethod: verification, verificationReason: 'login' }),
      authAt: this.now(),
    });
  }

  private oauthToken(req: IncomingMessage, rawBody: string, body: Record<string, unknown>, res: ServerResponse): void {
    assert.equal(body.client_id, DESKTOP_CLIENT_ID);
    assert.equal(body.scope, OLDSYNC);
    if (body.grant_type === 'fxa-credentials') {
      if (!this.sessionHawk(req, rawBody, res)) return;
      if (!this.sessionVerified) return this.fail(res, 400, 138, 'Unconfirmed session');
      assert.equal(body.access_type, 'offline');
      const refreshToken = createHash('sha256').update(`refresh-${this.refreshTokens.size}`).digest('hex');
      this.refreshTokens.add(refreshToken);
      return this.reply(res, 200, { ...this.accessToken(), refresh_token: refreshToken });
    }
    assert.equal(body.grant_type, 'refresh_token');
    assert.equal(req.headers.authorization, undefined, 'refresh grants carry no Hawk header');
    if (!this.refreshTokens.has(String(body.refresh_token))) return this.fail(res, 400, 110, 'Invalid token');
    return this.reply(res, 200, this.accessToken());
  }

  private accessToken(): Record<string, unknown> {
    this.issuedAccessTokens++;
    return { access_token: `access-token-${this.issuedAccessTokens}`, token_type: 'bearer', scope: OLDSYNC, expires_in: 3600, auth_at: this.now() };
  }
}

const servers: FakeAuthServer[] = [];

async function setUp(scenario: Scenario = {}): Promise<{ server: FakeAuthServer; fxa: FxaClient }> {
  const server = new FakeAuthServer(scenario);
  servers.push(server);
  const url = await server.start();
  return { server, fxa: new FxaClient({ authServerUrl: url }) };
}

after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

function assertDone(step: LoginStep): Extract<LoginStep, { kind: 'done' }>['session'] {
  assert.equal(step.kind, 'done');
  return (step as Extract<LoginStep, { kind: 'done' }>).session;
}

describe('FxaClient login', () => {
  it('logs in with the vector password, redeems the key bundle to kB and gets OAuth tokens', async () => {
    const { server, fxa } = await setUp();
    const before = Date.now();
    const session = assertDone(await fxa.beginLogin(EMAIL, PASSWORD));
    assert.equal(session.kB.toString('hex'), KB);
    assert.equal(session.uid, UID);
    assert.equal(session.sessionToken, SESSION_TOKEN);
    assert.equal(session.keysChangedAt, KEYS_CHANGED_AT);
    assert.equal(session.accessToken, 'access-token-1');
    assert.match(session.refreshToken, /^[0-9a-f]{64}$/);
    assert.ok(session.expiresAt >= before + 3600_000 && session.expiresAt <= Date.now() + 3600_000);
    assert.deepEqual(
      server.seen.map((r) => `${r.method} ${r.url}`),
      ['POST /v1/account/login?keys=true', 'GET /v1/account/keys', 'POST /v1/account/scoped-key-data', 'POST /v1/oauth/token'],
    );
    assert.deepEqual(
      server.seen.map((r) => r.hawkId),
      [undefined, KEY_FETCH_TOKEN_ID, SESSION_TOKEN_ID, SESSION_TOKEN_ID],
    );
    assert.deepEqual(
      server.seen.filter((r) => r.method === 'POST' && r.hawkId !== undefined).map((r) => r.hashed),
      [true, true],
    );
  });

  it('re-stretches with the email spelling from errno 120 and retries once', async () => {
    const { server, fxa } = await setUp();
    const typed = 'André@example.org';
    assertDone(await fxa.beginLogin(typed, PASSWORD));
    const logins = server.seen.filter((r) => r.url.startsWith('/v1/account/login'));
    assert.equal(logins.length, 2);
    assert.equal(logins[0]?.body.email, typed);
    assert.equal(logins[1]?.body.email, EMAIL);
    assert.equal(logins[1]?.body.authPW, AUTH_PW);
    assert.equal(logins[1]?.body.originalLoginEmail, typed);
  });

  it('turns errno 125 into an unblock step, mails the code, rejects a wrong code and accepts the right one', async () => {
    const { server, fxa } = await setUp({ requireUnblock: true });
    const step = await fxa.beginLogin(EMAIL, PASSWORD);
    assert.equal(step.kind, 'unblock-code-required');
    if (step.kind !== 'unblock-code-required') return;
    assert.equal(step.email, EMAIL);
    assert.equal(step.verificationMethod, 'email-captcha');
    await fxa.sendUnblockCode(step.email);
    assert.deepEqual(server.unblockCodesSent, [EMAIL]);
    await assert.rejects(fxa.submitUnblockCode(step, 'WRONG999'), InvalidUnblockCodeError);
    const session = assertDone(await fxa.submitUnblockCode(step, ` ${UNBLOCK_CODE}\n`));
    assert.equal(session.kB.toString('hex'), KB);
    assert.deepEqual(server.seen.filter((r) => r.url.startsWith('/v1/account/login?')).at(-1)?.body.unblockCode, UNBLOCK_CODE);
  });

  it('confirms an email-otp session with the mailed code before fetching keys', async () => {
    const { server, fxa } = await setUp({ verification: 'email-otp' });
    const step = await fxa.beginLogin(EMAIL, PASSWORD);
    assert.equal(step.kind, 'verification-required');
    if (step.kind !== 'verification-required') return;
    assert.equal(step.method, 'email-otp');
    await assert.rejects(fxa.submitVerificationCode(step, '000000'), InvalidVerificationCodeError);
    const session = assertDone(await fxa.submitVerificationCode(step, '123 456'));
    assert.equal(session.kB.toString('hex'), KB);
    const verify = server.seen.filter((r) => r.url === '/v1/session/verify_code');
    assert.deepEqual(
      verify.map((r) => [r.body.code, r.hawkId, r.hashed]),
      [
        ['000000', SESSION_TOKEN_ID, true],
        [EMAIL_OTP, SESSION_TOKEN_ID, true],
      ],
    );
  });

  it('confirms a totp-2fa session, treating {success: false} as a wrong code', async () => {
    const { server, fxa } = await setUp({ verification: 'totp-2fa' });
    const step = await fxa.beginLogin(EMAIL, PASSWORD);
    assert.ok(step.kind === 'verification-required' && step.method === 'totp-2fa');
    await assert.rejects(fxa.submitVerificationCode(step, '111111'), InvalidVerificationCodeError);
    assertDone(await fxa.submitVerificationCode(step, TOTP_CODE));
    assert.equal(server.seen.filter((r) => r.url === '/v1/session/verify/totp').length, 2);
  });

  it('polls /session/status for link confirmation', async () => {
    const { fxa } = await setUp({ verification: 'email' });
    const step = await fxa.beginLogin(EMAIL, PASSWORD);
    assert.ok(step.kind === 'verification-required' && step.method === 'email');
    const stillWaiting = await fxa.checkVerification(step);
    assert.equal(stillWaiting, step);
    assertDone(await fxa.checkVerification(step));
  });

  it('reports a wrong password as IncorrectPasswordError without leaking secrets', async () => {
    const { fxa } = await setUp();
    const error = await fxa.beginLogin(EMAIL, 'wrong password').then(
      () => assert.fail('login must fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof IncorrectPasswordError);
    assert.equal(error.errno, 103);
    assert.equal(error.code, 400);
    assert.ok(!error.message.includes('wrong password') && !/[0-9a-f]{64}/.test(error.message), error.message);
  });

  it('reports throttling with the server retry delay', async () => {
    const { fxa } = await setUp({ throttle: true });
    const error = await fxa.beginLogin(EMAIL, PASSWORD).catch((e: unknown) => e);
    assert.ok(error instanceof ThrottledError);
    assert.equal(error.errno, 114);
    assert.equal(error.retryAfterSeconds, 30);
  });

  it('corrects its clock from errno 111 and retries the request once', async () => {
    const { server, fxa } = await setUp({ clockSkewSeconds: 7200, omitTimestampHeader: true });
    const session = assertDone(await fxa.beginLogin(EMAIL, PASSWORD));
    assert.equal(session.kB.toString('hex'), KB);
    assert.equal(server.staleTimestampRejections, 1);
  });

  it('turns odd edge answers into clear errors: 406 bot challenge, HTML 502, non-JSON success', async () => {
    const botChallenge = await setUp({ loginAnswer: { status: 406, body: '' } });
    await assert.rejects(botChallenge.fxa.beginLogin(EMAIL, PASSWORD), BotChallengeError);
    assert.equal(botChallenge.server.seen.length, 1, 'a bot challenge is not retried');

    const proxy = await setUp({
      loginAnswer: { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', contentType: 'text/html' },
    });
    const error = await proxy.fxa.beginLogin(EMAIL, PASSWORD).catch((e: unknown) => e);
    assert.ok(error instanceof FxaError);
    assert.equal(error.errno, undefined);
    assert.equal(error.code, 502);
    assert.match(error.message, /502 Bad Gateway/);

    const garbled = await setUp({ loginAnswer: { status: 200, body: 'OK', contentType: 'text/plain' } });
    await assert.rejects(garbled.fxa.beginLogin(EMAIL, PASSWORD), FxaProtocolError);
  });

  it('rejects a key bundle whose MAC does not verify', async () => {
    const tampered = KEYS_BUNDLE.slice(0, -2) + (KEYS_BUNDLE.endsWith('00') ? '01' : '00');
    const { fxa } = await setUp({ keysBundle: tampered });
    await assert.rejects(fxa.beginLogin(EMAIL, PASSWORD), AccountKeysMacError);
  });
});

describe('FxaClient tokens', () => {
  it('refreshes access tokens, caches them until near expiry and revokes the refresh token', async () => {
    const { server, fxa } = await setUp();
    const session = assertDone(await fxa.beginLogin(EMAIL, PASSWORD));
    const refreshed = await fxa.refreshAccessToken(session.refreshToken);
    assert.equal(refreshed.accessToken, 'access-token-2');
    assert.equal(refreshed.refreshToken, undefined);

    const tokens = new RefreshingAccessToken(fxa, session.refreshToken, { accessToken: session.accessToken, expiresAt: session.expiresAt });
    assert.equal(await tokens.get(), session.accessToken);
    const [forcedA, forcedB] = await Promise.all([tokens.get({ forceRefresh: true }), tokens.get({ forceRefresh: true })]);
    assert.equal(forcedA, 'access-token-3');
    assert.equal(forcedB, 'access-token-3', 'concurrent refreshes share one grant');
    assert.equal(await tokens.get(), 'access-token-3');

    await fxa.destroyRefreshToken(session.refreshToken);
    await assert.rejects(fxa.refreshAccessToken(session.refreshToken), FxaError);
    await fxa.destroySession(session.sessionToken);
    assert.equal(server.seen.at(-1)?.url, '/v1/session/destroy');
    assert.equal(server.seen.at(-1)?.hawkId, SESSION_TOKEN_ID);
  });

  it('accepts an auth server URL given with /v1', async () => {
    const server = new FakeAuthServer();
    servers.push(server);
    const url = await server.start();
    const fxa = new FxaClient({ authServerUrl: `${url}/v1/` });
    assert.equal(assertDone(await fxa.beginLogin(EMAIL, PASSWORD)).kB.toString('hex'), KB);
  });
});
