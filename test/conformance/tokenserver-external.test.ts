/**
 * Tokenserver conformance, external accounts server: sandbox B's tokenserver trusts sandbox A's
 * auth server (`accountsServer: A.urls.fxa`, checked through A's `/v1/oauth/verify`), as a
 * self-hosted syncstorage-rs trusts Mozilla's accounts. The daemon logs in at A and exchanges at B.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectFxaAccount,
  fetchCollectionKeys,
  FxaTokenSource,
  InvalidClientStateError,
  InvalidCredentialsError,
  TokenserverClient,
  UnknownAccountError,
  type FxaCredentials,
} from '@syncvault/daemon/sync';
import {
  assertNoSecrets,
  decodeTokenId,
  IdentitySandbox,
  keyId,
  login,
  newPassword,
  rejection,
  tokenKeyFor,
  type FxaAccountSummary,
} from './support/identity.js';

describe('external accounts server: log in at sandbox A, exchange at sandbox B', () => {
  let a: IdentitySandbox;
  let b: IdentitySandbox;
  before(async () => {
    a = await IdentitySandbox.start({ tokenSecret: 'conformance tokenlib secret: sandbox A' });
    b = await IdentitySandbox.start({ tokenSecret: 'conformance tokenlib secret: sandbox B', accountsServer: a.urls.fxa });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  async function signedInAtA(label: string): Promise<{ account: FxaAccountSummary; session: FxaCredentials }> {
    const account = await a.createFxaAccount({ label, seed: 'demo' });
    return { account, session: await login(a.fxaClient(), account.email, account.password) };
  }

  it('B\'s tokenserver accepts A\'s access token and mints a token for B\'s storage node, signed with B\'s secret', async () => {
    const { account, session } = await signedInAtA('external');
    const token = await new FxaTokenSource({
      tokenserver: new TokenserverClient({ url: b.urls.tokenServer }),
      accessToken: async () => session.accessToken,
      kB: session.kB,
      keysChangedAt: session.keysChangedAt,
    }).getToken();

    assert.ok(token.apiEndpoint.startsWith(`${b.urls.storage15}/1.5/`), `${token.apiEndpoint} is on B's node`);
    assert.equal(token.apiEndpoint, `${b.urls.storage15}/1.5/${token.uid}`);
    assert.notEqual(b.urls.storage15, a.urls.storage15);

    const decoded = decodeTokenId(b.tokenSecret, token.id);
    assert.ok(decoded.signatureValid, 'signed with B\'s secret');
    assert.equal(decodeTokenId(a.tokenSecret, token.id).signatureValid, false, 'not with A\'s');
    assert.equal(token.key, tokenKeyFor(b.tokenSecret, token.id, String(decoded.payload['salt'])));
    assert.equal(decoded.payload['fxa_uid'], account.uid, 'the FxA uid A vouched for');
    assert.equal(decoded.payload['node'], b.urls.storage15);
  });

  it('B\'s storage starts empty for the account while A\'s holds its seeded data', async () => {
    const { session } = await signedInAtA('external-empty');
    const atB = connectFxaAccount({ authServerUrl: a.urls.fxa, tokenServerUrl: b.urls.tokenServer, credentials: session });
    assert.deepEqual(await atB.storage.infoCollections(), {});
    assert.equal(await fetchCollectionKeys(atB), undefined);

    const atA = connectFxaAccount({ authServerUrl: a.urls.fxa, tokenServerUrl: a.urls.tokenServer, credentials: session });
    assert.ok(Object.keys(await atA.storage.infoCollections()).includes('crypto'));
  });

  it('a connection without an access token refreshes at A and reaches B\'s storage', async () => {
    const { session } = await signedInAtA('external-refresh');
    const atB = connectFxaAccount({
      authServerUrl: a.urls.fxa,
      tokenServerUrl: b.urls.tokenServer,
      credentials: { kB: session.kB, keysChangedAt: session.keysChangedAt, refreshToken: session.refreshToken },
    });
    assert.deepEqual(await atB.storage.infoCollections(), {});
  });

  it('after a password reset at A, B refuses the stale kB (InvalidClientStateError) and moves the new kB to a fresh, empty storage uid', async () => {
    const { account, session: before } = await signedInAtA('external-reset');
    const sourceAtB = (credentials: FxaCredentials, accessToken = credentials.accessToken) =>
      new FxaTokenSource({
        tokenserver: new TokenserverClient({ url: b.urls.tokenServer }),
        accessToken: async () => accessToken,
        kB: credentials.kB,
        keysChangedAt: credentials.keysChangedAt,
      });
    const oldToken = await sourceAtB(before).getToken();

    const password = newPassword();
    await a.resetPassword(account.email, password);
    const after = await login(a.fxaClient(), account.email, password);
    const newToken = await sourceAtB(after).getToken();
    assert.notEqual(newToken.uid, oldToken.uid);
    assert.ok(newToken.apiEndpoint.startsWith(`${b.urls.storage15}/1.5/`));

    const error = await rejection(sourceAtB(before, after.accessToken).getToken(), InvalidClientStateError);
    assertNoSecrets(error, { 'access token': after.accessToken });
    const atB = connectFxaAccount({ authServerUrl: a.urls.fxa, tokenServerUrl: b.urls.tokenServer, credentials: after });
    assert.deepEqual(await atB.storage.infoCollections(), {});
  });

  it('B refuses an access token A does not vouch for with InvalidCredentialsError', async () => {
    const { account, session } = await signedInAtA('external-garbage');
    const [header, payload] = session.accessToken.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(256, 1).toString('base64url')}`;
    const error = await rejection(
      new TokenserverClient({ url: b.urls.tokenServer }).exchange({ accessToken: forged, keyId: keyId(account.kB, account.keysChangedAt) }),
      InvalidCredentialsError,
    );
    assertNoSecrets(error, { 'access token': forged });
  });

  it('B\'s own auth server does not know A\'s accounts', async () => {
    const { account } = await signedInAtA('external-unknown');
    await rejection(b.fxaClient().beginLogin(account.email, account.password), UnknownAccountError);
  });
});
