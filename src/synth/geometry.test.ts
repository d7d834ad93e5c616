import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipToRect, doubleArea, insidePolygon, polygonBounds, roundPolygon, rotationFromHalfTangent } from './geometry.js';

test('clipping keeps inside vertices and cuts at the borders', () => {
  const square = [-10, -10, 10, -10, 10, 10, -10, 10];
  const clipped = roundPolygon(clipToRect(square, 5, 5));
  assert.deepEqual(polygonBounds([clipped]), [0, 0, 5, 5]);
  assert.equal(Math.abs(doubleArea(clipped)), 50);
  const inside = [1, 1, 4, 1, 4, 3];
  assert.deepEqual(clipToRect(inside, 5, 5), inside);
  assert.deepEqual(clipToRect([10, 10, 20, 10, 20, 20], 5, 5), []);
});

test('point in polygon and rotation', () => {
  const triangle = [0, 0, 10, 0, 0, 10];
  assert.ok(insidePolygon(triangle, 2, 2));
  assert.ok(!insidePolygon(triangle, 8, 8));
  const { cos, sin } = rotationFromHalfTangent(Math.tan(Math.PI / 8));
  assert.ok(Math.abs(cos - Math.SQRT1_2) < 1e-12 && Math.abs(sin - Math.SQRT1_2) < 1e-12);
});
