/**
 * Hand-made cases, one per detail of the official evaluation that changes
 * numbers (DESIGN.md, "Parity with the official evaluation"). Expected
 * figures follow from the rules by hand: e.g. a false positive ranked
 * before the only true positive gives precision 1/2 at every recall sample.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rleFromBox, rleFromSegmentation, rleToString } from '../../mask/index.js';
import { TOTAL_LANDMARKS } from '../../schema/index.js';
import { NP_SPACING_1 } from './numeric.js';
import { readCocoResults } from './results.js';
import { cocoGt, evaluateJson, keypointVector, landmarksIn, writeJson } from './tiny-cases.js';

const close = (actual: number, expected: number, what = 'value'): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual}, expected ${expected}`);

const box = (image_id: number, bbox: number[], score: number, category_id = 1): Record<string, unknown> => ({ image_id, category_id, bbox, score });

test('ties in score keep file order (stable sort), inside an image', async () => {
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 20] }]);
  const hit = box(1, [10, 10, 20, 20], 0.5);
  const miss = box(1, [60, 60, 20, 20], 0.5);
  close((await evaluateJson('bbox', gt, [hit, miss])).stats[0]!, 1, 'hit listed first');
  // The miss comes first: precision 1/2 at recall 1, hence at every recall sample.
  close((await evaluateJson('bbox', gt, [miss, hit])).stats[0]!, 1 / (2 + NP_SPACING_1), 'miss listed first');
});

test('ties in score across images keep image-id order', async () => {
  const gt = cocoGt(
    [{ id: 1 }, { id: 2 }],
    [
      { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20] },
      { image_id: 2, category_id: 1, bbox: [10, 10, 20, 20] },
    ],
  );
  // Image 1: a miss; image 2: a hit; same score. Sorted: miss, hit -> recall 1/2 at precision 1/2.
  const missFirst = await evaluateJson('bbox', gt, [box(2, [10, 10, 20, 20], 0.5), box(1, [60, 60, 20, 20], 0.5)]);
  close(missFirst.stats[0]!, ((51 / 101) * 1) / (2 + NP_SPACING_1));
  // The miss in image 2 instead: hit first -> precision 1 up to recall 1/2.
  const hitFirst = await evaluateJson('bbox', gt, [box(2, [60, 60, 20, 20], 0.5), box(1, [10, 10, 20, 20], 0.5)]);
  close(hitFirst.stats[0]!, 51 / 101);
});

test('precision is interpolated from the right and sampled at 101 recall points', async () => {
  const gt = cocoGt(
    [{ id: 1 }],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 20, 20] },
      { image_id: 1, category_id: 1, bbox: [50, 50, 20, 20] },
    ],
  );
  // hit, miss, hit: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1; from the right: 1, 2/3, 2/3.
  const result = await evaluateJson('bbox', gt, [box(1, [0, 0, 20, 20], 0.9), box(1, [30, 0, 5, 5], 0.8), box(1, [50, 50, 20, 20], 0.7)]);
  close(result.stats[0]!, (51 * 1 + 50 * (2 / (3 + NP_SPACING_1))) / 101);
  close(result.stats[8]!, 1, 'AR@100');
});

test('each image keeps at most maxDets detections per category, by score', async () => {
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 20] }]);
  const misses = (n: number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => box(1, [60, 60, 5, 5], 0.9 - i * 0.001));
  const hitLast = box(1, [10, 10, 20, 20], 0.1);
  const cut = await evaluateJson('bbox', gt, [...misses(100), hitLast]);
  assert.equal(cut.stats[0], 0, 'the hit is the 101st: dropped');
  assert.equal(cut.stats[8], 0, 'AR@100');
  const kept = await evaluateJson('bbox', gt, [...misses(99), hitLast]);
  close(kept.stats[8]!, 1, 'AR@100 with the hit as the 100th');
  assert.equal(kept.stats[7], 0, 'AR@10');
  assert.equal(kept.stats[6], 0, 'AR@1');
});

test('keypoints keep 20 detections per image and category', async () => {
  const points = landmarksIn(1, 20, 20, 40, 60);
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [20, 20, 40, 60], num_keypoints: points.length, keypoints: keypointVector(1, points) }]);
  const far = keypointVector(
    1,
    points.map(([x, y]) => [x + 500, y + 500, 1]),
  );
  const misses = (n: number): Record<string, unknown>[] =>
    Array.from({ length: n }, (_, i) => ({ image_id: 1, category_id: 1, keypoints: far, score: 0.9 - i * 0.01 }));
  const hit = { image_id: 1, category_id: 1, keypoints: keypointVector(1, points), score: 0.05 };
  assert.equal((await evaluateJson('keypoints', gt, [...misses(20), hit])).stats[5], 0, 'AR with the hit as the 21st');
  close((await evaluateJson('keypoints', gt, [...misses(19), hit])).stats[5]!, 1, 'AR with the hit as the 20th');
});

test('box results carrying a mask: the mask is matched, the area comes from the box', async () => {
  const h = 200,
    w = 200;
  const square = (x: number, y: number, s: number): number[][] => [[x, y, x + s, y, x + s, y + s, x, y + s]];
  const gt = cocoGt([{ id: 1, width: w, height: h }], [{ image_id: 1, category_id: 1, bbox: [20, 20, 40, 40], segmentation: square(20, 20, 40), area: 1600 }]);
  const rle = (polygon: number[][]): Record<string, unknown> => {
    const mask = rleFromSegmentation(polygon, h, w);
    return { size: [h, w], counts: rleToString(mask) };
  };
  // The hit's box is far from its mask: a box polygon would miss.
  const hit = { image_id: 1, category_id: 1, score: 0.5, bbox: [150, 150, 10, 10], segmentation: rle(square(20, 20, 40)) };
  // A miss ranked first, with a medium-sized mask (1600) but a large box (10000).
  const miss = { image_id: 1, category_id: 1, score: 0.9, bbox: [0, 100, 100, 100], segmentation: rle(square(100, 100, 40)) };
  const withBoxes = await evaluateJson('segm', gt, [miss, hit]);
  close(withBoxes.stats[0]!, 1 / (2 + NP_SPACING_1), 'AP: the miss counts');
  close(withBoxes.stats[4]!, 1, 'AP medium: the miss is large by its box, so ignored');
  // Mask-only results: area from the mask, so the miss counts in the medium range too.
  const maskOnly = await evaluateJson(
    'segm',
    gt,
    [miss, hit].map(({ bbox: _bbox, ...rest }) => rest),
  );
  close(maskOnly.stats[4]!, 1 / (2 + NP_SPACING_1), 'AP medium of mask-only results');
});

test('box results without a mask are evaluated as box polygons for segm', async () => {
  const gt = cocoGt(
    [{ id: 1, width: 100, height: 100 }],
    [{ image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], segmentation: [[10, 10, 50, 10, 50, 50, 10, 50]] }],
  );
  close((await evaluateJson('segm', gt, [box(1, [10, 10, 40, 40], 0.9)])).stats[0]!, 1);
});

test('a polygon list whose first polygon has 4 numbers is read as boxes', async () => {
  const h = 100,
    w = 100;
  const gt = cocoGt([{ id: 1, width: w, height: h }], [{ image_id: 1, category_id: 1, bbox: [20, 20, 40, 40], segmentation: [[20, 20, 40, 40]], area: 1600 }]);
  const boxMask = { size: [h, w], counts: rleToString(rleFromBox(20, 20, 40, 40, h, w)) };
  const result = await evaluateJson('segm', gt, [{ image_id: 1, category_id: 1, score: 0.9, segmentation: boxMask }]);
  close(result.stats[0]!, 1, 'the mask of the box [20, 20, 40, 40] matches exactly');
});

test('OKS against ground truth without labelled landmarks uses the doubled box', async () => {
  const points = landmarksIn(1, 20, 20, 40, 60);
  const gt = cocoGt(
    [{ id: 1, width: 600, height: 600 }],
    [
      { image_id: 1, category_id: 1, bbox: [20, 20, 40, 60], num_keypoints: points.length, keypoints: keypointVector(1, points) },
      // No labelled landmarks: ignored, but still matched by OKS against its box.
      { image_id: 1, category_id: 1, bbox: [300, 300, 50, 50], num_keypoints: 0 },
    ],
  );
  const all = (x: number, y: number): number[] => Array.from({ length: TOTAL_LANDMARKS * 3 }, (_, j) => (j % 3 === 0 ? x : j % 3 === 1 ? y : 1));
  const hit = { image_id: 1, category_id: 1, keypoints: keypointVector(1, points), score: 0.5 };
  // Every landmark inside the box grown by its size on each side: OKS 1 with the ignored one, so ignored.
  const inside = { image_id: 1, category_id: 1, keypoints: all(260, 390), score: 0.9 };
  const result = await evaluateJson('keypoints', gt, [inside, hit]);
  close(result.stats[0]!, 1, 'the detection inside the grown box is ignored');
  const best = result.matches.detBestIou[0]!;
  close(best, 1, 'its OKS with the ignored ground truth');
  // Outside the grown box it stays a false positive.
  const outside = { image_id: 1, category_id: 1, keypoints: all(150, 150), score: 0.9 };
  close((await evaluateJson('keypoints', gt, [outside, hit])).stats[0]!, 1 / (2 + NP_SPACING_1), 'outside: a false positive first');
});

test('keypoint ground truth with num_keypoints == 0 is ignored', async () => {
  const points = landmarksIn(1, 20, 20, 40, 60);
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [20, 20, 40, 60], num_keypoints: 0, keypoints: keypointVector(1, points) }]);
  const result = await evaluateJson('keypoints', gt, [{ image_id: 1, category_id: 1, keypoints: keypointVector(1, points), score: 0.9 }]);
  assert.equal(result.stats[0], -1, 'no category has regular ground truth');
  assert.equal(result.perCategoryAp[0]!.ap, -1);
});

test('crowd ground truth is ignored and can absorb several detections', async () => {
  const gt = cocoGt(
    [{ id: 1 }],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 20, 20] },
      { image_id: 1, category_id: 1, bbox: [40, 40, 60, 60], iscrowd: 1 },
    ],
  );
  const dets = [box(1, [50, 50, 10, 10], 0.9), box(1, [70, 70, 10, 10], 0.8), box(1, [0, 0, 20, 20], 0.7)];
  close((await evaluateJson('bbox', gt, dets)).stats[0]!, 1, 'both detections inside the crowd are ignored');
});

test('area ranges read the ground truth area field, not the box', async () => {
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], area: 500 }]);
  const result = await evaluateJson('bbox', gt, [box(1, [0, 0, 50, 50], 0.9)]);
  close(result.stats[3]!, 1, 'AP small');
  assert.equal(result.stats[4], -1, 'AP medium: no ground truth there');
});

test('an empty results list gives 0 where there is ground truth and -1 where there is none', async () => {
  const gt = cocoGt(
    [{ id: 1 }],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] },
      { image_id: 1, category_id: 3, bbox: [0, 0, 50, 50] },
    ],
  );
  const result = await evaluateJson('bbox', gt, []);
  assert.deepEqual(
    result.perCategoryAp.map((c) => c.ap),
    [0, -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1],
  );
  assert.equal(result.stats[0], 0);
  assert.equal(result.stats[3], -1, 'nothing small');
});

test('keypoint results take box and area from all 294 x and y, zeros included', async () => {
  const points = landmarksIn(2, 100, 120, 100, 80);
  const file = await writeJson([{ image_id: 1, category_id: 2, keypoints: keypointVector(2, points), score: 0.9 }]);
  const data = await readCocoResults(file, { tasks: ['bbox'] });
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  assert.deepEqual([...data.bbox], [0, 0, Math.max(...xs), Math.max(...ys)]);
  assert.equal(data.area[0], Math.max(...xs) * Math.max(...ys));
  assert.equal(data.kind, 'keypoints');
});

test('subsets ignore ground truth with another attribute value, not unmatched detections', async () => {
  const gt = cocoGt(
    [{ id: 1 }],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 20, 20], occlusion: 1, scale: 1, zoom_in: 1, viewpoint: 1 },
      { image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], occlusion: 2, scale: 1, zoom_in: 1, viewpoint: 1 },
    ],
  );
  // Detections: one on the occlusion-2 item (ignored in subset 1), a miss, one on the occlusion-1 item.
  const dets = [box(1, [50, 50, 20, 20], 0.9), box(1, [30, 0, 5, 5], 0.8), box(1, [0, 0, 20, 20], 0.7)];
  const subset1 = await evaluateJson('bbox', gt, dets, { subset: { attribute: 'occlusion', value: 1 } });
  close(subset1.headline[0], 1 / (2 + NP_SPACING_1), 'the miss still counts, the other item does not');
  const subset3 = await evaluateJson('bbox', gt, dets, { subset: { attribute: 'occlusion', value: 3 } });
  assert.deepEqual(subset3.headline, [-1, -1, -1], 'no ground truth with occlusion 3');
});

test('match records say what each detection matched', async () => {
  const gt = cocoGt(
    [{ id: 7 }],
    [
      { image_id: 7, category_id: 1, bbox: [0, 0, 20, 20], id: 11 },
      { image_id: 7, category_id: 1, bbox: [50, 50, 20, 20], id: 12 },
    ],
  );
  // Second detection: IoU 0.6 with item 12, a match at .50 but not at .75.
  const result = await evaluateJson('bbox', gt, [box(7, [0, 0, 20, 20], 0.9), box(7, [50, 50, 12, 20], 0.8), box(7, [90, 0, 5, 5], 0.7)]);
  const { matchesOfImage } = await import('./matches.js');
  const [cell] = matchesOfImage(result.matches, 7);
  assert.ok(cell);
  assert.deepEqual(
    cell.detections.map((d) => [d.resultIndex, d.gtId50, d.gtId75]),
    [
      [0, 11, 11],
      [1, 12, 0],
      [2, 0, 0],
    ],
  );
  close(cell.detections[1]!.bestIou, 240 / 400);
  assert.deepEqual(
    cell.groundTruth.map((g) => [g.id, g.matched50, g.matched75, g.ignored]),
    [
      [11, true, true, false],
      [12, true, false, false],
    ],
  );
});
