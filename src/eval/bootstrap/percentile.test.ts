import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentileInterval, percentileOfSorted } from './percentile.js';

test('percentiles are the linear ones of numpy', () => {
  // np.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
  const sorted = [1, 2, 3, 4];
  assert.ok(Math.abs(percentileOfSorted(sorted, 2.5) - 1.075) < 1e-15);
  assert.equal(percentileOfSorted(sorted, 50), 2.5);
  assert.ok(Math.abs(percentileOfSorted(sorted, 97.5) - 3.925) < 1e-15);
  assert.equal(percentileOfSorted(sorted, 0), 1);
  assert.equal(percentileOfSorted(sorted, 100), 4);
  assert.equal(percentileOfSorted([7], 2.5), 7);
  assert.ok(Number.isNaN(percentileOfSorted([], 50)));
});

test('an interval leaves out undefined figures (-1) unless told to keep them', () => {
  const values = [0.4, -1, 0.2, 0.3, -1, 0.1];
  const interval = percentileInterval(values, 0.5);
  assert.equal(interval.defined, 4);
  // np.percentile([0.1, 0.2, 0.3, 0.4], [25, 75]) = [0.175, 0.325]
  assert.ok(Math.abs(interval.low - 0.175) < 1e-15 && Math.abs(interval.high - 0.325) < 1e-15);
  assert.equal(percentileInterval(values, 0.5, true).defined, 6);
  // np.percentile([-1, -1, 0.1, 0.2, 0.3, 0.4], 25) = -0.725
  assert.ok(Math.abs(percentileInterval(values, 0.5, true).low - -0.725) < 1e-15);
});
