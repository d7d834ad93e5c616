import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linspace, meanOfValid, pairwiseSum, stableOrderByDescending } from './numeric.js';
import { paramsFor } from './params.js';
import { pyFixed } from './summarize.js';

test('pairwiseSum: a plain loop below 8 values, eight interleaved sums up to 128', () => {
  const small = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7];
  let plain = 0;
  for (const v of small) plain += v;
  assert.equal(pairwiseSum(small, 0, small.length), plain);
  const a = Array.from({ length: 19 }, (_, i) => 1 / (i + 3) + (i % 2 ? 1e15 : 0));
  const r = Array.from({ length: 8 }, (_, j) => a[j]! + a[j + 8]!);
  const expected = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!)) + a[16]! + a[17]! + a[18]!;
  assert.equal(pairwiseSum(a, 0, 19), expected);
  // Above 128 values: halves split at a multiple of 8.
  const big = Array.from({ length: 294 }, (_, i) => Math.exp(-i / 7));
  assert.equal(pairwiseSum(big, 0, 294), pairwiseSum(big, 0, 144) + pairwiseSum(big, 144, 150));
});

test('linspace gives the thresholds of the official Params', () => {
  const p = paramsFor('bbox');
  assert.equal(p.iouThrs.length, 10);
  assert.equal(p.iouThrs[5], 0.75, '.75 must be found by equality, as summarize does');
  assert.equal(p.iouThrs[8], 0.8999999999999999);
  assert.equal(p.recThrs.length, 101);
  assert.equal(p.recThrs[100], 1);
  assert.deepEqual([...linspace(0, 1, 3)], [0, 0.5, 1]);
  assert.deepEqual(paramsFor('keypoints').maxDets, [20]);
  assert.deepEqual(paramsFor('keypoints').areaLabels, ['all', 'medium', 'large']);
});

test('meanOfValid skips -1 and gives -1 when nothing is valid', () => {
  assert.equal(meanOfValid([-1, 0.5, -1, 1]), 0.75);
  assert.equal(meanOfValid([-1, -1]), -1);
  assert.equal(meanOfValid([]), -1);
});

test('stableOrderByDescending keeps ties in order, short and long lists', () => {
  const short = [0.5, 0.9, 0.5, 0.9, 0.1];
  assert.deepEqual([...stableOrderByDescending(short, short.length)], [1, 3, 0, 2, 4]);
  const long = Array.from({ length: 100 }, (_, i) => (i % 3) / 10);
  const order = [...stableOrderByDescending(long, long.length)];
  const expected = [...long.keys()]
    .filter((i) => i % 3 === 2)
    .concat(
      [...long.keys()].filter((i) => i % 3 === 1),
      [...long.keys()].filter((i) => i % 3 === 0),
    );
  assert.deepEqual(order, expected);
});

test('stableOrderByDescending equals a stable comparator sort on long lists with many ties', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const n of [33, 64, 65, 1000, 4099]) {
    const key = Array.from({ length: n }, () => Math.round(random() * 20) / 20);
    const expected = [...key.keys()].sort((a, b) => key[b]! - key[a]! || a - b);
    assert.deepEqual([...stableOrderByDescending(key, n)], expected, `n = ${n}`);
    const out = new Int32Array(n + 5);
    assert.deepEqual([...stableOrderByDescending(key, n, out)], expected, `n = ${n}, into a longer buffer`);
  }
});

test('pyFixed rounds exact ties to even, as Python formats', () => {
  assert.equal(pyFixed(0.0625, 3), '0.062');
  assert.equal(pyFixed(0.1875, 3), '0.188');
  assert.equal(pyFixed(0.4409421892, 3), '0.441');
  assert.equal(pyFixed(-1, 3), '-1.000');
  assert.equal(pyFixed(0.5, 2), '0.50');
  assert.equal(pyFixed(0.95, 2), '0.95');
  assert.equal(pyFixed(0.9995, 3), '1.000', '0.9995 is just above the tie in binary');
  assert.equal(pyFixed(0.1235, 3), '0.123', '0.1235 is just below the tie in binary');
  assert.equal(pyFixed(2.675, 2), '2.67');
  assert.equal(pyFixed(1, 3), '1.000');
});
