import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.js';

const take = (rng: Random, n: number): number[] => Array.from({ length: n }, () => rng.next32());

test('a stream is determined by its keys alone', () => {
  assert.deepEqual(take(Random.from(1, 2, 3), 100), take(Random.from(1, 2, 3), 100));
  const streams = [[1, 2, 3], [1, 2, 4], [2, 2, 3], [1, 3, 2], [1, 2], [0]].map((keys) => take(Random.from(...keys), 8).join());
  assert.equal(new Set(streams).size, streams.length, 'different keys, different streams');
});

test('draws have the intended ranges and rough distributions', () => {
  const rng = Random.from(42);
  const n = 20000;
  let sum = 0;
  let sumSquares = 0;
  let normalSum = 0;
  let normalSquares = 0;
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sumSquares += u * u;
    const z = rng.normal(2);
    normalSum += z;
    normalSquares += z * z;
    counts[rng.weighted([1, 2, 7])]!++;
    const k = rng.int(3, 5);
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  assert.ok(Math.abs(sumSquares / n - 1 / 3) < 0.01);
  assert.ok(Math.abs(normalSum / n) < 0.05);
  assert.ok(Math.abs(Math.sqrt(normalSquares / n) - 2) < 0.05, 'normal(2) has sd 2');
  assert.ok(Math.abs(counts[0]! / n - 0.1) < 0.01 && Math.abs(counts[2]! / n - 0.7) < 0.015);
});

test('shuffle permutes without losing elements', () => {
  const list = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = Random.from(7).shuffle([...list]);
  assert.notDeepEqual(shuffled, list);
  assert.deepEqual(
    [...shuffled].sort((a, b) => a - b),
    list,
  );
});
