/** Python's json.dump text: the layout the release's files are written in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyFloat, pyFloatList, pyJson } from './py-json.js';

test('pyFloat follows repr(float)', () => {
  // Python: repr(138.0), repr(0.1), repr(1e-05), repr(0.0001), repr(1e16), repr(-0.0), repr(2.5e-07), repr(123456.789)
  const cases: [number, string][] = [
    [138, '138.0'],
    [0.1, '0.1'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [-0, '-0.0'],
    [2.5e-7, '2.5e-07'],
    [123456.789, '123456.789'],
    [1e15, '1000000000000000.0'],
  ];
  for (const [n, text] of cases) assert.equal(pyFloat(n), text, String(n));
});

test('pyJson writes separators, key order and escapes as json.dump', () => {
  assert.equal(pyJson({ b: [1, 2.5, 'x'], a: { c: null, d: true } }), '{"b": [1, 2.5, "x"], "a": {"c": null, "d": true}}');
  assert.equal(pyJson('é"\n'), '"\\u00e9\\"\\n"');
  assert.equal(pyJson({ keypoints: [0, 0, 12, 0], other: [0] }, new Set(['keypoints'])), '{"keypoints": [0.0, 0.0, 12.0, 0.0], "other": [0]}');
  assert.equal(pyFloatList([]), '[]');
  assert.equal(pyFloatList([0, 0, 0]), '[0.0, 0.0, 0.0]');
  assert.equal(pyFloatList([-0, 1.5]), '[-0.0, 1.5]');
});
