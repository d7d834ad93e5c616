/**
 * The browser app's page rule in real Chromium (see src/web/router.ts): a
 * page that answers late never draws over the page the user moved to. A
 * page is made slow deterministically: its API request is held by the test
 * until the user has moved on, then let through. Also: an explorer card's
 * link has a short accessible name (the drawing is hidden from assistive
 * technology).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { appReady, launchChromium, navigate as navigateIn, skipWithoutChromium, type InPage } from '../testing/browser.js';
import type { RunningServer } from './server.js';
import { addUser, goldenGtDir, startTestServer } from './test-support.js';

/** Requests matching `url` wait until `release()`; `held` resolves when the first one arrives. */
async function holdRequests(page: Page, url: RegExp): Promise<{ held: Promise<void>; release: () => Promise<void> }> {
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const handled: Promise<void>[] = [];
  const handler = (route: Route): Promise<void> => {
    arrived();
    const done = gate.then(() => route.continue());
    handled.push(done);
    return done;
  };
  await page.route(url, handler);
  return {
    held,
    // Each held request is let through before the route is removed (removing it first would answer them itself).
    release: async () => {
      open();
      await Promise.all(handled);
      await page.unroute(url, handler);
    },
  };
}

describe('the browser app keeps the page the user went to', { skip: skipWithoutChromium }, () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const navigate = (action: () => Promise<unknown>): Promise<void> => navigateIn(page, action);
  const dropped = async (): Promise<number> => Number((await page.getAttribute('#app', 'data-dropped')) ?? 0);
  const setHash = (hash: string) => page.evaluate((h) => ((globalThis as InPage).location.hash = h), hash);

  /**
   * Opens `slowHash` with the requests matching `slowUrl` held, moves on to
   * `nextHash`, lets the held requests through, and returns once the slow
   * page has finished (and been dropped).
   */
  async function moveOnWhileSlow(slowHash: string, slowUrl: RegExp, nextHash: string): Promise<void> {
    const before = await dropped();
    const gate = await holdRequests(page, slowUrl);
    await setHash(slowHash);
    await gate.held;
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'true', 'the slow page is still loading');
    await navigate(() => setHash(nextHash));
    await gate.release();
    // Until the slow page has finished: dropped by the router, or (the bug this guards against) drawn.
    await page.waitForFunction(
      ([n, slowPage]) => {
        const app = (globalThis as InPage).document.querySelector('#app');
        return Number(app.dataset.dropped ?? 0) > n || app.querySelector(`.${slowPage}-page`) !== null;
      },
      [before, slowHash.split('/')[1]!] as const,
    );
  }

  before(async () => {
    server = await startTestServer({ gtDir: await goldenGtDir() });
    const token = await addUser(server, 'viewer', false);
    ({ context, page } = await launchChromium(errors));
    await page.goto(`${server.url}/#token=${token}`);
    await appReady(page);
    await page.waitForSelector('#grid .card');
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test('a slow leaderboard does not replace the statistics page opened meanwhile', async () => {
    await moveOnWhileSlow('#/leaderboard', /\/api\/leaderboard\?/, '#/stats/dataset');
    assert.equal(await page.getAttribute('#app', 'data-page'), 'stats');
    assert.equal(await page.locator('#app .stats-page').count(), 1);
    assert.equal(await page.locator('#app .leaderboard-page').count(), 0);
    assert.match(await page.evaluate<string>('location.hash'), /^#\/stats\//);
  });

  test('a slow image page does not replace the explorer opened meanwhile', async () => {
    const id = 1;
    await moveOnWhileSlow(`#/image/dataset/${id}`, /\/api\/images\/dataset\/\d+$/, '#/explore/dataset?category=1');
    assert.equal(await page.getAttribute('#app', 'data-page'), 'explore');
    assert.equal(await page.locator('#app .image-page').count(), 0);
    assert.ok((await page.locator('#grid .card').count()) > 0);
    // The app still navigates normally afterwards.
    await navigate(() => setHash(`#/image/dataset/${id}`));
    assert.equal(await page.getAttribute('#app', 'data-page'), 'image');
    assert.equal(await page.locator('#app .image-page').count(), 1);
  });

  test("an explorer card's link has a short accessible name; its drawing is hidden", async () => {
    await navigate(() => setHash('#/explore/dataset'));
    const id = (await page.getAttribute('#grid .card', 'data-image'))!;
    // Chromium's own accessibility tree, as a screen reader gets it.
    const cdp = await context.newCDPSession(page);
    const { root } = await cdp.send('DOM.getDocument');
    const axNode = async (selector: string) => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      return (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })).nodes[0]!;
    };
    const link = await axNode('#grid .card');
    const name = String(link.name?.value ?? '');
    assert.equal(link.role?.value, 'link');
    assert.match(name, new RegExp(`^Image ${id.padStart(6, '0')}, `));
    assert.ok(name.length < 120, `accessible name of ${name.length} characters: ${name.slice(0, 300)}`);
    assert.equal((await axNode('#grid .card svg.overlay')).ignored, true, 'the drawing is not in the accessibility tree');
    await cdp.detach();
    assert.deepEqual(errors, []);
  });
});
