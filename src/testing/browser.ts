/**
 * Shared by the browser tests: Debian's Chromium driven by playwright-core,
 * and waiting for the app's renders. Functions run in the page are passed as
 * functions, never strings: the page's Content-Security-Policy forbids
 * evaluating strings (the string form of waitForFunction is an eval).
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './paths.js';

const CHROMIUM = '/usr/bin/chromium';
/** Why the browser tests are skipped, or false when Chromium is there. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`;

/** The page's globals, in functions that run in the page (the tests compile without the DOM library). */
export type InPage = any;

/** A headless Chromium with its own profile; page errors are collected into `errors`. */
export async function launchChromium(errors: string[], timeoutMs = 15_000): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(await tempDir('df2-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeoutMs);
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page };
}

/** Waits until the app has finished rendering a view. */
export async function appReady(page: Page): Promise<void> {
  await page.waitForSelector('#app[aria-busy=false]');
}

/** Runs an action that changes the page and waits until the app has rendered the new view. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = Number((await page.getAttribute('#app', 'data-render')) ?? 0);
  await action();
  await page.waitForFunction((n) => {
    const app = (globalThis as InPage).document.querySelector('#app');
    return Number(app.dataset.render ?? 0) > n && app.getAttribute('aria-busy') === 'false';
  }, before);
}
