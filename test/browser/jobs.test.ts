/**
 * The Jobs page in Debian's Chromium against the full stack: a failed backup shows its error as it
 * happens, is retried from the page once the fault is gone and completes; a running backup is
 * cancelled after a confirmation. Every change reaches the page over the one all-jobs event
 * stream, without reloading it. Screenshots go to test/browser/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { login } from '../api/support/daemon.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageWindow } from './support/page-dom.js';
import { addFxaAccount, startStack, type Stack } from './support/stack.js';

interface Job {
  id: string;
  state: string;
  failedReason: string | null;
  result: { seq: number } | null;
}

interface Snapshot {
  seq: number;
  status: string;
}

declare const document: PageDocument;
declare const window: PageWindow & { __sameDocument?: boolean };

const SESSION_COOKIE = 'syncvault_session';

async function jobOnceIn(stack: Stack, jobId: string, states: string[]): Promise<Job> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const job = await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) assert.fail(`job ${jobId} is still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Marks the loaded document, so that a test can tell the page was never reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
}

const sameDocument = (page: Page) => page.evaluate(() => window.__sameDocument === true);

describe('the Jobs page in a browser', () => {
  let stack: Stack;
  let url: string;
  let browser: TestBrowser;
  let desktop: Awaited<ReturnType<typeof addFxaAccount>>;
  let laptop: Awaited<ReturnType<typeof addFxaAccount>>;

  before(async () => {
    stack = await startStack('browser_jobs');
    url = stack.dashboard.url;
    desktop = await addFxaAccount(stack, 'desktop', { bookmarks: 20, history: 200, passwords: 8, forms: 4, clients: 2, tabs: 1, prefs: true });
    laptop = await addFxaAccount(stack, 'laptop', { bookmarks: 30, history: 600, passwords: 10, forms: 6, clients: 2, tabs: 1, prefs: true });
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(60_000);
    // Signed in as the dashboard's own sign-in would leave it (dashboard.test.ts drives the form).
    const cookie = await login(stack.daemon.url);
    const name = cookie.slice(0, cookie.indexOf('='));
    assert.equal(name, SESSION_COOKIE);
    await browser.context.addCookies([{ name, value: cookie.slice(name.length + 1), url: stack.dashboard.origin, httpOnly: true, sameSite: 'Strict' }]);
  });
  after(async () => {
    await stack?.sandbox.control('DELETE', '/faults').catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  it('a failed job shows its error as it happens; retried once the fault is gone, it completes', async () => {
    const { page } = browser;
    await page.goto(`${url}/jobs`);
    await page.getByText('No job yet.').waitFor();
    await page.locator('.live-status-on').waitFor();
    await markDocument(page);

    // The storage server is down for this account: every request answers 503, past the retry bound.
    await stack.sandbox.control('POST', '/faults', { path: `^/storage/1\\.5/${desktop.sandbox.storageUid}/`, count: 1000, kind: '503', retryAfter: 0 });
    const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/desktop/backups');
    const failed = await jobOnceIn(stack, jobId, ['failed', 'completed']);
    assert.equal(failed.state, 'failed');
    assert.ok(failed.failedReason !== null && failed.failedReason !== '');

    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await page.locator(`tr[data-job-id="${jobId}"][data-state="failed"]`).waitFor();
    await row.locator('.job-error').getByText(failed.failedReason, { exact: true }).waitFor();
    assert.match(await row.locator('.badge').innerText(), /^Failed$/);
    assert.match(await row.locator('.job-error-label').innerText(), /^Error$/);
    assert.ok(await sameDocument(page), 'the job appeared and failed on the page without a reload');
    assert.ok(await page.locator('.live-status-on').isVisible(), 'the page says it is live');
    await browser.screenshot('jobs-01-failed-with-error');

    // The filter shows the failed ones.
    await page.getByRole('button', { name: /^Failed/ }).click();
    assert.equal(await page.getByRole('button', { name: /^Failed/ }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.getByRole('button', { name: /^Running and queued/ }).click();
    await page.getByText('No job is running or queued.').waitFor();
    await page.getByRole('button', { name: /^All/ }).click();

    await stack.sandbox.control('DELETE', '/faults');
    const retry = row.getByRole('button', { name: 'Retry backup of desktop' });
    await retry.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('The backup of desktop is queued again.').waitFor();
    await page.locator(`tr[data-job-id="${jobId}"][data-state="completed"]`).waitFor({ timeout: 180_000 });
    const completed = await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    assert.equal(completed.state, 'completed');
    assert.equal(completed.result?.seq, 2, 'the retry made the next snapshot');
    await row.getByRole('link', { name: 'Snapshot #2' }).waitFor();
    assert.match(await row.locator('.badge').innerText(), /^Completed$/);
    assert.equal(await row.locator('.job-error').count(), 0, 'the old error is gone');
    assert.equal(await row.getByRole('button').count(), 0, 'a completed job offers nothing to do');
    assert.ok(await sameDocument(page), 'no reload either');
    const snapshots = await stack.api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.deepEqual(
      snapshots.map((snapshot) => [snapshot.seq, snapshot.status]),
      [
        [2, 'complete'],
        [1, 'failed'],
      ],
    );
    await browser.screenshot('jobs-02-retried-completed');
  });

  it('a running backup is cancelled after a confirmation and shows as cancelled', async () => {
    const { page } = browser;
    await page.goto(`${url}/jobs`);
    await page.locator('tbody tr').first().waitFor();
    await markDocument(page);
    // Every storage request of this account is held for a while, so the backup is running for long.
    await stack.sandbox.control('POST', '/faults', { path: `^/storage/1\\.5/${laptop.sandbox.storageUid}/`, count: 1000, kind: 'delay', delayMs: 1000 });
    const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.locator('[role="progressbar"]').waitFor();
    await page.locator(`tr[data-job-id="${jobId}"][data-state="active"]`).waitFor();
    // Reading collections, with the snapshot begun: the run the cancel must undo.
    await page.waitForFunction((id) => /\(collection \d+ of \d+\)/.test(document.body.querySelector(`tr[data-job-id="${id}"] .job-progress-phase`)?.textContent ?? ''), jobId);

    const cancel = row.getByRole('button', { name: 'Cancel backup of laptop' });
    await cancel.click();
    const confirm = row.getByRole('group', { name: 'Stop the backup of laptop?' });
    await confirm.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Stop backup', 'the confirmation takes the focus');
    await browser.screenshot('jobs-03-cancel-confirmation');
    // Escape keeps it running and gives the focus back.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Cancel backup of laptop');
    assert.equal((await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`)).state, 'active', 'nothing was cancelled');

    await cancel.click();
    await confirm.getByRole('button', { name: 'Stop backup' }).click();
    await page.getByRole('status').getByText('The backup of laptop is stopping.').waitFor();
    await page.locator(`tr[data-job-id="${jobId}"][data-state="failed"]`).waitFor({ timeout: 60_000 });
    assert.match(await row.locator('.badge').innerText(), /^Cancelled$/);
    assert.match(await row.locator('.job-error-label').innerText(), /^Cancelled before it finished/);
    assert.match(await row.locator('.job-error').innerText(), /stopped: cancelled on request$/);
    await row.getByRole('button', { name: 'Retry backup of laptop' }).waitFor();
    assert.ok(await sameDocument(page));
    const snapshots = await stack.api.expect<Snapshot[]>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.deepEqual(
      snapshots.map((snapshot) => [snapshot.seq, snapshot.status]),
      [[1, 'failed']],
      'the cancelled run left no complete snapshot',
    );
    await stack.sandbox.control('DELETE', '/faults');
    await browser.screenshot('jobs-04-cancelled');
  });

  it('the overview follows a running backup on the same stream to 100%, then shows the account’s new snapshot', async () => {
    const { page } = browser;
    await page.goto(`${url}/`);
    await page.getByText('No job is running.').waitFor();
    await markDocument(page);
    await stack.sandbox.control('POST', '/faults', { path: `^/storage/1\\.5/${laptop.sandbox.storageUid}/storage/[a-z]+$`, method: 'GET', count: 1000, kind: 'delay', delayMs: 300 });
    try {
      const { jobId } = await stack.api.expect<{ jobId: string }>(202, 'POST', '/api/accounts/laptop/backups');
      const bar = page.locator(`.job-progress[data-job-id="${jobId}"] [role="progressbar"]`);
      await page.waitForFunction((id) => {
        const value = Number(document.body.querySelector(`.job-progress[data-job-id="${id}"] [role="progressbar"]`)?.getAttribute('aria-valuenow'));
        return value > 0 && value < 100;
      }, jobId);
      assert.equal(await bar.getAttribute('aria-label'), 'backup of laptop');
      await browser.screenshot('jobs-05-overview-running');
      await page.locator(`.job-progress[data-job-id="${jobId}"][data-state="completed"] [aria-valuenow="100"]`).waitFor({ timeout: 180_000 });
    } finally {
      await stack.sandbox.control('DELETE', '/faults');
    }
    const [snapshot] = await stack.api.expect<Array<Snapshot & { collections: Record<string, { count: number }> }>>(200, 'GET', '/api/accounts/laptop/snapshots');
    assert.equal(snapshot?.status, 'complete');
    const records = Object.values(snapshot.collections).reduce((sum, collection) => sum + collection.count, 0);
    await page.locator('[data-account="laptop"]').getByText(`${new Intl.NumberFormat('en').format(records)} records`).first().waitFor();
    assert.ok(await sameDocument(page), 'the overview updated without a reload');
    await browser.screenshot('jobs-06-overview-done');
  });

  it('is readable on a phone, errors and actions included', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await phone.context.addCookies(await browser.context.cookies());
      await page.goto(`${url}/jobs`);
      await page.locator('tr[data-state="failed"] .job-error').first().waitFor();
      // Named once the accounts have loaded beside the jobs.
      await page.getByRole('button', { name: 'Retry backup of laptop' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the Jobs page is ${overflow}px wider than the phone`);
      await phone.screenshot('jobs-07-phone');
    } finally {
      await phone.close();
    }
  });
});
