/**
 * The migration wizard in a browser: a legacy Sync 1.1 account on the sandbox is migrated into an
 * empty Firefox Accounts / Sync 1.5 account on the same sandbox (added as self-hosted). The plan's
 * numbers are checked against what the sandbox holds, the run's progress bar is followed to the
 * end, the verification and the client settings are read, and the sandbox decrypts the target's
 * records with the target's own keys. Then the now non-empty target is refused until Replace or
 * Merge is chosen, and the pages fit a phone. Screenshots go to test/browser/artifacts/migrate-*.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readBack } from '../restore/support/bookmark-tree.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageWindow } from './support/page-dom.js';
import { addFxaAccount, addLegacyAccount, startStack, type Stack } from './support/stack.js';
import { recordProgressValues, signIn } from './support/page-actions.js';

declare const document: PageDocument;
declare const window: PageWindow;
declare const navigator: { clipboard: { readText(): Promise<string> } };

/** The legacy account's seed; meta/global and crypto/keys come with it. */
const SOURCE_SEED = { bookmarks: 24, passwords: 7, history: 30, forms: 6, clients: 1, tabs: 1, prefs: true };
const SEEDED_COLLECTIONS = ['meta', 'crypto', 'bookmarks', 'passwords', 'history', 'forms', 'clients', 'tabs', 'prefs'];

interface PlanRow {
  collection: string;
  records: number;
  skipped: number;
  targetRecords: number;
}

async function planRows(page: Page): Promise<PlanRow[]> {
  const rows = page.locator('.migration-plan-table tbody tr');
  const result: PlanRow[] = [];
  for (let index = 0; index < (await rows.count()); index += 1) {
    const row = rows.nth(index);
    result.push({
      collection: (await row.getAttribute('data-collection')) ?? '',
      records: Number(await row.getAttribute('data-records')),
      skipped: Number(await row.getAttribute('data-skipped')),
      targetRecords: Number(await row.getAttribute('data-target-records')),
    });
  }
  return result;
}

describe('the migration wizard', () => {
  let stack: Stack;
  let browser: TestBrowser;
  let source: Awaited<ReturnType<typeof addLegacyAccount>>;
  let target: Awaited<ReturnType<typeof addFxaAccount>>;
  /** What the sandbox holds for the source, per collection, read behind the server's back. */
  const held = new Map<string, number>();

  before(async () => {
    stack = await startStack('migrate_browser');
    source = await addLegacyAccount(stack, 'old-weave', SOURCE_SEED);
    target = await addFxaAccount(stack, 'own-server', 'none');
    for (const collection of SEEDED_COLLECTIONS) {
      const records = await stack.sandbox.control<unknown[]>('GET', `/accounts/${encodeURIComponent(source.sandbox.email)}/records/${collection}`);
      held.set(collection, records.length);
    }
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(60_000);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.dashboard.url });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('migrates a Sync 1.1 account into an empty Sync 1.5 account: the plan, live progress, the verification and the client settings', async () => {
    const { page } = browser;
    assert.ok((held.get('bookmarks') ?? 0) >= SOURCE_SEED.bookmarks && (held.get('passwords') ?? 0) >= SOURCE_SEED.passwords, `the source holds its seed: ${JSON.stringify([...held])}`);
    const emptyTarget = await readBack(stack.sandbox, target.sandbox.email, 'bookmarks');
    assert.equal(emptyTarget.size, 0, 'the target starts empty');

    // From the source's account page.
    await page.goto(`${stack.dashboard.url}/accounts/old-weave`);
    await signIn(page);
    await page.getByRole('heading', { name: 'old-weave', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Migrate…' }).click();
    await page.waitForURL((address) => address.pathname === '/migrate' && address.searchParams.get('source') === 'old-weave');
    await page.getByRole('heading', { name: 'Migrate', level: 1 }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Migrate' }).getAttribute('aria-current'), 'page');
    await page.getByText('No migration yet.').waitFor();

    const sourceSelect = page.getByLabel('Source account');
    await page.waitForFunction(() => document.querySelectorAll('#migrate-source option').length > 1);
    assert.equal(await sourceSelect.inputValue(), source.id, 'the account page’s link chose the source');
    assert.equal(await page.getByRole('radio', { name: /The account as it is now/ }).isChecked(), true, 'the live state by default');
    // Only the Sync 1.5 account can be the target; the legacy source is not offered.
    const targetSelect = page.getByLabel('Target account');
    assert.deepEqual(await targetSelect.locator('option').allInnerTexts(), ['Choose an account…', 'own-server (Self-hosted · Sync 1.5)']);
    await targetSelect.selectOption(target.id);
    await page.getByRole('checkbox', { name: /Re-key/ }).waitFor();
    // Never backed up: the plan has nothing to count from, so the wizard offers a first backup.
    const backUpFirst = page.locator('[data-back-up-first]');
    await backUpFirst.getByText('old-weave has no complete snapshot yet').waitFor();
    assert.equal(await page.getByRole('radio', { name: /One of its snapshots/ }).isDisabled(), true);
    await browser.screenshot('migrate-01-choose');
    await backUpFirst.getByRole('button', { name: 'Back up old-weave now' }).click();
    await backUpFirst.waitFor({ state: 'detached', timeout: 120_000 });
    assert.equal(await page.getByRole('radio', { name: /One of its snapshots/ }).isEnabled(), true, 'the new snapshot can be chosen');

    await page.getByRole('button', { name: 'Plan the migration' }).click();
    const plan = page.locator('.migration-plan');
    await plan.waitFor();
    assert.equal(await plan.getAttribute('data-refused'), 'no');
    assert.match(await plan.locator('[data-source-snapshot]').innerText(), /a fresh backup is taken first and copied; these numbers are those of its latest snapshot, #1/);
    assert.equal(await page.locator('[data-target-empty]').getAttribute('data-target-empty'), 'yes');
    assert.equal(await page.locator('[data-keys]').getAttribute('data-keys'), 'rewrap', 'a 1.1 Sync Key’s bulk keys are re-wrapped with the target’s kB');
    assert.equal(await page.locator('[data-meta-global]').getAttribute('data-meta-global'), 'convert');
    assert.equal(await page.locator('[data-mode-choice]').count(), 0, 'an empty target asks for no Replace or Merge');

    // The plan's numbers are the source's, as the sandbox holds it.
    const rows = await planRows(page);
    const planned = new Map(rows.map((row) => [row.collection, row]));
    for (const [collection, count] of held) {
      if (count === 0) continue;
      const row = planned.get(collection);
      assert.ok(row !== undefined, `the plan lists ${collection} (it lists ${rows.map((each) => each.collection).join(', ')})`);
      assert.equal(row.records + row.skipped, count, `${collection}: ${row.records} to copy and ${row.skipped} left out of the ${count} the source holds`);
      assert.equal(row.targetRecords, 0);
    }
    assert.equal(planned.get('bookmarks')?.records, held.get('bookmarks'), 'every bookmark moves');
    assert.equal(planned.get('passwords')?.records, held.get('passwords'), 'every password moves');
    assert.equal(Number(await plan.getAttribute('data-total-records')), rows.reduce((sum, row) => sum + row.records, 0));
    assert.match(await page.locator('.migration-plan-table tr[data-collection="bookmarks"]').innerText(), new RegExp(`bookmarks[\\s\\S]*${held.get('bookmarks')}`));
    assert.equal((await readBack(stack.sandbox, target.sandbox.email, 'bookmarks')).size, 0, 'planning wrote nothing');
    await browser.screenshot('migrate-02-plan');

    // Run: each upload to the target waits a little, so the bar is seen between 0 and 100.
    await stack.sandbox.control('POST', '/faults', { path: '^/storage/1\\.5/[^/]+/storage/[a-z]+$', method: 'POST', count: 1000, kind: 'delay', delayMs: 200 });
    try {
      await recordProgressValues(page);
      const run = page.getByRole('button', { name: 'Run the migration' });
      assert.equal(await run.isEnabled(), true);
      await run.click();
      await page.getByRole('heading', { name: '3. Migrating…' }).or(page.getByRole('heading', { name: '3. Migration finished' })).waitFor();
      await page.getByRole('progressbar', { name: 'Migration from old-weave to own-server' }).waitFor();
      await page.waitForFunction(() => (window.__progressValues ?? []).some((value) => value > 0 && value < 100));
      await browser.screenshot('migrate-03-running');
      await page.getByRole('heading', { name: 'Migrated and verified', level: 2 }).waitFor({ timeout: 180_000 });
    } finally {
      await stack.sandbox.control('DELETE', '/faults');
    }
    const values = await page.evaluate(() => window.__progressValues ?? []);
    assert.equal(values[values.length - 1], 100, `the bar ends full: ${values.join(', ')}`);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `the bar never goes back: ${values.join(', ')}`);
    assert.equal(await page.locator('.migration-progress').getAttribute('data-state'), 'completed');

    const report = page.locator('.migration-result');
    assert.equal(await report.getAttribute('data-verification'), 'ok');
    assert.match(await report.locator('[data-verified]').innerText(), /Verified/);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent ?? null), 'Migrated and verified', 'the focus moves to the result');
    const verified = report.locator('tr[data-verified-collection="bookmarks"]');
    assert.equal(await verified.getAttribute('data-found'), String(held.get('bookmarks')));
    assert.equal(await verified.getAttribute('data-mismatches'), '0');

    // The settings for Firefox: the sandbox's token server, copied with one click.
    const uri = report.locator('[data-token-server-uri]');
    assert.equal(await uri.innerText(), stack.sandbox.urls.tokenServer);
    await report.getByRole('button', { name: 'Copy the token server URI' }).click();
    await report.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), stack.sandbox.urls.tokenServer);
    const desktop = report.getByRole('region', { name: 'Firefox for desktop' });
    assert.match(await desktop.innerText(), /identity\.sync\.tokenserver\.uri/);
    await browser.screenshot('migrate-04-verified');

    // Behind the servers' backs: the target decrypts with its own keys, and holds the source's bookmarks and logins.
    for (const collection of ['bookmarks', 'passwords']) {
      const from = await readBack(stack.sandbox, source.sandbox.email, collection);
      const to = await readBack(stack.sandbox, target.sandbox.email, collection);
      assert.equal(to.size, from.size, `${collection}: as many records on the target`);
      for (const [id, cleartext] of from) assert.deepEqual(to.get(id), cleartext, `${collection}/${id} arrived as it was`);
    }

    // Past migrations lists it; its report has its own page.
    const past = page.locator('.migration-list tbody tr');
    await past.first().waitFor();
    assert.equal(await past.count(), 1);
    assert.equal(await past.first().getAttribute('data-status'), 'completed');
    await past.first().getByRole('link', { name: /^Report of the migration/ }).click();
    await page.waitForURL((address) => /^\/migrate\/[^/]+$/.test(address.pathname));
    await page.getByRole('heading', { name: 'Migrated and verified', level: 2 }).waitFor();
    assert.equal(await page.locator('.migration-page').getAttribute('data-status'), 'completed');
    assert.equal(await page.locator('[data-token-server-uri]').innerText(), stack.sandbox.urls.tokenServer);
    await browser.screenshot('migrate-05-report-page');
  });

  it('refuses a target that holds data until Replace or Merge is chosen, and says when no target is left', async () => {
    const { page } = browser;
    await page.goto(`${stack.dashboard.url}/migrate?source=old-weave&target=own-server`);
    await page.getByRole('heading', { name: 'Migrate', level: 1 }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#migrate-target option').length > 1);
    assert.equal(await page.getByLabel('Target account').inputValue(), target.id);

    // A snapshot as the source: the newest, which the migration took.
    const [newest] = await stack.api.expect<Array<{ seq: number; tags: string[] }>>(200, 'GET', '/api/accounts/old-weave/snapshots?status=complete');
    assert.equal(newest?.seq, 2, 'the migration backed the live account up first');
    await page.getByRole('radio', { name: /One of its snapshots/ }).check();
    assert.equal(await page.getByLabel('Snapshot', { exact: true }).inputValue(), '2');
    await page.getByRole('button', { name: 'Plan the migration' }).click();
    const plan = page.locator('.migration-plan');
    await plan.waitFor();
    assert.equal(await plan.getAttribute('data-refused'), 'yes');
    assert.equal(await page.locator('[data-target-empty]').getAttribute('data-target-empty'), 'no');
    assert.match(await page.locator('[data-refusal]').innerText(), /cannot run as asked[\s\S]*Choose Replace or Merge above/i);
    assert.equal(await page.getByRole('button', { name: 'Run the migration' }).isDisabled(), true, 'Run is disabled while the plan refuses');
    assert.match(await plan.locator('[data-source-snapshot]').innerText(), /^Snapshot #2 of .*, as it is\.$/);
    const choice = page.locator('[data-mode-choice]');
    await choice.waitFor();
    assert.match(await choice.locator('legend').innerText(), /own-server already holds data/);
    await browser.screenshot('migrate-06-refused');

    await choice.getByRole('radio', { name: /^Replace/ }).check();
    await page.locator('.migration-plan[data-refused="no"]').waitFor();
    assert.equal(await page.locator('[data-mode]').getAttribute('data-mode'), 'replace');
    assert.equal(await page.getByRole('button', { name: 'Run the migration' }).isEnabled(), true);
    assert.equal(await page.locator('[data-refusal]').count(), 0);
    await browser.screenshot('migrate-07-replace-chosen');

    // The Sync 1.5 account as the source: no other 1.5 account is left to migrate to.
    await page.getByLabel('Source account').selectOption(target.id);
    const none = page.getByText('No account to migrate to.');
    await none.waitFor();
    assert.equal(await page.getByLabel('Target account').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'add the Sync 1.5 account' }).getAttribute('href'), '/add-account');
    assert.equal(await page.getByRole('button', { name: 'Plan the migration' }).isDisabled(), true);
    await browser.screenshot('migrate-08-no-target');
  });

  it('stops a running migration and resumes it from its checkpoint', async () => {
    const { page } = browser;
    const second = await addFxaAccount(stack, 'second-server', 'none');
    // Small uploads that each wait a little: a window to stop in the middle.
    const configuration = await stack.sandbox.control<Record<string, number>>('GET', '/configuration');
    await stack.sandbox.control('PUT', '/configuration', { max_post_records: 5 });
    await stack.sandbox.control('POST', '/faults', { path: '^/storage/1\\.5/[^/]+/storage/[a-z]+$', method: 'POST', count: 1000, kind: 'delay', delayMs: 400 });
    let total: number;
    try {
      await page.goto(`${stack.dashboard.url}/migrate?source=old-weave&target=second-server`);
      await page.waitForFunction(() => document.querySelectorAll('#migrate-target option').length > 1);
      await page.getByRole('radio', { name: /One of its snapshots/ }).check();
      await page.getByRole('button', { name: 'Plan the migration' }).click();
      await page.locator('.migration-plan[data-refused="no"]').waitFor();
      total = Number(await page.locator('.migration-plan').getAttribute('data-total-records'));
      await page.getByRole('button', { name: 'Run the migration' }).click();
      await page.waitForFunction(() => {
        const bar = document.querySelectorAll('.migration-progress [role="progressbar"]')[0];
        return bar !== undefined && Number(bar.getAttribute('aria-valuenow')) > 20;
      });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      const stopped = page.locator('.migration-progress[data-stopped="yes"]');
      await stopped.waitFor();
      assert.match(await stopped.innerText(), /Stopped\.[\s\S]*resumes it from its checkpoint/);
      await page.getByRole('heading', { name: '3. Migration stopped' }).waitFor();
      await page.locator('.migration-list tr[data-status="interrupted"]').waitFor();
      await browser.screenshot('migrate-09-stopped');

      await page.getByRole('button', { name: 'Plan it again' }).click();
      await page.getByRole('button', { name: 'Plan the migration' }).click();
      const resumes = page.locator('[data-resumes]');
      await resumes.waitFor();
      const [, done, of] = /\((\d+) of (\d+) records\s+uploaded\)/.exec(await resumes.innerText()) ?? [];
      assert.ok(Number(done) > 0 && Number(done) < Number(of), `stopped part-way: ${done} of ${of}`);
      assert.equal(await page.locator('.migration-plan').getAttribute('data-refused'), 'no', 'a resumed migration is not refused for the records it already wrote');
      await page.getByRole('button', { name: 'Resume the migration' }).click();
      await page.getByRole('heading', { name: 'Migrated and verified', level: 2 }).waitFor({ timeout: 180_000 });
    } finally {
      await stack.sandbox.control('DELETE', '/faults');
      await stack.sandbox.control('PUT', '/configuration', configuration);
    }
    const report = page.locator('.migration-result');
    assert.equal(await report.getAttribute('data-verification'), 'ok');
    assert.match(await report.locator('[data-records-sent]').innerText(), new RegExp(`^${total} sent, \\d+ of them by this run \\(it resumed an interrupted one\\)$`));
    await report.getByRole('columnheader', { name: 'Uploaded by this run' }).waitFor();
    await browser.screenshot('migrate-09b-resumed');
    for (const collection of ['bookmarks', 'passwords']) {
      const from = await readBack(stack.sandbox, source.sandbox.email, collection);
      const to = await readBack(stack.sandbox, second.sandbox.email, collection);
      assert.deepEqual(new Map([...to].sort()), new Map([...from].sort()), `${collection}: everything arrived once`);
    }
  });

  it('phone-sized: the wizard, the plan and a report fit the screen', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await page.goto(`${stack.dashboard.url}/migrate?source=old-weave&target=own-server`);
      await signIn(page);
      await page.waitForFunction(() => document.querySelectorAll('#migrate-target option').length > 1);
      await page.getByRole('button', { name: 'Plan the migration' }).click();
      await page.locator('.migration-plan').waitFor();
      await page.locator('.migration-list tbody tr').first().waitFor();
      await phone.screenshot('migrate-10-phone-plan');
      let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the migrate page scrolls sideways by ${overflow}px`);

      await page.locator('.migration-list tbody tr').first().getByRole('link', { name: /^Report of the migration/ }).click();
      await page.getByRole('heading', { name: 'Migrated and verified', level: 2 }).waitFor();
      await phone.screenshot('migrate-11-phone-report');
      overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the report page scrolls sideways by ${overflow}px`);
    } finally {
      await phone.close();
    }
  });
});
