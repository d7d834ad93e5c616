/**
 * Layers in real Chromium: pick a layer in the explorer, filter and sort the
 * grid by false positives and misses, narrow it to a confusion-matrix cell,
 * see the predictions drawn on the image page with their verdicts (keypoints:
 * each landmark with its kind's mark, the grid filtered by inversion), and read
 * a retrieval query's explanation; two layers compared (the grid sorted by
 * where they differ, the image page with both side by side); every count
 * checked against the API.
 * Screenshots go to a temporary directory, or to docs/images with
 * DF2_SCREENSHOTS=1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, navigate as navigateIn, skipWithoutChromium, type InPage } from '../testing/browser.js';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
import type { RunningServer } from './server.js';
import { addUser, goldenGtDir, startTestServer } from './test-support.js';
import type { LayerImageJson, LayerImagePageJson, LayerSummaryJson, RetrievalExplainedJson } from '../shared/layer-types.js';

describe('explorer layers in the browser', { skip: skipWithoutChromium }, () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let shots: string;
  const errors: string[] = [];

  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  const navigate = (action: () => Promise<unknown>): Promise<void> => navigateIn(page, action);
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`)).json()) as T;
  const cardIds = () => page.$$eval('#grid .card', (cards) => cards.map((c) => Number(c.getAttribute('data-image'))));
  /** The first images under `selector` (lazy ones below the fold never load in a headless window). */
  const imagesLoaded = (selector: string, first = 8) =>
    page.waitForFunction(([sel, n]) => [...(globalThis as InPage).document.querySelectorAll(sel)].slice(0, n).every((i: InPage) => i.complete === true), [
      selector,
      first,
    ] as const);

  before(async () => {
    server = await startTestServer({
      gtDir: await goldenGtDir(),
      results: [
        { name: 'bbox', file: goldenPath('basic', 'results', 'bbox_results.json') },
        { name: 'segm', file: goldenPath('basic', 'results', 'segm_results.json') },
        { name: 'keypoints', file: goldenPath('basic', 'results', 'keypoints_results.json') },
        { name: 'retrieval', file: goldenPath('basic', 'retrieval', 'results.json') },
      ],
    });
    token = await addUser(server, 'viewer', false);
    shots = process.env.DF2_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'images') : await tempDir('df2-layer-shots-');
    await mkdir(shots, { recursive: true });
    ({ context, page } = await launchChromium(errors, 20_000));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test('pick a layer: cards carry the predictions and the per-image counts', async () => {
    await page.goto(`${server.url}/#token=${token}`);
    await page.waitForSelector('#grid .card');
    // A layer that cannot be opened (another user's submission) says so and leaves the grid.
    await navigate(() => page.goto(`${server.url}/#/explore/dataset?layer=sub-999`));
    assert.match((await page.textContent('.results .error-box')) ?? '', /no such layer/);
    assert.equal(await page.locator('#grid .card').count(), 48);
    await navigate(() => page.selectOption('#layer-picker', 'file-bbox'));
    assert.match(await page.evaluate<string>('location.hash'), /layer=file-bbox/);
    await page.waitForSelector('#layer-summary');
    const expected = await api<LayerImagePageJson>('/api/layers/file-bbox/images?split=dataset&per_page=48');
    assert.deepEqual(
      await cardIds(),
      expected.images.map((i) => i.id),
    );
    const tallies = await page.$$eval('#grid .card .tally', (ts) =>
      ts.map((t) => [t.getAttribute('data-tp'), t.getAttribute('data-fp'), t.getAttribute('data-fn')].map(Number)),
    );
    assert.deepEqual(
      tallies,
      expected.images.map((i) => [i.layer.tally.tp, i.layer.tally.fp, i.layer.tally.fn]),
    );
    const drawn = await page.$$eval('#grid .card', (cards) => cards.map((c) => c.querySelectorAll('svg.layer-overlay g.pred').length));
    assert.deepEqual(
      drawn,
      expected.images.map((i) => i.layer.predictions.length),
    );
    const summary = await api<LayerSummaryJson>('/api/layers/file-bbox/summary?split=dataset');
    const shown = await page.$$eval('table[data-table="layer-stats"] td[data-value]', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    assert.deepEqual(shown, [...summary.stats, summary.totals.tp, summary.totals.fp, summary.totals.fn]);
  });

  test('filter by false positives, sort by misses', async () => {
    await navigate(() => page.selectOption('#errors-filter', 'fp'));
    const summary = await api<LayerSummaryJson>('/api/layers/file-bbox/summary?split=dataset');
    assert.equal(Number(await page.getAttribute('#result-count', 'data-total')), summary.images_with_fp);
    const fps = await page.$$eval('#grid .card', (cards) => cards.map((c) => Number(c.getAttribute('data-fp'))));
    assert.ok(fps.length > 0 && fps.every((n) => n > 0));
    await navigate(() => page.selectOption('#errors-filter', ''));
    await navigate(() => page.selectOption('#errors-sort', 'fn'));
    assert.match(await page.evaluate<string>('location.hash'), /sort=fn/);
    const expected = await api<LayerImagePageJson>('/api/layers/file-bbox/images?split=dataset&sort=fn&per_page=48');
    assert.deepEqual(
      await cardIds(),
      expected.images.map((i) => i.id),
    );
    const fns = await page.$$eval('#grid .card', (cards) => cards.map((c) => Number(c.getAttribute('data-fn'))));
    for (let k = 1; k < fns.length; k++) assert.ok(fns[k - 1]! >= fns[k]!, 'sorted by misses');
    await imagesLoaded('#grid img');
    await shot('layer-grid');
  });

  test('click a confusion-matrix cell: the grid lists the images holding it', async () => {
    await page.click('.confusion-box summary');
    const summary = await api<LayerSummaryJson>('/api/layers/file-bbox/summary?split=dataset');
    const m = summary.confusion!.matrix;
    // The largest confusion between two different categories.
    let best = [0, 1];
    for (let r = 0; r < 13; r++) for (let c = 0; c < 13; c++) if (r !== c && m[r]![c]! > m[best[0]!]![best[1]!]!) best = [r, c];
    assert.ok(m[best[0]!]![best[1]!]! > 0, 'the fixture has a confusion between categories');
    await navigate(() => page.click(`#confusion td[data-cell="${best.join(',')}"]`));
    assert.match(await page.evaluate<string>('decodeURIComponent(location.hash)'), new RegExp(`confusion=${best.join(',')}`));
    const expected = await api<LayerImagePageJson>(`/api/layers/file-bbox/images?split=dataset&sort=fn&confusion=${best.join(',')}&per_page=48`);
    assert.deepEqual(
      await cardIds(),
      expected.images.map((i) => i.id),
    );
    assert.equal(
      expected.images.reduce((n, i) => n + i.layer.confusion_count!, 0),
      m[best[0]!]![best[1]!],
    );
    await page.waitForSelector('#confusion-selected');
    await imagesLoaded('#grid img');
    await shot('layer-confusion');
  });

  test('the image page draws the predictions with their verdicts', async () => {
    const first = Number(await page.getAttribute('#grid .card', 'data-image'));
    await navigate(() => page.click('#grid .card'));
    assert.match(await page.evaluate<string>('location.hash'), /layer=file-bbox/);
    const layer = await api<LayerImageJson>(`/api/layers/file-bbox/images/dataset/${first}`);
    assert.equal(await page.locator('.figure.large svg.layer-overlay g.pred').count(), layer.predictions.length);
    assert.equal(await page.locator('.figure.large g.pred[data-state="matched"]').count(), layer.tally.tp);
    assert.equal(await page.locator('.figure.large g.pred[data-state="false-positive"]').count(), layer.tally.fp);
    assert.equal(await page.locator('.figure.large rect.gt-missed').count(), layer.tally.fn);
    assert.equal(await page.locator('#layer-predictions tbody tr').count(), layer.predictions.length);

    // The segm layer on an image with masks of every verdict, for the picture.
    const segm = await api<LayerImagePageJson>('/api/layers/file-segm/images?split=dataset&sort=errors&per_page=20');
    const pick = segm.images.find((i) => i.layer.tally.tp > 0 && i.layer.tally.fp > 0 && i.layer.tally.fn > 0) ?? segm.images[0]!;
    await navigate(() => page.goto(`${server.url}/#/image/dataset/${pick.id}?layer=file-segm`));
    assert.equal(await page.locator('.figure.large svg.layer-overlay g.pred image').count(), pick.layer.predictions.length, 'a mask per prediction');
    assert.equal(await page.locator('.figure.large g.pred[data-state="matched"]').count(), pick.layer.tally.tp);
    await page.hover(`#layer-predictions tr[data-pred="${pick.layer.predictions[0]!.index}"]`);
    assert.match((await page.getAttribute(`.figure.large g.pred[data-pred="${pick.layer.predictions[0]!.index}"]`, 'class')) ?? '', /highlight/);
    await page.mouse.move(0, 0);
    await page.evaluate(() => (globalThis as InPage).document.querySelector('.image-side').scrollTo(0, 0));
    await imagesLoaded('.figure.large img');
    await shot('layer-image');
  });

  test('two layers: the grid sorted by where A and B differ most, the image page shows both side by side', async () => {
    await navigate(() => page.goto(`${server.url}/#/explore/dataset?layer=file-bbox`));
    await page.waitForSelector('#layer-summary');
    // B offers the other detection layers, not the retrieval one (whose counts are of queries).
    const choices = await page.$$eval('#against-picker option', (options) => options.map((o) => (o as unknown as { value: string }).value));
    assert.ok(choices.includes('file-segm') && !choices.includes('file-retrieval') && !choices.includes('file-bbox'), `B offers ${choices.join(', ')}`);
    await navigate(() => page.selectOption('#against-picker', 'file-segm'));
    await navigate(() => page.selectOption('#errors-sort', 'difference'));
    assert.match(await page.evaluate<string>('location.hash'), /against=file-segm.*sort=difference|sort=difference.*against=file-segm/);
    const expected = await api<LayerImagePageJson>('/api/layers/file-bbox/images?split=dataset&against=file-segm&sort=difference&per_page=48');
    assert.deepEqual(
      await cardIds(),
      expected.images.map((i) => i.id),
    );
    const differences = await page.$$eval('#grid .card .card-tally-b', (bs) => bs.map((b) => Number(b.getAttribute('data-difference'))));
    assert.deepEqual(
      differences,
      expected.images.map((i) => i.difference),
    );
    assert.ok(differences[0]! > 0, 'the first card is one where the two differ');
    for (let k = 1; k < differences.length; k++) assert.ok(differences[k - 1]! >= differences[k]!, 'most different first');
    await imagesLoaded('#grid img');
    await shot('layer-compare-grid');

    // The first card opens the image with both layers: two figures, each with its own verdicts, and both panels' counts.
    const first = expected.images[0]!;
    await navigate(() => page.click('#grid .card'));
    assert.match(await page.evaluate<string>('location.hash'), /against=file-segm/);
    await page.waitForSelector('#layer-panel-b');
    for (const [side, layer] of [
      ['A', first.layer],
      ['B', first.layer_b!],
    ] as const) {
      const figure = `.image-main.side-by-side .figure.large[data-side="${side}"]`;
      assert.equal(await page.locator(`${figure} g.pred`).count(), layer.predictions.length, `${side}: every prediction`);
      assert.equal(await page.locator(`${figure} g.pred[data-state="matched"]`).count(), layer.tally.tp, `${side}: matched`);
      assert.equal(await page.locator(`${figure} g.pred[data-state="false-positive"]`).count(), layer.tally.fp, `${side}: false positives`);
      assert.equal(await page.locator(`${figure} rect.gt-missed`).count(), layer.tally.fn, `${side}: missed`);
      const panel = side === 'A' ? '#layer-panel' : '#layer-panel-b';
      const tally = await page.$eval(`${panel} h3 .tally`, (t) => ['data-tp', 'data-fp', 'data-fn'].map((a) => Number(t.getAttribute(a))));
      assert.deepEqual(tally, [layer.tally.tp, layer.tally.fp, layer.tally.fn], `${side}: the panel's counts`);
    }
    assert.match((await page.textContent('#layer-panel h3')) ?? '', /^A · Layer: bbox/);
    assert.match((await page.textContent('#layer-panel-b h3')) ?? '', /^B · Layer: segm/);
    await page.evaluate(() => (globalThis as InPage).document.querySelector('.image-side').scrollTo(0, 0));
    await imagesLoaded('.figure.large img');
    await shot('layer-compare-image');
  });

  test("keypoints: each landmark drawn with its kind's mark; the grid filtered to images with an inversion", async () => {
    await navigate(() => page.goto(`${server.url}/#/explore/dataset?layer=file-keypoints`));
    await page.waitForSelector('#layer-summary .landmark-legend');
    await navigate(() => page.selectOption('#errors-filter', 'inversion'));
    const inverted = await api<LayerImagePageJson>('/api/layers/file-keypoints/images?split=dataset&errors=inversion&per_page=48');
    assert.ok(inverted.total > 0);
    assert.deepEqual(
      await cardIds(),
      inverted.images.map((i) => i.id),
    );
    const pick = inverted.images[0]!;
    await navigate(() => page.goto(`${server.url}/#/image/dataset/${pick.id}?layer=file-keypoints&errors=inversion`));
    for (const kind of ['good', 'jitter', 'inversion', 'swap', 'miss'] as const) {
      const expected = pick.layer.predictions.reduce((n, p) => n + (p.landmark_kinds ?? []).filter((k) => k === kind).length, 0);
      assert.equal(await page.locator(`.figure.large .pred-kp[data-kind="${kind}"]`).count(), expected, kind);
    }
    assert.ok((await page.locator('.figure.large .pred-kp[data-kind="inversion"]').count()) > 0);
    await imagesLoaded('.figure.large img');
    await shot('layer-landmarks');
  });

  test('retrieval explained: the steps of the protocol for one query', async () => {
    const images = await api<LayerImagePageJson>('/api/layers/file-retrieval/images?split=dataset&per_page=200');
    const queries = images.images.flatMap((i) => i.layer.queries ?? []);
    const hit = queries.find((q) => q.verdict === 'hit' && q.first_hit_rank > 1) ?? queries.find((q) => q.verdict === 'hit')!;
    // From the image page's list of queries to the explanation.
    await navigate(() =>
      page.goto(`${server.url}/#/image/dataset/${images.images.find((i) => i.layer.queries?.some((q) => q.query === hit.query))!.id}?layer=file-retrieval`),
    );
    // The counts, the table of detections and the list of queries say the same thing in the same words.
    const shown = images.images.find((i) => i.layer.queries?.some((q) => q.query === hit.query))!.layer;
    const t = shown.tally;
    assert.equal(await page.textContent('#layer-panel h3 .tally'), `${t.tp} found${t.fp} unused${t.fn} not found`);
    const did = await page.$$eval('#layer-predictions tbody tr td:last-child', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.equal(did.length, shown.predictions.length);
    assert.equal(did.filter((d) => d.startsWith('unused')).length, t.fp);
    assert.equal(did.filter((d) => /^stands for item\d+, found at rank \d+$/.test(d)).length, t.tp);
    const noDetection = shown.queries!.filter((q) => q.verdict === 'no-detection').length;
    assert.equal(did.filter((d) => /^stands for item\d+, not found$/.test(d)).length, t.fn - noDetection);
    const listed = await page.$$eval('#layer-queries li', (lis) => lis.map((li) => li.textContent ?? ''));
    assert.equal(listed.filter((l) => / found at rank /.test(l)).length, t.tp);
    assert.equal(listed.filter((l) => / not found: /.test(l)).length, t.fn);
    await navigate(() => page.click(`#layer-queries a[href*="/query/dataset/${hit.query}?"]`));
    const e = await api<RetrievalExplainedJson>(`/api/layers/file-retrieval/queries/dataset/${hit.query}`);
    assert.equal(await page.getAttribute('.retrieval-explained', 'data-first-hit'), String(e.first_hit_rank));
    assert.equal(await page.locator('#retrieved .rank-card').count(), e.retrieved.length);
    const hits = await page.$$eval('#retrieved .rank-card[data-hit="1"]', (cards) => cards.map((c) => Number(c.getAttribute('data-rank'))));
    assert.deepEqual(
      hits,
      e.retrieved.filter((r) => r.hit).map((r) => r.rank),
    );
    assert.equal(hits[0], e.first_hit_rank);
    assert.equal(await page.getAttribute('#candidates tr.chosen', 'data-row'), String(e.standing));
    assert.match((await page.textContent('#outcome-text')) ?? '', new RegExp(`rank ${e.first_hit_rank}`));
    assert.equal(await page.locator('#gt-gallery .rank-card').count(), e.ground_truth_gallery.length);
    await imagesLoaded('.retrieval-explained img', 30);
    await shot('retrieval-explained', true);

    const missed = queries.find((q) => q.verdict === 'no-hit' || q.verdict === 'no-detection');
    if (missed) {
      await navigate(() => page.goto(`${server.url}/#/query/dataset/${missed.query}?layer=file-retrieval`));
      assert.equal(await page.getAttribute('.retrieval-explained', 'data-verdict'), missed.verdict);
      assert.match((await page.textContent('#outcome-text')) ?? '', missed.verdict === 'no-hit' ? /None of the/ : /missed/);
      assert.equal(await page.locator('#retrieved .rank-card[data-hit="1"]').count(), 0);
    }
    assert.deepEqual(errors, []);
  });
});
