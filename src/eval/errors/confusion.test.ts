/**
 * The confusion matrix's edge cases, worked out from Ultralytics'
 * process_batch: no detections, no ground truth, two detections on one
 * ground truth, the score cut, and ties of IoU.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { det, item, loadBoxes } from './cases.js';
import { confusionAnalysis, confusionCellImages } from './confusion.js';

const A: [number, number, number, number] = [0, 0, 10, 10];
const B: [number, number, number, number] = [50, 50, 10, 10];
const BG = 13;

/** The non-zero cells as "pred,gt=count" (indices: category id - 1, background 13). */
function cells(matrix: number[][]): string[] {
  const out: string[] = [];
  matrix.forEach((row, p) => row.forEach((v, g) => v && out.push(`${p},${g}=${v}`)));
  return out;
}

test('an image without detections: its ground truth in the background row', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A), item(1, 2, B), item(2, 5, A)], [det(2, 5, A, 0.9)], 2);
  const { matrix, labels } = confusionAnalysis(gt, results);
  assert.equal(matrix.length, 14);
  assert.ok(matrix.every((row) => row.length === 14));
  assert.deepEqual(labels, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 'background']);
  assert.deepEqual(cells(matrix), [`4,4=1`, `${BG},0=1`, `${BG},1=1`]);
});

test('an image without ground truth: detections above the score cut in the background column', async () => {
  const { gt, results } = await loadBoxes([], [det(1, 3, A, 0.9), det(1, 3, B, 0.25), det(1, 4, B, 0.2), det(1, 4, A, 0.26)]);
  const { matrix, entries } = confusionAnalysis(gt, results);
  assert.deepEqual(cells(matrix), [`2,${BG}=1`, `3,${BG}=1`]);
  assert.deepEqual([...entries.det], [0, 3]);
  assert.deepEqual(cells(confusionAnalysis(gt, results, { conf: 0.1 }).matrix), [`2,${BG}=2`, `3,${BG}=2`]);
});

test('two detections on one ground truth: the better IoU matches, the other is background', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A)], [det(1, 2, [0, 0, 10, 9], 0.9), det(1, 1, A, 0.5)]);
  const { matrix, entries } = confusionAnalysis(gt, results);
  assert.deepEqual(cells(matrix), ['0,0=1', `1,${BG}=1`]);
  assert.deepEqual([...entries.det], [1, 0], 'the ground truth took detection 1');
});

test('a wrong category that overlaps is a confusion; nothing matches at IoU <= 0.45', async () => {
  // IoU 1/3 with A: no match at 0.45, a match at 0.3.
  const { gt, results } = await loadBoxes([item(1, 1, A)], [det(1, 7, [5, 0, 10, 10], 0.9)]);
  assert.deepEqual(cells(confusionAnalysis(gt, results).matrix), [`6,${BG}=1`, `${BG},0=1`]);
  assert.deepEqual(cells(confusionAnalysis(gt, results, { iou: 0.3 }).matrix), ['6,0=1']);
});

test('ties of IoU: the later pair wins, as numpy argsort()[::-1] orders a short list', async () => {
  // One detection on two identical ground-truth boxes: it goes to the second.
  const two = await loadBoxes([item(1, 1, A), item(1, 2, A)], [det(1, 3, A, 0.9)]);
  assert.deepEqual(cells(confusionAnalysis(two.gt, two.results).matrix), ['2,1=1', `${BG},0=1`]);
  // Two identical detections on one ground truth: the second takes it.
  const dup = await loadBoxes([item(1, 1, A)], [det(1, 4, A, 0.9), det(1, 5, A, 0.8)]);
  assert.deepEqual(cells(confusionAnalysis(dup.gt, dup.results).matrix), ['3,13=1', '4,0=1']);
});

test('each entry names its image, cell, detection and ground truth', async () => {
  const { gt, results } = await loadBoxes([item(1, 1, A), item(2, 2, B)], [det(2, 3, B, 0.9)], 2);
  const { entries } = confusionAnalysis(gt, results);
  assert.equal(entries.count, 2);
  assert.deepEqual([...entries.image], [0, 1]);
  assert.deepEqual([...entries.row], [BG, 2]);
  assert.deepEqual([...entries.col], [0, 1]);
  assert.deepEqual([...entries.det], [-1, 0]);
  assert.deepEqual([...entries.gt], [0, 1]);
});

test('the images behind a cell, most entries first', async () => {
  const { gt, results } = await loadBoxes(
    [item(1, 1, A), item(2, 1, A), item(2, 1, B), item(3, 1, A)],
    [det(1, 2, A, 0.9), det(2, 2, A, 0.9), det(2, 2, B, 0.9), det(3, 1, A, 0.9)],
    3,
  );
  const analysis = confusionAnalysis(gt, results);
  assert.deepEqual(confusionCellImages(analysis.entries, gt.images.id, 1, 0), [
    { imageId: 2, count: 2 },
    { imageId: 1, count: 1 },
  ]);
  assert.deepEqual(confusionCellImages(analysis.entries, gt.images.id, 0, 0), [{ imageId: 3, count: 1 }]);
  assert.deepEqual(confusionCellImages(analysis.entries, gt.images.id, BG, 0), []);
});
