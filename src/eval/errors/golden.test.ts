/**
 * The error analysis of the golden fixtures against the reference tools'
 * own figures (errors.json): TIDE (tidecv 1.0.1, / 100) within 1e-9, the
 * Ultralytics confusion matrix and the per-image counts exactly; and the
 * per-image counts add up to the official matcher's totals.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { join } from 'node:path';
import { GOLDEN_DIR, GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { evaluateLoaded, type CocoEvalResult } from '../coco/evaluate.js';
import { loadCocoPair } from '../coco/load.js';
import { confusionAnalysis } from './confusion.js';
import { groupByImage } from './image-groups.js';
import { perImageCounts, perImageRows, type ImageCountRow } from './per-image.js';
import { TIDE_OUTCOME, tideAnalysis, type TideErrors } from './tide.js';

const TOLERANCE = 1e-9;

interface GoldenErrors {
  errors: TideErrors;
  confusion: { labels: (number | string)[]; matrix: number[][] };
  per_image: ImageCountRow[];
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} differs from the reference ${expected}`);
}

/**
 * Per-image sums against the matcher's own totals, read another way: true
 * positives from the accumulated recall (recall x ground truth per
 * category at IoU .50, area all, largest maxDets), ground truth from the
 * annotations.
 */
function assertSumsMatchMatcher(result: CocoEvalResult, rows: ImageCountRow[], regularGt: number): void {
  const tp = rows.reduce((s, r) => s + r.tp, 0);
  const fn = rows.reduce((s, r) => s + r.fn, 0);
  assert.equal(tp + fn, regularGt, 'every counted ground truth is found or missed');
  const { K, A, M } = result.dims;
  const t = result.params.iouThrs.indexOf(0.5);
  let fromRecall = 0;
  const perCategoryGt = new Map<number, number>();
  for (let c = 0; c < result.matches.cellGtStart.length - 1; c++) {
    const id = result.matches.cellCategoryId[c]!;
    for (let g = result.matches.cellGtStart[c]!; g < result.matches.cellGtStart[c + 1]!; g++) {
      if (!result.matches.gtIgnored[g]) perCategoryGt.set(id, (perCategoryGt.get(id) ?? 0) + 1);
    }
  }
  result.params.categoryIds.forEach((id, k) => {
    const recall = result.recall[((t * K + k) * A + 0) * M + (M - 1)]!;
    if (recall > 0) fromRecall += Math.round(recall * perCategoryGt.get(id)!);
  });
  assert.equal(tp, fromRecall, 'true positives equal recall x ground truth summed over categories');
  let kept = 0;
  let ignored = 0;
  for (let d = 0; d < result.matches.detScore.length; d++) {
    kept++;
    if (result.matches.detIgnored50[d]) ignored++;
  }
  assert.equal(
    rows.reduce((s, r) => s + r.tp + r.fp, 0),
    kept - ignored,
    'every kept detection not ignored is a TP or an FP',
  );
}

for (const fixture of GOLDEN_FIXTURES) {
  const golden = JSON.parse(readFileSync(goldenPath(fixture, 'errors.json'), 'utf8')) as Record<string, GoldenErrors>;
  const gtFile = goldenPath(fixture, 'gt', 'coco.json');

  for (const task of ['bbox', 'segm'] as const) {
    test(`${fixture}: ${task} TIDE, confusion matrix and per-image counts equal the reference`, async () => {
      const { gt, results } = await loadCocoPair(task, gtFile, goldenPath(fixture, 'results', `${task}_results.json`), { extraTasks: ['bbox'] });
      const expected = golden[task]!;
      const groups = groupByImage(gt, results);

      const { errors, counts } = tideAnalysis(task, gt, results, { groups });
      assertClose(errors.ap50, expected.errors.ap50, 'ap50');
      for (const [name, value] of Object.entries(expected.errors.main)) assertClose(errors.main[name as keyof TideErrors['main']], value, `main.${name}`);
      for (const [name, value] of Object.entries(expected.errors.special)) assertClose(errors.special[name as 'false_pos'], value, `special.${name}`);
      assert.ok(
        Object.values(counts).every((n) => n > 0),
        `every error type occurs in this fixture: ${JSON.stringify(counts)}`,
      );

      const confusion = confusionAnalysis(gt, results, { groups });
      assert.deepEqual(confusion.labels, expected.confusion.labels);
      assert.deepEqual(confusion.matrix, expected.confusion.matrix);
      assert.equal(
        confusion.entries.count,
        expected.confusion.matrix.flat().reduce((s, v) => s + v, 0),
        'one entry per increment',
      );

      const result = evaluateLoaded(task, gt, results);
      const rows = perImageRows(perImageCounts(result));
      assert.deepEqual(rows, expected.per_image);
      assert.equal(rows.length, gt.images.id.length, 'one row per image of the ground truth');
      assertSumsMatchMatcher(result, rows, gt.annotations.iscrowd.filter((c) => !c).length);
    });
  }

  test(`${fixture}: keypoints per-image counts (OKS .50) equal the reference`, async () => {
    const { gt, results } = await loadCocoPair('keypoints', gtFile, goldenPath(fixture, 'results', 'keypoints_results.json'));
    const result = evaluateLoaded('keypoints', gt, results);
    const rows = perImageRows(perImageCounts(result));
    assert.deepEqual(rows, golden.keypoints!.per_image);
    let regular = 0;
    for (let i = 0; i < gt.annotations.count; i++) if (!gt.annotations.iscrowd[i] && gt.annotations.numKeypoints[i]! > 0) regular++;
    assertSumsMatchMatcher(result, rows, regular);
  });
}

test('tide-crowd: TIDE on ground truth with a crowd region equals tidecv 1.0.1 (an ignored detection still names its error)', async () => {
  const dir = join(GOLDEN_DIR, 'tide-crowd');
  const expected = JSON.parse(readFileSync(join(dir, 'errors.json'), 'utf8')) as { task: 'bbox'; errors: TideErrors };
  const { gt, results } = await loadCocoPair(expected.task, join(dir, 'gt.json'), join(dir, 'results.json'));
  const { errors, counts, detOutcome } = tideAnalysis(expected.task, gt, results);
  assertClose(errors.ap50, expected.errors.ap50, 'ap50');
  for (const [name, value] of Object.entries(expected.errors.main)) assertClose(errors.main[name as keyof TideErrors['main']], value, `main.${name}`);
  for (const [name, value] of Object.entries(expected.errors.special)) assertClose(errors.special[name as 'false_pos'], value, `special.${name}`);
  // The detection inside the crowd region stays out of the AP, and is the localization error that fixes the item beside it.
  assert.deepEqual([...detOutcome], [TIDE_OUTCOME.bkg, TIDE_OUTCOME.ignored]);
  assert.deepEqual(counts, { cls: 0, loc: 1, both: 0, dupe: 0, bkg: 1, miss: 0 });
});
