/**
 * Exporting from the dashboard's snapshot browser: the Export menu offers the formats that fit the
 * collection, and a link downloads the file through the dashboard's same-origin proxy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { backUpThroughApi } from '../export/support/backup.js';
import { readCsv, readNetscapeBookmarks } from '../export/support/readers.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { ADMIN_PASSWORD, addFxaAccount, startStack, type Stack } from './support/stack.js';

async function downloadFrom(page: Page, link: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link, exact: true }).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('export from the dashboard', () => {
  let stack: Stack;
  let browser: TestBrowser;
  let desktop: Awaited<ReturnType<typeof addFxaAccount>>;
  let seq: number;

  before(async () => {
    stack = await startStack('export_browser');
    desktop = await addFxaAccount(stack, 'desktop', { bookmarks: 25, history: 20, passwords: 8 });
    seq = await backUpThroughApi(stack.api, 'desktop');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('offers the formats that fit each collection and downloads bookmarks and logins as files', async () => {
    const { page } = browser;
    await page.goto(`${stack.dashboard.url}/accounts/desktop/snapshots/${seq}`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: `Snapshot #${seq}`, level: 1 }).waitFor();

    const exportButton = page.locator('summary', { hasText: 'Export' });
    await exportButton.focus();
    await page.keyboard.press('Enter');
    const bookmarkFormats = page.getByRole('list', { name: 'Export bookmarks as' }).getByRole('link');
    assert.deepEqual(await bookmarkFormats.allInnerTexts(), ['Bookmarks HTML (Firefox, Chrome, Edge, Safari)', 'Firefox backup (JSON)', 'Firefox backup (.jsonlz4, for Library → Restore)', 'Decrypted records (JSON)']);
    await browser.screenshot('export-01-bookmarks-menu');
    const html = await downloadFrom(page, 'Bookmarks HTML (Firefox, Chrome, Edge, Safari)');
    assert.equal(html.name, `desktop-snapshot-${seq}-bookmarks.html`);
    const read = readNetscapeBookmarks(html.text);
    assert.ok(read.menu.some((item) => item.title === 'Mozilla Firefox' && item.type === 'folder'), 'the seeded default bookmarks are in the file');

    await page.getByRole('button', { name: /^passwords/ }).click();
    await page.locator('summary', { hasText: 'Export' }).click();
    assert.deepEqual(await page.getByRole('list', { name: 'Export passwords as' }).getByRole('link').allInnerTexts(), ['Firefox logins CSV', 'Bitwarden CSV', 'Decrypted records (JSON)']);
    await page.getByText('Decrypted, passwords in clear: keep the file safe.').waitFor();
    await browser.screenshot('export-02-passwords-menu');
    const csv = await downloadFrom(page, 'Bitwarden CSV');
    assert.equal(csv.name, `desktop-snapshot-${seq}-passwords-bitwarden.csv`);
    const logins = (await stack.sandbox.control<Array<{ cleartext: Record<string, unknown> | null }>>('GET', `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records/passwords`)).flatMap((record) =>
      record.cleartext !== null && record.cleartext['deleted'] !== true ? [record.cleartext] : [],
    );
    const rows = readCsv(csv.text);
    assert.equal(rows.length, logins.length);
    for (const login of logins) assert.ok(rows.some((row) => row['login_username'] === login['username'] && row['login_password'] === login['password']), `${String(login['hostname'])} is in the file`);
  });
});
