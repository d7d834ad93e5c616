/**
 * The official figures of the `wrap` golden fixture: masks whose runs wrap
 * from the bottom of one column into the top of the next. The release's
 * maskApi (2017) takes a mask's box from the first and last pixel of each run
 * and gives mask IoU 0 to masks whose boxes do not overlap; both change the
 * segm figures and the bbox figures of mask-only results.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN_DIR } from '../../testing/paths.js';
import { evaluateLoaded } from './evaluate.js';
import { loadCocoPair } from './load.js';
import type { CocoTask } from './params.js';

const TOLERANCE = 1e-9;
const WRAP_DIR = join(GOLDEN_DIR, 'wrap');

interface GoldenTask {
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
}

const golden = JSON.parse(readFileSync(join(WRAP_DIR, 'golden.json'), 'utf8')) as Record<string, GoldenTask>;

const RUNS: [name: string, task: CocoTask, gtFile: string, resultsFile: string][] = [
  ['segm', 'segm', join(GOLDEN_DIR, 'basic', 'gt', 'coco.json'), join(WRAP_DIR, 'results', 'segm_results.json')],
  ['bbox_of_masks', 'bbox', join(GOLDEN_DIR, 'basic', 'gt', 'coco.json'), join(WRAP_DIR, 'results', 'segm_results.json')],
  ['minimal_segm', 'segm', join(WRAP_DIR, 'minimal', 'segm_gt.json'), join(WRAP_DIR, 'minimal', 'segm_results.json')],
  ['minimal_bbox', 'bbox', join(WRAP_DIR, 'minimal', 'bbox_gt.json'), join(WRAP_DIR, 'minimal', 'bbox_results.json')],
];

for (const [name, task, gtFile, resultsFile] of RUNS) {
  test(`wrap: ${name} equals the official figures`, async () => {
    const { gt, results } = await loadCocoPair(task, gtFile, resultsFile);
    const result = evaluateLoaded(task, gt, results);
    const expected = golden[name]!;
    assert.equal(result.stats.length, expected.stats.length);
    result.stats.forEach((v, i) => {
      assert.ok(Math.abs(v - expected.stats[i]!) <= TOLERANCE, `${name} stats[${i}]: ${v} differs from the official ${expected.stats[i]}`);
    });
    assert.deepEqual(
      result.perCategoryAp.map((c) => c.categoryId),
      expected.per_category_ap.map((c) => c.category_id),
    );
    result.perCategoryAp.forEach((c, i) => {
      const official = expected.per_category_ap[i]!.ap;
      assert.ok(Math.abs(c.ap - official) <= TOLERANCE, `${name} AP of category ${c.categoryId}: ${c.ap} differs from the official ${official}`);
    });
  });
}
