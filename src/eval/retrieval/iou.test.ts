import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseBoxIou } from './iou.js';

const iou = (a: number[], b: number[]): number => releaseBoxIou(a, 0, b, 0);

test('IoU of corner boxes, without the +1 of pixel-inclusive conventions', () => {
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 5]), 0.5);
  assert.equal(iou([0, 0, 10, 10], [2, 2, 4, 4]), 4 / 100);
  assert.equal(iou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
});

test('touching, disjoint, inverted and empty boxes have IoU 0', () => {
  assert.equal(iou([0, 0, 10, 10], [10, 0, 20, 10]), 0);
  assert.equal(iou([0, 0, 10, 10], [0, 20, 10, 30]), 0);
  assert.equal(iou([10, 10, 0, 0], [0, 0, 10, 10]), 0);
  assert.equal(iou([5, 5, 5, 5], [0, 0, 10, 10]), 0);
});

test('reads boxes at offsets of flat arrays', () => {
  const a = new Float64Array([9, 9, 9, 9, 0, 0, 10, 10]);
  const b = new Float64Array([5, 0, 15, 10]);
  assert.equal(releaseBoxIou(a, 4, b, 0), 50 / 150);
});
