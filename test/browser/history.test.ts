/**
 * History in the dashboard: another device deletes a bookmark folder, a backup sees it, and the
 * dashboard finds when it vanished, shows the deletion in the diff of two snapshots and restores
 * it from there: plan first, then the job's live progress and its result. The folder is read back
 * from the sandbox server, decrypted, in its old place. Restoring from the snapshot browser too.
 * Screenshots go to test/browser/artifacts/history-*.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { backUpThroughApi } from '../export/support/backup.js';
import { folder, readBack, workTree, writeAsAnotherClient } from '../restore/support/bookmark-tree.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageWindow } from './support/page-dom.js';
import { ADMIN_PASSWORD, addFxaAccount, startStack, type Stack } from './support/stack.js';

declare const document: PageDocument;
declare const window: PageWindow;

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Confirms the plan shown and waits for the restore's result on the page. */
async function confirmAndWait(page: Page, changes: number): Promise<void> {
  await page.getByRole('button', { name: `Restore ${changes} ${changes === 1 ? 'change' : 'changes'}` }).click();
  await page.getByRole('heading', { name: 'Restoring…' }).or(page.getByRole('heading', { name: 'Restore finished' })).waitFor();
  await page.getByRole('heading', { name: 'Restored', exact: true, level: 2 }).waitFor({ timeout: 120_000 });
}

describe('history in the dashboard: find, diff, restore', () => {
  let stack: Stack;
  let browser: TestBrowser;
  let email: string;

  before(async () => {
    stack = await startStack('history_browser');
    const desktop = await addFxaAccount(stack, 'desktop', { bookmarks: 0, passwords: 3, clients: 1 });
    email = desktop.sandbox.email;
    await writeAsAnotherClient(stack.sandbox, email, { collection: 'bookmarks', upsert: workTree() });
    assert.equal(await backUpThroughApi(stack.api, 'desktop'), 1);
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(60_000);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('restores a deleted bookmark from the snapshot browser: Restore… on the selected tree item, the plan, then the result', async () => {
    const { page } = browser;
    // Another device deletes Foxtrot from the menu.
    await writeAsAnotherClient(stack.sandbox, email, { collection: 'bookmarks', tombstone: ['bookmarkF01'], upsert: [folder('menu', 'places', '', ['workfolder1'])] });

    await page.goto(`${stack.dashboard.url}/accounts/desktop/snapshots/1`);
    await signIn(page);
    await page.getByRole('heading', { name: 'Snapshot #1', level: 1 }).waitFor();
    const actions = page.getByRole('group', { name: 'Selected bookmark' });
    await actions.getByText('Select a bookmark or folder to restore it').waitFor();

    // Keyboard: into the tree, open the menu, down past Work to Foxtrot.
    const menu = page.locator('[data-bookmark-id="menu"]');
    await menu.focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-bookmark-id="bookmarkF01"]').waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-bookmark-id') ?? null), 'bookmarkF01');
    const restoreLink = actions.getByRole('link', { name: 'Restore the bookmark “Foxtrot”…' });
    await restoreLink.waitFor();
    await browser.screenshot('history-01-tree-selected');
    await restoreLink.click();

    await page.getByRole('heading', { name: 'Restore', level: 1 }).waitFor();
    assert.match(await page.locator('[data-restore-target]').innerText(), /The bookmark “Foxtrot”, from snapshot #1, into the live account desktop\./);
    const plan = page.locator('.plan');
    await plan.waitFor();
    assert.equal(await plan.getAttribute('data-total-changes'), '2');
    assert.equal(await page.locator('[data-planned-id="bookmarkF01"]').getAttribute('data-action'), 'write');
    assert.match(await page.locator('[data-planned-id="bookmarkF01"]').innerText(), /Foxtrot — https:\/\/foxtrot\.example\//);
    assert.match(await page.locator('[data-planned-id="menu"]').innerText(), /lists the restored items again/);
    await page.locator('[data-validator="valid"]').waitFor();
    assert.equal((await readBack(stack.sandbox, email, 'bookmarks')).get('bookmarkF01')?.['deleted'], true, 'showing the plan wrote nothing');
    await browser.screenshot('history-02-plan');

    await confirmAndWait(page, 2);
    assert.equal(await page.locator('.restore-result').getAttribute('data-verification'), 'ok');
    assert.equal(await page.locator('[data-written]').getAttribute('data-written'), '2');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent ?? null), 'Restored', 'the focus moves to the result');
    await page.getByRole('link', { name: 'pre-restore snapshot #2' }).waitFor();
    await browser.screenshot('history-03-result');

    const live = await readBack(stack.sandbox, email, 'bookmarks');
    assert.equal(live.get('bookmarkF01')?.['title'], 'Foxtrot');
    assert.deepEqual(live.get('menu')?.['children'], ['workfolder1', 'bookmarkF01']);
  });

  it('phone-sized: the restore page fits the screen', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await page.goto(`${stack.dashboard.url}/accounts/desktop/restore?from=1&kind=folder&id=workfolder1&label=Work`);
      await signIn(page);
      await page.locator('.plan').waitFor();
      await phone.screenshot('history-09-phone-plan');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    } finally {
      await phone.close();
    }
  });

});
