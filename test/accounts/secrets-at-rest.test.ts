/**
 * Secrets at rest: after adding FxA and Sync 1.1 accounts, a full dump of the database holds none
 * of their secrets in plain text, in any of the forms they travel in (hex, base64, as typed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseSyncKey, rootBundleFromKb, rootBundleFromSyncKey } from '@syncvault/sync-crypto';
import { accountSecretsPurpose, type AccountSecrets, type AccountView, type FxaAccountSecrets } from '@syncvault/daemon/accounts';
import { AccountsSandbox, AccountsStore, doneAccount, pendingStep, uniqueName } from './support.js';

/** Every spelling under which a secret could end up in a dump. */
function forms(label: string, value: string): Array<[string, string]> {
  const found: Array<[string, string]> = [[label, value]];
  if (/^[0-9a-f]+$/i.test(value) && value.length % 2 === 0) {
    const bytes = Buffer.from(value, 'hex');
    found.push([`${label} (base64)`, bytes.toString('base64').replace(/=+$/, '')], [`${label} (base64url)`, bytes.toString('base64url')]);
  }
  return found;
}

describe('a dump of the database after adding accounts', () => {
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

  it('contains no FxA password, kB, refresh or session token, 1.1 password, Sync Key or root key in plain text', async () => {
    const service = store.service();
    const fxaUrls = { fxaUrl: sandbox.urls.fxa, tokenServerUrl: sandbox.urls.tokenServer };
    const plain = await sandbox.createFxa();
    const gated = await sandbox.createFxa({ gates: { verification: 'totp-2fa' } });
    const legacy = await sandbox.createLegacy();

    const views: AccountView[] = [doneAccount(await service.beginAdd({ name: uniqueName('plain'), kind: 'selfhosted15', email: plain.email, password: plain.password, ...fxaUrls }))];
    const step = pendingStep(await service.beginAdd({ name: uniqueName('totp'), kind: 'selfhosted15', email: gated.email, password: gated.password, ...fxaUrls }), 'verification-code-required');
    views.push(doneAccount(await service.continueAdd(step.loginId, { code: (await sandbox.codes(gated.email)).totpCode ?? '' })));
    views.push(
      doneAccount(
        await service.beginAdd({ name: uniqueName('legacy'), kind: 'legacy11', email: legacy.email, password: legacy.password, syncKey: legacy.syncKey ?? '', serverUrl: sandbox.urls.storage11 }),
      ),
    );

    const secrets: Array<[string, string]> = [];
    for (const account of [plain, gated]) {
      secrets.push(...forms(`password of ${account.email}`, account.password), ...forms(`kB of ${account.email}`, account.kB ?? ''));
      const bundle = rootBundleFromKb(Buffer.from(account.kB ?? '', 'hex'));
      secrets.push(...forms('root encryption key', bundle.encKey.toString('hex')), ...forms('root HMAC key', bundle.hmacKey.toString('hex')));
    }
    for (const view of views.filter((candidate) => candidate.kind !== 'legacy11')) {
      const row = await store.prisma.account.findUniqueOrThrow({ where: { id: view.id } });
      const stored = store.vault.openJson<AccountSecrets>(row.sealedSecrets, accountSecretsPurpose(view.id)) as FxaAccountSecrets;
      secrets.push(...forms(`refresh token of ${view.name}`, stored.refreshToken), ...forms(`session token of ${view.name}`, stored.sessionToken ?? ''));
    }
    const syncKey = legacy.syncKey ?? '';
    const syncKeyBytes = parseSyncKey(syncKey);
    const legacyBundle = rootBundleFromSyncKey(syncKeyBytes, legacy.username ?? '');
    secrets.push(
      ...forms('1.1 password', legacy.password),
      ['Sync Key', syncKey],
      ['Sync Key without dashes', syncKey.replace(/-/g, '')],
      ...forms('Sync Key bytes', syncKeyBytes.toString('hex')),
      ...forms('1.1 root encryption key', legacyBundle.encKey.toString('hex')),
      ...forms('1.1 root HMAC key', legacyBundle.hmacKey.toString('hex')),
    );
    assert.ok(secrets.every(([, value]) => value.length >= 16), 'every secret is long enough for a search to mean something');

    const dump = execFileSync('pg_dump', ['--no-owner', '--inserts', store.database.url], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    // The dump holds the accounts (and their sealed secrets and root bundles): the search looks at the right data.
    for (const view of views) assert.ok(dump.includes(view.id) && dump.includes(view.name), `the dump holds account ${view.name}`);
    assert.equal(await store.prisma.keyBundle.count(), views.length, 'one sealed root bundle per account');
    const lowerDump = dump.toLowerCase();
    for (const [label, value] of secrets) {
      assert.ok(!lowerDump.includes(value.toLowerCase()), `the dump contains the ${label}`);
    }
  });
});
