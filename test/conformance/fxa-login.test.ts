/**
 * FxA conformance, login: the daemon's FxaClient against the sandbox's auth server over real HTTP
 * (sync-protocols.md §2.1-2.7, test vectors §10 (a)). Gated logins live in fxa-gates.test.ts,
 * token lifecycles in fxa-tokens.test.ts.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FxaError,
  FxaServiceUnavailableError,
  IncorrectPasswordError,
  ThrottledError,
  UnknownAccountError,
  type HttpResponse,
} from '@syncvault/daemon/sync';
import {
  assertNoSecrets,
  fxaTokenId,
  IdentitySandbox,
  jwtClaims,
  login,
  newPassword,
  noWaitRetry,
  OLDSYNC_SCOPE,
  randomKbHex,
  RecordingTransport,
  rejection,
  stretch,
  uniqueEmail,
} from './support/identity.js';

describe('FxaClient login against the sandbox auth server', () => {
  let sandbox: IdentitySandbox;
  before(async () => {
    sandbox = await IdentitySandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  describe('the test oracles (node:crypto) reproduce sync-protocols.md §10', () => {
    it('(a) onepw stretch of andré@example.org / pässwörd', () => {
      assert.deepEqual(stretch('andré@example.org', 'pässwörd'), {
        authPW: '247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375',
        unwrapBKey: 'de6a2648b78284fcb9ffa81ba95803309cfba7af583c01a8a1a63e567234dd28',
      });
    });

    it('(a2) Hawk ids of a keyFetchToken and a sessionToken', () => {
      const bytes = (from: number) => Buffer.from(Array.from({ length: 32 }, (_, index) => from + index)).toString('hex');
      assert.equal(fxaTokenId(bytes(0x40), 'keyFetchToken'), '7b9e2fe87facde0192caa793e1039a882ce93b339e19fe0b2c45cab9180addb4');
      assert.equal(fxaTokenId(bytes(0x60), 'sessionToken'), 'e268b26dacb6d057a5ac2dd1ee1ba21d3ab565a14627ae5ebdc56a946ed121ff');
    });
  });

  describe('the done path', () => {
    it('returns kB equal to the account kB, its keysChangedAt, uid, a refresh token and a live oldsync access token', async () => {
      const kB = randomKbHex();
      const account = await sandbox.createFxaAccount({ label: 'done', kB });
      assert.equal(account.kB, kB, 'the control API reports the kB it was given');

      const before = Date.now();
      const session = await login(sandbox.fxaClient(), account.email, account.password);
      const afterLogin = Date.now();

      assert.equal(session.kB.toString('hex'), account.kB);
      assert.equal(session.keysChangedAt, account.keysChangedAt);
      assert.equal(session.uid, account.uid);
      assert.equal(session.email, account.email);
      assert.match(session.sessionToken, /^[0-9a-f]{64}$/);
      assert.match(session.refreshToken, /^[0-9a-f]{64}$/);

      const claims = jwtClaims(session.accessToken);
      assert.equal(claims['sub'], account.uid);
      assert.equal(claims['scope'], OLDSYNC_SCOPE);
      assert.equal(claims['fxa-generation'], account.generation);
      // The sandbox grants 3600 s; the client turns expires_in into a local expiry.
      assert.ok(session.expiresAt >= before + 3600_000 && session.expiresAt <= afterLogin + 3600_000, 'expiresAt = request time + expires_in');

      const verified = await sandbox.verifyAccessToken(session.accessToken);
      assert.equal(verified.status, 200, 'the auth server vouches for the access token');
      assert.equal(verified.body['user'], account.uid);
      assert.deepEqual(verified.body['scope'], [OLDSYNC_SCOPE]);
    });

    it('sends authPW stretched per onepw (recomputed independently) for a non-ASCII email and password, and never the password', async () => {
      const email = `andré-${uniqueEmail('utf8')}`;
      const password = `pässwörd-${newPassword()}`;
      const kB = randomKbHex();
      await sandbox.createFxaAccount({ email, password, kB });
      const wire = new RecordingTransport();

      const session = await login(sandbox.fxaClient({ transport: wire }), email, password);
      assert.equal(session.kB.toString('hex'), kB, 'unwrapBkey from the UTF-8 stretch unwraps the right kB');

      const [loginRequest, ...more] = wire.matching('POST', /^\/fxa\/v1\/account\/login\?/);
      assert.ok(loginRequest && more.length === 0, 'one login request');
      assert.equal(loginRequest.path, '/fxa/v1/account/login?keys=true');
      assert.equal(loginRequest.headers['content-type'], 'application/json');
      const body = JSON.parse(loginRequest.body ?? '{}') as Record<string, unknown>;
      assert.equal(body['email'], email);
      assert.equal(body['authPW'], stretch(email, password).authPW);
      assert.equal(body['reason'], 'login');
      for (const exchange of wire.exchanges) {
        assert.ok(!(exchange.body ?? '').includes(password) && !exchange.url.includes(password), `${exchange.path} carries no password`);
        assert.ok(!(exchange.body ?? '').includes(stretch(email, password).unwrapBKey), `${exchange.path} carries no unwrapBkey`);
      }
    });

    it('Hawk-signs the key fetch with the keyFetchToken id and the session routes with the sessionToken id, hashing POST payloads', async () => {
      const account = await sandbox.createFxaAccount({ label: 'hawk' });
      const wire = new RecordingTransport();
      const session = await login(sandbox.fxaClient({ transport: wire }), account.email, account.password);

      const loginAnswer = JSON.parse(wire.matching('POST', /\/account\/login\?/)[0]?.responseBody ?? '{}') as Record<string, unknown>;
      const keyFetchToken = String(loginAnswer['keyFetchToken']);
      assert.equal(loginAnswer['sessionToken'], session.sessionToken);

      const keys = wire.matching('GET', /^\/fxa\/v1\/account\/keys$/);
      assert.equal(keys.length, 1, 'the single-use keyFetchToken is redeemed once');
      assert.match(keys[0]?.headers['authorization'] ?? '', new RegExp(`^Hawk id="${fxaTokenId(keyFetchToken, 'keyFetchToken')}"`));

      const sessionRoutes = [...wire.matching('POST', /\/account\/scoped-key-data$/), ...wire.matching('POST', /\/oauth\/token$/)];
      assert.equal(sessionRoutes.length, 2, 'scoped-key-data and the fxa-credentials grant');
      for (const exchange of sessionRoutes) {
        const authorization = exchange.headers['authorization'] ?? '';
        assert.match(authorization, new RegExp(`^Hawk id="${fxaTokenId(session.sessionToken, 'sessionToken')}"`), exchange.path);
        assert.match(authorization, /hash="[A-Za-z0-9+/=]+"/, `${exchange.path} carries a payload hash`);
      }
      const grant = JSON.parse(sessionRoutes[1]?.body ?? '{}') as Record<string, unknown>;
      assert.equal(grant['grant_type'], 'fxa-credentials');
      assert.equal(grant['scope'], OLDSYNC_SCOPE);
      assert.equal(grant['access_type'], 'offline');
    });
  });

  describe('refusals', () => {
    it('an incorrect password is IncorrectPasswordError (400, errno 103) without the password or authPW in the error', async () => {
      const account = await sandbox.createFxaAccount({ label: 'wrong-pw' });
      const wrongPassword = `${account.password}-typo`;
      const error = await rejection(sandbox.fxaClient().beginLogin(account.email, wrongPassword), IncorrectPasswordError);
      assert.equal(error.code, 400);
      assert.equal(error.errno, 103);
      assertNoSecrets(error, {
        'typed password': wrongPassword,
        'real password': account.password,
        authPW: stretch(account.email, wrongPassword).authPW,
      });
    });

    it('an unknown account is UnknownAccountError (400, errno 102) without the password in the error', async () => {
      const password = newPassword();
      const error = await rejection(sandbox.fxaClient().beginLogin(uniqueEmail('nobody'), password), UnknownAccountError);
      assert.equal(error.code, 400);
      assert.equal(error.errno, 102);
      assertNoSecrets(error, { password });
    });
  });

  describe('email case (errno 120)', () => {
    it('a login typed in lower case for an account created as Mixed.Case re-stretches with the stored spelling and finishes', async () => {
      const email = uniqueEmail('Mixed.Case', 'Example.COM');
      const account = await sandbox.createFxaAccount({ email, kB: randomKbHex() });
      const wire = new RecordingTransport();

      const session = await login(sandbox.fxaClient({ transport: wire }), email.toLowerCase(), account.password);
      assert.equal(session.kB.toString('hex'), account.kB);
      assert.equal(session.email, email, 'the session carries the spelling FxA stretches with');

      const logins = wire.matching('POST', /\/account\/login\?/);
      assert.equal(logins.length, 2, 'one refused attempt, one retry');
      const [first, retry] = logins.map((exchange) => JSON.parse(exchange.body ?? '{}') as Record<string, unknown>);
      assert.equal(logins[0]?.status, 400);
      assert.equal((JSON.parse(logins[0]?.responseBody ?? '{}') as Record<string, unknown>)['errno'], 120);
      assert.equal(first?.['email'], email.toLowerCase());
      assert.equal(retry?.['email'], email);
      assert.equal(retry?.['authPW'], stretch(email, account.password).authPW);
      assert.equal(retry?.['originalLoginEmail'], email.toLowerCase());
    });

    it('a wrong password in the wrong case retries once with the stored spelling, then is IncorrectPasswordError', async () => {
      const email = uniqueEmail('Other.Case');
      const account = await sandbox.createFxaAccount({ email });
      const wire = new RecordingTransport();
      const wrongPassword = `${account.password}x`;
      const error = await rejection(sandbox.fxaClient({ transport: wire }).beginLogin(email.toUpperCase(), wrongPassword), IncorrectPasswordError);
      assert.equal(wire.matching('POST', /\/account\/login\?/).length, 2);
      assertNoSecrets(error, { password: wrongPassword });
    });
  });

  describe('throttling and unavailability', () => {
    it('a throttled login is ThrottledError (429, errno 114) with the server retryAfterSeconds; the next login goes through', async () => {
      const account = await sandbox.createFxaAccount({ label: 'throttled' });
      await sandbox.throttle('/v1/account/login', 1, 7);
      const client = sandbox.fxaClient({ retryPolicy: noWaitRetry() });

      const error = await rejection(client.beginLogin(account.email, account.password), ThrottledError);
      assert.equal(error.code, 429);
      assert.equal(error.errno, 114);
      assert.equal(error.retryAfterSeconds, 7);
      assertNoSecrets(error, { password: account.password });

      const session = await login(client, account.email, account.password);
      assert.equal(session.kB.toString('hex'), account.kB);
    });

    it('a client with a (time-scaled) retry policy waits out one 429 and finishes the login', async () => {
      const account = await sandbox.createFxaAccount({ label: 'throttle-retry' });
      await sandbox.throttle('/v1/account/login', 1, 30);
      const wire = new RecordingTransport();
      const session = await login(
        sandbox.fxaClient({ transport: wire, retryPolicy: noWaitRetry(2) }),
        account.email,
        account.password,
      );
      assert.equal(session.kB.toString('hex'), account.kB);
      assert.deepEqual(
        wire.matching('POST', /\/account\/login\?/).map((exchange) => exchange.status),
        [429, 200],
      );
    });

    it('a throttled OAuth refresh is ThrottledError with retryAfterSeconds and without the refresh token in the error', async () => {
      const account = await sandbox.createFxaAccount({ label: 'throttle-refresh' });
      const client = sandbox.fxaClient({ retryPolicy: noWaitRetry() });
      const session = await login(client, account.email, account.password);
      await sandbox.throttle('/v1/oauth/token', 1, 3);
      const error = await rejection(client.refreshAccessToken(session.refreshToken), ThrottledError);
      assert.equal(error.retryAfterSeconds, 3);
      assertNoSecrets(error, { 'refresh token': session.refreshToken, 'access token': session.accessToken });
    });

    it('a 503 from the auth server is FxaServiceUnavailableError with the Retry-After seconds', async () => {
      const account = await sandbox.createFxaAccount({ label: 'fxa-503' });
      const rule = await sandbox.addFault({ path: '^/fxa/v1/account/login$', count: 1, kind: '503', retryAfter: 4 });
      const error = await rejection(
        sandbox.fxaClient({ retryPolicy: noWaitRetry() }).beginLogin(account.email, account.password),
        FxaServiceUnavailableError,
      );
      assert.equal(error.code, 503);
      assert.equal(error.retryAfterSeconds, 4);
      assertNoSecrets(error, { password: account.password });
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
    });
  });

  describe('clock skew (errno 111)', () => {
    it('a client whose clock is an hour off gets errno 111 on its first Hawk request, corrects its offset and retries once', async () => {
      const account = await sandbox.createFxaAccount({ label: 'skew', kB: randomKbHex() });
      const wire = new RecordingTransport();
      // FxaClient's clock is private and learns from the Timestamp header of each answer: a
      // Timestamp an hour behind on the (unsigned) login answer makes the client sign every
      // following request with a clock an hour slow, as a badly set local clock would.
      wire.rewriteResponse = (exchange, response): HttpResponse =>
        /\/account\/login\?/.test(exchange.path)
          ? { ...response, headers: { ...response.headers, timestamp: String(Number(response.headers['timestamp']) - 3600) } }
          : response;

      const session = await login(sandbox.fxaClient({ transport: wire }), account.email, account.password);
      assert.equal(session.kB.toString('hex'), account.kB);

      const keyFetches = wire.matching('GET', /\/account\/keys$/);
      assert.deepEqual(keyFetches.map((exchange) => exchange.status), [401, 200], 'one stale attempt, one corrected retry');
      const stale = JSON.parse(keyFetches[0]?.responseBody ?? '{}') as Record<string, unknown>;
      assert.equal(stale['errno'], 111);
      assert.equal(typeof stale['serverTime'], 'number');
      const signedAt = (exchange: (typeof keyFetches)[number] | undefined) =>
        Number(/\bts="(\d+)"/.exec(exchange?.headers['authorization'] ?? '')?.[1]);
      const serverTime = stale['serverTime'] as number;
      assert.ok(Math.abs(signedAt(keyFetches[0]) - serverTime) > 3000, 'the first attempt was signed an hour off');
      assert.ok(Math.abs(signedAt(keyFetches[1]) - serverTime) <= 60, 'the retry is signed with the server clock');
      // The corrected offset sticks: the requests after it pass first time.
      for (const exchange of wire.exchanges.filter((candidate) => !/\/account\/(keys|login)/.test(candidate.path))) {
        assert.equal(exchange.status, 200, `${exchange.path} passes without another 111`);
      }
    });

    it('a Hawk request that stays stale after the one retry fails as FxaError errno 111 instead of looping', async () => {
      const account = await sandbox.createFxaAccount({ label: 'skew-stuck' });
      const wire = new RecordingTransport();
      // Every answer claims a server time a day behind, so the correction itself is wrong.
      wire.rewriteResponse = (_exchange, response): HttpResponse => {
        const skewed: Record<string, string> = { ...response.headers, timestamp: String(Math.floor(Date.now() / 1000) - 86_400) };
        delete skewed['www-authenticate'];
        const body = response.status === 401 ? JSON.stringify({ ...JSON.parse(response.body), serverTime: Math.floor(Date.now() / 1000) - 86_400 }) : response.body;
        return { ...response, headers: skewed, body };
      };
      const error = await rejection(sandbox.fxaClient({ transport: wire }).beginLogin(account.email, account.password), FxaError);
      assert.equal(error.errno, 111);
      assert.equal(error.code, 401);
      assert.equal(wire.matching('GET', /\/account\/keys$/).length, 2, 'exactly one retry');
    });
  });
});
