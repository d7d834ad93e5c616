import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageIndex } from './ground-truth.js';

/** What a Map of every id (the last index of an id listed twice) answers. */
function byMap(ids: number[], id: number): number {
  const map = new Map<number, number>();
  ids.forEach((v, i) => map.set(v, i));
  return map.get(id) ?? -1;
}

test('image index: arithmetic for consecutive integer ids, a Map otherwise, the same answers', () => {
  const cases = [[1, 2, 3, 4], [0, 1, 2], [7], [], [5, 3, 4], [1, 2, 4], [1.5, 2.5, 3.5], [2, 2, 3], [-2, -1, 0, 1]];
  const probes = [-3, -2, -1, -0, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7, 8, 1e300, NaN];
  for (const ids of cases) {
    const index = new ImageIndex(Float64Array.from(ids));
    for (const id of probes) assert.equal(index.of(id), byMap(ids, id), `ids [${ids.join(', ')}], id ${id}`);
  }
});
