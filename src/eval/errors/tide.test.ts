/**
 * TIDE on hand-made cases, one per error type, with the dAP worked out by
 * hand from tidecv's rules (AP in percent over 101 recall points, mean over
 * categories with ground truth or detections).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { det, item, loadBoxes } from './cases.js';
import { TIDE_MAIN_ERRORS, TIDE_OUTCOME, tideAnalysis, type TideMainError } from './tide.js';

const A: [number, number, number, number] = [0, 0, 10, 10];
const B: [number, number, number, number] = [50, 50, 10, 10];
/** IoU with A: 50 / 150 = 1/3 (a localization error's range). */
const SHIFTED: [number, number, number, number] = [5, 0, 10, 10];

function assertOnly(counts: Record<TideMainError, number>, expected: Partial<Record<TideMainError, number>>): void {
  for (const name of TIDE_MAIN_ERRORS) assert.equal(counts[name], expected[name] ?? 0, `${name} errors`);
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual}, expected ${expected}`);
}

test('classification error: right box, wrong category; fixing it moves the detection to the right category', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A)], [det(1, 2, A, 0.9)]);
  const { errors, counts, detOutcome, detGt } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { cls: 1 });
  assert.equal(detOutcome[0], TIDE_OUTCOME.cls);
  assert.equal(detGt[0], 0);
  close(errors.ap50, 0, 'ap50');
  // Fixed: category 1 AP 100; category 2 is left with nothing and drops out of the mean.
  close(errors.main.cls, 1, 'cls');
  close(errors.main.miss, 0, 'miss (the ground truth is named by the error)');
});

test('localization error: the best of two on one ground truth is fixed, the other dropped', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A)], [det(1, 1, SHIFTED, 0.9), det(1, 1, [4, 0, 10, 10], 0.8)]);
  const { errors, counts, detOutcome } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { loc: 2 });
  assert.deepEqual([...detOutcome], [TIDE_OUTCOME.loc, TIDE_OUTCOME.loc]);
  close(errors.ap50, 0, 'ap50');
  close(errors.main.loc, 1, 'loc');
  close(errors.special.false_neg, 0, 'false_neg (no ground truth left, the false positives score 0)');
});

test('both: wrong category and poorly placed', async () => {
  // Category 2: the "both" error (.9) ranks above a true positive (.8): AP 50; category 1 has only a miss: AP 0.
  const { gt, results } = await loadBoxes([item(1, 1, A), item(1, 2, B)], [det(1, 2, SHIFTED, 0.9), det(1, 2, B, 0.8)]);
  const { errors, counts, detOutcome } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { both: 1, miss: 1 });
  assert.deepEqual([...detOutcome], [TIDE_OUTCOME.both, TIDE_OUTCOME.truePositive]);
  close(errors.ap50, 0.25, 'ap50');
  close(errors.main.both, 0.25, 'both');
  close(errors.main.miss, 0.25, 'miss (category 1 drops out)');
});

test('duplicate: a second detection of a ground truth already found', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A), item(1, 1, B)], [det(1, 1, A, 0.9), det(1, 1, [0, 0, 10, 9], 0.8), det(1, 1, B, 0.7)]);
  const { errors, counts } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { dupe: 1 });
  // TP, FP, TP over 2 ground truth: precision 1 up to recall .5, then 2/3.
  const ap = (51 + 50 * (2 / 3)) / 101;
  close(errors.ap50, ap, 'ap50');
  close(errors.main.dupe, 1 - ap, 'dupe');
  close(errors.special.false_pos, 1 - ap, 'false_pos');
});

test('background: a detection on nothing, and every detection of an image without ground truth', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A)], [det(1, 1, B, 0.9), det(1, 1, A, 0.8), det(2, 1, A, 0.95)], 2);
  const { errors, counts, detOutcome } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { bkg: 2 });
  assert.deepEqual([...detOutcome], [TIDE_OUTCOME.bkg, TIDE_OUTCOME.truePositive, TIDE_OUTCOME.bkg]);
  // FP .95, FP .9, TP .8: precision 1/3 at recall 1.
  close(errors.ap50, 1 / 3, 'ap50');
  close(errors.main.bkg, 2 / 3, 'bkg');
  close(errors.special.false_pos, 2 / 3, 'false_pos');
});

test('missed ground truth, and an image without detections', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A), item(1, 1, B), item(2, 1, A)], [det(1, 1, A, 0.9)], 2);
  const { errors, counts, gtMissed } = tideAnalysis('bbox', gt, results);
  assertOnly(counts, { miss: 2 });
  assert.deepEqual([...gtMissed], [0, 1, 1]);
  // One TP of 3: precision 1 up to recall 1/3 (34 of the 101 points).
  close(errors.ap50, 34 / 101, 'ap50');
  close(errors.main.miss, 1 - 34 / 101, 'miss');
  close(errors.special.false_neg, 1 - 34 / 101, 'false_neg');
});

test('at most 100 detections per image (tidecv COCO loader), highest scores first', async () => {
  const dets = Array.from({ length: 120 }, (_, i) => det(1, 1, B, 0.5 - i / 1000));
  dets.push(det(1, 1, A, 0.1));
  const { gt, results } = await loadBoxes([item(1, 1, A)], dets);
  const { counts, detOutcome } = tideAnalysis('bbox', gt, results);
  assert.equal(counts.bkg, 100);
  assert.equal(detOutcome[120], TIDE_OUTCOME.notEvaluated, 'the true positive ranks 121st: cut');
  assert.equal(counts.miss, 1);
});
