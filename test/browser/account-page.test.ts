/**
 * The account page's storage, retention and chart parts in Debian's Chromium against the full
 * stack: storage used on the overview and the accounts list, a retention policy edited with its
 * live preview (nothing removed), saved and still there after a reload, and the records-over-time
 * chart with its legend, its table and its empty state, on a desktop and a phone screen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR, launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageWindow } from './support/page-dom.js';
import { addFxaAccount, startStack, type Stack } from './support/stack.js';
import { signIn } from './support/page-actions.js';

interface Snapshot {
  seq: number;
  status: string;
  startedAt: string;
  collections: Record<string, { count: number }>;
}

interface Account {
  id: string;
  retention: Record<string, number>;
  storage: { bytes: number; exclusiveBytes: number; versions: number; snapshots: number };
}

interface Preview {
  kept: Array<{ seq: number; reasons: string[] }>;
  removed: Array<{ seq: number; reason: string }>;
}

interface Job {
  state: string;
  failedReason: string | null;
  result: { seq: number } | null;
}

// The page's globals, for the callbacks that run there.
declare const document: PageDocument;
declare const window: PageWindow;

const DAY_MS = 86_400_000;
const count = (value: number) => new Intl.NumberFormat('en').format(value);

/** The seqs a preview list shows, in order. */
async function listedSeqs(page: Page, list: 'Snapshots kept' | 'Snapshots removed'): Promise<number[]> {
  const items = page.getByRole('list', { name: list }).locator('li');
  return (await items.evaluateAll((elements) => elements.map((element) => (element as unknown as { getAttribute(name: string): string | null }).getAttribute('data-seq')))).map(Number);
}

describe('account page: storage, retention preview, records chart', () => {
  let stack: Stack;
  let url: string;
  let browser: TestBrowser;
  let laptop: Awaited<ReturnType<typeof addFxaAccount>>;
  let snapshots: Snapshot[];

  async function backUp(): Promise<number> {
    const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
      if (job.state === 'failed') assert.fail(`the backup failed: ${job.failedReason}`);
      if (job.state === 'completed' && job.result !== null) return job.result.seq;
      if (Date.now() > deadline) assert.fail(`backup job ${jobId} still ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const write = (body: Record<string, unknown>) => stack.sandbox.control('POST', `/accounts/${encodeURIComponent(laptop.sandbox.email)}/records`, body);
  const visits = (index: number) => [{ date: (1_700_000_000_000 + index * 60_000) * 1000, type: 1 }];

  before(async () => {
    stack = await startStack('browser_account');
    url = stack.dashboard.url;
    laptop = await addFxaAccount(stack, 'laptop', { bookmarks: 15, history: 40, passwords: 8, forms: 4, prefs: true });
    await addFxaAccount(stack, 'tablet', { bookmarks: 3 });

    // Four snapshots, the data changing in between, so the chart has lines that move.
    assert.equal(await backUp(), 1);
    await write({ collection: 'history', upsert: Array.from({ length: 25 }, (_, index) => ({ id: `added-page-${index}`, histUri: `https://added.example/${index}`, title: `Added ${index}`, visits: visits(index) })) });
    assert.equal(await backUp(), 2);
    await write({ collection: 'forms', upsert: Array.from({ length: 12 }, (_, index) => ({ id: `added-form-${index}`, name: 'q', value: `query ${index}` })) });
    assert.equal(await backUp(), 3);
    await write({ collection: 'history', delete: Array.from({ length: 15 }, (_, index) => `added-page-${index}`) });
    assert.equal(await backUp(), 4);

    // A backup takes seconds; as if #1 and #2 were taken on the two days before #3 and #4 (one
    // UTC day), so that daily rules and the time axis have something to show.
    const fourth = await stack.world.prisma.snapshot.findUniqueOrThrow({ where: { accountId_seq: { accountId: laptop.id, seq: 4 } } });
    const dayStart = Math.floor(fourth.startedAt.getTime() / DAY_MS) * DAY_MS;
    const moved: Array<[number, number]> = [
      [1, dayStart - 2 * DAY_MS + 9 * 3600_000],
      [2, dayStart - DAY_MS + 15 * 3600_000],
      [3, dayStart + Math.floor((fourth.startedAt.getTime() - dayStart) / 2)],
    ];
    for (const [seq, at] of moved) {
      await stack.world.prisma.snapshot.update({ where: { accountId_seq: { accountId: laptop.id, seq } }, data: { startedAt: new Date(at), finishedAt: new Date(at + 2000) } });
    }
    snapshots = await stack.api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.deepEqual(snapshots.map((snapshot) => snapshot.seq), [4, 3, 2, 1]);

    browser = await launchBrowser();
    browser.page.setDefaultTimeout(60_000);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the storage each account uses on the overview, the accounts list and the account page', async () => {
    const { page } = browser;
    const account = await stack.api.expect<Account>(200, 'GET', '/api/accounts/laptop');
    assert.equal(account.storage.snapshots, 4);
    assert.ok(account.storage.bytes > 1000);

    await page.goto(`${url}/`);
    await signIn(page);
    const card = page.locator('[data-account="laptop"] [data-storage]');
    await card.getByText('4 snapshots', { exact: false }).waitFor();
    assert.equal(await card.locator('[data-storage-bytes]').getAttribute('data-storage-bytes'), String(account.storage.bytes));
    assert.match(await card.innerText(), /Storage used\s+[\d.]+ (kB|MB) · 4 snapshots/);
    assert.match(await page.locator('[data-account="tablet"] [data-storage]').innerText(), /Nothing stored yet/);
    await browser.screenshot('account-01-overview-storage');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    const cell = page.locator('tr[data-account="laptop"] td[data-storage]');
    await cell.getByText('4 snapshots', { exact: false }).waitFor();
    assert.equal(await cell.locator('[data-storage-bytes]').getAttribute('data-storage-bytes'), String(account.storage.bytes));
    await browser.screenshot('account-02-accounts-storage');

    await page.goto(`${url}/accounts/laptop`);
    const fact = page.locator('.facts-inline [data-storage]');
    await fact.getByText(`${count(account.storage.versions)} record versions`, { exact: false }).waitFor();
    assert.match(await fact.innerText(), /[\d.]+ (kB|MB) · 4 snapshots/);
  });

  it('previews an edited retention policy live, refuses a bad rule, saves it, and shows it saved after a reload; nothing is removed', async () => {
    const { page } = browser;
    await page.goto(`${url}/accounts/laptop`);
    const retention = page.getByRole('region', { name: /^Preview/ });
    const summary = retention.locator('.preview-summary');
    await summary.getByText('Keeps 4 snapshots, removes 0.').waitFor();
    assert.match(await retention.innerText(), /saved policy/);

    await page.getByLabel('Keep daily').fill('2');
    await summary.getByText('Keeps 2 snapshots, removes 2.').waitFor();
    const expected = await stack.api.expect<Preview>(200, 'POST', '/api/accounts/laptop/retention/preview', { policy: { keepDaily: 2 } });
    assert.deepEqual(expected.removed.map((snapshot) => snapshot.seq), [3, 1], 'the newest of each of the last two days stays');
    assert.deepEqual(await listedSeqs(page, 'Snapshots kept'), expected.kept.map((snapshot) => snapshot.seq));
    assert.deepEqual(await listedSeqs(page, 'Snapshots removed'), [3, 1]);
    assert.match(await retention.innerText(), /not saved/);
    assert.match(await page.getByRole('list', { name: 'Snapshots kept' }).locator('li[data-seq="4"]').innerText(), /daily, newest/);
    await retention.scrollIntoViewIfNeeded();
    await browser.screenshot('account-03-retention-preview');

    // A rule that is not a whole number: said at the field, no preview, and Save sends nothing.
    const keepLast = page.getByLabel('Keep last');
    await keepLast.fill('two');
    await page.getByText('A whole number of snapshots (0 or more), or empty.').waitFor();
    assert.equal(await keepLast.getAttribute('aria-invalid'), 'true');
    await summary.getByText('Fix the highlighted rule to see the preview.').waitFor();
    await page.getByRole('button', { name: 'Save retention policy' }).click();
    assert.equal(await keepLast.evaluate((element) => element === (document.activeElement as unknown)), true, 'Save moved the focus to the bad rule');
    assert.deepEqual((await stack.api.expect<Account>(200, 'GET', '/api/accounts/laptop')).retention, {}, 'nothing was saved');
    await browser.screenshot('account-04-retention-invalid');

    await keepLast.fill('');
    await summary.getByText('Keeps 2 snapshots, removes 2.').waitFor();
    await page.getByRole('button', { name: 'Save retention policy' }).click();
    await page.getByText('Saved: Keep 2 daily.').waitFor();
    await page.locator('.facts-inline').getByText('Keep 2 daily').waitFor();
    assert.deepEqual((await stack.api.expect<Account>(200, 'GET', '/api/accounts/laptop')).retention, { keepDaily: 2 });
    assert.deepEqual((await stack.api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots')).map((snapshot) => snapshot.seq), [4, 3, 2, 1], 'saving removed nothing');

    await page.reload();
    await summary.getByText('Keeps 2 snapshots, removes 2.').waitFor();
    assert.equal(await page.getByLabel('Keep daily').inputValue(), '2');
    assert.equal(await page.getByLabel('Keep last').inputValue(), '');
    assert.match(await retention.innerText(), /saved policy/);
    assert.deepEqual(await listedSeqs(page, 'Snapshots removed'), [3, 1]);
    assert.equal(await page.getByRole('button', { name: 'Save retention policy' }).isDisabled(), true, 'nothing to save');
    await retention.scrollIntoViewIfNeeded();
    await browser.screenshot('account-05-retention-saved');
  });

  it('charts the records of each collection over the snapshots, with a legend, a table and an empty state', async () => {
    const { page } = browser;
    await page.goto(`${url}/accounts/laptop`);
    const chart = page.locator('figure.chart');
    await chart.waitFor();
    const oldestFirst = [...snapshots].reverse();
    const collections = [...new Set(oldestFirst.flatMap((snapshot) => Object.keys(snapshot.collections)))].sort();
    for (const expected of ['bookmarks', 'forms', 'history', 'passwords', 'prefs']) assert.ok(collections.includes(expected));

    const legend = chart.getByRole('group', { name: 'Collections drawn' });
    assert.deepEqual(await legend.getByRole('button').evaluateAll((buttons) => buttons.map((button) => (button as unknown as { getAttribute(name: string): string | null }).getAttribute('data-collection'))), collections);
    const drawn = async () => chart.locator('g.chart-series').evaluateAll((groups) => groups.map((group) => (group as unknown as { getAttribute(name: string): string | null }).getAttribute('data-collection')));
    assert.deepEqual(await drawn(), collections.filter((name) => name !== 'meta' && name !== 'crypto'), 'every collection but the one-record service ones is drawn');
    assert.equal(await chart.locator('g.chart-series[data-collection="history"] circle').count(), 4, 'a point per snapshot');
    const image = chart.getByRole('img', { name: /Records per collection over time/ });
    assert.match((await image.getAttribute('aria-labelledby')) ?? '', /\S+ \S+/, 'the image is named by its title and described by its summary');
    await chart.scrollIntoViewIfNeeded();
    await browser.screenshot('account-06-chart');

    // The legend hides and shows lines.
    await legend.getByRole('button', { name: /^history/ }).click();
    assert.equal(await legend.getByRole('button', { name: /^history/ }).getAttribute('aria-pressed'), 'false');
    assert.ok(!(await drawn()).includes('history'));
    await legend.getByRole('button', { name: /^history/ }).click();
    assert.ok((await drawn()).includes('history'));

    // The same figures as a table: there for screen readers, on screen when asked for.
    const table = chart.getByRole('table');
    const rows = await table.locator('tbody tr').evaluateAll((elements) => elements.map((row) => (row as unknown as { textContent: string | null }).textContent ?? ''));
    assert.equal(rows.length, 4);
    const historyColumn = collections.indexOf('history');
    const cells = await table.locator('tbody tr').evaluateAll(
      (elements, column) => elements.map((row) => (row as unknown as { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('td')[column]?.textContent ?? ''),
      historyColumn,
    );
    assert.deepEqual(cells, oldestFirst.map((snapshot) => count(snapshot.collections['history']?.count ?? 0)), 'history, oldest first');
    assert.ok(new Set(cells).size > 1, 'history changed between snapshots');
    const tableWidth = async () => (await chart.getByRole('region', { name: 'Records per collection, as a table' }).boundingBox())?.width ?? 0;
    assert.ok((await tableWidth()) <= 1, 'visually hidden (1px) until asked for');
    await chart.getByRole('button', { name: 'Show as a table' }).click();
    assert.ok((await tableWidth()) > 200, 'shown on screen');
    assert.equal(await chart.getByRole('button', { name: 'Hide the table' }).getAttribute('aria-expanded'), 'true');
    await chart.scrollIntoViewIfNeeded();
    await browser.screenshot('account-07-chart-table');

    await page.emulateMedia({ colorScheme: 'dark' });
    await chart.scrollIntoViewIfNeeded();
    await browser.screenshot('account-08-chart-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.goto(`${url}/accounts/tablet`);
    await page.getByText('Not enough snapshots for a chart yet.').waitFor();
    assert.equal(await page.locator('figure.chart').count(), 0);
    await page.getByRole('region', { name: /^Preview/ }).getByText('No snapshot yet: nothing to keep or remove.').waitFor();
  });

  it('is readable on a phone: the chart fits the screen, the retention fields stack', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await page.goto(`${url}/accounts/laptop`);
      await signIn(page);
      await page.waitForURL(`${url}/accounts/laptop`);
      const chart = page.locator('figure.chart svg[role="img"]');
      await chart.waitFor();
      await page.locator('.preview-summary').getByText('Keeps 2 snapshots, removes 2.').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the account page is ${overflow}px wider than the phone`);
      const box = await chart.boundingBox();
      assert.ok(box !== null && box.width <= 390 && box.width >= 260, `the chart is ${box?.width}px wide`);
      await phone.screenshot('account-09-phone');
      await page.getByRole('region', { name: 'Retention' }).screenshot({ path: join(ARTIFACTS_DIR, 'account-10-phone-retention.png') });
      await page.getByRole('region', { name: 'Records over time' }).screenshot({ path: join(ARTIFACTS_DIR, 'account-11-phone-chart.png') });
    } finally {
      await phone.close();
    }
  });
});
