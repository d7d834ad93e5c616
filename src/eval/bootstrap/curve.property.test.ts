/**
 * fillNeeds, which lets a pass compare integers instead of dividing: for
 * any number of regular ground truth, needs[r] is the fewest true positives
 * whose recall, the same double tp / npig as the official accumulate(),
 * reaches recall sample r (searchsorted 'left').
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkProperty } from '../../testing/fuzz.js';
import { paramsFor } from '../coco/params.js';
import { fillNeeds } from './curve.js';

const { recThrs } = paramsFor('bbox');

function assertNeeds(npig: number): void {
  const needs = new Float64Array(recThrs.length + 1);
  fillNeeds(recThrs, npig, needs);
  recThrs.forEach((threshold, r) => {
    const m = needs[r]!;
    assert.ok(Number.isInteger(m) && m >= 0 && m <= npig, `npig ${npig}, sample ${r}: ${m}`);
    assert.ok(m / npig >= threshold, `npig ${npig}, sample ${r}: ${m} true positives do not reach ${threshold}`);
    if (m > 0) assert.ok((m - 1) / npig < threshold, `npig ${npig}, sample ${r}: ${m - 1} true positives already reach ${threshold}`);
  });
  assert.equal(needs[recThrs.length], Infinity);
}

test('needs: every npig up to 2,000, and the sizes of the release', () => {
  for (let npig = 1; npig <= 2000; npig++) assertNeeds(npig);
  // Regular ground truth of a validation-sized category and of the whole training split, drawn several times over.
  for (const npig of [54_910, 109_198, 636_624, 1_273_248]) assertNeeds(npig);
});

test('needs: any npig up to 10 million', async () => {
  await checkProperty(
    fc.property(fc.integer({ min: 1, max: 10_000_000 }), (npig) => assertNeeds(npig)),
    300,
  );
});
