/**
 * The report's landmark section against the golden coco-analyze reference
 * run (kp-errors.json): the kinds, AP after each correction, the gain bars
 * and a skeleton per category coloured by error rate.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { goldenPath } from '../../testing/paths.js';
import { buildReportData } from './report-data.js';
import { reportHtml } from './report-html.js';

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
