/**
 * One contract for every DatasetIndex backend (SQLite, PostgreSQL): what it
 * stores and gives back, and that pages, facet counts and statistics, kept
 * up to date image by image, equal a count from scratch by the definition
 * (a brute-force reference over the written images) after every change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INDEX_BACKENDS, type IndexBackend } from './test-backends.js';
import { ITEM_FACETS, type Facet, type ImageFilters } from './filters.js';
import type { DatasetIndex, FacetCounts, IndexedImage, IndexedItem, SplitStats } from './types.js';
import { Random } from '../../util/random.js';

// --- the reference: counts by definition ---------------------------------

const ITEM_VALUE: Record<string, (it: IndexedItem) => number | string> = {
  category: (it) => it.categoryId,
  style: (it) => (it.style > 0 ? 'positive' : 'zero'),
  scale: (it) => it.scale,
  occlusion: (it) => it.occlusion,
  zoomIn: (it) => it.zoomIn,
  viewpoint: (it) => it.viewpoint,
};

function itemPasses(it: IndexedItem, filters: ImageFilters, except?: Facet): boolean {
  for (const facet of ITEM_FACETS) {
    if (facet === except) continue;
    const allowed = facet === 'style' ? (filters.style?.length === 1 ? filters.style : undefined) : (filters[facet] as number[] | undefined);
    if (allowed?.length && !(allowed as (number | string)[]).includes(ITEM_VALUE[facet]!(it))) return false;
  }
  return true;
}

function imagePasses(img: IndexedImage, filters: ImageFilters, except?: Facet): boolean {
  if (except !== 'source' && filters.source?.length === 1 && img.source !== filters.source[0]) return false;
  if (except !== 'items' && filters.items?.length && !filters.items.includes(img.items.length)) return false;
  if (filters.pairId !== undefined && img.pairId !== filters.pairId) return false;
  return true;
}

const anyItemFilter = (f: ImageFilters): boolean =>
  ITEM_FACETS.some((facet) => (facet === 'style' ? f.style?.length === 1 : (f[facet] as number[] | undefined)?.length));

function matches(img: IndexedImage, filters: ImageFilters, except?: Facet): boolean {
  return imagePasses(img, filters, except) && (!anyItemFilter(filters) || img.items.some((it) => itemPasses(it, filters)));
}

function referenceFacets(images: IndexedImage[], filters: ImageFilters): FacetCounts {
  const out = {} as FacetCounts;
  for (const facet of ITEM_FACETS) {
    const counts: Record<string, number> = {};
    for (const img of images) {
      if (!imagePasses(img, filters)) continue;
      const values = new Set(img.items.filter((it) => itemPasses(it, filters, facet)).map((it) => String(ITEM_VALUE[facet]!(it))));
      for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
    }
    out[facet] = counts;
  }
  out.source = {};
  out.items = {};
  for (const img of images) {
    if (matches(img, filters, 'source')) out.source[img.source] = (out.source[img.source] ?? 0) + 1;
    if (matches(img, filters, 'items')) out.items[img.items.length] = (out.items[img.items.length] ?? 0) + 1;
  }
  return out;
}

function referenceStats(images: IndexedImage[]): SplitStats {
  const s: SplitStats = {
    images: { user: 0, shop: 0 },
    items: { user: 0, shop: 0 },
    categories: {},
    attributes: {},
    style: { zero: 0, positive: 0 },
    itemsPerImage: {},
    pairIds: new Set(images.map((i) => i.pairId)).size,
    positivePairs: 0,
    landmarks: { visible: 0, occluded: 0 },
  };
  for (const attr of ['scale', 'occlusion', 'zoom_in', 'viewpoint']) s.attributes[attr] = {};
  for (const img of images) {
    // The generated images all have a known source (images-only splits are tested in cli/images-only.test.ts).
    if (img.source === 'unknown') continue;
    s.images[img.source]++;
    s.items[img.source] += img.items.length;
    s.itemsPerImage[img.items.length] = (s.itemsPerImage[img.items.length] ?? 0) + 1;
    for (const it of img.items) {
      (s.categories[it.categoryId] ??= { user: 0, shop: 0 })[img.source]++;
      for (const [attr, v] of [
        ['scale', it.scale],
        ['occlusion', it.occlusion],
        ['zoom_in', it.zoomIn],
        ['viewpoint', it.viewpoint],
      ] as const) {
        s.attributes[attr]![v] = (s.attributes[attr]![v] ?? 0) + 1;
      }
      s.style[it.style > 0 ? 'positive' : 'zero']++;
      s.landmarks.visible += it.visible;
      s.landmarks.occluded += it.occluded;
    }
  }
  const byPair = new Map<number, IndexedImage[]>();
  for (const img of images) byPair.set(img.pairId, [...(byPair.get(img.pairId) ?? []), img]);
  for (const group of byPair.values()) {
    for (const u of group.filter((i) => i.source === 'user')) {
      for (const sh of group.filter((i) => i.source === 'shop')) {
        for (const a of u.items) for (const b of sh.items) if (a.style > 0 && a.style === b.style) s.positivePairs++;
      }
    }
  }
  return s;
}

// --- random splits and filters --------------------------------------------

function randomImage(rng: Random, imageId: number): IndexedImage {
  const n = rng.int(0, 4);
  return {
    imageId,
    source: rng.next() < 0.6 ? 'user' : 'shop',
    pairId: rng.int(1, 12),
    width: rng.int(100, 900),
    height: rng.int(100, 900),
    hasImage: rng.next() < 0.9,
    mtimeMs: 1_700_000_000_000 + rng.int(0, 1e6) + 0.25,
    size: rng.int(100, 9000),
    items: Array.from({ length: n }, () => ({
      categoryId: rng.int(1, 13),
      // Now and then a style beyond 32 bits (styles are any safe integer).
      style: rng.next() < 0.05 ? 2 ** 40 + rng.int(0, 1) : rng.int(0, 3),
      scale: rng.int(1, 3),
      occlusion: rng.int(1, 3),
      zoomIn: rng.int(1, 3),
      viewpoint: rng.int(1, 3),
      visible: rng.int(0, 20),
      occluded: rng.int(0, 5),
    })),
  };
}

function randomFilters(rng: Random): ImageFilters {
  const f: ImageFilters = {};
  const some = (max: number, min = 1): number[] => [...new Set(Array.from({ length: rng.int(1, 2) }, () => rng.int(min, max)))].sort((a, b) => a - b);
  if (rng.next() < 0.4) f.category = some(13);
  if (rng.next() < 0.3) f.source = [rng.next() < 0.5 ? 'user' : 'shop'];
  if (rng.next() < 0.3) f.style = [rng.next() < 0.5 ? 'zero' : 'positive'];
  if (rng.next() < 0.3) f.scale = some(3);
  if (rng.next() < 0.3) f.occlusion = some(3);
  if (rng.next() < 0.2) f.zoomIn = some(3);
  if (rng.next() < 0.2) f.viewpoint = some(3);
  if (rng.next() < 0.2) f.items = some(4, 0);
  if (rng.next() < 0.1) f.pairId = rng.int(1, 12);
  return f;
}

const byId = (images: Map<number, IndexedImage>): IndexedImage[] => [...images.values()].sort((a, b) => a.imageId - b.imageId);

/** Every answer of the index about the split equals the reference over `images`. */
async function assertAgrees(index: DatasetIndex, splitId: number, images: Map<number, IndexedImage>, rng: Random, what: string): Promise<void> {
  const all = byId(images);
  assert.deepEqual(await index.stats(splitId), referenceStats(all), `${what}: stats`);
  const filterSets: ImageFilters[] = [{}, { category: [1] }, { style: ['positive'], source: ['shop'] }];
  for (let k = 0; k < 25; k++) filterSets.push(randomFilters(rng));
  for (const filters of filterSets) {
    const label = `${what}: ${JSON.stringify(filters)}`;
    assert.deepEqual(await index.facetCounts(splitId, filters), referenceFacets(all, filters), `${label}: facets`);
    const expected = all.filter((img) => matches(img, filters));
    const page = await index.queryImages(splitId, filters, 3, 5);
    assert.equal(page.total, expected.length, `${label}: total`);
    assert.deepEqual(
      page.images.map((r) => r.imageId),
      expected.slice(3, 8).map((i) => i.imageId),
      `${label}: page`,
    );
    // A page far on, and one past the end.
    const far = await index.queryImages(splitId, filters, expected.length - 2, 10);
    assert.deepEqual(
      far.images.map((r) => r.imageId),
      expected.slice(Math.max(0, expected.length - 2)).map((i) => i.imageId),
      `${label}: last page`,
    );
  }
  for (let pairId = 0; pairId <= 12; pairId++) {
    assert.deepEqual(
      (await index.imagesOfPair(splitId, pairId)).map((r) => r.imageId),
      all.filter((img) => img.pairId === pairId).map((img) => img.imageId),
      `${what}: pair ${pairId}`,
    );
  }
  for (const img of all.slice(0, 10)) {
    assert.deepEqual(
      await index.image(splitId, img.imageId),
      {
        imageId: img.imageId,
        source: img.source,
        pairId: img.pairId,
        width: img.width,
        height: img.height,
        hasImage: img.hasImage,
        itemCount: img.items.length,
      },
      `${what}: image ${img.imageId}`,
    );
  }
}

// --- the contract ---------------------------------------------------------

function datasetIndexContract(name: string, backend: () => Promise<IndexBackend>, options: { skip?: string } = {}): void {
  describe(`DatasetIndex on ${name}`, { skip: options.skip }, () => {
    let b: IndexBackend;
    before(async () => {
      b = await backend();
    });
    after(async () => {
      await b?.close();
    });

    test('splits are registered once by name; a new directory replaces the old', async () => {
      const index = await b.open();
      const first = await index.registerSplit('contract-a', '/data/a');
      const again = await index.registerSplit('contract-a', '/data/a2');
      assert.equal(again.id, first.id);
      assert.equal((await index.split('contract-a'))!.dir, '/data/a2');
      assert.equal(await index.split('nope'), undefined);
      assert.ok((await index.splits()).some((s) => s.name === 'contract-a'));
    });

    test('images, file states, pairs, bad files and counts are stored and read back', async () => {
      const index = await b.open();
      const split = await index.registerSplit('contract-rows', '/data/rows');
      const rng = Random.from(7);
      const images = [1, 2, 5, 9].map((id) => randomImage(rng, id));
      await index.writeImages(split.id, images, []);
      const states = await index.fileStates(split.id);
      assert.deepEqual([...states.ids], [1, 2, 5, 9]);
      assert.deepEqual(
        [...states.mtimeMs],
        images.map((i) => i.mtimeMs),
      );
      assert.deepEqual(
        [...states.size],
        images.map((i) => i.size),
      );
      const row = await index.image(split.id, 9);
      assert.deepEqual(row, {
        imageId: 9,
        source: images[3]!.source,
        pairId: images[3]!.pairId,
        width: images[3]!.width,
        height: images[3]!.height,
        hasImage: images[3]!.hasImage,
        itemCount: images[3]!.items.length,
      });
      assert.equal(await index.image(split.id, 3), undefined);
      const pairId = images[1]!.pairId;
      assert.deepEqual(
        (await index.imagesOfPair(split.id, pairId)).map((r) => r.imageId),
        images.filter((i) => i.pairId === pairId).map((i) => i.imageId),
      );

      await index.setBadFiles(split.id, [
        { file: 'annos/000004.json', message: 'bad' },
        { file: 'annos/000003.json', message: 'worse' },
      ]);
      await index.setBadFiles(split.id, [
        { file: 'annos/000004.json', message: 'bad' },
        { file: 'annos/000003.json', message: 'worse' },
      ]);
      assert.deepEqual(await index.badFiles(split.id, 10), [
        { file: 'annos/000003.json', message: 'worse' },
        { file: 'annos/000004.json', message: 'bad' },
      ]);
      await index.writeImages(split.id, [], [2]);
      await index.finishIndexing(split.id);
      const info = (await index.split('contract-rows'))!;
      assert.equal(info.images, 3);
      assert.equal(
        info.items,
        images.filter((i) => i.imageId !== 2).reduce((n, i) => n + i.items.length, 0),
      );
      assert.equal(info.badFiles, 2);
      assert.ok(info.indexedAt);
    });

    test('pages, facets and stats equal a recount after every batch of additions, changes and removals', async () => {
      const index = await b.open();
      const split = await index.registerSplit('contract-model', '/data/model');
      const rng = Random.from(11);
      const current = new Map<number, IndexedImage>();
      // The model is loaded (empty) first, so that everything after is incremental.
      await assertAgrees(index, split.id, current, rng, 'empty');
      for (let round = 0; round < 6; round++) {
        const written = Array.from({ length: rng.int(5, 60) }, () => randomImage(rng, rng.int(1, 150)));
        const unique = [...new Map(written.map((img) => [img.imageId, img])).values()];
        const removed = [...current.keys()].filter(() => rng.next() < 0.15);
        for (const id of removed) current.delete(id);
        for (const img of unique) current.set(img.imageId, img);
        await index.writeImages(
          split.id,
          unique,
          removed.filter((id) => !unique.some((img) => img.imageId === id)),
        );
        await assertAgrees(index, split.id, current, rng, `round ${round}`);
      }
      // A new process loads the same answers from the database.
      await assertAgrees(await b.open(), split.id, current, rng, 'reopened');
    });

    test('writes while the model loads are neither lost nor undone', async () => {
      const writer = await b.open();
      const split = await writer.registerSplit('contract-race', '/data/race');
      const rng = Random.from(5);
      const current = new Map<number, IndexedImage>();
      const first = Array.from({ length: 9000 }, (_, k) => randomImage(rng, k + 1));
      for (let k = 0; k < first.length; k += 3000) await writer.writeImages(split.id, first.slice(k, k + 3000), []);
      for (const img of first) current.set(img.imageId, img);
      const reader = await b.open();
      const loading = reader.stats(split.id);
      const changed = [randomImage(rng, 8999), randomImage(rng, 9500), randomImage(rng, 2)];
      await reader.writeImages(split.id, changed, [8000, 3]);
      for (const img of changed) current.set(img.imageId, img);
      current.delete(8000);
      current.delete(3);
      await loading;
      assert.deepEqual(await reader.stats(split.id), referenceStats(byId(current)));
      const page = await reader.queryImages(split.id, {}, 8990, 20);
      assert.deepEqual(
        page.images.map((r) => r.imageId),
        byId(current)
          .slice(8990, 9010)
          .map((i) => i.imageId),
      );
    });
  });
}

for (const backend of INDEX_BACKENDS) datasetIndexContract(backend.name, backend.make, { skip: backend.skip });
