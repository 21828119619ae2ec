/**
 * Tokenserver conformance, the happy paths: the daemon's TokenserverClient, FxaTokenSource and
 * connectFxaAccount against the sandbox's tokenserver over real HTTP (sync-protocols.md §3.1,
 * §3.2, §3.4). Tokens are checked by re-deriving them here with node:crypto from the sandbox's
 * tokenlib secret.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectFxaAccount,
  fetchCollectionKeys,
  FxaTokenSource,
  TokenserverClient,
  type FxaCredentials,
  type SyncNodeToken,
  type TokenExchangeRequest,
} from '@syncvault/daemon/sync';
import {
  clientState,
  CountingTokenserver,
  decodeTokenId,
  DEFAULT_TOKEN_SECONDS,
  IdentitySandbox,
  keyId,
  login,
  RecordingTransport,
  tokenKeyFor,
  type FxaAccountSummary,
} from './support/identity.js';

describe('TokenserverClient and FxaTokenSource against the sandbox tokenserver', () => {
  let sandbox: IdentitySandbox;
  before(async () => {
    sandbox = await IdentitySandbox.start({ tokenSecret: 'conformance tokenlib secret: tokenserver-exchange' });
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  async function signedIn(label: string, seed: 'demo' | 'none' = 'none'): Promise<{ account: FxaAccountSummary; session: FxaCredentials }> {
    const account = await sandbox.createFxaAccount({ label, seed });
    return { account, session: await login(sandbox.fxaClient(), account.email, account.password) };
  }

  function tokenSource(session: FxaCredentials, tokenserver: Pick<TokenserverClient, 'exchange'>): FxaTokenSource {
    return new FxaTokenSource({
      tokenserver,
      accessToken: async () => session.accessToken,
      kB: session.kB,
      keysChangedAt: session.keysChangedAt,
    });
  }

  function counting(transport?: RecordingTransport): CountingTokenserver<TokenExchangeRequest, SyncNodeToken> {
    return new CountingTokenserver(new TokenserverClient({ url: sandbox.urls.tokenServer, ...(transport ? { transport } : {}) }));
  }

  describe('the test oracles (node:crypto) reproduce sync-protocols.md §10', () => {
    it('(c) client state and X-KeyID for kB = 01..20', () => {
      const kB = Buffer.from(Array.from({ length: 32 }, (_, index) => index + 1)).toString('hex');
      assert.equal(clientState(kB).toString('hex'), 'ae216c2ef5247a3782c135efa279a3e4');
      assert.equal(keyId(kB, 1700000000000), '1700000000000-riFsLvUkejeCwTXvonmj5A');
    });

    it('(f) tokenlib id signature, payload and derived key for master secret test-master-secret', () => {
      const id =
        'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIiwiZnhhX2tpZCI6IjE3MDAwMDAwMDAwMDAtcmlGc0x2VWtlamVDd1RYdm9ubWo1QSIsImZ4YV91aWQiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImhhc2hlZF9kZXZpY2VfaWQiOiIiLCJoYXNoZWRfZnhhX3VpZCI6IiIsImV4cGlyZXMiOjIwMDAwMDAwMDAsInVpZCI6MSwidG9rZW5zZXJ2ZXJfb3JpZ2luIjoicnVzdCIsInNhbHQiOiJhMWIyYzMifQ2iVK1pyLeN7zztepeBLVSmzXLDnH_4CvykRFbc9Qb7';
      const decoded = decodeTokenId('test-master-secret', id);
      assert.ok(decoded.signatureValid);
      assert.equal(decoded.payload['salt'], 'a1b2c3');
      assert.equal(decoded.payload['uid'], 1);
      assert.equal(decodeTokenId('another-secret', id).signatureValid, false);
      assert.equal(tokenKeyFor('test-master-secret', id, 'a1b2c3'), 'w1IoxTwUKswY0O61VVU-FdpUFIn_ONFvEuRaZrn-nnE=');
    });
  });

  describe('exchange', () => {
    it('returns a token whose id is a tokenlib payload signed with the sandbox secret and whose key re-derives from it', async () => {
      const { account, session } = await signedIn('derive');
      const client = new TokenserverClient({ url: sandbox.urls.tokenServer });
      const requestedAt = Math.floor(Date.now() / 1000);
      const token = await client.exchange({ accessToken: session.accessToken, keyId: keyId(account.kB, account.keysChangedAt) });
      const answeredAt = Math.ceil(Date.now() / 1000);

      const decoded = decodeTokenId(sandbox.tokenSecret, token.id);
      assert.ok(decoded.signatureValid, 'HMAC-SHA256(HKDF(secret, "", ".../signing"), payload) ends the id');
      assert.match(token.id, /^[A-Za-z0-9_-]+={0,2}$/, 'the id is base64url');
      assert.equal(token.id.length % 4, 0, 'the id keeps its = padding');
      const salt = decoded.payload['salt'];
      assert.equal(typeof salt, 'string');
      assert.equal(token.key, tokenKeyFor(sandbox.tokenSecret, token.id, String(salt)), 'key = b64url(HKDF(secret, salt, ".../derive/" + id))');

      const { payload } = decoded;
      assert.equal(payload['uid'], token.uid);
      assert.equal(payload['node'], sandbox.urls.storage15);
      assert.equal(payload['fxa_uid'], account.uid);
      assert.equal(payload['fxa_kid'], `${String(account.keysChangedAt).padStart(13, '0')}-${clientState(account.kB).toString('base64url')}`);
      const expires = payload['expires'];
      assert.equal(typeof expires, 'number');
      assert.ok((expires as number) >= requestedAt + DEFAULT_TOKEN_SECONDS && (expires as number) <= answeredAt + DEFAULT_TOKEN_SECONDS);
    });

    it('returns the account storage uid, an api_endpoint under the sandbox storage node, the default duration and sha256', async () => {
      const { account, session } = await signedIn('fields');
      const before = Date.now();
      const token = await new TokenserverClient({ url: sandbox.urls.tokenServer }).exchange({
        accessToken: session.accessToken,
        keyId: keyId(account.kB, account.keysChangedAt),
      });
      const afterExchange = Date.now();
      assert.equal(token.uid, account.storageUid, 'the uid the sandbox assigned when it created the account');
      assert.equal(token.apiEndpoint, `${sandbox.urls.storage15}/1.5/${token.uid}`);
      assert.equal(token.duration, DEFAULT_TOKEN_SECONDS);
      assert.equal(token.hashalg, 'sha256');
      assert.match(token.hashedFxaUid ?? '', /^[0-9a-f]{32}$/);
      // Used until 5 minutes before the server's end of life, measured from before the request.
      const margin = (DEFAULT_TOKEN_SECONDS - 300) * 1000;
      assert.ok(token.expiresAt >= before + margin && token.expiresAt <= afterExchange + margin);
    });

    it('accepts the bare tokenserver base URL and appends /1.0/sync/1.5', async () => {
      const { account, session } = await signedIn('bare-url');
      const base = sandbox.urls.tokenServer.replace(/\/1\.0\/sync\/1\.5$/, '');
      const client = new TokenserverClient({ url: `${base}/` });
      assert.equal(client.url, sandbox.urls.tokenServer);
      const token = await client.exchange({ accessToken: session.accessToken, keyId: keyId(account.kB, account.keysChangedAt) });
      assert.equal(token.uid, account.storageUid);
    });

    it('FxaTokenSource sends Bearer, X-KeyID and X-Client-State that equal an independent derivation from kB and keysChangedAt', async () => {
      const { account, session } = await signedIn('headers');
      const wire = new RecordingTransport();
      await tokenSource(session, new TokenserverClient({ url: sandbox.urls.tokenServer, transport: wire })).getToken();

      const [request, ...more] = wire.exchanges;
      assert.ok(request && more.length === 0, 'one token request');
      assert.equal(request.method, 'GET');
      assert.equal(request.url, sandbox.urls.tokenServer);
      assert.equal(request.headers['authorization'], `Bearer ${session.accessToken}`);
      assert.equal(request.headers['x-keyid'], keyId(account.kB, account.keysChangedAt));
      assert.equal(request.headers['x-client-state'], clientState(account.kB).toString('hex'));
      assert.equal(request.status, 200);
      assert.match(request.responseHeaders?.['x-timestamp'] ?? '', /^\d+$/, 'the answer carries X-Timestamp');
    });

    it('logging in again exchanges to the same storage uid (the key state did not change)', async () => {
      const { account, session } = await signedIn('stable');
      const again = await login(sandbox.fxaClient(), account.email, account.password);
      const first = await tokenSource(session, new TokenserverClient({ url: sandbox.urls.tokenServer })).getToken();
      const second = await tokenSource(again, new TokenserverClient({ url: sandbox.urls.tokenServer })).getToken();
      assert.equal(second.uid, first.uid);
      assert.notEqual(second.id, first.id, 'each exchange mints a new token');
    });
  });

  describe('FxaTokenSource caching', () => {
    it('two getToken calls make one exchange and return the same token', async () => {
      const { session } = await signedIn('cache');
      const tokenserver = counting();
      const source = tokenSource(session, tokenserver);
      const first = await source.getToken();
      const second = await source.getToken();
      assert.equal(tokenserver.exchanges, 1);
      assert.equal(second, first);
    });

    it('concurrent getToken calls share one exchange', async () => {
      const { session } = await signedIn('cache-concurrent');
      const tokenserver = counting();
      const source = tokenSource(session, tokenserver);
      const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
      assert.equal(tokenserver.exchanges, 1);
      assert.ok(tokens.every((token) => token === tokens[0]));
    });

    it('invalidate() makes the next getToken exchange anew, for a new token on the same storage uid', async () => {
      const { session } = await signedIn('invalidate');
      const tokenserver = counting();
      const source = tokenSource(session, tokenserver);
      const first = await source.getToken();
      source.invalidate();
      const second = await source.getToken();
      assert.equal(tokenserver.exchanges, 2);
      assert.notEqual(second.id, first.id);
      assert.notEqual(second.key, first.key);
      assert.equal(second.uid, first.uid);
      assert.ok(decodeTokenId(sandbox.tokenSecret, second.id).signatureValid);
      assert.equal(await source.getToken(), second, 'and caches that one');
      assert.equal(tokenserver.exchanges, 2);
    });

    it('when the tokenserver rejects the access token, FxaTokenSource forces one refresh and retries with the new token', async () => {
      const { session } = await signedIn('refresh-once');
      const tokenserver = counting();
      const asked: boolean[] = [];
      const source = new FxaTokenSource({
        tokenserver,
        accessToken: async ({ forceRefresh }) => {
          asked.push(forceRefresh);
          return forceRefresh ? session.accessToken : 'an-expired-or-garbage-access-token';
        },
        kB: session.kB,
        keysChangedAt: session.keysChangedAt,
      });
      const token = await source.getToken();
      assert.deepEqual(asked, [false, true]);
      assert.equal(tokenserver.exchanges, 2);
      assert.equal(tokenserver.requests[1]?.accessToken, session.accessToken);
      assert.ok(decodeTokenId(sandbox.tokenSecret, token.id).signatureValid);
    });
  });

  describe('connectFxaAccount end to end', () => {
    it('a seeded account: storage.infoCollections() lists the seeded collections and crypto/keys opens with the login kB', async () => {
      const { account, session } = await signedIn('connect', 'demo');
      const connection = connectFxaAccount({ authServerUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer, credentials: session });
      assert.equal(connection.kind, 'fxa');

      const info = await connection.storage.infoCollections();
      const names = Object.keys(info);
      for (const expected of ['meta', 'crypto', 'bookmarks', 'history', 'passwords']) assert.ok(names.includes(expected), `${expected} is listed`);
      for (const [name, modified] of Object.entries(info)) {
        const records = await sandbox.control<Array<{ modified: number }>>('GET', `/accounts/${encodeURIComponent(account.email)}/records/${name}`);
        assert.ok(records.length > 0, `${name} has records in the sandbox`);
        assert.equal(modified, Math.max(...records.map((record) => record.modified)), `${name} last-modified`);
      }
      const keys = await fetchCollectionKeys(connection);
      assert.ok(keys, 'crypto/keys exists and decrypts with the root bundle from kB');
    });

    it('credentials without an access token: the connection gets one with the refresh token and reaches storage', async () => {
      const { session } = await signedIn('connect-cold', 'demo');
      const connection = connectFxaAccount({
        authServerUrl: sandbox.urls.fxa,
        tokenServerUrl: sandbox.urls.tokenServer,
        credentials: { kB: session.kB, keysChangedAt: session.keysChangedAt, refreshToken: session.refreshToken },
      });
      assert.ok(Object.keys(await connection.storage.infoCollections()).includes('crypto'));
    });

    it('an account that never synced: infoCollections() is empty', async () => {
      const { session } = await signedIn('connect-empty');
      const connection = connectFxaAccount({ authServerUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer, credentials: session });
      assert.deepEqual(await connection.storage.infoCollections(), {});
      assert.equal(await fetchCollectionKeys(connection), undefined);
    });
  });
});
