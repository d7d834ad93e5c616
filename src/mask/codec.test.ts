import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN_FIXTURES, goldenPath } from '../testing/paths.js';
import { RleFormatError, rleFromString, rleToString } from './codec.js';
import { rleArea, rleDecode, rleEncode, rlePixelBounds, rleToBbox } from './rle.js';
import { bboxFromPixels, countSet, releaseBboxFromPixels, randomMask, seededRandom } from './testing.js';

const rle = (height: number, width: number, counts: number[]) => ({ height, width, counts: Uint32Array.from(counts) });

interface SegmResult {
  segmentation: { size: [number, number]; counts: string };
}

test('every official RLE string of the golden segm results round-trips; area and box match the pixels', () => {
  let strings = 0;
  for (const fixture of GOLDEN_FIXTURES) {
    const results = JSON.parse(readFileSync(goldenPath(fixture, 'results', 'segm_results.json'), 'utf8')) as SegmResult[];
    for (const [i, r] of results.entries()) {
      const [h, w] = r.segmentation.size;
      const decoded = rleFromString(r.segmentation.counts, h, w);
      assert.equal(rleToString(decoded), r.segmentation.counts, `${fixture} result ${i}`);
      strings++;
      if (i % 16 !== 0) continue; // pixel-level checks on a sample: they cost ~0.5M pixels each
      const mask = rleDecode(decoded);
      assert.equal(rleArea(decoded), countSet(mask), `${fixture} result ${i} area`);
      assert.deepEqual(rleToBbox(decoded), releaseBboxFromPixels(mask, h), `${fixture} result ${i} release bbox`);
      assert.deepEqual(rlePixelBounds(decoded), bboxFromPixels(mask, h), `${fixture} result ${i} pixel bounds`);
      assert.deepEqual(rleEncode(mask, h, w).counts, decoded.counts, `${fixture} result ${i} re-encoded`);
    }
  }
  assert.ok(strings > 900, `only ${strings} strings`);
});

test('strings are built from 5-bit groups + 48 with deltas from the fourth run on (hand-computed)', () => {
  // 0 -> '0'; 5 -> '5'.
  assert.equal(rleToString(rle(1, 5, [0, 5])), '05');
  // 40 = 0b1_01000: low group 8 with the continuation bit (8|32)+48 = 'X', then 1 -> '1'.
  assert.equal(rleToString(rle(43, 1, [3, 40])), '3X1');
  // Fourth run 1 is written as 1 - counts[1] = -1: group 31 (sign bit set, nothing follows) -> 'O'.
  assert.equal(rleToString(rle(7, 1, [1, 2, 3, 1])), '123O');
  // Third run is not a delta (the delta starts at index 3): 16 needs a sign-safe second group.
  assert.equal(rleToString(rle(1, 21, [1, 4, 16])), '14`0'); // (16|32)+48 = '`', then 0
  assert.deepEqual(Array.from(rleFromString('123O', 7, 1).counts), [1, 2, 3, 1]);
  assert.deepEqual(Array.from(rleFromString('3X1', 43, 1).counts), [3, 40]);
  assert.deepEqual(Array.from(rleFromString('14`0', 1, 21).counts), [1, 4, 16]);
});

test('random masks and large run lengths round-trip through strings', () => {
  const random = seededRandom(99);
  for (let i = 0; i < 200; i++) {
    const h = 1 + Math.floor(random() * 50);
    const w = 1 + Math.floor(random() * 50);
    const encoded = rleEncode(randomMask(random, h, w, random()), h, w);
    const back = rleFromString(rleToString(encoded), h, w);
    assert.deepEqual(back.counts, encoded.counts);
  }
  const big = rle(60000, 60000, [1, 1234567890, 5, 3, 2365432101, 0]);
  assert.deepEqual(rleFromString(rleToString(big), 60000, 60000).counts, big.counts);
  assert.equal(rleToString(rle(0, 0, [])), '');
  assert.deepEqual(Array.from(rleFromString('', 0, 7).counts), []);
});

test('malformed strings throw RleFormatError with a reason', () => {
  const bad: [string, number, number, RegExp][] = [
    ['0p', 1, 1, /bad character "p"/], // 'p' = 48 + 64: beyond the alphabet
    ['0 5', 1, 5, /bad character " "/],
    ['0/', 1, 1, /bad character/],
    ['05\u00e9', 1, 5, /bad character/],
    ['0X', 1, 40, /truncated/], // 'X' says another group follows
    ['05', 2, 3, /sum to 5, expected 2\*3 = 6/],
    ['055', 3, 3, /sum to 10, expected 3\*3 = 9/],
    ['1O', 1, 1, /run 2 has length -1/], // a negative run
    ['0PPPPPPP0', 1, 1, /longer than 7/],
    ['', 2, 2, /sum to 0/],
  ];
  for (const [counts, h, w, reason] of bad) {
    assert.throws(
      () => rleFromString(counts, h, w),
      (error: unknown) => error instanceof RleFormatError && reason.test(error.message),
      counts,
    );
  }
  assert.throws(() => rleFromString('05', -1, -5), RleFormatError);
  assert.throws(() => rleFromString('05', 1.5, 2), RleFormatError);
  assert.throws(() => rleFromString('05', 70000, 70000), RleFormatError);
  assert.throws(() => rleFromString(5 as unknown as string, 1, 5), RleFormatError);
  assert.deepEqual(Array.from(rleFromString('055', 2, 5).counts), [0, 5, 5], 'the same string fits 2x5');
});
