/**
 * Tokenserver conformance, refusals: stale keys after a password reset, generation and
 * keys_changed_at going down, bad access tokens and 503s, with the daemon's TokenserverClient and
 * FxaTokenSource against the sandbox's tokenserver over real HTTP (sync-protocols.md §3.3).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectFxaAccount,
  FxaTokenSource,
  InvalidClientStateError,
  InvalidCredentialsError,
  InvalidGenerationError,
  InvalidKeysChangedAtError,
  TokenserverClient,
  TokenserverError,
  TokenserverUnavailableError,
  type FxaCredentials,
} from '@syncvault/daemon/sync';
import {
  assertNoSecrets,
  clientState,
  decodeTokenId,
  IdentitySandbox,
  keyId,
  login,
  newPassword,
  noWaitRetry,
  RecordingTransport,
  rejection,
  type FxaAccountSummary,
} from './support/identity.js';

describe('tokenserver refusals against the sandbox tokenserver', () => {
  let sandbox: IdentitySandbox;
  before(async () => {
    sandbox = await IdentitySandbox.start({ tokenSecret: 'conformance tokenlib secret: tokenserver-errors' });
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  function client(): TokenserverClient {
    return new TokenserverClient({ url: sandbox.urls.tokenServer, retryPolicy: noWaitRetry() });
  }

  /** FxaTokenSource as the daemon builds it, with a fixed access token. */
  function source(accessToken: string, kB: Buffer, keysChangedAt: number): FxaTokenSource {
    return new FxaTokenSource({ tokenserver: client(), accessToken: async () => accessToken, kB, keysChangedAt });
  }

  /** An account whose key state the tokenserver has seen through a real exchange, then a password reset. */
  async function resetAfterSync(label: string): Promise<{ before: FxaCredentials; after: FxaCredentials; reset: FxaAccountSummary; oldUid: number }> {
    const account = await sandbox.createFxaAccount({ label, seed: 'demo' });
    const before = await login(sandbox.fxaClient(), account.email, account.password);
    const oldToken = await source(before.accessToken, before.kB, before.keysChangedAt).getToken();
    const password = newPassword();
    const reset = await sandbox.resetPassword(account.email, password);
    const after = await login(sandbox.fxaClient(), account.email, password);
    return { before, after, reset, oldUid: oldToken.uid };
  }

  describe('key state after a password reset', () => {
    it('the stale kB with a fresh access token is InvalidClientStateError telling the user to sign in again', async () => {
      const { before, after } = await resetAfterSync('stale-kb');
      const error = await rejection(source(after.accessToken, before.kB, before.keysChangedAt).getToken(), InvalidClientStateError);
      assert.equal(error.httpStatus, 401);
      assert.equal(error.status, 'invalid-client-state');
      assert.match(error.message, /password reset/);
      assert.match(error.message, /sign in .*again/i);
      assertNoSecrets(error, {
        'access token': after.accessToken,
        'old kB': before.kB.toString('hex'),
        'old client state': clientState(before.kB.toString('hex')).toString('hex'),
        'refresh token': after.refreshToken,
      });
    });

    it('the stale kB with the pre-reset access token (still a live JWT) is InvalidClientStateError too', async () => {
      const { before } = await resetAfterSync('stale-kb-old-token');
      assert.equal((await sandbox.verifyAccessToken(before.accessToken)).status, 200, 'the old access token has not expired');
      const error = await rejection(source(before.accessToken, before.kB, before.keysChangedAt).getToken(), InvalidClientStateError);
      assertNoSecrets(error, { 'access token': before.accessToken });
    });

    it('the new kB moves the user to a fresh, empty storage uid', async () => {
      const { after, reset, oldUid } = await resetAfterSync('new-uid');
      const token = await source(after.accessToken, after.kB, after.keysChangedAt).getToken();
      assert.notEqual(token.uid, oldUid);
      assert.equal(token.uid, reset.storageUid);
      assert.equal(token.apiEndpoint, `${sandbox.urls.storage15}/1.5/${token.uid}`);
      assert.equal(decodeTokenId(sandbox.tokenSecret, token.id).payload['uid'], token.uid);
      const connection = connectFxaAccount({ authServerUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer, credentials: after });
      assert.deepEqual(await connection.storage.infoCollections(), {});
    });

    it('generation going down (the pre-reset access token with the new keys) is InvalidGenerationError', async () => {
      const { before, after } = await resetAfterSync('generation');
      const error = await rejection(source(before.accessToken, after.kB, after.keysChangedAt).getToken(), InvalidGenerationError);
      assert.equal(error.httpStatus, 401);
      assert.equal(error.status, 'invalid-generation');
      assertNoSecrets(error, { 'access token': before.accessToken, kB: after.kB.toString('hex') });
    });

    it('keys_changed_at going down (the new kB with the old keysChangedAt) is InvalidKeysChangedAtError', async () => {
      const { before, after } = await resetAfterSync('keys-changed-at');
      const error = await rejection(source(after.accessToken, after.kB, before.keysChangedAt).getToken(), InvalidKeysChangedAtError);
      assert.equal(error.httpStatus, 401);
      assert.equal(error.status, 'invalid-keysChangedAt');
      assertNoSecrets(error, { 'access token': after.accessToken });
    });

    it('a refused exchange leaves nothing cached: the same source keeps refusing, a source with current keys succeeds', async () => {
      const { before, after } = await resetAfterSync('no-cache');
      const stale = source(after.accessToken, before.kB, before.keysChangedAt);
      await rejection(stale.getToken(), InvalidClientStateError);
      await rejection(stale.getToken(), InvalidClientStateError);
      const token = await source(after.accessToken, after.kB, after.keysChangedAt).getToken();
      assert.ok(decodeTokenId(sandbox.tokenSecret, token.id).signatureValid);
    });
  });

  describe('access tokens', () => {
    it('a garbage access token is InvalidCredentialsError (401 invalid-credentials) without the token in the error', async () => {
      const account = await sandbox.createFxaAccount({ label: 'garbage' });
      const garbage = 'garbage-access-token-7b3e1f2a9c';
      const error = await rejection(client().exchange({ accessToken: garbage, keyId: keyId(account.kB, account.keysChangedAt) }), InvalidCredentialsError);
      assert.equal(error.httpStatus, 401);
      assert.equal(error.status, 'invalid-credentials');
      assertNoSecrets(error, { 'access token': garbage });
    });

    it('a forged JWT (valid shape, wrong signature) is InvalidCredentialsError', async () => {
      const account = await sandbox.createFxaAccount({ label: 'forged' });
      const session = await login(sandbox.fxaClient(), account.email, account.password);
      const [header, payload] = session.accessToken.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
      const error = await rejection(client().exchange({ accessToken: forged, keyId: keyId(account.kB, account.keysChangedAt) }), InvalidCredentialsError);
      assertNoSecrets(error, { 'access token': forged, 'real access token': session.accessToken });
    });

    it('a revoked access token is InvalidCredentialsError', async () => {
      const account = await sandbox.createFxaAccount({ label: 'revoked' });
      const fxa = sandbox.fxaClient();
      const session = await login(fxa, account.email, account.password);
      // /v1/oauth/destroy takes access tokens as well; the daemon's client names its field `token`.
      await fxa.destroyRefreshToken(session.accessToken);
      await rejection(client().exchange({ accessToken: session.accessToken, keyId: keyId(account.kB, account.keysChangedAt) }), InvalidCredentialsError);
    });

    it('a missing access token (empty Bearer) is a 401 TokenserverError with status "error", as syncstorage-rs words it', async () => {
      // syncstorage-rs (tokenserver-common TokenserverError::default, extractors.rs Token) answers
      // a missing or malformed Authorization header 401 {"status": "error"}, not invalid-credentials.
      const account = await sandbox.createFxaAccount({ label: 'missing' });
      const wire = new RecordingTransport();
      const tokenserver = new TokenserverClient({ url: sandbox.urls.tokenServer, transport: wire, retryPolicy: noWaitRetry() });
      const error = await rejection(tokenserver.exchange({ accessToken: '', keyId: keyId(account.kB, account.keysChangedAt) }), TokenserverError);
      assert.equal(error.httpStatus, 401);
      assert.equal(error.status, 'error');
      assert.match(error.message, /Unauthorized/);
      assert.equal(wire.exchanges[0]?.status, 401);
    });

    it('the sandbox answers a request without Authorization 401 as syncstorage-rs does (status "error", description Unauthorized)', async () => {
      const response = await fetch(sandbox.urls.tokenServer, { headers: { 'x-keyid': '1700000000000-riFsLvUkejeCwTXvonmj5A' } });
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { status: 'error', errors: [{ location: 'body', name: '', description: 'Unauthorized' }] });
      assert.match(response.headers.get('x-timestamp') ?? '', /^\d+$/);
      assert.ok(response.headers.get('www-authenticate'), '401s carry WWW-Authenticate');
    });

    it('FxaTokenSource refreshes a rejected access token only once, then passes InvalidCredentialsError on', async () => {
      const account = await sandbox.createFxaAccount({ label: 'refresh-gives-up' });
      const asked: boolean[] = [];
      const tokens = new FxaTokenSource({
        tokenserver: client(),
        accessToken: async ({ forceRefresh }) => {
          asked.push(forceRefresh);
          return `garbage-${asked.length}`;
        },
        kB: Buffer.from(account.kB, 'hex'),
        keysChangedAt: account.keysChangedAt,
      });
      const error = await rejection(tokens.getToken(), InvalidCredentialsError);
      assert.deepEqual(asked, [false, true]);
      assertNoSecrets(error, { 'first token': 'garbage-1', 'second token': 'garbage-2' });
    });
  });

  describe('503 from the tokenserver', () => {
    it('a 503 with Retry-After is TokenserverUnavailableError with retryAfterSeconds', async () => {
      const account = await sandbox.createFxaAccount({ label: 'ts-503' });
      const session = await login(sandbox.fxaClient(), account.email, account.password);
      const rule = await sandbox.addFault({ path: '^/token', count: 1, kind: '503', retryAfter: 1 });

      const error = await rejection(source(session.accessToken, session.kB, session.keysChangedAt).getToken(), TokenserverUnavailableError);
      assert.equal(error.httpStatus, 503);
      assert.equal(error.retryAfterSeconds, 1);
      assertNoSecrets(error, { 'access token': session.accessToken });
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
    });

    it('the same source asked again after the 503 exchanges successfully (the failure was not cached)', async () => {
      const account = await sandbox.createFxaAccount({ label: 'ts-503-again' });
      const session = await login(sandbox.fxaClient(), account.email, account.password);
      await sandbox.addFault({ path: '^/token', count: 1, kind: '503', retryAfter: 1 });
      const tokens = source(session.accessToken, session.kB, session.keysChangedAt);
      await rejection(tokens.getToken(), TokenserverUnavailableError);
      const token = await tokens.getToken();
      assert.equal(token.uid, account.storageUid);
    });

    it('a client with a (time-scaled) retry policy waits out one 503 and gets the token', async () => {
      const account = await sandbox.createFxaAccount({ label: 'ts-503-retry' });
      const session = await login(sandbox.fxaClient(), account.email, account.password);
      const rule = await sandbox.addFault({ path: '^/token', count: 1, kind: '503', retryAfter: 30 });
      const wire = new RecordingTransport();
      const tokenserver = new TokenserverClient({ url: sandbox.urls.tokenServer, transport: wire, retryPolicy: noWaitRetry(2) });
      const token = await tokenserver.exchange({ accessToken: session.accessToken, keyId: keyId(account.kB, account.keysChangedAt) });
      assert.equal(token.uid, account.storageUid);
      assert.deepEqual(wire.exchanges.map((exchange) => exchange.status), [503, 200]);
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
    });
  });
});
