/**
 * The add-account wizard in a browser against the daemon and the sandbox: Sync 1.5 accounts whose
 * sign-in asks for an unblock code, an emailed confirmation code or a TOTP code (a wrong code
 * first each time), and a Sync 1.1 account (a wrong Sync Key first). Screenshots of every step go to test/browser/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../api/support/cli.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { ADMIN_PASSWORD, startStack, type Stack } from './support/stack.js';

interface Account {
  name: string;
  kind: string;
  email: string;
}

describe('add-account wizard in a browser', () => {
  let stack: Stack;
  let browser: TestBrowser;

  before(async () => {
    stack = await startStack('browser_add');
    browser = await launchBrowser();
    const { page } = browser;
    page.setDefaultTimeout(60_000);
    await page.goto(`${stack.dashboard.url}/accounts`);
    await page.getByLabel('Username', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.dashboard.url}/accounts`);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('adds a Sync 1.5 account whose sign-in asks for an unblock code; a wrong code can be tried again', async () => {
    const { page } = browser;
    const user = await stack.sandbox.createFxa({ gates: { unblock: true }, label: 'work' });
    await page.getByText('No account yet.').waitFor();
    await browser.screenshot('add-01-no-account');
    await page.getByRole('link', { name: 'Add account' }).click();
    await page.getByRole('heading', { name: 'Add an account' }).waitFor();

    await page.getByRole('radio', { name: 'Self-hosted · Sync 1.5' }).check();
    await page.getByLabel('Name', { exact: true }).fill('work');
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByLabel('Accounts server URL', { exact: true }).fill(stack.sandbox.urls.fxa);
    await page.getByLabel('Token server URL', { exact: true }).fill(stack.sandbox.urls.tokenServer);
    await browser.screenshot('add-02-sync15-details');
    await page.getByRole('button', { name: 'Add account' }).click();

    await page.getByRole('heading', { name: 'Enter the unblock code' }).waitFor();
    assert.match(await page.locator('[data-step="unblock-code-required"]').innerText(), new RegExp(user.email.replace(/[.+]/g, '\\$&')));
    await browser.screenshot('add-03-unblock-code');

    await page.getByLabel('Unblock code', { exact: true }).fill('WRONGCODE');
    await page.getByRole('button', { name: 'Continue' }).click();
    const refused = page.locator('.banner-error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^The Sync server refused: /);
    assert.ok(await page.getByRole('heading', { name: 'Enter the unblock code' }).isVisible(), 'the step stays, to try again');
    await browser.screenshot('add-04-wrong-unblock-code');

    const { unblockCode } = await stack.sandbox.codes(user.email);
    assert.ok(unblockCode !== undefined, 'the sandbox emailed an unblock code');
    await page.getByLabel('Unblock code', { exact: true }).fill(unblockCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.dashboard.url}/accounts/work?added=1`);
    await page.getByText('Account added: its data decrypts.').waitFor();
    await browser.screenshot('add-05-sync15-added');

    const saved = await stack.api.expect<Account>(200, 'GET', '/api/accounts/work');
    assert.deepEqual({ kind: saved.kind, email: saved.email }, { kind: 'selfhosted15', email: user.email });
  });

  it('reconnects an account after its password changed: a wrong password says so, then the unblock step, and backups work again', async () => {
    const { page } = browser;
    const saved = await stack.api.expect<Account>(200, 'GET', '/api/accounts/work');
    const newPassword = `changed-${Date.now()}`;
    await stack.sandbox.control('POST', `/accounts/${encodeURIComponent(saved.email)}/reset-password`, { password: newPassword });

    await page.goto(`${stack.dashboard.url}/accounts/work`);
    await page.getByRole('link', { name: 'Reconnect' }).click();
    await page.getByRole('heading', { name: 'Reconnect work', level: 1 }).waitFor();
    // The accounts server asks for the unblock code before it checks the password: only then is a typo refused.
    await page.getByLabel('Password', { exact: true }).fill('the old one, or a typo');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByRole('heading', { name: 'Enter the unblock code' }).waitFor();
    await page.getByLabel('Unblock code', { exact: true }).fill((await stack.sandbox.codes(saved.email)).unblockCode!);
    await page.getByRole('button', { name: 'Continue' }).click();
    const refused = page.locator('.banner-error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^The Sync server refused: /);
    await page.getByLabel('Password', { exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Enter the unblock code' }).count(), 0, 'back to the password, not stuck on a spent code');
    await browser.screenshot('add-08-reconnect-wrong-password');

    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByRole('heading', { name: 'Enter the unblock code' }).waitFor();
    const { unblockCode } = await stack.sandbox.codes(saved.email);
    assert.ok(unblockCode !== undefined);
    await page.getByLabel('Unblock code', { exact: true }).fill(unblockCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.dashboard.url}/accounts/work?reconnected=1`);
    await page.getByText('Account reconnected').waitFor();
    await browser.screenshot('add-09-reconnected');

    const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/work/backups');
    const job = await waitFor('the backup after reconnecting', async () => {
      const current = await stack.api.expect<{ state: string; failedReason: string | null }>(200, 'GET', `/api/jobs/${jobId}`);
      return current.state === 'completed' || current.state === 'failed' ? current : undefined;
    });
    assert.equal(job.state, 'completed', job.failedReason ?? '');
  });

  const verifications = [
    { method: 'email-otp', name: 'phone', heading: 'Enter the confirmation code', label: 'Confirmation code', code: (codes: { verificationCode?: string }) => codes.verificationCode },
    { method: 'totp-2fa', name: 'tablet', heading: 'Enter the two-step authentication code', label: 'Authentication code', code: (codes: { totpCode?: string }) => codes.totpCode },
  ] as const;
  for (const verification of verifications) {
    it(`adds a Sync 1.5 account whose sign-in asks for ${verification.method === 'email-otp' ? 'an emailed confirmation code' : 'a two-step authentication (TOTP) code'}; a wrong code can be tried again`, async () => {
      const { page } = browser;
      const user = await stack.sandbox.createFxa({ gates: { verification: verification.method }, label: verification.name });
      await page.goto(`${stack.dashboard.url}/add-account`);
      await page.getByRole('radio', { name: 'Self-hosted · Sync 1.5' }).check();
      await page.getByLabel('Name', { exact: true }).fill(verification.name);
      await page.getByLabel('Email', { exact: true }).fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(user.password);
      await page.getByLabel('Accounts server URL', { exact: true }).fill(stack.sandbox.urls.fxa);
      await page.getByLabel('Token server URL', { exact: true }).fill(stack.sandbox.urls.tokenServer);
      await page.getByRole('button', { name: 'Add account' }).click();

      await page.getByRole('heading', { name: verification.heading }).waitFor();
      assert.equal(await page.locator('[data-step="verification-code-required"]').count(), 1);
      assert.equal(await page.getByLabel(verification.label, { exact: true }).getAttribute('autocomplete'), 'one-time-code');
      await page.getByLabel(verification.label, { exact: true }).fill('000000');
      await page.getByRole('button', { name: 'Continue' }).click();
      const refused = page.locator('.banner-error');
      await refused.waitFor();
      assert.match(await refused.innerText(), /^The Sync server refused: /);
      assert.ok(await page.getByRole('heading', { name: verification.heading }).isVisible(), 'the step stays, to try again');
      await browser.screenshot(`add-04${verification.method === 'email-otp' ? 'a' : 'b'}-${verification.method}-wrong-code`);

      const code = verification.code(await stack.sandbox.codes(user.email));
      assert.ok(code !== undefined && /^\d{6}$/.test(code), `the sandbox has the ${verification.method} code`);
      await page.getByLabel(verification.label, { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${stack.dashboard.url}/accounts/${verification.name}?added=1`);
      await page.getByText('Account added: its data decrypts.').waitFor();
      const saved = await stack.api.expect<Account>(200, 'GET', `/api/accounts/${verification.name}`);
      assert.deepEqual({ kind: saved.kind, email: saved.email }, { kind: 'selfhosted15', email: user.email });
    });
  }

  it('adds a Sync 1.1 account, saying what was wrong when the Sync Key does not decrypt its keys', async () => {
    const { page } = browser;
    const user = await stack.sandbox.createLegacy({ label: 'weave' });
    assert.ok(user.syncKey !== undefined);
    await page.goto(`${stack.dashboard.url}/add-account`);
    await page.getByRole('radio', { name: 'Legacy · Sync 1.1' }).check();
    await page.getByLabel('Name', { exact: true }).fill('weave');
    await page.getByLabel('Sync 1.1 server URL', { exact: true }).fill(stack.sandbox.urls.storage11);
    await page.getByLabel('Email or username', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    // Another account's Sync Key: well-formed, but it does not open this account's keys.
    const other = await stack.sandbox.createLegacy({ label: 'other' });
    await page.getByLabel('Sync Key', { exact: true }).fill(other.syncKey!);
    await page.getByRole('button', { name: 'Add account' }).click();
    const refused = page.locator('.banner-error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^The Sync server refused: .*Sync Key/i);
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'weave', 'the form keeps what was typed');
    assert.equal((await stack.api.call('GET', '/api/accounts/weave')).status, 404, 'nothing was saved');
    await browser.screenshot('add-06-sync11-wrong-sync-key');

    await page.getByLabel('Sync Key', { exact: true }).fill(user.syncKey);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.waitForURL(`${stack.dashboard.url}/accounts/weave?added=1`);
    await page.getByRole('heading', { name: 'weave', level: 1 }).waitFor();
    assert.match(await page.locator('.facts-inline').innerText(), /Legacy · Sync 1\.1/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.locator('tr[data-account="weave"]').waitFor();
    await page.locator('tr[data-account="work"]').waitFor();
    await browser.screenshot('add-07-accounts-list');
  });
});
