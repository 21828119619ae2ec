/**
 * AccountService end to end: signing in to the sandbox over HTTP (with its unblock and
 * verification gates), checking the account before saving, sealed secrets in real Postgres,
 * live connections from what was stored, settings, and removal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyncKey, rootBundleFromKb, rootBundleFromSyncKey } from '@syncvault/sync-crypto';
import {
  accountSecretsPurpose,
  AccountNameTakenError,
  AccountNotFoundError,
  InvalidAccountInputError,
  LegacyLoginError,
  LoginExpiredError,
  WrongLoginStepError,
  type AccountChange,
  type AccountSecrets,
  type AccountView,
  type FxaAccountSecrets,
  type LegacyAccountSecrets,
} from '@syncvault/daemon/accounts';
import {
  FxaClient,
  fetchCollectionKeys,
  HttpTransport,
  type HttpRequest,
  IncorrectPasswordError,
  InvalidUnblockCodeError,
  InvalidVerificationCodeError,
  WrongAccountKeyError,
} from '@syncvault/daemon/sync';
import { rootBundleFingerprint } from '@syncvault/daemon/vault';
import { AccountsSandbox, AccountsStore, doneAccount, FAST_RETRY, pendingStep, rejection, uniqueName, type SandboxAccount } from './support.js';

const WRONG_SYNC_KEY = 'a-bcdef-ghijk-mnpqr-stuvw-xyz23';

describe('AccountService against the sandbox and Postgres', () => {
  let sandbox: AccountsSandbox;
  let store: AccountsStore;

  before(async () => {
    sandbox = await AccountsSandbox.start();
    store = AccountsStore.create();
  });
  after(async () => {
    await store.close();
    await sandbox.close();
  });

  function selfhosted(account: SandboxAccount, name = uniqueName('fxa')) {
    return { name, kind: 'selfhosted15' as const, email: account.email, password: account.password, fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer };
  }

  function legacy(account: SandboxAccount, overrides: { password?: string; syncKey?: string } = {}) {
    return {
      name: uniqueName('legacy'),
      kind: 'legacy11' as const,
      email: account.email,
      password: overrides.password ?? account.password,
      syncKey: overrides.syncKey ?? account.syncKey ?? '',
      serverUrl: sandbox.urls.storage11,
    };
  }

  async function storedSecrets(view: AccountView): Promise<AccountSecrets> {
    const row = await store.prisma.account.findUniqueOrThrow({ where: { id: view.id } });
    return store.vault.openJson<AccountSecrets>(row.sealedSecrets, accountSecretsPurpose(view.id));
  }

  async function accountExists(name: string): Promise<boolean> {
    return (await store.prisma.account.count({ where: { name } })) === 1;
  }

  describe('adding a selfhosted15 (FxA) account', () => {
    it('without a gate finishes at once; the view has no secret; the sealed secrets hold kB and tokens but no password', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const input = selfhosted(account);
      const view = doneAccount(await service.beginAdd(input));

      assert.equal(view.name, input.name);
      assert.equal(view.kind, 'selfhosted15');
      assert.equal(view.email, account.email);
      assert.equal(view.fxaUrl, sandbox.urls.fxa);
      assert.equal(view.tokenServerUrl, sandbox.urls.tokenServer);
      assert.equal(view.schedule, null);
      assert.deepEqual(view.retention, {});
      const viewJson = JSON.stringify(view);
      for (const secret of [account.password, account.kB ?? '']) assert.ok(!viewJson.includes(secret));

      const secrets = (await storedSecrets(view)) as FxaAccountSecrets;
      assert.equal(secrets.kind, 'fxa');
      assert.equal(secrets.uid, account.uid);
      assert.equal(secrets.kB, account.kB);
      assert.equal(secrets.keysChangedAt, account.keysChangedAt);
      assert.equal(typeof secrets.refreshToken, 'string');
      assert.equal(typeof secrets.sessionToken, 'string');
      assert.deepEqual(Object.keys(secrets).sort(), ['clientId', 'kB', 'keysChangedAt', 'kind', 'refreshToken', 'sessionToken', 'uid']);
      assert.ok(!JSON.stringify(secrets).includes(account.password), 'the FxA password is never stored');

      const custody = await store.keyCustody.rootBundles(view.id);
      assert.deepEqual(
        custody.map((entry) => entry.fingerprint),
        [rootBundleFingerprint(rootBundleFromKb(Buffer.from(account.kB ?? '', 'hex')))],
        'the root bundle is in key custody from the start',
      );
      assert.deepEqual(await service.get(view.name), view);
      assert.deepEqual(await service.get(view.id), view);
    });

    it('openConnection reaches storage with the stored secrets and decrypts crypto/keys', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const view = doneAccount(await service.beginAdd(selfhosted(account)));
      const connection = await service.openConnection(view.name, { retry: FAST_RETRY });
      assert.equal(connection.kind, 'fxa');
      const keys = await fetchCollectionKeys(connection);
      assert.ok(keys, 'crypto/keys decrypts');
      const collections = await connection.storage.infoCollections();
      assert.ok('bookmarks' in collections && 'crypto' in collections, JSON.stringify(collections));
    });

    it('with an unblock gate: the code is mailed, a wrong one can be retried, the right one finishes', async () => {
      const account = await sandbox.createFxa({ gates: { unblock: true } });
      const service = store.service();
      const input = selfhosted(account);
      const step = pendingStep(await service.beginAdd(input), 'unblock-code-required');
      assert.equal(step.email, account.email);
      assert.match(step.loginId, /^[A-Za-z0-9_-]{22}$/);
      assert.ok(Date.parse(step.expiresAt) > Date.now());
      assert.equal(await accountExists(input.name), false, 'nothing is saved while the sign-in waits');

      const { unblockCode } = await sandbox.codes(account.email);
      assert.match(unblockCode ?? '', /^[0-9A-Z]{8}$/, 'beginAdd had the code mailed');
      await rejection(service.continueAdd(step.loginId, { code: 'ZZZZZZZZ' }), InvalidUnblockCodeError);
      const view = doneAccount(await service.continueAdd(step.loginId, { code: unblockCode ?? '' }));
      assert.equal(view.name, input.name);
      assert.equal(((await storedSecrets(view)) as FxaAccountSecrets).kB, account.kB);
      await rejection(service.continueAdd(step.loginId, { code: unblockCode ?? '' }), LoginExpiredError);
    });

    it('with an email-otp gate: polling keeps the step, a code is required, the mailed code finishes', async () => {
      const account = await sandbox.createFxa({ gates: { verification: 'email-otp' } });
      const service = store.service();
      const step = pendingStep(await service.beginAdd(selfhosted(account)), 'verification-code-required');
      assert.equal(step.method, 'email-otp');
      assert.equal(step.email, account.email);

      assert.deepEqual(await service.pollAdd(step.loginId), step, 'still unconfirmed');
      await rejection(service.continueAdd(step.loginId, { code: '  ' }), InvalidAccountInputError);
      const { verificationCode } = await sandbox.codes(account.email);
      await rejection(service.continueAdd(step.loginId, { code: verificationCode === '000000' ? '111111' : '000000' }), InvalidVerificationCodeError);
      const view = doneAccount(await service.continueAdd(step.loginId, { code: verificationCode ?? '' }));
      assert.equal(((await storedSecrets(view)) as FxaAccountSecrets).uid, account.uid);
    });

    it('with a totp-2fa gate: the authenticator code finishes', async () => {
      const account = await sandbox.createFxa({ gates: { verification: 'totp-2fa' } });
      const service = store.service();
      const step = pendingStep(await service.beginAdd(selfhosted(account)), 'verification-code-required');
      assert.equal(step.method, 'totp-2fa');
      const { totpCode } = await sandbox.codes(account.email);
      const view = doneAccount(await service.continueAdd(step.loginId, { code: totpCode ?? '' }));
      const connection = await service.openConnection(view.id, { retry: FAST_RETRY });
      assert.ok(await fetchCollectionKeys(connection));
    });

    it('with both gates: unblock code, then verification code, on the same loginId', async () => {
      const account = await sandbox.createFxa({ gates: { unblock: true, verification: 'email-otp' } });
      const service = store.service();
      const blocked = pendingStep(await service.beginAdd(selfhosted(account)), 'unblock-code-required');
      const verifying = pendingStep(
        await service.continueAdd(blocked.loginId, { code: (await sandbox.codes(account.email)).unblockCode ?? '' }),
        'verification-code-required',
      );
      assert.equal(verifying.loginId, blocked.loginId);
      assert.equal(verifying.expiresAt, blocked.expiresAt, 'a sign-in has one deadline');
      doneAccount(await service.continueAdd(verifying.loginId, { code: (await sandbox.codes(account.email)).verificationCode ?? '' }));
    });

    it('signAsOrigin is kept and used by openConnection', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const origin = new URL(sandbox.urls.storage15).origin;
      const view = doneAccount(await service.beginAdd({ ...selfhosted(account), signAsOrigin: origin }));
      assert.equal(view.signAsOrigin, origin);
      assert.ok(await fetchCollectionKeys(await service.openConnection(view.name, { retry: FAST_RETRY })));
    });

    it('an account that never synced (no crypto/keys) can be added', async () => {
      const account = await sandbox.createFxa({ seed: 'none' });
      const view = doneAccount(await store.service().beginAdd(selfhosted(account)));
      assert.equal(view.email, account.email);
    });
  });

  describe('adding a legacy11 account', () => {
    it('checks password and Sync Key, then keeps both sealed; openConnection reads crypto/keys', async () => {
      const account = await sandbox.createLegacy();
      const service = store.service();
      const view = doneAccount(await service.beginAdd(legacy(account)));
      assert.equal(view.kind, 'legacy11');
      assert.equal(view.serverUrl, sandbox.urls.storage11);
      assert.equal(view.fxaUrl, null);
      assert.ok(!JSON.stringify(view).includes(account.password));

      const secrets = (await storedSecrets(view)) as LegacyAccountSecrets;
      assert.equal(secrets.kind, 'legacy11');
      assert.equal(secrets.username, account.username);
      assert.equal(secrets.password, account.password);
      assert.deepEqual(parseSyncKey(secrets.syncKey), parseSyncKey(account.syncKey ?? ''));
      const custody = await store.keyCustody.rootBundles(view.id);
      assert.deepEqual(
        custody.map((entry) => entry.fingerprint),
        [rootBundleFingerprint(rootBundleFromSyncKey(parseSyncKey(account.syncKey ?? ''), account.username ?? ''))],
      );
      const connection = await service.openConnection(view.name, { retry: FAST_RETRY });
      assert.equal(connection.kind, 'legacy11');
      assert.ok(await fetchCollectionKeys(connection));
    });

    it('by username instead of email, with the Sync Key typed without dashes in upper case', async () => {
      const account = await sandbox.createLegacy();
      const { email: _email, ...input } = legacy(account, { syncKey: (account.syncKey ?? '').replace(/-/g, '').toUpperCase() });
      const view = doneAccount(await store.service().beginAdd({ ...input, username: account.username ?? '' }));
      assert.equal(view.email, account.username);
      assert.equal(((await storedSecrets(view)) as LegacyAccountSecrets).syncKey, account.syncKey, 'kept in its canonical form');
    });
  });

  describe('failures save nothing', () => {
    it('a wrong FxA password is IncorrectPasswordError without the password in it', async () => {
      const account = await sandbox.createFxa();
      const input = { ...selfhosted(account), password: 'not-the-password' };
      const error = await rejection(store.service().beginAdd(input), IncorrectPasswordError);
      assert.match(error.message, /incorrect password/i);
      assert.ok(!error.message.includes('not-the-password'));
      assert.equal(await accountExists(input.name), false);
    });

    it('a wrong 1.1 password is a clear LegacyLoginError', async () => {
      const account = await sandbox.createLegacy();
      const input = legacy(account, { password: 'not-the-password' });
      const error = await rejection(store.service().beginAdd(input), LegacyLoginError);
      assert.match(error.message, /refused the password/);
      assert.ok(!error.message.includes('not-the-password'));
      assert.equal(await accountExists(input.name), false);
    });

    it('a wrong Sync Key is WrongAccountKeyError, which says to check the Sync Key', async () => {
      const account = await sandbox.createLegacy();
      const input = legacy(account, { syncKey: WRONG_SYNC_KEY });
      const error = await rejection(store.service().beginAdd(input), WrongAccountKeyError);
      assert.match(error.message, /check the Sync Key/);
      assert.ok(!error.message.includes(WRONG_SYNC_KEY));
      assert.equal(await accountExists(input.name), false);
      assert.equal(await store.prisma.keyBundle.count({ where: { account: { name: input.name } } }), 0);
    });

    it('a taken name is refused before signing in; bad input names its field', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const first = doneAccount(await service.beginAdd(selfhosted(account)));
      const error = await rejection(service.beginAdd(selfhosted(account, first.name)), AccountNameTakenError);
      assert.match(error.message, new RegExp(first.name));
      const bad = await rejection(service.beginAdd({ ...selfhosted(account), name: 'has space' }), InvalidAccountInputError);
      assert.equal(bad.field, 'name');
      const mozilla = await rejection(service.beginAdd({ ...selfhosted(account), kind: 'mozilla' }), InvalidAccountInputError);
      assert.equal(mozilla.field, 'fxaUrl', "a mozilla account refuses the sandbox's URLs");
    });
  });

  describe('pending sign-ins', () => {
    it('an unknown loginId, an expired one and a cancelled one are LoginExpiredError', async () => {
      let now = Date.now();
      const service = store.service({ now: () => now });
      await rejection(service.continueAdd('no-such-login', { code: '12345678' }), LoginExpiredError);
      await rejection(service.pollAdd('no-such-login'), LoginExpiredError);
      assert.equal(await service.cancelAdd('no-such-login'), false);

      const gated = await sandbox.createFxa({ gates: { verification: 'email-otp' } });
      const expiring = pendingStep(await service.beginAdd(selfhosted(gated)), 'verification-code-required');
      now += 15 * 60_000;
      const error = await rejection(service.continueAdd(expiring.loginId, { code: (await sandbox.codes(gated.email)).verificationCode ?? '' }), LoginExpiredError);
      assert.match(error.message, /15 minutes/);

      const blocked = await sandbox.createFxa({ gates: { unblock: true } });
      const cancelled = pendingStep(await service.beginAdd(selfhosted(blocked)), 'unblock-code-required');
      assert.equal(await service.cancelAdd(cancelled.loginId), true);
      await rejection(service.continueAdd(cancelled.loginId, { code: (await sandbox.codes(blocked.email)).unblockCode ?? '' }), LoginExpiredError);
      service.close();
    });

    it('a code sent to a sign-in that waits for an emailed link is WrongLoginStepError', async () => {
      // The sandbox has no link gate; an FxA answer asking for one is simulated on the wire.
      const account = await sandbox.createFxa();
      class LinkGate extends HttpTransport {
        override async send(request: HttpRequest) {
          const response = await super.send(request);
          if (request.method !== 'POST' || !request.url.endsWith('/v1/account/login?keys=true')) return response;
          const body = JSON.parse(response.body) as Record<string, unknown>;
          return { ...response, body: JSON.stringify({ ...body, verified: false, verificationMethod: 'email' }) };
        }
      }
      const service = store.service({ transport: new LinkGate() });
      const step = pendingStep(await service.beginAdd(selfhosted(account)), 'email-confirmation-required');
      assert.equal(step.email, account.email);
      await rejection(service.continueAdd(step.loginId, { code: '123456' }), WrongLoginStepError);
      // The sandbox considers the session confirmed, as after the user clicked the link.
      const view = doneAccount(await service.pollAdd(step.loginId));
      assert.equal(view.email, account.email);
    });
  });

  describe('signing in again (reconnect)', () => {
    it('after a password reset: same account and snapshots, new secrets, old and new root keys in custody', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const view = doneAccount(await service.beginAdd({ ...selfhosted(account), settings: { schedule: 'every 6h' } }));
      await store.prisma.snapshot.create({ data: { accountId: view.id, seq: 1, status: 'complete', trigger: 'manual' } });
      const newPassword = `${account.password}-new`;
      const reset = await sandbox.control<SandboxAccount>('POST', `/accounts/${encodeURIComponent(account.email)}/reset-password`, { password: newPassword });
      assert.notEqual(reset.kB, account.kB);
      await assert.rejects(fetchCollectionKeys(await service.openConnection(view.name, { retry: FAST_RETRY })), 'the stored credentials no longer work');

      await rejection(service.beginReconnect(view.name, { password: account.password }), IncorrectPasswordError);
      const reconnected = doneAccount(await service.beginReconnect(view.name, { password: newPassword }));
      assert.equal(reconnected.id, view.id);
      assert.equal(reconnected.schedule, 'every 6h');
      assert.equal(((await storedSecrets(reconnected)) as FxaAccountSecrets).kB, reset.kB);
      assert.equal(await store.prisma.snapshot.count({ where: { accountId: view.id } }), 1);
      const custody = (await store.keyCustody.rootBundles(view.id)).map((entry) => entry.fingerprint);
      assert.deepEqual(
        custody,
        [account.kB, reset.kB].map((kB) => rootBundleFingerprint(rootBundleFromKb(Buffer.from(kB ?? '', 'hex')))),
        'the old root key stays, so old snapshots still decrypt',
      );
      const connection = await service.openConnection(view.name, { retry: FAST_RETRY });
      assert.ok(await connection.storage.infoCollections(), 'the new credentials reach storage');
    });

    it('a gated FxA reconnect uses the same steps; a 1.1 reconnect keeps the stored Sync Key and refuses a wrong password', async () => {
      const gated = await sandbox.createFxa({ gates: { verification: 'totp-2fa' } });
      const service = store.service();
      const first = pendingStep(await service.beginAdd(selfhosted(gated)), 'verification-code-required');
      const view = doneAccount(await service.continueAdd(first.loginId, { code: (await sandbox.codes(gated.email)).totpCode ?? '' }));
      const again = pendingStep(await service.beginReconnect(view.id, { password: gated.password }), 'verification-code-required');
      assert.equal(doneAccount(await service.continueAdd(again.loginId, { code: (await sandbox.codes(gated.email)).totpCode ?? '' })).id, view.id);

      const legacyAccount = await sandbox.createLegacy();
      const legacyView = doneAccount(await service.beginAdd(legacy(legacyAccount)));
      const before = await storedSecrets(legacyView);
      await rejection(service.beginReconnect(legacyView.name, { password: 'not-the-password' }), LegacyLoginError);
      assert.deepEqual(await storedSecrets(legacyView), before, 'nothing changed');
      assert.equal(doneAccount(await service.beginReconnect(legacyView.name, { password: legacyAccount.password })).id, legacyView.id);
      await rejection(service.beginReconnect('no-such-account', { password: 'x' }), AccountNotFoundError);
    });
  });

  describe('settings, removal and change notices', () => {
    it('updateSettings merges, validates, and leaves the row alone on bad input', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const view = doneAccount(await service.beginAdd({ ...selfhosted(account), settings: { schedule: 'every 6h', retention: { keepLast: 3 } } }));
      assert.equal(view.schedule, 'every 6h');

      const updated = await service.updateSettings(view.name, {
        schedule: '0 3 * * *',
        retention: { keepDaily: 7, keepLast: null },
        alertSettings: { shrinkThreshold: 0.5, webhookUrl: 'https://hooks.example.com/syncvault' },
      });
      assert.equal(updated.schedule, '0 3 * * *');
      assert.deepEqual(updated.retention, { keepDaily: 7 });
      assert.deepEqual(updated.alertSettings, { shrinkThreshold: 0.5, webhookUrl: 'https://hooks.example.com/syncvault' });
      assert.deepEqual(await service.get(view.id), updated);

      const bad = await rejection(service.updateSettings(view.name, { schedule: 'every 10s', retention: { keepDaily: 1 } }), InvalidAccountInputError);
      assert.equal(bad.field, 'schedule');
      assert.deepEqual(await service.get(view.id), updated, 'nothing changed');
      assert.deepEqual((await service.updateSettings(view.name, { schedule: null, retention: null })).retention, {});
      await rejection(service.updateSettings('no-such-account', { schedule: null }), AccountNotFoundError);
    });

    it('remove deletes snapshots, versions, key bundles and alerts (blobs stay for garbage collection) and signs out of FxA', async () => {
      const account = await sandbox.createFxa();
      const service = store.service();
      const view = doneAccount(await service.beginAdd(selfhosted(account)));
      const secrets = (await storedSecrets(view)) as FxaAccountSecrets;
      const blobHash = Buffer.alloc(32, 9);
      await store.prisma.blob.upsert({ where: { hash: blobHash }, create: { hash: blobHash, payload: '{}', size: 2 }, update: {} });
      await store.prisma.snapshot.create({ data: { accountId: view.id, seq: 1, status: 'complete', trigger: 'manual' } });
      await store.prisma.recordVersion.create({
        data: { accountId: view.id, collection: 'bookmarks', bsoId: 'abc', blobHash, modified: 1n, fromSeq: 1 },
      });
      await store.prisma.healthAlert.create({ data: { accountId: view.id, snapshotSeq: 1, kind: 'keys-rotated', message: 'test' } });

      const removed = await service.remove(view.name);
      assert.equal(removed.id, view.id);
      const where = { where: { accountId: view.id } };
      assert.equal(await store.prisma.snapshot.count(where), 0);
      assert.equal(await store.prisma.recordVersion.count(where), 0);
      assert.equal(await store.prisma.keyBundle.count(where), 0);
      assert.equal(await store.prisma.healthAlert.count(where), 0);
      assert.equal(await store.prisma.blob.count({ where: { hash: blobHash } }), 1, 'blobs are collected later, by retention');
      await rejection(service.get(view.id), AccountNotFoundError);
      await rejection(service.remove(view.name), AccountNotFoundError);
      await rejection(service.openConnection(view.name), AccountNotFoundError);

      const fxa = new FxaClient({ authServerUrl: sandbox.urls.fxa, ...(secrets.clientId !== undefined && { clientId: secrets.clientId }) });
      await assert.rejects(fxa.refreshAccessToken(secrets.refreshToken), 'the refresh token was revoked');
    });

    it('onChange hears every saved change, in order', async () => {
      const changes: AccountChange[] = [];
      const service = store.service({ onChange: (change) => void changes.push(change) });
      const account = await sandbox.createLegacy();
      const view = doneAccount(await service.beginAdd(legacy(account)));
      await service.updateSettings(view.name, { schedule: 'every 1h' });
      await service.remove(view.id);
      assert.deepEqual(
        changes.map((change) => [change.type, change.account.id, change.account.schedule]),
        [
          ['added', view.id, null],
          ['updated', view.id, 'every 1h'],
          ['removed', view.id, 'every 1h'],
        ],
      );
    });

    it('list shows every account by name, as views', async () => {
      const names = (await store.service().list()).map((view) => view.name);
      assert.deepEqual(names, [...names].sort());
      assert.ok(names.length > 0);
      const json = JSON.stringify(await store.service().list());
      assert.doesNotMatch(json, /sealed|refreshToken|sessionToken|"kB"|password|syncKey/);
    });
  });
});
