import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAccountName,
  checkNewAccountSecrets,
  InvalidAccountInputError,
  MOZILLA_AUTH_SERVER_URL,
  MOZILLA_TOKEN_SERVER_URL,
  normalizeNewAccount,
  type NewAccountFields,
} from '../../src/accounts/index.js';

const SYNC_KEY = 'a-bcdef-ghijk-mnpqr-stuvw-xyz23';

/** Asserts that `work` throws InvalidAccountInputError for `field` and returns it. */
function invalid(work: () => unknown, field: string | undefined, reason?: RegExp): InvalidAccountInputError {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InvalidAccountInputError, `expected InvalidAccountInputError, got ${String(caught)}`);
  assert.equal(caught.field, field, caught.message);
  if (reason !== undefined) assert.match(caught.reason, reason);
  assert.doesNotMatch(caught.message, /\n/, 'one line');
  return caught;
}

describe('account names', () => {
  it('takes 1-64 of letters, digits, dot, underscore and dash', () => {
    for (const name of ['a', 'work.laptop', 'My_Account-2', 'x'.repeat(64)]) assert.equal(checkAccountName(name), name);
  });

  it('refuses empty, too long, spaces, slashes, non-ASCII and UUID-shaped names', () => {
    for (const name of ['', 'x'.repeat(65), 'my account', 'a/b', 'café', '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 42]) {
      invalid(() => checkAccountName(name), 'name');
    }
  });
});

describe('normalizeNewAccount', () => {
  it("mozilla: Mozilla's production URLs, email trimmed", () => {
    const account = normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: ' me@example.com ' });
    assert.equal(account.fxaUrl, MOZILLA_AUTH_SERVER_URL);
    assert.equal(account.tokenServerUrl, MOZILLA_TOKEN_SERVER_URL);
    assert.equal(account.email, 'me@example.com');
    assert.equal(account.signAsOrigin, null);
    assert.deepEqual(account.settings, { schedule: null, retention: {}, alertSettings: {} });
  });

  it("mozilla: Mozilla's own URLs may be spelled out (a trailing slash too), others are refused with a pointer to selfhosted15", () => {
    const account = normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', fxaUrl: `${MOZILLA_AUTH_SERVER_URL}/`, tokenServerUrl: MOZILLA_TOKEN_SERVER_URL });
    assert.equal(account.fxaUrl, MOZILLA_AUTH_SERVER_URL);
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', fxaUrl: 'https://fxa.example.com' }), 'fxaUrl', /selfhosted15/);
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', tokenServerUrl: 'https://sync.example.com/token' }), 'tokenServerUrl', /selfhosted15/);
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', signAsOrigin: 'https://sync.example.com' }), 'signAsOrigin', /does not apply/);
  });

  it("selfhosted15: either URL may be custom, the other defaults to Mozilla's; neither is refused", () => {
    const ownTokenserver = normalizeNewAccount({ name: 'self', kind: 'selfhosted15', email: 'me@example.com', tokenServerUrl: 'https://sync.example.com/token/1.0/sync/1.5/' });
    assert.equal(ownTokenserver.fxaUrl, MOZILLA_AUTH_SERVER_URL);
    assert.equal(ownTokenserver.tokenServerUrl, 'https://sync.example.com/token/1.0/sync/1.5');
    const ownAccounts = normalizeNewAccount({ name: 'self', kind: 'selfhosted15', email: 'me@example.com', fxaUrl: 'https://fxa.example.com' });
    assert.equal(ownAccounts.fxaUrl, 'https://fxa.example.com');
    assert.equal(ownAccounts.tokenServerUrl, MOZILLA_TOKEN_SERVER_URL);
    invalid(() => normalizeNewAccount({ name: 'self', kind: 'selfhosted15', email: 'me@example.com' }), 'fxaUrl', /kind mozilla/);
  });

  it('selfhosted15: signAsOrigin must be an origin', () => {
    const account = normalizeNewAccount({ name: 'self', kind: 'selfhosted15', email: 'me@example.com', fxaUrl: 'https://fxa.example.com', signAsOrigin: 'https://sync.example.com:443' });
    assert.equal(account.signAsOrigin, 'https://sync.example.com');
    invalid(() => normalizeNewAccount({ name: 'self', kind: 'selfhosted15', email: 'me@example.com', fxaUrl: 'https://fxa.example.com', signAsOrigin: 'https://sync.example.com/prefix' }), 'signAsOrigin', /origin/);
  });

  it('legacy11: server URL and email or username; the username wins for signing in', () => {
    const byEmail = normalizeNewAccount({ name: 'old', kind: 'legacy11', serverUrl: 'https://weave.example.com/', email: 'me@example.com' });
    assert.equal(byEmail.serverUrl, 'https://weave.example.com');
    assert.equal(byEmail.legacyAccount, 'me@example.com');
    assert.equal(byEmail.fxaUrl, null);
    const byUsername = normalizeNewAccount({ name: 'old', kind: 'legacy11', serverUrl: 'https://weave.example.com', username: 'alice', storageUrl: 'https://node.example.com:8443' });
    assert.equal(byUsername.legacyAccount, 'alice');
    assert.equal(byUsername.email, 'alice');
    assert.equal(byUsername.storageUrl, 'https://node.example.com:8443');
    invalid(() => normalizeNewAccount({ name: 'old', kind: 'legacy11', email: 'me@example.com' }), 'serverUrl');
    invalid(() => normalizeNewAccount({ name: 'old', kind: 'legacy11', serverUrl: 'https://weave.example.com' }), 'email', /email or a username/);
    invalid(() => normalizeNewAccount({ name: 'old', kind: 'legacy11', serverUrl: 'https://weave.example.com', username: 'al:ice' }), 'username');
    invalid(() => normalizeNewAccount({ name: 'old', kind: 'legacy11', serverUrl: 'https://weave.example.com', email: 'me@example.com', fxaUrl: 'https://fxa.example.com' }), 'fxaUrl', /does not apply to a legacy11/);
  });

  it('refuses a missing or malformed email for 1.5 kinds, an unknown kind and unknown fields', () => {
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla' }), 'email', /required/);
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'not an email' }), 'email');
    invalid(() => normalizeNewAccount({ name: 'x', kind: 'sync10' } as unknown as NewAccountFields), 'kind', /mozilla, selfhosted15, legacy11/);
    invalid(() => normalizeNewAccount({ name: 'x', kind: 'mozilla', email: 'me@example.com', token: 'x' } as unknown as NewAccountFields), 'token', /unknown field/);
  });

  it('refuses URLs that are not http(s) or that carry credentials, without echoing them', () => {
    invalid(() => normalizeNewAccount({ name: 's', kind: 'selfhosted15', email: 'me@example.com', fxaUrl: 'ftp://fxa.example.com' }), 'fxaUrl');
    invalid(() => normalizeNewAccount({ name: 's', kind: 'selfhosted15', email: 'me@example.com', fxaUrl: 'not a url' }), 'fxaUrl');
    const error = invalid(() => normalizeNewAccount({ name: 'o', kind: 'legacy11', email: 'me@example.com', serverUrl: 'https://bob:hunter2@weave.example.com' }), 'serverUrl', /user name or password/);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('validates initial settings with the same rules as later changes', () => {
    const account = normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', settings: { schedule: 'every 6h', retention: { keepDaily: 7 } } });
    assert.deepEqual(account.settings, { schedule: 'every 6h', retention: { keepDaily: 7 }, alertSettings: {} });
    invalid(() => normalizeNewAccount({ name: 'moz', kind: 'mozilla', email: 'me@example.com', settings: { schedule: 'every 5s' } }), 'schedule');
  });
});

describe('checkNewAccountSecrets', () => {
  it('needs a password; a legacy11 account also a valid Sync Key; messages never repeat them', () => {
    assert.deepEqual(checkNewAccountSecrets('mozilla', { password: ' spaces kept ' }), { password: ' spaces kept ', syncKey: null });
    assert.deepEqual(checkNewAccountSecrets('legacy11', { password: 'pw', syncKey: SYNC_KEY }), { password: 'pw', syncKey: SYNC_KEY });
    invalid(() => checkNewAccountSecrets('mozilla', { password: '' }), 'password', /required/);
    invalid(() => checkNewAccountSecrets('legacy11', { password: 'pw' }), 'syncKey', /Sync Key/);
    const badKey = 'a-bcdef-ghijk-mnpqr-stuvw-xyz2!';
    const error = invalid(() => checkNewAccountSecrets('legacy11', { password: 'pw', syncKey: badKey }), 'syncKey', /26 characters/);
    assert.ok(!error.message.includes(badKey));
    invalid(() => checkNewAccountSecrets('selfhosted15', { password: 'pw', syncKey: SYNC_KEY }), 'syncKey', /does not apply/);
  });
});
