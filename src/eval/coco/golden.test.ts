/**
 * The official figures of the golden fixtures (../shared/golden): every
 * summarize() value and per-category AP of bbox, segm, keypoints and
 * keypoints on visible landmarks, and AP / AP50 / AP75 per attribute value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { GOLDEN_COCO_RUNS, GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { evaluateLoaded } from './evaluate.js';
import { evaluateByAttribute } from './subsets.js';
import { loadCocoPair } from './load.js';
import { CocoEvaluator } from './parallel.js';
import { prestartHelperThread } from './helper-thread.js';

const TOLERANCE = 1e-9;
/** summarize()'s lines by name, in the order pycocotools prints them. */
const BOX_FIGURES = ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge'] as const;
const KEYPOINT_FIGURES = ['ap', 'ap50', 'ap75', 'apMedium', 'apLarge', 'ar', 'ar50', 'ar75', 'arMedium', 'arLarge'] as const;

interface GoldenTask {
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} differs from the official ${expected}`);
}

for (const fixture of GOLDEN_FIXTURES) {
  const golden = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<string, GoldenTask>;
  const subsets = JSON.parse(readFileSync(goldenPath(fixture, 'subsets.json'), 'utf8')) as Record<string, Record<string, Record<string, number[]>>>;

  for (const [name, task, gtFile] of GOLDEN_COCO_RUNS) {
    test(`${fixture}: ${name} equals the official figures`, async () => {
      const { gt, results } = await loadCocoPair(task, goldenPath(fixture, 'gt', gtFile), goldenPath(fixture, 'results', `${task}_results.json`));
      const result = evaluateLoaded(task, gt, results);
      const expected = golden[name]!;
      assert.equal(result.stats.length, expected.stats.length);
      result.stats.forEach((v, i) => assertClose(v, expected.stats[i]!, `stats[${i}]`));
      // The named figures are the official vector, in its order, under the names of its lines.
      const names = task === 'keypoints' ? KEYPOINT_FIGURES : BOX_FIGURES;
      assert.deepEqual(Object.keys(result.figures), names);
      names.forEach((n, i) => assertClose(result.figures[n]!, expected.stats[i]!, `figures.${n}`));
      assert.deepEqual(
        result.perCategoryAp.map((c) => c.categoryId),
        expected.per_category_ap.map((c) => c.category_id),
      );
      result.perCategoryAp.forEach((c, i) => assertClose(c.ap, expected.per_category_ap[i]!.ap, `AP of category ${c.categoryId}`));
    });
  }

  for (const task of ['bbox', 'segm', 'keypoints'] as const) {
    test(`${fixture}: ${task} per attribute equals the official figures`, async () => {
      const { gt, results } = await loadCocoPair(
        task,
        goldenPath(fixture, 'gt', 'coco-attributes.json'),
        goldenPath(fixture, 'results', `${task}_results.json`),
      );
      // Two threads even on this small input, so that the split is exercised too.
      const evaluator = CocoEvaluator.create(task, gt, results, { threads: fixture === 'basic' ? 2 : 1 });
      const by = await evaluator.evaluateByAttribute(ATTRIBUTE_NAMES);
      await evaluator.close();
      // The one-thread breakdown (used by reports) gives the same figures.
      assert.deepEqual(evaluateByAttribute(task, gt, results, ATTRIBUTE_NAMES), by);
      for (const attribute of ATTRIBUTE_NAMES) {
        for (const value of ['1', '2', '3'] as const) {
          const expected = subsets[task]![attribute]![value]!;
          by[attribute]![value].forEach((v, i) => assertClose(v, expected[i]!, `${attribute}=${value} [${['AP', 'AP50', 'AP75'][i]}]`));
        }
      }
    });
  }
}

test('a thread started before the files were read evaluates them on its first call, and keeps them for the next', async () => {
  const fixture = GOLDEN_FIXTURES[0]!;
  const golden = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<string, GoldenTask>;
  prestartHelperThread();
  const { gt, results } = await loadCocoPair('bbox', goldenPath(fixture, 'gt', 'coco.json'), goldenPath(fixture, 'results', 'bbox_results.json'));
  const evaluator = CocoEvaluator.create('bbox', gt, results, { threads: 2 });
  try {
    for (let run = 0; run < 2; run++) {
      const result = await evaluator.evaluate();
      result.stats.forEach((v, i) => assertClose(v, golden.bbox!.stats[i]!, `run ${run + 1}: stats[${i}]`));
    }
  } finally {
    await evaluator.close();
  }
});
