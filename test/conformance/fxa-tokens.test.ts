/**
 * FxA conformance, token lifecycle: OAuth refresh grants, refresh-token revocation, session
 * destruction and what a password reset ends, with the daemon's FxaClient and
 * RefreshingAccessToken against the sandbox's auth server over real HTTP (sync-protocols.md §2.3,
 * §2.7).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FxaError, RefreshingAccessToken } from '@syncvault/daemon/sync';
import {
  assertNoSecrets,
  IdentitySandbox,
  jwtClaims,
  login,
  newPassword,
  OLDSYNC_SCOPE,
  RecordingTransport,
  rejection,
} from './support/identity.js';

describe('FxA token lifecycle against the sandbox auth server', () => {
  let sandbox: IdentitySandbox;
  before(async () => {
    sandbox = await IdentitySandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  describe('refresh tokens', () => {
    it('refreshAccessToken returns a fresh oldsync access token the auth server vouches for, with a local expiry', async () => {
      const account = await sandbox.createFxaAccount({ label: 'refresh' });
      const wire = new RecordingTransport();
      const client = sandbox.fxaClient({ transport: wire });
      const session = await login(client, account.email, account.password);

      const before = Date.now();
      const fresh = await client.refreshAccessToken(session.refreshToken);
      const afterRefresh = Date.now();
      assert.notEqual(fresh.accessToken, session.accessToken);
      assert.equal(fresh.scope, OLDSYNC_SCOPE);
      assert.equal(fresh.refreshToken, undefined, 'a refresh grant hands out no new refresh token');
      assert.ok(fresh.expiresAt >= before + 3600_000 && fresh.expiresAt <= afterRefresh + 3600_000);
      assert.equal(jwtClaims(fresh.accessToken)['sub'], account.uid);

      const verified = await sandbox.verifyAccessToken(fresh.accessToken);
      assert.equal(verified.status, 200);
      assert.equal(verified.body['user'], account.uid);
      assert.equal(verified.body['generation'], account.generation);

      const [grant] = wire.matching('POST', /\/oauth\/token$/).slice(-1);
      assert.ok(grant);
      assert.equal(grant.headers['authorization'], undefined, 'a refresh grant is a plain POST, not Hawk-signed');
      const body = JSON.parse(grant.body ?? '{}') as Record<string, unknown>;
      assert.equal(body['grant_type'], 'refresh_token');
      assert.equal(body['refresh_token'], session.refreshToken);
      assert.equal(body['client_id'], client.clientId);
      assert.equal(body['scope'], OLDSYNC_SCOPE);
    });

    it('after destroyRefreshToken a refresh is refused (FxaError 400, errno 108) without the refresh token in the error', async () => {
      const account = await sandbox.createFxaAccount({ label: 'revoke' });
      const client = sandbox.fxaClient();
      const session = await login(client, account.email, account.password);
      await client.refreshAccessToken(session.refreshToken);

      await client.destroyRefreshToken(session.refreshToken);
      const error = await rejection(client.refreshAccessToken(session.refreshToken), FxaError);
      assert.equal(error.code, 400);
      assert.equal(error.errno, 108);
      assertNoSecrets(error, { 'refresh token': session.refreshToken, 'session token': session.sessionToken });
    });

    it('revoking one login\'s refresh token leaves another login\'s refresh token working', async () => {
      const account = await sandbox.createFxaAccount({ label: 'revoke-one' });
      const client = sandbox.fxaClient();
      const first = await login(client, account.email, account.password);
      const second = await login(client, account.email, account.password);
      assert.notEqual(first.refreshToken, second.refreshToken);
      await client.destroyRefreshToken(first.refreshToken);
      await rejection(client.refreshAccessToken(first.refreshToken), FxaError);
      const fresh = await client.refreshAccessToken(second.refreshToken);
      assert.equal((await sandbox.verifyAccessToken(fresh.accessToken)).status, 200);
    });

    it('RefreshingAccessToken serves the login token from cache, refreshes on forceRefresh and shares one refresh among concurrent callers', async () => {
      const account = await sandbox.createFxaAccount({ label: 'refreshing' });
      const client = sandbox.fxaClient();
      const session = await login(client, account.email, account.password);
      let refreshes = 0;
      const counted = {
        refreshAccessToken: (refreshToken: string) => {
          refreshes += 1;
          return client.refreshAccessToken(refreshToken);
        },
      };
      const tokens = new RefreshingAccessToken(counted, session.refreshToken, {
        accessToken: session.accessToken,
        expiresAt: session.expiresAt,
      });

      assert.equal(await tokens.get(), session.accessToken);
      assert.equal(refreshes, 0, 'a token an hour from expiry is used as is');

      const [a, b] = await Promise.all([tokens.get({ forceRefresh: true }), tokens.get({ forceRefresh: true })]);
      assert.equal(refreshes, 1, 'concurrent forced refreshes make one grant');
      assert.equal(a, b);
      assert.notEqual(a, session.accessToken);
      assert.equal(await tokens.get(), a, 'the refreshed token is cached');
      assert.equal((await sandbox.verifyAccessToken(a)).status, 200);
    });

    it('RefreshingAccessToken without an initial token gets one with the refresh token', async () => {
      const account = await sandbox.createFxaAccount({ label: 'refreshing-cold' });
      const client = sandbox.fxaClient();
      const session = await login(client, account.email, account.password);
      const token = await new RefreshingAccessToken(client, session.refreshToken).get();
      assert.notEqual(token, session.accessToken);
      assert.equal((await sandbox.verifyAccessToken(token)).body['user'], account.uid);
    });
  });

  describe('sessions', () => {
    it('after destroySession the session token is refused (FxaError 401, errno 110) on every session route', async () => {
      const account = await sandbox.createFxaAccount({ label: 'destroy' });
      const client = sandbox.fxaClient();
      const session = await login(client, account.email, account.password);
      assert.equal((await client.scopedKeyData(session.sessionToken)).keyRotationTimestamp, account.keysChangedAt);

      await client.destroySession(session.sessionToken);

      for (const call of [
        () => client.scopedKeyData(session.sessionToken),
        () => client.oauthTokenFromSession(session.sessionToken),
        () => client.destroySession(session.sessionToken),
      ]) {
        const error = await rejection(call(), FxaError);
        assert.equal(error.code, 401);
        assert.equal(error.errno, 110);
        assertNoSecrets(error, { 'session token': session.sessionToken });
      }
    });

    it('destroying one session leaves another session of the same account working', async () => {
      const account = await sandbox.createFxaAccount({ label: 'destroy-one' });
      const client = sandbox.fxaClient();
      const first = await login(client, account.email, account.password);
      const second = await login(client, account.email, account.password);
      await client.destroySession(first.sessionToken);
      const token = await client.oauthTokenFromSession(second.sessionToken);
      assert.equal((await sandbox.verifyAccessToken(token.accessToken)).status, 200);
    });

    it('a password reset ends the sessions and refresh grants; the new password logs in to the new kB and keysChangedAt', async () => {
      const account = await sandbox.createFxaAccount({ label: 'reset' });
      const client = sandbox.fxaClient();
      const session = await login(client, account.email, account.password);
      const password = newPassword();
      const reset = await sandbox.resetPassword(account.email, password);
      assert.notEqual(reset.kB, account.kB);
      assert.ok(reset.keysChangedAt > account.keysChangedAt && reset.generation > account.generation);

      const refreshError = await rejection(client.refreshAccessToken(session.refreshToken), FxaError);
      assert.equal(refreshError.errno, 108);
      const sessionError = await rejection(client.oauthTokenFromSession(session.sessionToken), FxaError);
      assert.equal(sessionError.errno, 110);
      await rejection(client.beginLogin(account.email, account.password), FxaError, false);

      const fresh = await login(client, account.email, password);
      assert.equal(fresh.kB.toString('hex'), reset.kB);
      assert.equal(fresh.keysChangedAt, reset.keysChangedAt);
      assert.equal(jwtClaims(fresh.accessToken)['fxa-generation'], reset.generation);
    });
  });
});
