import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RleFormatError } from './errors.js';
import { type Rle, rleArea, rleCheck, rleDecode, rleEncode, rleMerge, rlePixelBounds, rleToBbox } from './rle.js';
import { bboxFromPixels, combinePixels, releaseBboxFromPixels, countSet, randomMask, seededRandom } from './testing.js';

const rle = (height: number, width: number, counts: number[]): Rle => ({ height, width, counts: Uint32Array.from(counts) });

test('encode/decode round-trips random masks; runs are maximal and cover the image', () => {
  const random = seededRandom(1);
  const sizes: [number, number][] = [
    [1, 1],
    [0, 4],
    [4, 0],
    [1, 17],
    [17, 1],
  ];
  for (let i = 0; i < 150; i++) sizes.push([1 + Math.floor(random() * 40), 1 + Math.floor(random() * 40)]);
  for (const [h, w] of sizes) {
    for (const fill of [0, 0.3, 0.8, 1]) {
      const mask = randomMask(random, h, w, fill);
      const encoded = rleEncode(mask, h, w);
      assert.deepEqual(rleDecode(encoded), mask, `${h}x${w}`);
      rleCheck(encoded);
      for (let j = 1; j < encoded.counts.length; j++) assert.ok(encoded.counts[j]! > 0, 'only the first run may be empty');
      assert.equal(rleArea(encoded), countSet(mask));
      assert.deepEqual(rleToBbox(encoded), releaseBboxFromPixels(mask, h));
      assert.deepEqual(rlePixelBounds(encoded), bboxFromPixels(mask, h));
    }
  }
});

test('encode treats any nonzero byte as set and starts with a (possibly empty) run of 0s', () => {
  assert.deepEqual(Array.from(rleEncode(Uint8Array.from([7, 255, 0, 1]), 2, 2).counts), [0, 2, 1, 1]);
  assert.deepEqual(Array.from(rleEncode(new Uint8Array(6), 3, 2).counts), [6]);
  assert.deepEqual(Array.from(rleEncode(new Uint8Array(0), 0, 0).counts), [0]);
  assert.throws(() => rleEncode(new Uint8Array(5), 2, 2), RangeError);
});

test("bounding boxes follow the release's rleToBbox (hand-computed)", () => {
  // 4x3 image, column-major. Pixels 5,6 (x=1, y=1..2): a run inside one column.
  assert.deepEqual(rleToBbox(rle(4, 3, [5, 2, 5])), [1, 1, 1, 2]);
  // Pixels 3..4 span columns 0 and 1: first pixel (0, 3), last pixel (1, 0).
  assert.deepEqual(rleToBbox(rle(4, 3, [3, 2, 7])), [0, 0, 2, 4]);
  assert.deepEqual(rleToBbox(rle(4, 3, [12])), [0, 0, 0, 0]);
  // A trailing odd run of 0s is ignored; a zero-length run of 1s still counts
  // as the pixel before it (maskApi's arithmetic), even in an empty mask.
  assert.deepEqual(rleToBbox(rle(5, 1, [3, 0, 2])), [0, 2, 1, 2]);
});

test('a run wrapping from the bottom of a column into the top of the next does not widen the release box', () => {
  // 4x3: one run of pixels 2..5, rows 2-3 of column 0 then rows 0-1 of column 1.
  // The release takes rows from its first (0, 2) and last (1, 1) pixel only.
  assert.deepEqual(rleToBbox(rle(4, 3, [2, 4, 6])), [0, 1, 2, 2]);
  assert.deepEqual(rlePixelBounds(rle(4, 3, [2, 4, 6])), [0, 0, 2, 4], 'the tight box takes the full height');
  // A run over three columns (pixels 3..8 of 4x3): x 0..2, rows from (0, 3) and (2, 0).
  assert.deepEqual(rleToBbox(rle(4, 3, [3, 6, 3])), [0, 0, 3, 4]);
  // Wrapping tails of 1 pixel each around a middle band: rows 3 and 0 only, 4 rows tall.
  assert.deepEqual(rleToBbox(rle(4, 3, [3, 2, 7])), [0, 0, 2, 4]);
  // Two wrapping runs whose ends sit in rows 1..2 only: the box is 2 rows tall although
  // rows 0 and 3 hold set pixels.
  assert.deepEqual(rleToBbox(rle(4, 4, [2, 4, 4, 4, 2])), [0, 1, 4, 2]);
  assert.deepEqual(rlePixelBounds(rle(4, 4, [2, 4, 4, 4, 2])), [0, 0, 4, 4]);
});

test('merge: union and intersection equal pixel-wise OR and AND', () => {
  const random = seededRandom(2);
  for (let i = 0; i < 150; i++) {
    const h = 1 + Math.floor(random() * 30);
    const w = 1 + Math.floor(random() * 30);
    const n = 2 + Math.floor(random() * 3);
    const masks = Array.from({ length: n }, () => randomMask(random, h, w, random()));
    const rles = masks.map((m) => rleEncode(m, h, w));
    for (const intersect of [false, true]) {
      const merged = rleMerge(rles, intersect);
      assert.deepEqual(merged.counts, rleEncode(combinePixels(masks, intersect), h, w).counts, `${h}x${w} n=${n} intersect=${intersect}`);
      assert.equal(merged.height, h);
      assert.equal(merged.width, w);
    }
  }
});

test('merge keeps maskApi semantics for empty runs, single masks, no masks and size mismatches', () => {
  // Union of [3, 0, 2] (toggles twice at pixel 3) with an empty mask: maskApi
  // loads one run per step, so the zero-length run comes out again.
  assert.deepEqual(Array.from(rleMerge([rle(5, 1, [3, 0, 2]), rle(5, 1, [5])]).counts), [3, 0, 2]);
  // Merged against a mask that starts with set pixels: [0, 2, 3] | [3, 0, 2].
  assert.deepEqual(Array.from(rleMerge([rle(5, 1, [0, 2, 3]), rle(5, 1, [3, 0, 2])]).counts), [0, 2, 1, 0, 2]);
  assert.deepEqual(Array.from(rleMerge([rle(5, 1, [0, 2, 3]), rle(5, 1, [1, 4])], true).counts), [1, 1, 3]);
  // Empty images: the final (empty) run is still written.
  assert.deepEqual(Array.from(rleMerge([rle(0, 3, [0]), rle(0, 3, [0])]).counts), [0]);
  const single = rle(2, 2, [1, 2, 1]);
  const copy = rleMerge([single]);
  assert.deepEqual(copy, single);
  assert.notEqual(copy.counts, single.counts, 'a copy, not the same array');
  assert.deepEqual(rleMerge([]), rle(0, 0, []));
  assert.deepEqual(rleMerge([rle(2, 2, [4]), rle(4, 1, [4])]), rle(0, 0, []));
});

test('inconsistent run totals throw instead of looping or overrunning', () => {
  assert.throws(() => rleMerge([rle(2, 2, [4]), rle(2, 2, [1, 1])]), RleFormatError);
  assert.throws(() => rleMerge([rle(2, 2, [1, 1]), rle(2, 2, [4])]), RleFormatError);
  assert.throws(() => rleDecode(rle(2, 2, [1, 5])), RleFormatError);
  assert.throws(() => rleCheck(rle(2, 2, [1, 2])), RleFormatError);
});
