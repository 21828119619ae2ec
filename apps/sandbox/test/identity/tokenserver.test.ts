import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { fromHex, unwrapAccountKeys, xorBytes } from '@syncvault/sync-crypto';
import { accessToken, call, login, tokenCredentials, type Answer } from './fxa-client.js';
import { startSandbox, type RunningSandbox } from '../../src/index.js';

/** X-KeyID from sync-protocols.md §2.6, computed here rather than with the code under test. */
function keyIdFor(kB: Buffer, keysChangedAt: number): string {
  return `${keysChangedAt}-${createHash('sha256').update(kB).digest().subarray(0, 16).toString('base64url')}`;
}

/** Signs in, fetches kB and an oldsync access token: what a Sync client has before it meets the tokenserver. */
async function signIn(fxa: string, email: string, password: string) {
  const session = await login(fxa, email, password);
  assert.equal(session.status, 200);
  const keyFetch = tokenCredentials(session.body.keyFetchToken, 'keyFetchToken');
  const keys = await call(`${fxa}/v1/account/keys`, { hawk: keyFetch });
  const kB = xorBytes(unwrapAccountKeys(keyFetch.extra, fromHex(keys.body.bundle)).wrapKB, session.unwrapBKey);
  const scoped = await call(`${fxa}/v1/account/scoped-key-data`, {
    json: { client_id: '5882386c6d801776', scope: 'https://identity.mozilla.com/apps/oldsync' },
    hawk: tokenCredentials(session.body.sessionToken, 'sessionToken'),
  });
  const keysChangedAt: number = scoped.body['https://identity.mozilla.com/apps/oldsync'].keyRotationTimestamp;
  const token = await accessToken(fxa, session.body.sessionToken);
  return { uid: session.body.uid as string, kB, keysChangedAt, accessToken: token.body.access_token as string };
}

function exchange(tokenServer: string, bearer: string, keyId?: string, extra: Record<string, string> = {}, query = ''): Promise<Answer> {
  return call(`${tokenServer}${query}`, {
    headers: { Authorization: `Bearer ${bearer}`, ...(keyId ? { 'X-KeyID': keyId } : {}), ...extra },
  });
}

function assertRefused(answer: Answer, status: string): void {
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
  assert.equal(answer.body.status, status);
  assert.equal(answer.body.errors.length, 1);
  assert.deepEqual(Object.keys(answer.body.errors[0]).sort(), ['description', 'location', 'name']);
  assert.ok(answer.headers.get('www-authenticate'));
  assert.match(answer.headers.get('x-timestamp') ?? '', /^\d+$/);
}

const resetPassword = (control: string, email: string, password: string) =>
  call(`${control}/accounts/${email}/reset-password`, { json: { password } });

describe('tokenserver', () => {
  let sandbox: RunningSandbox;

  before(async () => {
    sandbox = await startSandbox({ tokenSecret: 'test-master-secret' });
    for (const email of ['ts@example.org', 'reset@example.org']) {
      await call(`${sandbox.urls.control}/accounts`, { json: { kind: 'fxa', email, password: 'pw-1' } });
    }
  });
  after(() => sandbox.close());

  it('exchanges an access token for a tokenlib token that re-derives independently', async () => {
    const user = await signIn(sandbox.urls.fxa, 'ts@example.org', 'pw-1');
    const answer = await exchange(sandbox.urls.tokenServer, user.accessToken, keyIdFor(user.kB, user.keysChangedAt));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.match(answer.headers.get('x-timestamp') ?? '', /^\d+$/);
    const { id, key, uid, api_endpoint, duration, hashalg, hashed_fxa_uid, node_type } = answer.body;
    assert.equal(duration, 3600);
    assert.equal(hashalg, 'sha256');
    assert.match(hashed_fxa_uid, /^[0-9a-f]{32}$/);
    assert.equal(typeof node_type, 'string');
    assert.equal(typeof uid, 'number');

    const secret = Buffer.from('test-master-secret', 'utf8');
    const raw = Buffer.from(id, 'base64url');
    const payloadBytes = raw.subarray(0, raw.length - 32);
    const signingKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(32), 'services.mozilla.com/tokenlib/v1/signing', 32));
    const expectedMac = createHmac('sha256', signingKey).update(payloadBytes).digest();
    assert.ok(timingSafeEqual(expectedMac, raw.subarray(raw.length - 32)));
    assert.ok(id.endsWith('=') || id.length % 4 === 0, 'id keeps its base64 padding');
    const payload = JSON.parse(payloadBytes.toString('utf8'));
    assert.equal(payload.uid, uid);
    assert.equal(payload.fxa_uid, user.uid);
    assert.equal(payload.fxa_kid, keyIdFor(user.kB, user.keysChangedAt));
    assert.ok(Math.abs(payload.expires - (Date.now() / 1000 + 3600)) < 5);
    assert.equal(api_endpoint, `${payload.node}/1.5/${uid}`);
    const expectedKey = Buffer.from(
      hkdfSync('sha256', secret, Buffer.from(payload.salt, 'utf8'), `services.mozilla.com/tokenlib/v1/derive/${id}`, 32),
    ).toString('base64url');
    assert.equal(key, expectedKey + '='.repeat((4 - (expectedKey.length % 4)) % 4));

    const again = await exchange(sandbox.urls.tokenServer, user.accessToken, keyIdFor(user.kB, user.keysChangedAt));
    assert.equal(again.body.uid, uid);
  });

  it('needs a valid Bearer token and an X-KeyID that agrees with X-Client-State', async () => {
    const user = await signIn(sandbox.urls.fxa, 'ts@example.org', 'pw-1');
    const keyId = keyIdFor(user.kB, user.keysChangedAt);
    assertRefused(await exchange(sandbox.urls.tokenServer, user.accessToken), 'invalid-key-id');
    assertRefused(await exchange(sandbox.urls.tokenServer, 'not-a-token', keyId), 'invalid-credentials');
    assertRefused(await call(sandbox.urls.tokenServer, { headers: { 'X-KeyID': keyId } }), 'error');
    assertRefused(await exchange(sandbox.urls.tokenServer, user.accessToken, 'garbage'), 'invalid-credentials');
    assertRefused(
      await exchange(sandbox.urls.tokenServer, user.accessToken, keyId, { 'X-Client-State': '00'.repeat(16) }),
      'invalid-client-state',
    );
    const clientStateHex = createHash('sha256').update(user.kB).digest().subarray(0, 16).toString('hex');
    const agreeing = await exchange(sandbox.urls.tokenServer, user.accessToken, keyId, { 'X-Client-State': clientStateHex });
    assert.equal(agreeing.status, 200);
    const otherApp = await call(sandbox.urls.tokenServer.replace('/sync/1.5', '/sync/1.1'), {
      headers: { Authorization: `Bearer ${user.accessToken}`, 'X-KeyID': keyId },
    });
    assert.equal(otherApp.status, 404);
  });

  it('lets ?duration= shorten the token lifetime but never lengthen it', async () => {
    const user = await signIn(sandbox.urls.fxa, 'ts@example.org', 'pw-1');
    const keyId = keyIdFor(user.kB, user.keysChangedAt);
    assert.equal((await exchange(sandbox.urls.tokenServer, user.accessToken, keyId, {}, '?duration=120')).body.duration, 120);
    assert.equal((await exchange(sandbox.urls.tokenServer, user.accessToken, keyId, {}, '?duration=99999')).body.duration, 3600);
    assert.equal((await exchange(sandbox.urls.tokenServer, user.accessToken, keyId, {}, '?duration=soon')).body.duration, 3600);
  });

  it('after a password reset: moves the user, and refuses a stale kB, an older generation and an older keysChangedAt', async () => {
    const before = await signIn(sandbox.urls.fxa, 'reset@example.org', 'pw-1');
    const oldKeyId = keyIdFor(before.kB, before.keysChangedAt);
    const oldUid = (await exchange(sandbox.urls.tokenServer, before.accessToken, oldKeyId)).body.uid;

    const reset = await resetPassword(sandbox.urls.control, 'reset@example.org', 'pw-2');
    assert.equal(reset.status, 200);
    const afterReset = await signIn(sandbox.urls.fxa, 'reset@example.org', 'pw-2');
    assert.notDeepEqual(afterReset.kB, before.kB);
    assert.ok(afterReset.keysChangedAt > before.keysChangedAt);
    const newKeyId = keyIdFor(afterReset.kB, afterReset.keysChangedAt);
    const moved = await exchange(sandbox.urls.tokenServer, afterReset.accessToken, newKeyId);
    assert.equal(moved.status, 200);
    assert.notEqual(moved.body.uid, oldUid);
    assert.equal(moved.body.uid, reset.body.storageUid);

    assertRefused(await exchange(sandbox.urls.tokenServer, afterReset.accessToken, oldKeyId), 'invalid-client-state');
    assertRefused(await exchange(sandbox.urls.tokenServer, before.accessToken, newKeyId), 'invalid-generation');
    const olderChange = keyIdFor(afterReset.kB, before.keysChangedAt);
    assertRefused(await exchange(sandbox.urls.tokenServer, afterReset.accessToken, olderChange), 'invalid-keysChangedAt');
  });

  it('trusts an external accounts server through /v1/oauth/verify and moves the user on a new client state', async () => {
    const accounts = await startSandbox();
    const tokens = await startSandbox({ accountsServer: accounts.urls.fxa });
    try {
      await call(`${accounts.urls.control}/accounts`, { json: { kind: 'fxa', email: 'remote@example.org', password: 'pw-1' } });
      const first = await signIn(accounts.urls.fxa, 'remote@example.org', 'pw-1');
      const firstKeyId = keyIdFor(first.kB, first.keysChangedAt);
      const granted = await exchange(tokens.urls.tokenServer, first.accessToken, firstKeyId);
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.equal(JSON.parse(Buffer.from(granted.body.id, 'base64url').subarray(0, -32).toString()).fxa_uid, first.uid);

      await resetPassword(accounts.urls.control, 'remote@example.org', 'pw-2');
      const second = await signIn(accounts.urls.fxa, 'remote@example.org', 'pw-2');
      const moved = await exchange(tokens.urls.tokenServer, second.accessToken, keyIdFor(second.kB, second.keysChangedAt));
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.notEqual(moved.body.uid, granted.body.uid);
      assertRefused(await exchange(tokens.urls.tokenServer, second.accessToken, firstKeyId), 'invalid-client-state');
      assertRefused(await exchange(tokens.urls.tokenServer, 'forged', firstKeyId), 'invalid-credentials');
    } finally {
      await tokens.close();
      await accounts.close();
    }
  });
});
