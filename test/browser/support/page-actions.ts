/** What several browser tests do on a page: sign in, and watch the progress bars. */
import type { Page } from 'playwright-core';
import type { PageDocument, PageMutationObserver, PageWindow } from './page-dom.js';
import { ADMIN_PASSWORD } from './stack.js';

declare const document: PageDocument;
declare const window: PageWindow;
declare const MutationObserver: PageMutationObserver;

/** Signs in as admin through the form on the sign-in page the browser is on. */
export async function signIn(page: Page, password = ADMIN_PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Records every value the page's progress bars take, from now on, in window.__progressValues. */
export async function recordProgressValues(page: Page): Promise<void> {
  await page.evaluate(() => {
    const values: number[] = [];
    window.__progressValues = values;
    const read = () => {
      for (const bar of Array.from(document.querySelectorAll('[role="progressbar"]'))) {
        const value = Number(bar.getAttribute('aria-valuenow'));
        if (values[values.length - 1] !== value) values.push(value);
      }
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
}

/** The values recordProgressValues saw so far. */
export function progressValues(page: Page): Promise<number[]> {
  return page.evaluate(() => window.__progressValues ?? []);
}
