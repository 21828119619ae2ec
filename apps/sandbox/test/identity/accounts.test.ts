import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { fromBase32, fromHex, stretchPassword, toHex, unwrapAccountKeys, xorBytes } from '@syncvault/sync-crypto';
import { CLIENT_ID, OLDSYNC, accessToken, call, hawkHeader, login, tokenCredentials } from './fxa-client.js';
import { startSandbox, type RunningSandbox } from '../../src/index.js';

const VECTOR_EMAIL = 'andré@example.org';
const VECTOR_PASSWORD = 'pässwörd';
const VECTOR_KB = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';

/** RFC 6238 computed here from the secret the control API reveals, independently of the server. */
function independentTotp(secretBase32: string, stepOffset = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + stepOffset));
  const digest = createHmac('sha1', fromBase32(secretBase32)).update(counter).digest();
  const offset = digest[19]! & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('accounts server', () => {
  let sandbox: RunningSandbox;
  let fxa: string;
  let control: string;
  const createAccount = (spec: Record<string, unknown>) => call(`${control}/accounts`, { json: { kind: 'fxa', ...spec } });

  before(async () => {
    sandbox = await startSandbox();
    fxa = sandbox.urls.fxa;
    control = sandbox.urls.control;
    const created = await createAccount({ email: VECTOR_EMAIL, password: VECTOR_PASSWORD, kB: VECTOR_KB });
    assert.equal(created.status, 201);
  });
  after(() => sandbox.close());

  it('accepts the onepw authPW of vector (a) and answers like the real login', async () => {
    assert.equal(
      toHex(stretchPassword(VECTOR_EMAIL, VECTOR_PASSWORD).authPW),
      '247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375',
    );
    const answer = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    assert.equal(answer.status, 200);
    assert.match(answer.body.uid, /^[0-9a-f]{32}$/);
    assert.match(answer.body.sessionToken, /^[0-9a-f]{64}$/);
    assert.match(answer.body.keyFetchToken, /^[0-9a-f]{64}$/);
    assert.equal(answer.body.verified, true);
    assert.equal(typeof answer.body.authAt, 'number');
    assert.equal(answer.body.verificationMethod, undefined);
    assert.match(answer.headers.get('timestamp') ?? '', /^\d+$/);
  });

  it('refuses a wrong password (103), an unknown account (102) and a wrong email case (120)', async () => {
    const wrong = await login(fxa, VECTOR_EMAIL, 'not the password');
    assert.deepEqual([wrong.status, wrong.body.errno], [400, 103]);
    assert.deepEqual(Object.keys(wrong.body).sort(), ['code', 'errno', 'error', 'message']);

    const unknown = await login(fxa, 'nobody@example.org', VECTOR_PASSWORD);
    assert.deepEqual([unknown.status, unknown.body.errno], [400, 102]);

    const wrongCase = await login(fxa, 'André@Example.org', VECTOR_PASSWORD);
    assert.deepEqual([wrongCase.status, wrongCase.body.errno], [400, 120]);
    assert.equal(wrongCase.body.email, VECTOR_EMAIL);
    const retried = await login(fxa, wrongCase.body.email, VECTOR_PASSWORD);
    assert.equal(retried.status, 200);
  });

  it('blocks logins behind an unblock code: 125, mailed code, 127 for a wrong one, single use', async () => {
    await createAccount({ email: 'blocked@example.org', password: 'pw-blocked', gates: { unblock: true } });
    const blocked = await login(fxa, 'blocked@example.org', 'pw-blocked');
    assert.deepEqual([blocked.status, blocked.body.errno], [400, 125]);
    assert.equal(blocked.body.verificationMethod, 'email-captcha');

    const sent = await call(`${fxa}/v1/account/login/send_unblock_code`, { json: { email: 'blocked@example.org' } });
    assert.equal(sent.status, 200);
    const { unblockCode } = (await call(`${control}/accounts/blocked@example.org/codes`)).body;
    assert.match(unblockCode, /^[0-9A-Z]{8}$/);

    const wrongCode = await login(fxa, 'blocked@example.org', 'pw-blocked', { unblockCode: 'ZZZZZZZZ' });
    assert.deepEqual([wrongCode.status, wrongCode.body.errno], [400, 127]);
    const unblocked = await login(fxa, 'blocked@example.org', 'pw-blocked', { unblockCode: unblockCode.toLowerCase() });
    assert.equal(unblocked.status, 200);
    const reused = await login(fxa, 'blocked@example.org', 'pw-blocked', { unblockCode });
    assert.equal(reused.body.errno, 127);
  });

  it('holds an email-otp session unverified until the mailed code is entered', async () => {
    await createAccount({ email: 'otp@example.org', password: 'pw-otp', gates: { verification: 'email-otp' } });
    const session = await login(fxa, 'otp@example.org', 'pw-otp');
    assert.equal(session.status, 200);
    assert.equal(session.body.verified, false);
    assert.equal(session.body.verificationMethod, 'email-otp');
    assert.equal(session.body.verificationReason, 'login');
    const sessionHawk = tokenCredentials(session.body.sessionToken, 'sessionToken');
    const keyFetchHawk = tokenCredentials(session.body.keyFetchToken, 'keyFetchToken');

    assert.equal((await call(`${fxa}/v1/account/keys`, { hawk: keyFetchHawk })).body.errno, 104);
    assert.equal((await accessToken(fxa, session.body.sessionToken)).body.errno, 138);
    assert.equal((await call(`${fxa}/v1/session/status`, { hawk: sessionHawk })).body.state, 'unverified');

    const wrong = await call(`${fxa}/v1/session/verify_code`, { json: { code: '000000x' }, hawk: sessionHawk });
    assert.deepEqual([wrong.status, wrong.body.errno], [400, 183]);
    assert.equal((await call(`${fxa}/v1/session/resend_code`, { json: {}, hawk: sessionHawk })).status, 200);
    const { verificationCode } = (await call(`${control}/accounts/otp@example.org/codes`)).body;
    assert.match(verificationCode, /^\d{6}$/);
    const verified = await call(`${fxa}/v1/session/verify_code`, { json: { code: verificationCode }, hawk: sessionHawk });
    assert.deepEqual([verified.status, verified.body], [200, {}]);

    const status = await call(`${fxa}/v1/session/status`, { hawk: sessionHawk });
    assert.deepEqual([status.body.state, status.body.uid], ['verified', session.body.uid]);
    assert.equal((await call(`${fxa}/v1/account/keys`, { hawk: keyFetchHawk })).status, 200);
  });

  it('verifies a totp-2fa session with an RFC 6238 code', async () => {
    await createAccount({ email: 'totp@example.org', password: 'pw-totp', gates: { verification: 'totp-2fa' } });
    const session = await login(fxa, 'totp@example.org', 'pw-totp');
    assert.equal(session.body.verificationMethod, 'totp-2fa');
    const sessionHawk = tokenCredentials(session.body.sessionToken, 'sessionToken');
    const codes = (await call(`${control}/accounts/totp@example.org/codes`)).body;
    assert.match(codes.totpSecret, /^[A-Z2-7]{32}$/);
    assert.ok([independentTotp(codes.totpSecret), independentTotp(codes.totpSecret, -1)].includes(codes.totpCode));

    const wrongCode = codes.totpCode === '123456' ? '654321' : '123456';
    const refused = await call(`${fxa}/v1/session/verify/totp`, { json: { code: wrongCode }, hawk: sessionHawk });
    assert.deepEqual([refused.status, refused.body], [200, { success: false }]);
    const accepted = await call(`${fxa}/v1/session/verify/totp`, { json: { code: independentTotp(codes.totpSecret) }, hawk: sessionHawk });
    assert.deepEqual(accepted.body, { success: true });
    assert.equal((await accessToken(fxa, session.body.sessionToken)).status, 200);
  });

  it('hands out a keys bundle that unwraps to kB, once per keyFetchToken', async () => {
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const keyFetchHawk = tokenCredentials(session.body.keyFetchToken, 'keyFetchToken');
    const keys = await call(`${fxa}/v1/account/keys`, { hawk: keyFetchHawk });
    assert.equal(keys.status, 200);
    const { wrapKB } = unwrapAccountKeys(keyFetchHawk.extra, fromHex(keys.body.bundle));
    assert.equal(toHex(xorBytes(wrapKB, session.unwrapBKey)), VECTOR_KB);

    const again = await call(`${fxa}/v1/account/keys`, { hawk: keyFetchHawk });
    assert.deepEqual([again.status, again.body.errno], [401, 110]);
  });

  it('reports the oldsync key rotation timestamp in scoped-key-data', async () => {
    const summary = (await call(`${control}/accounts/${encodeURIComponent(VECTOR_EMAIL)}`)).body;
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const answer = await call(`${fxa}/v1/account/scoped-key-data`, {
      json: { client_id: CLIENT_ID, scope: OLDSYNC },
      hawk: tokenCredentials(session.body.sessionToken, 'sessionToken'),
    });
    assert.equal(answer.status, 200);
    const data = answer.body[OLDSYNC];
    assert.equal(data.identifier, OLDSYNC);
    assert.match(data.keyRotationSecret, /^[0-9a-f]{64}$/);
    assert.equal(data.keyRotationTimestamp, summary.keysChangedAt);
  });

  it('grants, refreshes, verifies and destroys OAuth tokens', async () => {
    const summary = (await call(`${control}/accounts/${encodeURIComponent(VECTOR_EMAIL)}`)).body;
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const granted = await accessToken(fxa, session.body.sessionToken, { access_type: 'offline', ttl: 600 });
    assert.equal(granted.status, 200);
    assert.equal(granted.body.token_type, 'bearer');
    assert.equal(granted.body.scope, OLDSYNC);
    assert.equal(granted.body.expires_in, 600);
    assert.equal(granted.body.auth_at, session.body.authAt);
    assert.match(granted.body.refresh_token, /^[0-9a-f]{64}$/);

    const verified = await call(`${fxa}/v1/oauth/verify`, { json: { token: granted.body.access_token } });
    assert.equal(verified.status, 200);
    assert.equal(verified.body.user, session.body.uid);
    assert.equal(verified.body.client_id, CLIENT_ID);
    assert.deepEqual(verified.body.scope, [OLDSYNC]);
    assert.equal(verified.body.generation, summary.generation);

    const refresh = { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: granted.body.refresh_token, scope: OLDSYNC };
    const refreshed = await call(`${fxa}/v1/oauth/token`, { json: refresh });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, granted.body.access_token);
    assert.equal(refreshed.body.refresh_token, undefined);

    assert.equal((await call(`${fxa}/v1/oauth/destroy`, { json: { token: refreshed.body.access_token } })).status, 200);
    assert.equal((await call(`${fxa}/v1/oauth/verify`, { json: { token: refreshed.body.access_token } })).body.errno, 108);
    assert.equal((await call(`${fxa}/v1/oauth/destroy`, { json: { refresh_token: granted.body.refresh_token } })).status, 200);
    const afterDestroy = await call(`${fxa}/v1/oauth/token`, { json: refresh });
    assert.deepEqual([afterDestroy.status, afterDestroy.body.errno], [400, 108]);
  });

  it('rejects bad Hawk MACs (109), stale timestamps (111) and unknown or destroyed tokens (110)', async () => {
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const hawk = tokenCredentials(session.body.sessionToken, 'sessionToken');
    const badMac = await call(`${fxa}/v1/session/status`, { hawk, tamperMac: true });
    assert.deepEqual([badMac.status, badMac.body.errno], [401, 109]);

    const stale = await call(`${fxa}/v1/session/status`, { hawk, clockOffsetSeconds: -120 });
    assert.deepEqual([stale.status, stale.body.errno], [401, 111]);
    assert.ok(Math.abs(stale.body.serverTime - Date.now() / 1000) < 5);

    const skewed = await call(`${fxa}/v1/session/status`, { hawk, clockOffsetSeconds: 30 });
    assert.equal(skewed.status, 200);

    const unknown = await call(`${fxa}/v1/session/status`, { hawk: { id: '00'.repeat(32), key: hawk.key } });
    assert.deepEqual([unknown.status, unknown.body.errno], [401, 110]);

    assert.equal((await call(`${fxa}/v1/session/destroy`, { json: {}, hawk })).status, 200);
    assert.equal((await call(`${fxa}/v1/session/status`, { hawk })).body.errno, 110);
  });

  it('checks the Hawk payload hash on POSTs', async () => {
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const hawk = tokenCredentials(session.body.sessionToken, 'sessionToken');
    const url = `${fxa}/v1/oauth/token`;
    const grant = { grant_type: 'fxa-credentials', client_id: CLIENT_ID, scope: OLDSYNC };
    const authorization = hawkHeader({ method: 'POST', url, credentials: hawk, body: JSON.stringify(grant) });
    const altered = await fetch(url, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...grant, scope: 'profile' }),
    });
    assert.equal(altered.status, 401);
    assert.equal(((await altered.json()) as { errno: number }).errno, 109);
  });

  it('registers the signed-in device and answers session routes for a bearer fxs_ token id', async () => {
    const session = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    const hawk = tokenCredentials(session.body.sessionToken, 'sessionToken');
    const device = await call(`${fxa}/v1/account/device`, { json: { name: 'Syncvault', type: 'desktop' }, hawk });
    assert.equal(device.status, 200);
    assert.match(device.body.id, /^[0-9a-f]{32}$/);
    const devices = await call(`${fxa}/v1/account/devices`, { headers: { Authorization: `Bearer fxs_${hawk.id}` } });
    assert.equal(devices.status, 200);
    assert.ok(devices.body.some((listed: { id: string; isCurrentDevice: boolean }) => listed.id === device.body.id && listed.isCurrentDevice));
    const status = await call(`${fxa}/v1/recovery_email/status`, { hawk });
    assert.deepEqual([status.body.email, status.body.verified], [VECTOR_EMAIL, true]);
  });

  it('throttles on request from the control API with errno 114 and Retry-After', async () => {
    assert.equal((await call(`${control}/throttle`, { json: { path: '/v1/account/login', count: 1, retryAfter: 7 } })).status, 200);
    const throttled = await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD);
    assert.deepEqual([throttled.status, throttled.body.errno, throttled.body.retryAfter], [429, 114, 7]);
    assert.equal(throttled.headers.get('retry-after'), '7');
    assert.equal((await login(fxa, VECTOR_EMAIL, VECTOR_PASSWORD)).status, 200);
  });
});
