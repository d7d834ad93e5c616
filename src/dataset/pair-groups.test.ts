import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairGroups, type PairGroupCounts } from './pair-groups.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Random } from '../util/random.js';

/** The same counts from a Map of every group (what the table replaces). */
function reference(items: [pairId: number, style: number, shop: boolean][]): PairGroupCounts {
  const groups = new Map<string, { pairId: number; users: number; shops: number }>();
  for (const [pairId, style, shop] of items) {
    const g = groups.get(`${pairId}/${style}`) ?? { pairId, users: 0, shops: 0 };
    if (shop) g.shops++;
    else g.users++;
    groups.set(`${pairId}/${style}`, g);
  }
  const counts = { positives: 0, queryItems: 0, galleryItems: 0, pairIds: 0 };
  const pairIds = new Set<number>();
  for (const g of groups.values()) {
    if (g.users === 0 || g.shops === 0) continue;
    counts.positives += g.users * g.shops;
    counts.queryItems += g.users;
    counts.galleryItems += g.shops;
    pairIds.add(g.pairId);
  }
  counts.pairIds = pairIds.size;
  return counts;
}

test('counts equal a Map of the groups, through many resizes and with pair_ids and styles beyond 32 bits', () => {
  const random = Random.from(11);
  const items: [number, number, boolean][] = [];
  const wide = [2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
  for (let k = 0; k < 200_000; k++) {
    const pairId = random.next() < 0.01 ? wide[Math.floor(random.next() * wide.length)]! : Math.floor(random.next() * 40_000) - 100;
    const style = random.next() < 0.01 ? 2 ** 40 + Math.floor(random.next() * 3) : 1 + Math.floor(random.next() * 4);
    items.push([pairId, style, random.next() < 0.4]);
  }
  const groups = new PairGroups(16);
  for (const [pairId, style, shop] of items) groups.add(pairId, style, shop);
  const expected = reference(items);
  assert.deepEqual(groups.count(), expected);
  assert.ok(groups.size > 100_000 && expected.pairIds > 10_000, `the case has many groups with pairs: ${JSON.stringify(expected)}`);
});

test('a group needs both a user and a shop item; pair_ids count once over their styles', () => {
  const groups = new PairGroups();
  groups.add(1, 1, false);
  groups.add(1, 1, true);
  groups.add(1, 2, false);
  groups.add(1, 2, true);
  groups.add(1, 2, true);
  groups.add(2, 1, false); // no shop item
  groups.add(3, 1, true); // no user item
  assert.deepEqual(groups.count(), { positives: 3, queryItems: 2, galleryItems: 3, pairIds: 1 });
  assert.equal(groups.size, 4);
});

test('a style that is not a positive safe integer is refused', () => {
  const groups = new PairGroups();
  assert.throws(() => groups.add(1, 0, true), /style 0/);
  assert.throws(() => groups.add(1, 1.5, true), RangeError);
  assert.throws(() => groups.add(2 ** 53, 1, true), RangeError);
});

test('190,000 groups take 4 MB, outside the JavaScript heap', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage();
  const groups = new PairGroups();
  for (let k = 0; k < 190_000; k++) groups.add(k, 1 + (k % 3), k % 2 === 0);
  gc();
  const after = process.memoryUsage();
  assert.equal(groups.size, 190_000);
  // 262,144 slots of 16 bytes (at most 3/4 used); a Map of the same groups is ~12 MB of heap.
  const buffers = after.arrayBuffers - before.arrayBuffers;
  assert.ok(buffers <= 4 * 2 ** 20 + 2 ** 16, `array buffers grew by ${buffers}`);
  assert.ok(after.heapUsed - before.heapUsed < 2 ** 20, `the heap grew by ${after.heapUsed - before.heapUsed}`);
});
