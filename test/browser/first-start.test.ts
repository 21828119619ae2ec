/**
 * The first start in a browser: the daemon made the admin with a generated password, the first
 * sign-in asks for a password of one's own; then Settings (password change, API tokens), open
 * health alerts acknowledged from the overview, and history searched by title in a snapshot.
 * Screenshots go to test/browser/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '../api/support/api-client.js';
import { waitFor } from '../api/support/cli.js';
import { login } from '../api/support/daemon.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { addFxaAccount, startStack, type Stack } from './support/stack.js';
import { signIn } from './support/page-actions.js';

const CHOSEN_PASSWORD = 'a password of my own';
const LATER_PASSWORD = 'and later another one';

interface Job {
  id: string;
  state: string;
  failedReason: string | null;
}

interface Alert {
  id: string;
  kind: string;
  acknowledgedAt: string | null;
}

async function signInStatus(stack: Stack, password: string): Promise<number> {
  const response = await fetch(`${stack.daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  return response.status;
}

/** Backs an account up through the job queue and waits for the job to finish. */
async function backUp(stack: Stack, account: string): Promise<void> {
  const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', `/api/accounts/${account}/backups`);
  const job = await waitFor('the backup job to finish', async () => {
    const current = await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    return current.state === 'completed' || current.state === 'failed' ? current : undefined;
  });
  assert.equal(job.state, 'completed', job.failedReason ?? '');
}

describe('first start and settings in a browser', () => {
  let stack: Stack;
  let url: string;
  let browser: TestBrowser;
  let desktop: Awaited<ReturnType<typeof addFxaAccount>>;

  before(async () => {
    stack = await startStack('first_start', { firstStart: true });
    url = stack.dashboard.url;
    desktop = await addFxaAccount(stack, 'desktop', { bookmarks: 10, history: 60, passwords: 3 });
    await backUp(stack, 'desktop');
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the first sign-in with the generated password asks for a password of one’s own before anything else', async () => {
    const generated = stack.generatedPassword;
    assert.ok(generated !== undefined && generated.length >= 20, 'the daemon generated the admin password');
    browser = await launchBrowser();
    const { page } = browser;
    page.setDefaultTimeout(60_000);
    await page.goto(`${url}/accounts/desktop`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(await page.locator('.signin-help').innerText(), /choose your own/);
    await signIn(page, generated);

    const heading = page.getByRole('heading', { name: 'Choose your admin password' });
    await heading.waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), 'choose-password-title', 'focus moves to the new step');
    await browser.screenshot('20-first-start-choose-password');

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN_PASSWORD);
    await page.getByLabel('New password again').fill('something else entirely');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('The two new passwords differ.').waitFor();
    assert.equal(await page.getByLabel('New password again').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('New password', { exact: true }).fill(generated);
    await page.getByLabel('New password again').fill(generated);
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('Choose a password different from the current one.').waitFor();
    await browser.screenshot('21-first-start-refused');

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN_PASSWORD);
    await page.getByLabel('New password again').fill(CHOSEN_PASSWORD);
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.waitForURL(`${url}/accounts/desktop`);
    await page.getByRole('heading', { name: 'desktop', level: 1 }).waitFor();
    await browser.screenshot('22-first-start-done');

    assert.equal(await signInStatus(stack, generated), 401, 'the generated password is spent');
    assert.equal(await signInStatus(stack, CHOSEN_PASSWORD), 200);
  });

  it('a session that still has the generated password gets the password form on every page', async () => {
    // As after `syncvault admin reset-password` without --password.
    await stack.world.prisma.adminUser.updateMany({ data: { mustChangePassword: true } });
    const { page } = browser;
    await page.goto(`${url}/jobs`);
    await page.getByRole('heading', { name: 'Choose your admin password', level: 1 }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Jobs' }).count(), 0, 'the page itself waits');
    await page.getByLabel('Current password').fill(CHOSEN_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(LATER_PASSWORD);
    await page.getByLabel('New password again').fill(LATER_PASSWORD);
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    assert.equal(await signInStatus(stack, LATER_PASSWORD), 200);
  });

  it('Settings: changes the password (the current one is checked) and makes and revokes API tokens', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN_PASSWORD);
    await page.getByLabel('New password again').fill(CHOSEN_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is wrong.').waitFor();
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Current password').fill(LATER_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    assert.equal(await page.getByLabel('Current password').inputValue(), '', 'the form is emptied');
    assert.equal(await signInStatus(stack, CHOSEN_PASSWORD), 200);
    assert.equal(await signInStatus(stack, LATER_PASSWORD), 401);

    await page.getByText('No API token.').waitFor();
    await page.getByLabel('What the token is for').fill('nightly export');
    await page.getByRole('button', { name: 'Make a token' }).click();
    const secret = await page.getByLabel('New API token').innerText();
    assert.match(secret, /^sva_[A-Za-z0-9_-]{40,}$/);
    const me = await fetch(`${stack.daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(me.status, 200, 'the token shown works');
    const listed = page.getByRole('list', { name: 'API tokens' }).getByRole('listitem');
    await listed.filter({ hasText: 'nightly export' }).waitFor();
    assert.match(await listed.first().innerText(), /never used|last used/);
    await browser.screenshot('23-settings-token-made');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke the token nightly export' }).click();
    await page.getByText('No API token.').waitFor();
    assert.equal((await fetch(`${stack.daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status, 401, 'the revoked token no longer works');
  });

  it('open health alerts show on the overview until acknowledged; the account page keeps them, marked', async () => {
    // The password changes above ended every other session, the test's own API session too.
    stack.api = new ApiClient(stack.daemon.url, await login(stack.daemon.url, CHOSEN_PASSWORD));
    const history = await stack.sandbox.control<Array<{ id: string }>>('GET', `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records/history`);
    await stack.sandbox.control('POST', `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records`, { collection: 'history', delete: history.slice(0, 40).map((record) => record.id) });
    await backUp(stack, 'desktop');
    const alerts = await stack.api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=open');
    assert.ok(alerts.some((alert) => alert.kind === 'collection-shrank'), `a shrink alert (have ${alerts.map((alert) => alert.kind).join(', ')})`);

    const { page } = browser;
    await page.goto(`${url}/`);
    const card = page.locator('[data-account="desktop"]');
    const shrank = card.locator('[data-alert-kind="collection-shrank"]');
    await shrank.waitFor();
    assert.match(await shrank.innerText(), /Collection shrank/);
    await browser.screenshot('24-overview-open-alert');
    await shrank.getByRole('button', { name: /^Acknowledge/ }).click();
    await shrank.waitFor({ state: 'detached' });
    const open = await stack.api.expect<Alert[]>(200, 'GET', '/api/accounts/desktop/alerts?state=open');
    assert.ok(!open.some((alert) => alert.kind === 'collection-shrank'), 'acknowledged at the daemon');
    await browser.screenshot('25-overview-alert-acknowledged');

    await page.goto(`${url}/accounts/desktop`);
    const kept = page.locator('#alerts-title').locator('..').locator('[data-alert-kind="collection-shrank"]');
    await kept.waitFor();
    assert.match(await kept.innerText(), /acknowledged/);
    assert.equal(await kept.getByRole('button').count(), 0, 'nothing left to acknowledge on it');
  });

  it('searches the history of a snapshot by title and shows when the page was last visited', async () => {
    const history = await stack.sandbox.control<Array<{ id: string; cleartext: { title?: string; histUri?: string; visits?: Array<{ date: number }> } | null }>>(
      'GET',
      `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records/history`,
    );
    const page_ = history.find((record) => typeof record.cleartext?.title === 'string' && (record.cleartext.visits?.length ?? 0) > 0);
    assert.ok(page_ !== undefined, 'the sandbox has a visited page left');
    const { page } = browser;
    await page.goto(`${url}/accounts/desktop/snapshots/2`);
    await page.getByRole('heading', { name: 'Snapshot #2', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^history/ }).click();
    await page.getByRole('searchbox', { name: 'Search history' }).fill(page_.cleartext!.title!);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const row = page.locator(`tr[data-record-id="${page_.id}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.ok(text.includes(page_.cleartext!.histUri!), 'the URL is shown');
    const newest = Math.max(...page_.cleartext!.visits!.map((visit) => visit.date));
    assert.ok(text.includes(String(new Date(newest / 1000).getUTCFullYear())), `the last visit's date is shown (${text})`);
    await browser.screenshot('26-history-search');
  });
});
