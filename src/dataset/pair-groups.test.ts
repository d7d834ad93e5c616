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

test('items taken out again: every answer and the counts equal a Map of the groups, down to an empty table', () => {
  const random = Random.from(12);
  const reference = new Map<string, { pairId: number; style: number; counts: [number, number] }>();
  const groups = new PairGroups(16);
  const items: [number, number, boolean][] = [];
  const check = (): void => {
    const expected = { positives: 0, queryItems: 0, galleryItems: 0, pairIds: 0 };
    const pairIds = new Set<number>();
    for (const { pairId, counts } of reference.values()) {
      if (counts[0] === 0 || counts[1] === 0) continue;
      expected.positives += counts[0] * counts[1];
      expected.queryItems += counts[0];
      expected.galleryItems += counts[1];
      pairIds.add(pairId);
    }
    expected.pairIds = pairIds.size;
    assert.deepEqual(groups.count(), expected);
    assert.equal(groups.size, reference.size);
  };
  for (let step = 0; step < 120_000; step++) {
    const takeOut = items.length > 0 && random.next() < (step < 80_000 ? 0.4 : 0.9);
    let item: [number, number, boolean];
    if (takeOut) {
      const k = Math.floor(random.next() * items.length);
      item = items[k]!;
      items[k] = items[items.length - 1]!;
      items.pop();
    } else {
      const wide = random.next() < 0.005;
      item = [wide ? 2 ** 33 + Math.floor(random.next() * 5) : Math.floor(random.next() * 3000), 1 + Math.floor(random.next() * 3), random.next() < 0.5];
      items.push(item);
    }
    const [pairId, style, shop] = item;
    const key = `${pairId}:${style}`;
    const entry = reference.get(key) ?? { pairId, style, counts: [0, 0] as [number, number] };
    entry.counts[shop ? 1 : 0] += takeOut ? -1 : 1;
    if (entry.counts[0] === 0 && entry.counts[1] === 0) reference.delete(key);
    else reference.set(key, entry);
    assert.equal(groups.change(pairId, style, shop, takeOut ? -1 : 1), entry.counts[shop ? 0 : 1], `step ${step}`);
    if (step % 20_000 === 0) check();
  }
  check();
  // Every group left is still found from its home slot after the removals shifted the runs.
  for (const { pairId, style, counts } of reference.values()) {
    assert.equal(groups.change(pairId, style, true, 1), counts[0]);
    assert.equal(groups.change(pairId, style, false, 0), counts[1] + 1);
    groups.change(pairId, style, true, -1);
  }
  for (const [pairId, style, shop] of items) groups.change(pairId, style, shop, -1);
  assert.equal(groups.size, 0);
  assert.deepEqual(groups.count(), { positives: 0, queryItems: 0, galleryItems: 0, pairIds: 0 });
  assert.throws(() => groups.change(1, 1, true, -1), /no items to take out/);
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
  const heapBefore = process.memoryUsage().heapUsed;
  const groups = new PairGroups();
  for (let k = 0; k < 190_000; k++) groups.add(k, 1 + (k % 3), k % 2 === 0);
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  assert.equal(groups.size, 190_000);
  // 262,144 slots of 16 bytes (at most 3/4 used); a Map of the same groups is ~12 MB of heap.
  assert.equal(groups.byteLength, 262_144 * 16);
  assert.ok(heapGrowth < 2 ** 20, `the heap grew by ${heapGrowth}`);
});
