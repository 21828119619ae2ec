/**
 * The dashboard built with SYNCVAULT_BASE_PATH=/syncvault, as behind a reverse proxy at a path
 * prefix: pages, assets, the API proxy and the session cookie all live under /syncvault, while the
 * daemon itself serves at the root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backUpThroughApi } from '../export/support/backup.js';
import { launchBrowser } from './support/browser.js';
import type { PageDocument } from './support/page-dom.js';
import { ADMIN_PASSWORD, addFxaAccount, startStack, type Stack } from './support/stack.js';

// The page's globals, for the callbacks that run there.
declare const document: PageDocument;

const BASE_PATH = '/syncvault';

describe('dashboard under a base path', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack('browser_base', { basePath: BASE_PATH });
    await addFxaAccount(stack, 'phone', { bookmarks: 5, history: 5 });
  });
  after(async () => {
    await stack?.close();
  });

  it('serves sign-in and the overview under /syncvault, with the API and its session cookie there too', async () => {
    const { origin, url } = stack.dashboard;
    assert.equal(url, `${origin}${BASE_PATH}`);
    assert.equal((await fetch(`${origin}/signin`, { redirect: 'manual' })).status, 404, 'nothing is served outside the base path');
    const refused = await fetch(`${url}/api/accounts`);
    assert.equal(refused.status, 401, 'the API answers under the base path, and wants a session');

    const browser = await launchBrowser();
    try {
      const { page, context } = browser;
      page.setDefaultTimeout(60_000);
      await page.goto(`${url}/jobs`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const landed = new URL(page.url());
      assert.equal(landed.pathname, `${BASE_PATH}/signin`);
      assert.equal(landed.searchParams.get('next'), '/jobs');
      await browser.screenshot('base-path-01-sign-in');

      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${url}/jobs`);
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      await page.getByText('No job yet.').waitFor();

      const session = (await context.cookies()).find((cookie) => cookie.name === 'syncvault_session');
      assert.equal(session?.path, BASE_PATH, 'the session cookie is scoped to the dashboard’s base path');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
      await page.waitForURL(`${url}`);
      const card = page.locator('[data-account="phone"]');
      await card.waitFor();
      assert.match(await card.innerText(), /Never backed up/);
      assert.equal(await card.getByRole('link', { name: 'phone' }).getAttribute('href'), `${BASE_PATH}/accounts/phone`);
      await page.locator('.health-check').first().waitFor();
      await browser.screenshot('base-path-02-overview');

      const stylesheets = await page.evaluate(() => Array.from(document.querySelectorAll('link[rel="stylesheet"]')).map((link) => link.getAttribute('href') ?? ''));
      assert.ok(stylesheets.length > 0 && stylesheets.every((href) => href.startsWith(`${BASE_PATH}/_next/`)), `assets load from under the base path (${stylesheets.join(', ')})`);
    } finally {
      await browser.close();
    }
  });

  it('compares snapshots and plans a restore under /syncvault: the daemon is reached and the links keep the base path', async () => {
    await backUpThroughApi(stack.api, 'phone');
    const { url } = stack.dashboard;
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      page.setDefaultTimeout(60_000);
      await page.goto(`${url}/accounts/phone/history?from=1&to=live`);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Changes from snapshot #1 to the live server now' }).waitFor();
      await page.getByText('Nothing changed.').waitFor();

      await page.goto(`${url}/accounts/phone/restore?from=1&kind=collection&collection=bookmarks`);
      await page.getByText('Nothing to restore.').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Cancel' }).count(), 0, 'nothing to confirm or cancel');
      assert.equal(await page.getByRole('link', { name: 'snapshot #1' }).first().getAttribute('href'), `${BASE_PATH}/accounts/phone/snapshots/1`);
      await browser.screenshot('base-path-03-restore-plan');
    } finally {
      await browser.close();
    }
  });

  it('plans a migration under /syncvault: the wizard reaches the daemon and its links keep the base path', async () => {
    await addFxaAccount(stack, 'laptop', 'none');
    const { url } = stack.dashboard;
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      page.setDefaultTimeout(60_000);
      await page.goto(`${url}/accounts/phone`);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const migrate = page.getByRole('link', { name: 'Migrate…' });
      assert.equal(await migrate.getAttribute('href'), `${BASE_PATH}/migrate?source=phone`);
      await migrate.click();
      await page.waitForURL(`${url}/migrate?source=phone`);
      await page.waitForFunction(() => document.querySelectorAll('#migrate-target option').length > 1);
      await page.getByLabel('Target account').selectOption({ label: 'laptop (Self-hosted · Sync 1.5)' });
      await page.getByRole('button', { name: 'Plan the migration' }).click();
      await page.locator('.migration-plan[data-refused="no"]').waitFor();
      assert.equal(await page.locator('[data-keys]').getAttribute('data-keys'), 'rewrap', 'another FxA account: the same bulk keys under its own kB');
      await page.getByText('No migration yet.').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Add it first' }).getAttribute('href'), `${BASE_PATH}/add-account`);
      await browser.screenshot('base-path-04-migration-plan');
    } finally {
      await browser.close();
    }
  });
});
