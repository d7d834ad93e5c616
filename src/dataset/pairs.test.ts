/** Pairs: every positive found, counts checked against a direct count over the annotation files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GOLDEN_FIXTURES, goldenPath, tempDir, type GoldenFixture } from '../testing/paths.js';
import { readSplit } from './read-split.js';
import { PairIndex, emptyPairCounts, writePairsFile, type ItemPair } from './pairs.js';

interface RawItem {
  key: string;
  style: number;
  category: number;
}
interface RawImage {
  id: number;
  source: string;
  pairId: number;
  items: RawItem[];
}

async function rawImages(fixture: GoldenFixture): Promise<RawImage[]> {
  const annos = goldenPath(fixture, 'dataset', 'annos');
  const images: RawImage[] = [];
  for (const file of (await readdir(annos)).sort()) {
    const json = JSON.parse(await readFile(join(annos, file), 'utf8'));
    const items = Object.keys(json)
      .filter((k) => k.startsWith('item'))
      .map((k) => ({ key: k, style: json[k].style, category: json[k].category_id }));
    images.push({ id: Number(file.slice(0, 6)), source: json.source, pairId: json.pair_id, items });
  }
  return images;
}

/** All positives by brute force over every user item x shop item of the split. */
function bruteForcePositives(images: RawImage[]): Set<string> {
  const positives = new Set<string>();
  for (const u of images) {
    if (u.source !== 'user') continue;
    for (const s of images) {
      if (s.source !== 'shop' || s.pairId !== u.pairId) continue;
      for (const ui of u.items)
        for (const si of s.items) {
          if (ui.style > 0 && ui.style === si.style) positives.add(`${u.id}/${ui.key}>${s.id}/${si.key}`);
        }
    }
  }
  return positives;
}

async function indexOf(fixture: GoldenFixture): Promise<PairIndex> {
  const index = new PairIndex();
  for await (const record of readSplit(goldenPath(fixture, 'dataset'))) index.add(record);
  return index;
}

const pairKey = (p: ItemPair): string => `${p.query.imageId}/${p.query.itemKey}>${p.gallery.imageId}/${p.gallery.itemKey}`;

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: positives are exactly the brute-force pairs; counts agree`, async () => {
    const images = await rawImages(fixture);
    const expected = bruteForcePositives(images);
    const index = await indexOf(fixture);
    const counts = emptyPairCounts();
    const pairs = [...index.pairs(0, 1, counts)];
    assert.ok(pairs.every((p) => p.label === 1));
    assert.deepEqual(new Set(pairs.map(pairKey)), expected);
    assert.equal(pairs.length, expected.size, 'no pair twice');
    assert.equal(counts.positives, expected.size);
    assert.equal(index.countPositives().positives, expected.size);
    const queries = new Set([...expected].map((k) => k.split('>')[0]));
    const gallery = new Set([...expected].map((k) => k.split('>')[1]));
    assert.equal(counts.queryItems, queries.size);
    assert.equal(counts.galleryItems, gallery.size);
    assert.deepEqual(index.countPositives(), {
      positives: counts.positives,
      queryItems: counts.queryItems,
      galleryItems: counts.galleryItems,
      pairIds: counts.pairIds,
    });
    // Grouped by pair_id.
    const order = pairs.map((p) => p.query.pairId);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  test(`${fixture}: negatives are seeded, never positives, of the query's category when there are enough`, async () => {
    const images = await rawImages(fixture);
    const positives = bruteForcePositives(images);
    const category = new Map(images.flatMap((im) => im.items.map((it) => [`${im.id}/${it.key}`, it.category] as const)));
    const index = await indexOf(fixture);
    const k = 3;
    const first = [...index.pairs(k, 7)];
    const again = [...index.pairs(k, 7)];
    const other = [...index.pairs(k, 8)];
    assert.deepEqual(first, again, 'same seed, same pairs');
    assert.notDeepEqual(first.map(pairKey), other.map(pairKey), 'another seed, other negatives');
    const negatives = first.filter((p) => p.label === 0);
    assert.equal(negatives.length, k * positives.size, 'the fixtures have enough shop items');
    let sameCategory = 0;
    for (const n of negatives) {
      assert.ok(!positives.has(pairKey(n)), `${pairKey(n)} is a positive`);
      assert.equal(n.gallery.source, 'shop');
      if (category.get(`${n.gallery.imageId}/${n.gallery.itemKey}`) === category.get(`${n.query.imageId}/${n.query.itemKey}`)) sameCategory++;
    }
    assert.ok(sameCategory / negatives.length > 0.9, `${sameCategory} of ${negatives.length} in the query's category`);
    // Each positive is followed by its own negatives.
    for (let i = 0; i < first.length; i += k + 1) {
      assert.equal(first[i]!.label, 1);
      for (let j = 1; j <= k; j++) assert.deepEqual(first[i + j]!.query, first[i]!.query);
    }
  });
}

test('writePairsFile writes JSON lines with the documented fields', async () => {
  const index = await indexOf('basic');
  const out = join(await tempDir(), 'pairs.jsonl');
  const counts = await writePairsFile(index, out, { negatives: 1, seed: 3 });
  const lines = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, counts.positives + counts.negatives);
  assert.deepEqual(Object.keys(lines[0]), ['query_image_id', 'query_item', 'gallery_image_id', 'gallery_item', 'pair_id', 'style', 'label']);
  assert.deepEqual(Object.keys(lines[1]), [...Object.keys(lines[0]), 'gallery_pair_id', 'gallery_style']);
  assert.equal(lines.filter((l) => l.label === 1).length, counts.positives);
});
