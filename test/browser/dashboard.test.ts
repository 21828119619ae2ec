/**
 * The dashboard in Debian's Chromium against the full stack (daemon with its workers, the sandbox,
 * PostgreSQL, Redis, the standalone Next.js server): signing in, the overview, a backup watched to
 * 100% over Server-Sent Events, a failed job's error, signing out, a phone-sized screen. Every
 * journey saves screenshots to test/browser/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronExpressionParser } from 'cron-parser';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import type { PageDocument, PageGetComputedStyle, PageWindow } from './support/page-dom.js';
import { addFxaAccount, addLegacyAccount, startStack, type Stack } from './support/stack.js';
import { progressValues, recordProgressValues, signIn } from './support/page-actions.js';

interface Snapshot {
  seq: number;
  status: string;
  collections: Record<string, { count: number }>;
}

interface Job {
  id: string;
  state: string;
  failedReason: string | null;
}

// The page's globals, for the callbacks that run there.
declare const document: PageDocument;
declare const window: PageWindow;
declare const getComputedStyle: PageGetComputedStyle;

const SESSION_COOKIE = 'syncvault_session';
const count = (value: number) => new Intl.NumberFormat('en').format(value);
const records = (snapshot: Snapshot) => Object.values(snapshot.collections).reduce((sum, collection) => sum + collection.count, 0);

describe('dashboard in a browser', () => {
  let stack: Stack;
  let url: string;
  let desktop: Awaited<ReturnType<typeof addFxaAccount>>;
  /** One signed-in browser shared by the journeys that follow each other. */
  let browser: TestBrowser;

  before(async () => {
    stack = await startStack('browser');
    url = stack.dashboard.url;
    desktop = await addFxaAccount(stack, 'desktop', { bookmarks: 40, history: 2500, passwords: 20, forms: 10, clients: 2, tabs: 1, prefs: true });
    await addLegacyAccount(stack, 'old-laptop', { bookmarks: 5, history: 10 });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('an unauthenticated browser gets the sign-in page for every route, and the API behind it answers 401', async () => {
    const anonymous = await launchBrowser();
    try {
      const { page } = anonymous;
      for (const route of ['/', '/accounts', '/accounts/desktop', '/jobs', '/no-such-page']) {
        await page.goto(`${url}${route}`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        const landed = new URL(page.url());
        assert.equal(landed.pathname, '/signin', `${route} shows the sign-in page`);
        assert.equal(landed.searchParams.get('next'), route === '/' ? null : route, `${route}: the sign-in page remembers where the browser was going`);
      }
      await page.getByText('created the admin user "admin" with the password').waitFor();
      await anonymous.screenshot('01-unauthenticated-sign-in');

      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['GET', '/api/accounts'],
        ['GET', '/api/accounts/desktop'],
        ['GET', '/api/accounts/desktop/snapshots'],
        ['POST', '/api/accounts/desktop/backups'],
        ['GET', '/api/jobs'],
        ['GET', '/api/jobs/some-job/events'],
      ] as const) {
        const answer = await page.request.fetch(`${url}${path}`, { method });
        assert.equal(answer.status(), 401, `${method} ${path} through the dashboard`);
        assert.match((await answer.json()).message, /sign in first/);
      }
      assert.equal((await stack.api.expect<unknown[]>(200, 'GET', '/api/jobs')).length, 0, 'the refused requests started nothing');

      // A cookie the daemon does not know (expired, revoked, forged) passes the presence check;
      // the API's 401 then sends the browser to the sign-in page.
      await anonymous.context.addCookies([{ name: SESSION_COOKIE, value: 'svs_not-a-session', url: stack.dashboard.origin }]);
      await page.goto(`${url}/jobs`);
      await page.waitForURL((address) => address.pathname === '/signin' && address.searchParams.get('next') === '/jobs');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await anonymous.close();
    }
  });

  it('signs in with the admin password and comes back to the page it was going to; the overview lists the accounts', async () => {
    browser = await launchBrowser();
    const { page } = browser;
    page.setDefaultTimeout(60_000);
    await page.goto(`${url}/accounts/desktop`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await signIn(page, 'not the password');
    await page.getByText('Wrong username or password.').waitFor();
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await browser.screenshot('02-sign-in-wrong-password');

    await signIn(page);
    await page.waitForURL(`${url}/accounts/desktop`);
    await page.getByRole('heading', { name: 'desktop', level: 1 }).waitFor();
    const session = (await browser.context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
    assert.ok(session !== undefined, 'the daemon’s session cookie reached the browser through the dashboard');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/');

    const navigation = page.getByRole('navigation', { name: 'Main' });
    await navigation.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL(`${url}/`);
    assert.equal(await navigation.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    const desktopCard = page.locator('[data-account="desktop"]');
    await desktopCard.waitFor();
    assert.match(await desktopCard.innerText(), /Self-hosted · Sync 1\.5/);
    assert.match(await desktopCard.innerText(), new RegExp(desktop.sandbox.email.replace(/[.+]/g, '\\$&')));
    assert.match(await desktopCard.innerText(), /Never backed up/);
    assert.match(await desktopCard.innerText(), /On demand only/);
    assert.match(await page.locator('[data-account="old-laptop"]').innerText(), /Legacy · Sync 1\.1/);
    await page.getByText('No job is running.').waitFor();
    await page.locator('.health-check').first().waitFor();
    const checks = await page.evaluate(() => Array.from(document.querySelectorAll('.health-check')).map((check) => `${check.querySelector('.health-name')?.textContent} ${check.querySelector('.badge')?.textContent}`));
    assert.deepEqual(checks, ['PostgreSQL OK', 'Redis OK', 'Workers OK']);
    await page.getByText('Signed in as').waitFor();
    await browser.screenshot('03-overview-signed-in');

    // Keyboard: the first Tab reaches the skip link, the next ones the navigation, each with a visible focus ring.
    await page.reload();
    await desktopCard.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    for (let step = 0; step < 3; step++) await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (element === null) return { text: undefined, outline: 'none', width: 0 };
      const style = getComputedStyle(element);
      return { text: element.textContent?.trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.deepEqual({ text: focused.text, visible: focused.outline !== 'none' && focused.width >= 2 }, { text: 'Accounts', visible: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${url}/accounts`);
    await page.locator('tr[data-account="old-laptop"]').waitFor();
    await browser.screenshot('04-accounts');
  });

  it('“Back up now” shows live progress up to 100% and the new snapshot in the list', async () => {
    const { page } = browser;
    // Each collection read waits a little, so the bar is seen between 0 and 100.
    await stack.sandbox.control('POST', '/faults', { path: `^/storage/1\\.5/${desktop.sandbox.storageUid}/storage/[a-z]+$`, method: 'GET', count: 1000, kind: 'delay', delayMs: 250 });
    try {
      await page.goto(`${url}/accounts/desktop`);
      await page.getByText('No snapshot yet.').waitFor();
      await recordProgressValues(page);
      await page.getByRole('button', { name: 'Back up now' }).click();
      const bar = page.getByRole('progressbar', { name: 'Backup of desktop' });
      await bar.waitFor();
      await page.waitForFunction(() => (window.__progressValues ?? []).some((value) => value > 0 && value < 100));
      await browser.screenshot('05-backup-in-progress');
      await page.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 180_000 });
    } finally {
      await stack.sandbox.control('DELETE', '/faults');
    }

    const [snapshot] = await stack.api.expect<Snapshot[]>(200, 'GET', '/api/accounts/desktop/snapshots');
    assert.equal(snapshot?.seq, 1);
    assert.equal(snapshot.status, 'complete');
    const total = records(snapshot);
    assert.ok(total > 2500, `${total} records`);
    await page.getByText(`Backup complete: snapshot #1 with ${count(total)} records.`).waitFor();
    const row = page.locator('tr[data-seq="1"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Complete/);
    assert.match(await row.innerText(), new RegExp(count(total)));

    const values = await progressValues(page);
    assert.equal(values.at(-1), 100, `the bar ends at 100 (${values.join(', ')})`);
    assert.ok(values.some((value) => value > 0 && value < 100), `the bar moved through values between 0 and 100 (${values.join(', ')})`);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `the bar never goes back (${values.join(', ')})`);
    await browser.screenshot('06-backup-done');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const card = page.locator('[data-account="desktop"]');
    await card.getByText(`${count(total)} records`).waitFor();
    assert.match(await card.innerText(), /OK/);
    await browser.screenshot('07-overview-after-backup');
  });

  it('browses the bookmark tree: folders open by mouse and keyboard, search opens the way to a seeded bookmark and marks it', async () => {
    const { page } = browser;
    const bookmarks = await stack.sandbox.control<Array<{ id: string; cleartext: Record<string, unknown> | null }>>('GET', `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records/bookmarks`);
    const live = bookmarks.flatMap((record) => (record.cleartext === null || record.cleartext['deleted'] === true ? [] : [record.cleartext]));
    const mozilla = live.find((record) => record['type'] === 'folder' && record['title'] === 'Mozilla Firefox');
    const getHelp = live.find((record) => record['type'] === 'bookmark' && record['title'] === 'Get Help');
    assert.ok(mozilla !== undefined && getHelp !== undefined, 'the sandbox seeded the default bookmarks');
    // A bookmark inside a folder inside a root, so that finding it has to open folders.
    const parentOf = new Map(live.map((record) => [String(record['id']), String(record['parentid'])]));
    const nested = live.find((record) => record['type'] === 'bookmark' && typeof record['title'] === 'string' && record['title'].length > 3 && !['menu', 'toolbar', 'unfiled', 'mobile'].includes(String(record['parentid'])) && parentOf.get(String(record['parentid'])) !== 'places');
    assert.ok(nested !== undefined, 'the sandbox seeded a bookmark in a folder');
    const item = (id: unknown) => page.locator(`[role="treeitem"][data-bookmark-id="${String(id)}"]`);

    await page.goto(`${url}/accounts/desktop/snapshots/1`);
    await page.getByRole('heading', { name: 'Snapshot #1', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Folders' }).getAttribute('aria-pressed'), 'true', 'bookmarks open as folders');
    const tree = page.getByRole('tree', { name: 'Bookmarks' });
    await tree.waitFor();
    const menu = item('menu');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await item(mozilla['id']).count(), 0, 'closed folders do not show their items');

    // Mouse: open the menu.
    await menu.locator(':scope > .tree-row').click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    // Keyboard: step to “Mozilla Firefox” and open it.
    await item(mozilla['id']).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await item(mozilla['id']).getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    await item(getHelp['id']).waitFor();
    assert.ok((await item(getHelp['id']).innerText()).includes(String(getHelp['bmkUri'])), 'a bookmark shows its URL');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'Enter closes the folder again');
    assert.equal(await menu.evaluate((element) => element === document.activeElement), true, 'Home moved the focus to the first root');

    // Search by title: the folders down to the bookmark open, and it is marked.
    await page.getByRole('searchbox', { name: 'Search the bookmark tree' }).fill(String(nested['title']).toUpperCase());
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    const found = item(nested['id']);
    await found.waitFor();
    assert.equal(await found.getAttribute('data-match'), 'true');
    assert.equal((await found.locator(':scope > .tree-row mark').first().innerText()).toLowerCase(), String(nested['title']).toLowerCase());
    assert.equal(await item(nested['parentid']).getAttribute('aria-expanded'), 'true', 'its folder was opened');
    await found.scrollIntoViewIfNeeded();
    await browser.screenshot('07a-bookmark-tree-found');

    // Search by URL works too.
    await page.getByRole('searchbox', { name: 'Search the bookmark tree' }).fill(String(getHelp['bmkUri']));
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText(/items? matche?s? “/).waitFor();
    assert.equal(await item(getHelp['id']).getAttribute('data-match'), 'true');
  });

  it('browses the snapshot: finds a seeded bookmark by its title, shows logins with their passwords masked', async () => {
    const { page } = browser;
    const sandboxRecords = (collection: string) =>
      stack.sandbox.control<Array<{ id: string; cleartext: Record<string, unknown> | null }>>('GET', `/accounts/${encodeURIComponent(desktop.sandbox.email)}/records/${collection}`);
    const bookmark = (await sandboxRecords('bookmarks')).find((record) => record.cleartext?.['type'] === 'bookmark' && typeof record.cleartext['title'] === 'string')?.cleartext ?? undefined;
    assert.ok(bookmark !== undefined, 'the sandbox seeded a bookmark');

    await page.goto(`${url}/accounts/desktop`);
    await page.locator('tr[data-seq="1"]').getByRole('link', { name: '#1' }).click();
    await page.getByRole('heading', { name: 'Snapshot #1', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^bookmarks/ }).getAttribute('aria-pressed'), 'true', 'bookmarks open first');
    await page.getByRole('button', { name: 'All records' }).click();
    await page.getByRole('searchbox', { name: 'Search bookmarks' }).fill(String(bookmark['title']));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const found = page.locator(`tr[data-record-id="${String(bookmark['id'])}"]`);
    await found.waitFor();
    assert.ok((await found.innerText()).includes(String(bookmark['bmkUri'])), 'the bookmark’s URL is shown');
    await browser.screenshot('07b-snapshot-bookmark-found');

    const login = (await sandboxRecords('passwords')).find((record) => typeof record.cleartext?.['password'] === 'string')?.cleartext ?? undefined;
    assert.ok(login !== undefined);
    await page.getByRole('button', { name: /^passwords/ }).click();
    const row = page.locator(`tr[data-record-id="${String(login['id'])}"]`);
    await row.waitFor();
    const shown = await row.innerText();
    assert.match(shown, /\*{8}/, 'the password is masked');
    assert.ok(!shown.includes(String(login['password'])), 'the real password is not on the page');
    assert.ok(shown.includes(String(login['username'])), 'the username is shown');
    await browser.screenshot('07c-snapshot-passwords');

    // Revealing shows that one password, and only it; revealing another masks the first again.
    const logins = (await sandboxRecords('passwords')).flatMap((record) => (typeof record.cleartext?.['password'] === 'string' ? [record.cleartext] : []));
    const other = logins.find((candidate) => candidate['id'] !== login['id'] && candidate['password'] !== login['password']);
    assert.ok(other !== undefined);
    const otherRow = page.locator(`tr[data-record-id="${String(other['id'])}"]`);
    await row.getByRole('button', { name: /^Reveal the password/ }).click();
    await row.getByText(String(login['password']), { exact: true }).waitFor();
    const pageText = await page.locator('table.records').innerText();
    for (const candidate of logins) {
      if (candidate['id'] !== login['id'] && candidate['password'] !== login['password']) assert.ok(!pageText.includes(String(candidate['password'])), 'no other password is on the page');
    }
    assert.equal(await page.locator('.password-clear').count(), 1);
    await browser.screenshot('07d-snapshot-password-revealed');
    await otherRow.getByRole('button', { name: /^Reveal the password/ }).click();
    await otherRow.getByText(String(other['password']), { exact: true }).waitFor();
    assert.ok(!(await row.innerText()).includes(String(login['password'])), 'the first password is masked again');
    assert.match(await row.innerText(), /\*{8}/);
    await otherRow.getByRole('button', { name: /^Hide the password/ }).click();
    await page.locator('.password-clear').waitFor({ state: 'detached' });
  });

  it('a failed backup shows its error on the account page and the Jobs page', async () => {
    const { page } = browser;
    // The storage server is down for this account: every request answers 503, past the retry bound.
    await stack.sandbox.control('POST', '/faults', { path: `^/storage/1\\.5/${desktop.sandbox.storageUid}/`, count: 1000, kind: '503', retryAfter: 0 });
    let failed: Job;
    try {
      await page.goto(`${url}/accounts/desktop`);
      await page.locator('tr[data-seq="1"]').waitFor();
      await page.getByRole('button', { name: 'Back up now' }).click();
      const progress = page.locator('.job-progress[data-state="failed"]');
      await progress.waitFor({ timeout: 180_000 });
      const jobId = await progress.getAttribute('data-job-id');
      failed = await stack.api.expect<Job>(200, 'GET', `/api/jobs/${jobId}`);
    } finally {
      await stack.sandbox.control('DELETE', '/faults');
    }
    assert.equal(failed.state, 'failed');
    assert.ok(failed.failedReason !== null && failed.failedReason.length > 0);
    await page.locator('.job-progress .job-error').getByText(failed.failedReason, { exact: true }).waitFor();
    await browser.screenshot('08-account-backup-failed');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL(`${url}/jobs`);
    const row = page.locator(`tr[data-job-id="${failed.id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'failed');
    assert.match(await row.innerText(), /Failed/);
    await row.getByText(failed.failedReason, { exact: true }).waitFor();
    assert.match(await page.locator('tr[data-state="completed"]').first().innerText(), /Snapshot #1/);
    await browser.screenshot('09-jobs-with-failure');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const card = page.locator('[data-account="desktop"]');
    await card.getByText('Failed', { exact: true }).waitFor();
    assert.match(await card.innerText(), /Last good: /);
    await browser.screenshot('10-overview-after-failure');
  });

  it('edits the schedule: saved to the daemon, a bad one refused with the daemon’s reason, the next run shown moves with it', async () => {
    const { page } = browser;
    await page.goto(`${url}/accounts/desktop`);
    const schedule = page.getByLabel('Back up automatically');
    await schedule.fill('every 5 parsecs');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const refused = page.locator('.schedule-form .banner-error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /schedule/i);
    assert.equal((await stack.api.expect<{ schedule: string | null }>(200, 'GET', '/api/accounts/desktop')).schedule, null, 'nothing was saved');

    const saved6hAt = new Date().toISOString();
    await schedule.fill('every 6h');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved: Every 6h.').waitFor();
    await page.locator('.facts-inline').getByText('Every 6h').waitFor();
    assert.equal((await stack.api.expect<{ schedule: string | null }>(200, 'GET', '/api/accounts/desktop')).schedule, 'every 6h');
    await browser.screenshot('11a-schedule-saved');

    const nextRun = page.locator('.facts-inline [data-next-run] time');
    await nextRun.waitFor();
    const every6h = Date.parse((await nextRun.getAttribute('datetime')) ?? '');
    assert.ok(every6h > Date.parse(saved6hAt) && every6h <= Date.now() + 6 * 3600_000, 'the next run is within one interval of the change');

    // A cron pattern, then another: each time the next run shown is the pattern's next time in UTC.
    for (const pattern of ['0 3 * * *', '30 4 * * 1']) {
      const asked = new Date();
      await schedule.fill(pattern);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(`Saved: Cron ${pattern} (UTC).`).waitFor();
      const expected = [asked, new Date()].map((from) => CronExpressionParser.parse(pattern, { tz: 'UTC', currentDate: from }).next().toDate().toISOString());
      await page.waitForFunction((wanted) => wanted.includes(document.body.querySelector('.facts-inline [data-next-run] time')?.getAttribute('datetime') ?? ''), expected);
      if (pattern === '0 3 * * *') await browser.screenshot('11b-schedule-next-run');
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const onOverview = page.locator('[data-account="desktop"] [data-next-run] time');
    await onOverview.waitFor();
    assert.equal(await onOverview.getAttribute('datetime'), await stack.api.expect<{ nextRunAt: string | null }>(200, 'GET', '/api/accounts/desktop').then((account) => account.nextRunAt));
    await page.goto(`${url}/accounts/desktop`);

    await schedule.fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved: On demand only.').waitFor();
    await page.locator('.facts-inline [data-next-run]').getByText('None (on demand only)').waitFor();
    assert.equal((await stack.api.expect<{ schedule: string | null }>(200, 'GET', '/api/accounts/desktop')).schedule, null);
  });

  it('is readable on a phone: no sideways scrolling, navigation at hand', async () => {
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = phone;
      page.setDefaultTimeout(60_000);
      await page.goto(`${url}/`);
      await phone.screenshot('11-phone-sign-in');
      await signIn(page);
      await page.waitForURL(`${url}/`);
      for (const [route, ready, name] of [
        ['/', '[data-account="desktop"]', '12-phone-overview'],
        ['/accounts/desktop', 'tr[data-seq="1"]', '13-phone-account'],
        ['/jobs', 'tr[data-state="failed"]', '14-phone-jobs'],
      ] as const) {
        await page.goto(`${url}${route}`);
        await page.locator(ready).first().waitFor();
        await phone.screenshot(name);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route} is ${overflow}px wider than the phone`);
        for (const label of ['Overview', 'Accounts', 'Jobs']) assert.ok(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).isVisible(), `${route}: ${label} is in view`);
      }
    } finally {
      await phone.close();
    }
  });

  it('signs out: the session ends at the daemon and every page asks to sign in again', async () => {
    const { page, context } = browser;
    const session = (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
    assert.ok(session !== undefined);
    await page.goto(`${url}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/signin');
    assert.equal((await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE), undefined, 'the cookie is gone');
    await browser.screenshot('15-signed-out');

    const replayed = await fetch(`${stack.daemon.url}/api/auth/me`, { headers: { cookie: `${SESSION_COOKIE}=${session.value}` } });
    assert.equal(replayed.status, 401, 'the old session no longer works at the daemon');
    await page.goto(`${url}/accounts`);
    await page.waitForURL((address) => address.pathname === '/signin');
  });
});
