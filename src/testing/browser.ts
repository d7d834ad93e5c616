/**
 * Real Chromium for the browser tests (Debian's, driven by playwright-core):
 * one launch setup, and the wait for the app's next finished render.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './paths.js';

export const CHROMIUM = '/usr/bin/chromium';
/** For `describe(..., { skip })`: false when Chromium is there, else why the tests are skipped. */
export const chromiumMissing: false | string = existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`;

/** A headless Chromium with its own profile; page errors are collected into `errors`. */
export async function launchChromium(errors: string[], timeoutMs = 15_000): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(await tempDir('df2-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeoutMs);
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page };
}

/** Runs an action that changes the page and waits until the app has rendered the new view. */
export async function afterRender(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = Number((await page.getAttribute('#app', 'data-render')) ?? 0);
  await action();
  await page.waitForFunction(`Number(document.querySelector('#app').dataset.render ?? 0) > ${before} && document.querySelector('#app').getAttribute('aria-busy') === 'false'`);
}
