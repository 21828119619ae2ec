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
import { deleteTrips, folder, readBack, workTree, writeAsAnotherClient } from '../restore/support/bookmark-tree.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageWindow } from './support/page-dom.js';
import { addFxaAccount, startStack, type Stack } from './support/stack.js';
import { signIn } from './support/page-actions.js';

declare const document: PageDocument;
declare const window: PageWindow;

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

  it('finds when a deleted folder vanished, sees the deletion in the diff of two snapshots, and restores it from there into its old place', async () => {
    const { page } = browser;
    // Another device deletes the Trips folder (with Lisbon and Porto) from Work; the next backup sees it.
    await deleteTrips(stack.sandbox, email);
    assert.equal(await backUpThroughApi(stack.api, 'desktop'), 3);

    // The account page: pick two points of the timeline.
    await page.goto(`${stack.dashboard.url}/accounts/desktop`);
    const history = page.getByRole('region', { name: 'History' });
    await history.getByLabel('From', { exact: true }).selectOption('2');
    await history.getByLabel('To', { exact: true }).selectOption('3');
    await browser.screenshot('history-04-account-history-panel');
    await history.getByRole('button', { name: 'Show changes' }).click();

    await page.waitForURL((address) => address.pathname === '/accounts/desktop/history' && address.searchParams.get('from') === '2' && address.searchParams.get('to') === '3');
    const heading = page.getByRole('heading', { name: 'Changes from snapshot #2 to snapshot #3', level: 2 });
    await heading.waitFor();
    assert.equal(await heading.evaluate((element) => element === (document.activeElement as unknown)), true, 'the focus moves to the changes once they are shown');
    const bookmarks = page.locator('section[data-collection="bookmarks"]');
    // #2 is the pre-restore snapshot taken before Foxtrot came back: Foxtrot, the menu and Work changed since, and three items were deleted.
    assert.deepEqual(await bookmarks.locator('h3 [data-change]').allInnerTexts(), ['~3 changed', '×3 deleted on a device']);
    assert.equal(await page.locator('section[data-collection="passwords"]').count(), 0, 'unchanged collections have no section');
    await page.getByText('Unchanged: ').waitFor();

    const deleted = bookmarks.locator('.diff-group-removed');
    const trips = deleted.locator('[data-diff-id="tripsfolder"]');
    assert.match(await trips.locator('.diff-entry-line').first().innerText(), /folder\s+Trips\s+in Bookmarks Menu › Work, position 3 · deleted on a device/i);
    assert.deepEqual(await trips.getByRole('list', { name: 'In Trips' }).locator('> li strong').allInnerTexts(), ['Lisbon', 'Porto'], 'its contents nest under it');
    // Work's list of children changed with the deletion; it can be expanded like any record.
    assert.match(await bookmarks.locator('.diff-group-other [data-diff-id="workfolder1"]').innerText(), /workfolder1 · changed/);

    // Expand the folder's record: snapshot #2's copy, and the tombstone in #3.
    await trips.locator('summary', { hasText: 'Record tripsfolder' }).click();
    const sides = trips.locator('.record-side');
    await sides.first().locator('.record-json').waitFor();
    assert.match(await sides.first().innerText(), /"title": "Trips"/);
    assert.match(await sides.nth(1).locator('.record-json').innerText(), /"deleted": true/);
    await browser.screenshot('history-05-diff');

    // When did Lisbon vanish?
    await page.getByRole('search', { name: 'When did it vanish?' }).getByRole('searchbox').fill('lisbon');
    await page.getByRole('search', { name: 'When did it vanish?' }).getByRole('button', { name: 'Find' }).click();
    await page.waitForURL((address) => address.searchParams.get('find') === 'lisbon' && address.searchParams.get('from') === '2');
    const lisbon = page.locator('[data-found-id="bookmarkL01"]');
    await lisbon.waitFor();
    assert.equal(await lisbon.locator('[data-last-seen]').getAttribute('data-last-seen'), '2');
    assert.equal(await lisbon.locator('[data-gone]').getAttribute('data-gone'), '3');
    assert.match(await lisbon.innerText(), /deleted on a device/);
    assert.match(await lisbon.locator('.found-path').innerText(), /^In Bookmarks Menu › Work › Trips$/);
    assert.equal(await lisbon.getByRole('link', { name: '“Lisbon”', exact: false }).getAttribute('href'), '/accounts/desktop/restore?from=2&kind=bookmark&id=bookmarkL01&label=Lisbon');
    await lisbon.getByRole('link', { name: 'what changed #2 → #3' }).waitFor();
    await browser.screenshot('history-06-when-did-it-vanish');

    // Restore the folder straight from the diff.
    await trips.getByRole('link', { name: 'Restore the folder “Trips” with everything in it from snapshot #2…' }).click();
    await page.getByRole('heading', { name: 'Restore', level: 1 }).waitFor();
    assert.match(await page.locator('[data-restore-target]').innerText(), /The folder “Trips” with everything in it, from snapshot #2, into the live account desktop\./);
    await page.locator('.plan').waitFor();
    assert.equal(await page.locator('.plan').getAttribute('data-total-changes'), '4');
    for (const id of ['tripsfolder', 'bookmarkL01', 'bookmarkP01']) assert.match(await page.locator(`[data-planned-id="${id}"]`).innerText(), /Brought back as the snapshot had it/);
    assert.match(await page.locator('[data-planned-id="workfolder1"]').innerText(), /Work[\s\S]*lists the restored items again/);
    await page.locator('[data-validator="valid"]').waitFor();
    await browser.screenshot('history-07-restore-plan-from-diff');

    await confirmAndWait(page, 4);
    assert.equal(await page.locator('.restore-result').getAttribute('data-verification'), 'ok');
    assert.equal(await page.locator('[data-written]').getAttribute('data-written'), '4');
    await page.getByRole('link', { name: 'pre-restore snapshot #4' }).waitFor();
    await browser.screenshot('history-08-restore-result');

    // Read back from the sandbox server with its own decryption: the folder and its children, under Work at the old position.
    const live = await readBack(stack.sandbox, email, 'bookmarks');
    assert.deepEqual(live.get('workfolder1')?.['children'], ['bookmarkA01', 'bookmarkB01', 'tripsfolder', 'bookmarkC01']);
    assert.equal(live.get('tripsfolder')?.['title'], 'Trips');
    assert.equal(live.get('tripsfolder')?.['parentid'], 'workfolder1');
    assert.deepEqual(live.get('tripsfolder')?.['children'], ['bookmarkL01', 'bookmarkP01']);
    assert.deepEqual([live.get('bookmarkL01')?.['title'], live.get('bookmarkL01')?.['bmkUri'], live.get('bookmarkL01')?.['parentid']], ['Lisbon', 'https://lisbon.example/', 'tripsfolder']);
    assert.deepEqual([live.get('bookmarkP01')?.['title'], live.get('bookmarkP01')?.['parentid']], ['Porto', 'tripsfolder']);

    // The live server against snapshot #3: the folder is there again.
    await page.goto(`${stack.dashboard.url}/accounts/desktop/history?from=3&to=live`);
    await page.getByRole('heading', { name: 'Changes from snapshot #3 to the live server now' }).waitFor();
    await page.locator('section[data-collection="bookmarks"] .diff-group-added [data-diff-id="tripsfolder"]').waitFor();
  });

  it('phone-sized: the diff and a restore plan fit the screen', async () => {
    // Another device deletes Bravo; nothing is restored here.
    await writeAsAnotherClient(stack.sandbox, email, { collection: 'bookmarks', tombstone: ['bookmarkB01'], upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'tripsfolder', 'bookmarkC01'])] });
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await page.goto(`${stack.dashboard.url}/accounts/desktop/history?from=3&to=live&find=bravo`);
      await signIn(page);
      await page.locator('section[data-collection="bookmarks"] .diff-group-removed [data-diff-id="bookmarkB01"]').waitFor();
      await page.locator('[data-found-id="bookmarkB01"]').waitFor();
      await phone.screenshot('history-10-phone-diff');
      let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the history page scrolls sideways by ${overflow}px`);

      await page.locator('section[data-collection="bookmarks"] [data-diff-id="bookmarkB01"]').getByRole('link', { name: /^Restore “Bravo”/ }).click();
      await page.locator('.plan').waitFor();
      assert.equal(await page.locator('.plan').getAttribute('data-total-changes'), '2');
      await phone.screenshot('history-11-phone-plan');
      overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the restore page scrolls sideways by ${overflow}px`);

      // Into a new folder instead: planned again, with the new folder under Other Bookmarks.
      await page.getByLabel(/Into a new folder/).check();
      const newFolder = page.locator('tr[data-planned-id]', { hasText: 'New folder for the restored items' });
      await newFolder.waitFor();
      assert.match(await newFolder.innerText(), /Restored \d{4}-\d{2}-\d{2}/);
      assert.match(await page.locator('[data-planned-id="unfiled"]').innerText(), /Other Bookmarks/);
      assert.equal((await readBack(stack.sandbox, email, 'bookmarks')).get('bookmarkB01')?.['deleted'], true, 'planning wrote nothing');
    } finally {
      await phone.close();
    }
  });


});
