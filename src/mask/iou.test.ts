import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxIou, rleIou } from './iou.js';
import { rleFromBox } from './polygon.js';
import { type Rle, rleEncode } from './rle.js';
import { countSet, combinePixels, randomMask, releaseBboxFromPixels, seededRandom } from './testing.js';

const rle = (height: number, width: number, counts: number[]): Rle => ({ height, width, counts: Uint32Array.from(counts) });

test('mask IoU of two overlapping squares, with and without crowd (hand-computed)', () => {
  const a = rleFromBox(0, 0, 4, 4, 10, 10); // 16 pixels
  const b = rleFromBox(2, 2, 4, 4, 10, 10); // 16 pixels, 4 shared
  assert.deepEqual(Array.from(rleIou([a], [b], [0])), [4 / 28]);
  assert.deepEqual(Array.from(rleIou([a], [b], [1])), [4 / 16], 'crowd: union is the detection area');
  assert.deepEqual(Array.from(rleIou([a], [a], [0])), [1]);
  const inside = rleFromBox(1, 1, 2, 2, 10, 10);
  assert.deepEqual(Array.from(rleIou([inside], [a], [1])), [1], 'a detection inside a crowd region scores 1');
  assert.deepEqual(Array.from(rleIou([inside], [a], [0])), [4 / 16]);
});

test('mask IoU layout is detection-major and disjoint or empty masks give 0', () => {
  const d0 = rleFromBox(0, 0, 2, 2, 6, 6);
  const d1 = rleFromBox(3, 3, 3, 3, 6, 6);
  const g0 = rleFromBox(0, 0, 3, 3, 6, 6);
  const g1 = rleFromBox(4, 4, 2, 2, 6, 6);
  const g2 = rle(6, 6, [36]);
  const iou = rleIou([d0, d1], [g0, g1, g2], [0, 0, 0]);
  assert.deepEqual(Array.from(iou), [4 / 9, 0, 0, 0, 4 / 9, 0]);
  assert.deepEqual(Array.from(rleIou([g2], [g2], [1])), [0]);
  assert.equal(rleIou([], [g0], [0]).length, 0);
  assert.equal(rleIou([d0], [], []).length, 0);
});

test('masks of another size give -1 when their boxes overlap, else 0 (maskApi)', () => {
  const small = rleFromBox(0, 0, 3, 3, 8, 8);
  const otherSize = rleFromBox(1, 1, 3, 3, 9, 8);
  const otherSizeFar = rleFromBox(5, 5, 2, 2, 9, 8);
  assert.deepEqual(Array.from(rleIou([small], [otherSize, otherSizeFar], [0, 0])), [-1, 0]);
});

test('mask IoU is 0 when the release boxes do not overlap, even if pixels do (the 2017 pre-check)', () => {
  // 4x3 image. dt: one run of pixels 2..5 wrapping from column 0 into column 1; its release
  // box is rows 1..2 only. gt: pixel 3 alone (x 0, y 3), inside dt, box rows 3..3.
  const dt = rle(4, 3, [2, 4, 6]);
  const gt = rle(4, 3, [3, 1, 8]);
  assert.deepEqual(Array.from(rleIou([dt], [gt], [0])), [0]);
  assert.deepEqual(Array.from(rleIou([dt], [gt], [1])), [0], 'crowd too');
  assert.deepEqual(Array.from(rleIou([gt], [dt], [0])), [0], 'either side');
  // gt pixel 4 (x 1, y 0) is in dt too, but its row 0 lies above dt's box: 0.
  assert.deepEqual(Array.from(rleIou([dt], [rle(4, 3, [4, 1, 7])], [0])), [0]);
  // gt pixel 5 (x 1, y 1) lies in dt's box: counted, 1 of 4 pixels.
  assert.deepEqual(Array.from(rleIou([dt], [rle(4, 3, [5, 1, 6])], [0])), [1 / 4]);
  // A mask of another size whose box misses: 0, not -1.
  assert.deepEqual(Array.from(rleIou([dt], [rle(5, 3, [4, 1, 10])], [0])), [0]);
});

test('mask IoU equals the pixel count ratio on random masks whose release boxes overlap, else 0', () => {
  const random = seededRandom(3);
  let prechecked = 0;
  for (let i = 0; i < 300; i++) {
    const h = 1 + Math.floor(random() * 30);
    const w = 1 + Math.floor(random() * 30);
    const dm = randomMask(random, h, w, random() * 0.3);
    const gm = randomMask(random, h, w, random() * 0.3);
    const crowd = random() < 0.5 ? 1 : 0;
    const inter = countSet(combinePixels([dm, gm], true));
    const union = crowd ? countSet(dm) : countSet(combinePixels([dm, gm], false));
    const [dx, dy, dw, dh] = releaseBboxFromPixels(dm, h);
    const [gx, gy, gw, gh] = releaseBboxFromPixels(gm, h);
    const boxesMeet = Math.min(dx + dw, gx + gw) > Math.max(dx, gx) && Math.min(dy + dh, gy + gh) > Math.max(dy, gy);
    if (inter > 0 && !boxesMeet) prechecked++;
    const expected = inter === 0 || !boxesMeet ? 0 : inter / union;
    assert.equal(rleIou([rleEncode(dm, h, w)], [rleEncode(gm, h, w)], [crowd])[0], expected);
  }
  assert.ok(prechecked > 0, 'some random pairs share pixels but not release boxes');
});

test('box IoU follows bbIou (hand-computed), incl. crowd, touching and layout', () => {
  const dt = Float64Array.from([0, 0, 4, 4, 10, 10, 2, 2]);
  const gt = Float64Array.from([2, 2, 4, 4, 4, 0, 2, 2, 1.5, 0.5, 1, 2]);
  const iou = boxIou(dt, gt, [0, 0, 1]);
  // d0-g0: 2x2 = 4 over 16+16-4; d0-g1 touch at x=4: 0; d0-g2 (crowd): 1x2 inside d0 -> 2/16.
  assert.deepEqual(Array.from(iou), [4 / 28, 0, 2 / 16, 0, 0, 0]);
  assert.deepEqual(Array.from(boxIou(Float64Array.from([0.5, 0.25, 3, 2.5]), Float64Array.from([1, 1, 3, 3]), [0])), [(2.5 * 1.75) / (7.5 + 9 - 2.5 * 1.75)]);
  assert.equal(boxIou(new Float64Array(0), gt, [0, 0, 0]).length, 0);
  assert.throws(() => boxIou(dt, gt, [0]), RangeError);
});
