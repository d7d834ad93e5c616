/**
 * The report's landmark section against the golden coco-analyze reference
 * run (kp-errors.json): the kinds, AP after each correction, the gain bars
 * and a skeleton per category coloured by error rate; the worst detections
 * drawn with each landmark's kind.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { goldenPath } from '../../testing/paths.js';
import { buildReportData } from './report-data.js';
import { reportHtml } from './report-html.js';
import { reportPage } from './report.js';
import { WORST_DETECTIONS } from './landmark-errors.js';
import { LANDMARK_KIND_COLORS } from '../pictures/colors.js';
import { LANDMARK_PICTURE_SIZE } from '../pictures/landmark-errors-picture.js';
import { readPixels, rgba } from '../pictures/pixel-reader.js';
import type { LandmarkKind } from '../../eval/index.js';

test('report: the landmark section equals the reference figures and draws a skeleton per category', async () => {
  const golden = JSON.parse(await readFile(goldenPath('basic', 'kp-errors.json'), 'utf8')) as {
    counts: { overall: Record<string, number>; by_category: Record<string, Record<string, number>> };
    ap_oks50: Record<string, number>;
    ap_by_oks: Record<string, Record<string, number>>;
  };
  const data = await buildReportData({
    gtFile: goldenPath('basic', 'gt', 'coco.json'),
    tasks: [{ task: 'keypoints', resultsFile: goldenPath('basic', 'results', 'keypoints_results.json') }],
  });
  const section = data.model.tasks[0]!.landmarkErrors!;
  assert.deepEqual(section.counts, golden.counts.overall);
  const curve: Record<string, string> = { background_fp: 'bckgd_false_pos', false_negatives: 'false_neg_fixed' };
  for (const s of section.steps) {
    assert.ok(Math.abs(s.ap50 - golden.ap_oks50[s.step]!) <= 1e-9, `${s.step} AP50`);
    assert.ok(Math.abs(s.ap75 - golden.ap_by_oks[curve[s.step] ?? s.step]!['0.75']!) <= 1e-9, `${s.step} AP75`);
  }
  const html = reportHtml(data.model);
  const start = html.indexOf('<div class="errors" data-landmark-errors="keypoints">');
  assert.ok(start >= 0, 'a landmark section');
  const part = html.slice(start, html.indexOf('</section>', start));
  assert.match(part, /data-chart="landmark-ap50"/);
  assert.match(part, /data-chart="landmark-ap75"/);
  assert.match(part, new RegExp(`<tr data-step="miss"><td class="name">misses fixed</td><td data-value="${golden.ap_oks50.miss}">`));
  for (const c of section.categories) {
    const labelled = c.landmarks.filter((l) => l.labelled > 0).length;
    const drawn = new RegExp(`<div data-category="${c.categoryId}">(.*?)</svg>`, 's').exec(part);
    if (labelled === 0) {
      assert.equal(drawn, null, `category ${c.categoryId}: nothing analysed, nothing drawn`);
      continue;
    }
    assert.ok(drawn, `category ${c.categoryId} drawn`);
    assert.equal((drawn[1]!.match(/<circle /g) ?? []).length, c.landmarks.filter((l) => l.at).length, `category ${c.categoryId}: a dot per placed landmark`);
    const errors = c.landmarks.reduce((s, l) => s + l.inversion + l.swap + l.miss, 0);
    assert.equal(errors, c.counts.inversion + c.counts.swap + c.counts.miss, `category ${c.categoryId}: landmark errors add up`);
    const expected = golden.counts.by_category[String(c.categoryId)]!;
    assert.equal(errors, expected.miss! + expected.inversion! + expected.swap!, `category ${c.categoryId}: as the reference`);
  }
  // The worst landmark of short sleeve tops (landmark 1, 36 misses of 53) is the reddest dot.
  const rates = [...part.matchAll(/<div data-category="1">.*?<\/svg>/gs)][0]![0].match(/data-rate="([^"]+)"/g)!.map((m) => Number(m.slice(11, -1)));
  assert.equal(Math.max(...rates), section.categories[0]!.landmarks[0]!.errorRate);
});

test('report: the worst detections, as the reference classified them, drawn on their images with every kind marked', async () => {
  const golden = JSON.parse(await readFile(goldenPath('basic', 'kp-errors.json'), 'utf8')) as {
    per_detection: { id: number; image_id: number; category_id: number; oks: number; counts: Record<LandmarkKind, number> }[];
  };
  const errors = (c: Record<LandmarkKind, number>): number => c.inversion + c.swap + c.miss;
  const expected = golden.per_detection
    .filter((d) => errors(d.counts) + d.counts.jitter > 0)
    .sort((a, b) => errors(b.counts) - errors(a.counts) || b.counts.jitter - a.counts.jitter || a.oks - b.oks || a.id - b.id)
    .slice(0, WORST_DETECTIONS);
  assert.equal(expected.length, WORST_DETECTIONS, 'the fixture has enough detections with errors');

  const html = await reportPage({
    gtFile: goldenPath('basic', 'gt', 'coco.json'),
    tasks: [{ task: 'keypoints', resultsFile: goldenPath('basic', 'results', 'keypoints_results.json') }],
    dataDir: goldenPath('basic', 'dataset'),
  });
  const table = /<table class="worst-detections">(.*?)<\/table>/s.exec(html)![1]!;
  const rows = [...table.matchAll(/<tr data-detection="(\d+)">(.*?)<\/tr>/gs)];
  assert.deepEqual(
    rows.map((r) => Number(r[1])),
    expected.map((d) => d.id),
    'the worst detections, worst first',
  );
  const figures = [...html.matchAll(/<figure data-detection="(\d+)" ([^>]*)><img alt="[^"]*" src="data:image\/jpeg;base64,([^"]+)">/g)];
  assert.equal(figures.length, WORST_DETECTIONS, 'a picture per worst detection');
  const kinds: LandmarkKind[] = ['good', 'jitter', 'inversion', 'swap', 'miss'];
  for (const [i, f] of figures.entries()) {
    const d = expected[i]!;
    assert.equal(Number(f[1]), d.id);
    for (const kind of kinds) assert.match(f[2]!, new RegExp(`data-${kind}="${d.counts[kind]}"`), `detection ${d.id}: ${kind} as the reference`);
    const px = await readPixels(Buffer.from(f[3]!, 'base64'));
    assert.equal(Math.max(px.width, px.height), LANDMARK_PICTURE_SIZE);
    // Every kind the detection has is marked in its colour somewhere in the picture.
    for (const kind of kinds) {
      if (d.counts[kind] === 0) continue;
      const colour = rgba(LANDMARK_KIND_COLORS[kind]);
      let found = false;
      for (let y = 0; y < px.height && !found; y++)
        for (let x = 0; x < px.width && !found; x++)
          found = px
            .at(x, y)
            .slice(0, 3)
            .every((v, c) => Math.abs(v - colour[c]!) <= 28);
      assert.ok(found, `detection ${d.id}: a ${kind} mark`);
    }
  }
});
