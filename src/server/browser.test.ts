/**
 * The browser app in real Chromium (Debian's, driven by playwright-core):
 * explore a synthetic split, filter, open an image and a pair, submit a
 * results file through the page and see it on the leaderboard with the
 * figures of `df2 eval`. Screenshots of each page go to a temporary
 * directory, or to docs/screenshots with DF2_SCREENSHOTS=1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { appReady, launchChromium, navigate as navigateIn, skipWithoutChromium, type InPage } from '../testing/browser.js';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
import { runCli } from '../testing/cli.js';
import type { RunningServer } from './server.js';
import { addUser, goldenGtDir, startTestServer } from './test-support.js';

describe('df2 serve in the browser', { skip: skipWithoutChromium }, () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let shots: string;
  let gtDir: string;
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  const ready = () => appReady(page);
  const navigate = (action: () => Promise<unknown>): Promise<void> => navigateIn(page, action);
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`)).json()) as T;

  before(async () => {
    gtDir = await goldenGtDir();
    server = await startTestServer({ gtDir });
    token = await addUser(server, 'tester', true);
    shots = process.env.DF2_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'screenshots') : await tempDir('df2-shots-');
    await mkdir(shots, { recursive: true });
    ({ context, page } = await launchChromium(errors));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test('explore, filter by category and occlusion', async () => {
    await page.goto(`${server.url}/#token=${token}`);
    await ready();
    await page.waitForSelector('#grid .card');
    await navigate(() => page.click('label[for="f-category-1"]'));
    assert.match(await page.evaluate<string>('location.hash'), /category=1/);
    await navigate(() => page.click('label[for="f-occlusion-2"]'));
    assert.match(await page.evaluate<string>('location.hash'), /occlusion=2/);
    await page.waitForSelector('#grid .card');
    const expected = await api<{ total: number; images: { id: number }[] }>('/api/images?split=dataset&category=1&occlusion=2');
    assert.equal(Number(await page.getAttribute('#result-count', 'data-total')), expected.total);
    const shown = await page.$$eval('#grid .card', (cards) => cards.map((c) => Number(c.getAttribute('data-image'))));
    assert.deepEqual(
      shown,
      expected.images.map((i) => i.id),
    );
    // Counts beside the values: occlusion 2's count is the number of images shown.
    assert.equal(Number(await page.getAttribute('label[for="f-occlusion-2"] .facet-count', 'data-count')), expected.total);
    await page.waitForFunction(() => [...(globalThis as InPage).document.querySelectorAll('#grid img')].slice(0, 8).every((i: InPage) => i.complete));
    await shot('explore');
  });

  test('open an image and see its items drawn', async () => {
    const first = await page.getAttribute('#grid .card', 'data-image');
    await navigate(() => page.click('#grid .card'));
    assert.match(await page.evaluate<string>('location.hash'), /^#\/image\//);
    const image = await api<{ items: { key: string }[] }>(`/api/images/dataset/${first}`);
    const drawn = await page.$$eval('.figure.large svg g.item', (gs) => gs.map((g) => g.getAttribute('data-item')));
    assert.deepEqual(
      drawn,
      image.items.map((i) => i.key),
    );
    assert.equal(await page.locator('.item-panel').count(), image.items.length);
    assert.ok((await page.locator('.figure.large svg g.item polygon').count()) > 0, 'masks drawn');
    assert.ok((await page.locator('.figure.large svg g.item circle').count()) > 0, 'landmarks drawn');
    await page.hover(`.item-panel[data-item="${image.items[0]!.key}"]`);
    assert.equal(await page.getAttribute(`.figure.large svg g.item[data-item="${image.items[0]!.key}"]`, 'class'), 'item highlight');
    await page.waitForFunction(() => (globalThis as InPage).document.querySelector('.figure.large img').complete);
    await shot('image');
  });

  test('open its pair', async () => {
    await navigate(() => page.click('#pair-link'));
    const pairId = Number((await page.evaluate<string>('location.hash')).split('/')[3]);
    const pair = await api<{ images: unknown[]; links: unknown[] }>(`/api/pairs/dataset/${pairId}`);
    assert.equal(await page.locator('.pair-card').count(), pair.images.length);
    assert.equal(await page.locator('#pair-links li').count(), pair.links.length);
    await page.waitForFunction(() => [...(globalThis as InPage).document.querySelectorAll('.pair-card img')].every((i: InPage) => i.complete));
    await shot('pair');
  });

  test('statistics', async () => {
    await navigate(() => page.goto(`${server.url}/#/stats/dataset`));
    const stats = await api<{ images: { user: number; shop: number } }>('/api/stats/dataset');
    assert.equal(await page.textContent('#tile-images .tile-value'), String(stats.images.user + stats.images.shop));
    await shot('stats');
  });

  test('submit a results file and watch it reach the leaderboard with the figures of df2 eval', async () => {
    const resultsFile = goldenPath('basic', 'results', 'bbox_results.json');
    await navigate(() => page.goto(`${server.url}/#/submit`));
    await page.selectOption('#task', 'bbox');
    await page.fill('#name', 'browser submission');
    await page.setInputFiles('#file', resultsFile);
    await page.click('#submit-button');
    await page.waitForSelector('#submitted-link');
    await page.waitForSelector('#my-submissions [data-status="done"]', { timeout: 30_000 });
    await shot('submit');
    await navigate(() => page.click('#my-submissions a'));
    await page.waitForSelector('.submission-page[data-status="done"] table[data-table="subset-occlusion"]');
    await shot('submission');

    await navigate(() => page.goto(`${server.url}/#/leaderboard/bbox`));
    const shown = await page.$$eval('#leaderboard tbody tr:first-child td[data-value]', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    // The official figures of the fixture, which `df2 eval` must print too.
    const golden = (JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as { bbox: { stats: number[] } }).bbox.stats;
    assert.equal(shown.length, golden.length);
    shown.forEach((v, k) => assert.ok(Math.abs(v - golden[k]!) < 1e-12, `stat ${k}: ${v} vs ${golden[k]}`));
    const cli = await runCli(['eval', 'bbox', '--gt', join(gtDir, 'coco.json'), '--results', resultsFile, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(shown, (JSON.parse(cli.stdout) as { stats: number[] }).stats);
    await page.locator('table[data-table="board-occlusion"]').waitFor();
    await shot('leaderboard');
  });

  test('admin page and no errors in the page', async () => {
    await navigate(() => page.goto(`${server.url}/#/admin`));
    await page.fill('#new-user', 'newcomer');
    await page.click('.card-form button[type=submit]');
    await page.waitForSelector('#users tr[data-user="newcomer"]');
    const newToken = await page.textContent('#new-token');
    assert.match(newToken ?? '', /^df2_[\w-]{43}$/);
    await shot('admin');
    // A new token for the user: the old one stops working at once.
    await page.click('#users tr[data-user="newcomer"] button.rotate');
    await page.waitForFunction((old) => {
      const t = (globalThis as InPage).document.querySelector('#new-token')?.textContent;
      return t && t !== old;
    }, newToken);
    const rotated = (await page.textContent('#new-token'))!;
    const me = (t: string) => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
    assert.deepEqual([await me(newToken!), await me(rotated)], [401, 200]);
    // Revoking asks first, then ends the token.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#users tr[data-user="newcomer"] button.revoke');
    await page.waitForSelector('#users tr[data-user="newcomer"].revoked');
    assert.equal(await me(rotated), 401);
    assert.deepEqual(errors, []);
  });
});
