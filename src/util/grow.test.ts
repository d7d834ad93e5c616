import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grow } from './grow.js';

test('grow keeps a column that is long enough, and otherwise copies it into one at least twice as long', () => {
  const small = Int32Array.from([1, 2, 3]);
  assert.equal(grow(small, 3), small, 'long enough: the same array');
  const bigger = grow(small, 4);
  assert.notEqual(bigger, small);
  assert.ok(bigger instanceof Int32Array);
  assert.equal(bigger.length, 1024, 'at least 1,024');
  assert.deepEqual([...bigger.subarray(0, 4)], [1, 2, 3, 0]);

  const full = new Float64Array(2048).fill(0.5);
  const doubled = grow(full, 2049);
  assert.ok(doubled instanceof Float64Array);
  assert.equal(doubled.length, 4096, 'twice as long');
  assert.equal(doubled[2047], 0.5);
  // A size past twice the length: doubled until it fits.
  assert.equal(grow(new Uint8Array(1024), 5000).length, 8192);
});

test('pushing one entry at a time through grow costs copies in proportion to the entries, not their square', () => {
  let column = new Uint16Array(0);
  let copies = 0;
  for (let n = 0; n < 100_000; n++) {
    const next = grow(column, n + 1);
    if (next !== column) copies += column.length;
    column = next;
    column[n] = n % 65536;
  }
  assert.ok(copies < 2 * 100_000, `${copies} entries copied`);
  assert.equal(column[99_999], 99_999 % 65536);
});
