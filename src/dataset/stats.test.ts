/** Split statistics, checked against counts made directly from the annotation files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GOLDEN_FIXTURES, goldenPath, type GoldenFixture } from '../testing/paths.js';
import { readSplit } from './read-split.js';
import { collectSplitStats, SplitStatsCollector } from './stats.js';
import { PairIndex } from './pairs.js';
import type { ImageRecord } from '../schema/index.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Value names of the release README's tables, in value order 1, 2, 3.
const VALUE_NAMES: Record<string, string[]> = {
  scale: ['small', 'moderate', 'large'],
  occlusion: ['slight', 'medium', 'heavy'],
  zoom_in: ['no', 'medium', 'large'],
  viewpoint: ['no wear', 'frontal', 'side or back'],
};

async function directCounts(fixture: GoldenFixture) {
  const annos = goldenPath(fixture, 'dataset', 'annos');
  const c = {
    images: 0,
    boxes: 0,
    masks: 0,
    visible: 0,
    occluded: 0,
    unlabelled: 0,
    pairs: 0,
    user: { images: 0, items: 0 },
    shop: { images: 0, items: 0 },
    perCategory: new Array<number>(14).fill(0),
    attributes: Object.fromEntries(Object.keys(VALUE_NAMES).map((a) => [a, [0, 0, 0, 0]])) as Record<string, number[]>,
  };
  const files = [];
  for (const file of (await readdir(annos)).sort()) files.push(JSON.parse(await readFile(join(annos, file), 'utf8')));
  for (const json of files) {
    const items = Object.keys(json)
      .filter((k) => k.startsWith('item'))
      .map((k) => json[k]);
    c.images++;
    c[json.source as 'user' | 'shop'].images++;
    c[json.source as 'user' | 'shop'].items += items.length;
    for (const item of items) {
      c.boxes++;
      if (item.segmentation.length > 0) c.masks++;
      c.perCategory[item.category_id]!++;
      for (let i = 2; i < item.landmarks.length; i += 3) {
        if (item.landmarks[i] === 2) c.visible++;
        else if (item.landmarks[i] === 1) c.occluded++;
        else c.unlabelled++;
      }
      for (const a of Object.keys(VALUE_NAMES)) c.attributes[a]![item[a]]!++;
    }
  }
  // Positive pairs: user item x shop item, same pair_id, same style > 0.
  for (const u of files)
    for (const s of files) {
      if (u.source !== 'user' || s.source !== 'shop' || u.pair_id !== s.pair_id) continue;
      for (const uk of Object.keys(u).filter((k) => k.startsWith('item')))
        for (const sk of Object.keys(s).filter((k) => k.startsWith('item'))) {
          if (u[uk].style > 0 && u[uk].style === s[sk].style) c.pairs++;
        }
    }
  return c;
}

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: Table 1 and the breakdowns equal a direct count`, async () => {
    const stats = await collectSplitStats(readSplit(goldenPath(fixture, 'dataset')));
    const c = await directCounts(fixture);
    assert.deepEqual(stats.table1, { images: c.images, boxes: c.boxes, landmarks: c.visible + c.occluded, masks: c.masks, pairs: c.pairs });
    assert.deepEqual(stats.landmarks, { visible: c.visible, occluded: c.occluded, unlabelled: c.unlabelled });
    assert.deepEqual(stats.source, { user: c.user, shop: c.shop });
    assert.deepEqual(
      stats.categories.map((k) => k.items),
      c.perCategory.slice(1),
    );
    assert.equal(
      stats.categories.reduce((s, k) => s + k.userItems + k.shopItems, 0),
      c.boxes,
    );
    for (const [attribute, names] of Object.entries(VALUE_NAMES)) {
      assert.deepEqual(
        names.map((n) => stats.attributes[attribute as keyof typeof stats.attributes][n]),
        c.attributes[attribute]!.slice(1),
        attribute,
      );
      const perCategoryTotal = names.map((n) => stats.categories.reduce((s, k) => s + k.attributes[attribute as keyof typeof k.attributes][n]!, 0));
      assert.deepEqual(perCategoryTotal, c.attributes[attribute]!.slice(1), `${attribute} per category`);
    }
    assert.equal(
      Object.values(stats.itemsPerImage).reduce((s, n) => s + n, 0),
      c.images,
    );
    assert.equal(
      Object.entries(stats.itemsPerImage).reduce((s, [k, n]) => s + Number(k) * n, 0),
      c.boxes,
    );
    // The counters give the pair figures of the item-level pair index.
    const index = new PairIndex();
    for await (const record of readSplit(goldenPath(fixture, 'dataset'))) index.add(record);
    assert.deepEqual(stats.pairs, index.countPositives());
  });
}

test('the collector keeps counters only: 60,000 more images of the same pair groups leave memory as it was', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const records: ImageRecord[] = [];
  for await (const record of readSplit(goldenPath('basic', 'dataset'))) records.push(record);
  const collector = new SplitStatsCollector();
  const feed = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      const record = records[k % records.length]!;
      collector.add({ ...record, id: k + 1, name: String(k + 1).padStart(6, '0') });
    }
  };
  feed(0, 1000);
  gc();
  // Typed arrays live outside the heap: count both.
  const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = used();
  feed(1000, 61_000);
  gc();
  const grown = used() - before;
  // Keeping ~100 bytes an image (a name, an id, a row of the pair index) would be 6 MB.
  assert.ok(grown < 1_000_000, `memory grew by ${grown} bytes`);
  assert.equal(collector.result().table1.images, 61_000);
});
