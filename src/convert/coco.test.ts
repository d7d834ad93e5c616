/** COCO conversion: equal to the release converter's output on both golden fixtures, every variant. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord, Item } from '../schema/index.js';
import { CATEGORIES, KEYPOINT_VECTOR_LENGTH } from '../schema/index.js';
import { readSplit } from '../dataset/index.js';
import { GOLDEN_FIXTURES, goldenPath, tempDir } from '../testing/paths.js';
import { cocoAnnotation, cocoCategories, cocoImage, keypointVector } from './coco.js';
import { writeCocoFile } from './coco-writer.js';

const variants = [
  { file: 'coco.json', options: {} },
  { file: 'coco-visible.json', options: { landmarks: 'visible' as const } },
  { file: 'coco-attributes.json', options: { attributes: true } },
];

for (const fixture of GOLDEN_FIXTURES) {
  for (const variant of variants) {
    test(`${fixture}: writeCocoFile gives gt/${variant.file}, as JSON and byte for byte`, async () => {
      const out = join(await tempDir(), 'coco.json');
      const summary = await writeCocoFile(readSplit(goldenPath(fixture, 'dataset'), { imageSizes: true }), out, variant.options);
      const written = await readFile(out, 'utf8');
      const golden = await readFile(goldenPath(fixture, 'gt', variant.file), 'utf8');
      const goldenJson = JSON.parse(golden);
      assert.deepEqual(JSON.parse(written), goldenJson);
      assert.equal(summary.images, goldenJson.images.length);
      assert.equal(summary.annotations, goldenJson.annotations.length);
      // The same text as Python's json.dump: keypoints as floats (138.0), ints elsewhere.
      assert.equal(written, golden);
      assert.deepEqual(await readdir(join(out, '..')), ['coco.json'], 'no scratch file left behind');
    });
  }
}

const item = (over: Partial<Item> = {}): Item => ({
  key: 'item1',
  categoryId: 7, // shorts: 10 landmarks at offset 158
  categoryName: 'shorts',
  style: 2,
  boundingBox: [10, 20, 110, 70],
  landmarks: [11, 21, 2, 12, 22, 1, 0, 0, 0, 14, 24, 2, 15, 25, 2, 16, 26, 1, 17, 27, 2, 18, 28, 2, 19, 29, 2, 20, 30, 2],
  segmentation: [[10, 20, 110, 20, 110, 70]],
  scale: 1,
  occlusion: 2,
  zoomIn: 3,
  viewpoint: 2,
  ...over,
});
const record = { id: 42, name: '000042', pairId: 9, width: 640, height: 480 } as const;

test('cocoAnnotation: box as x, y, w, h with area w * h; landmarks at the category offset', () => {
  const a = cocoAnnotation(record, item(), 5);
  assert.deepEqual(a.bbox, [10, 20, 100, 50]);
  assert.equal(a.area, 100 * 50);
  assert.equal(a.id, 5);
  assert.equal(a.image_id, 42);
  assert.equal(a.pair_id, 9);
  assert.equal(a.style, 2);
  assert.equal(a.keypoints.length, KEYPOINT_VECTOR_LENGTH);
  const offset = CATEGORIES[6]!.offset * 3;
  assert.deepEqual(a.keypoints.slice(offset, offset + 30), item().landmarks);
  assert.ok(a.keypoints.every((v, i) => (i >= offset && i < offset + 30) || v === 0));
  assert.equal(a.num_keypoints, 9, 'v > 0');
  assert.equal(a.scale, undefined);
});

test('keypointVector visible: only v = 2 kept, counted', () => {
  const { keypoints, count } = keypointVector(item(), 'visible');
  const offset = CATEGORIES[6]!.offset * 3;
  assert.equal(count, 7);
  assert.deepEqual(keypoints.slice(offset + 3, offset + 6), [0, 0, 0], 'occluded landmark zeroed');
  assert.deepEqual(keypoints.slice(offset, offset + 3), [11, 21, 2]);
});

test('cocoAnnotation with attributes adds them last, with the COCO field names', () => {
  const a = cocoAnnotation(record, item(), 1, { attributes: true });
  assert.deepEqual(Object.keys(a).slice(-4), ['scale', 'occlusion', 'zoom_in', 'viewpoint']);
  assert.deepEqual([a.scale, a.occlusion, a.zoom_in, a.viewpoint], [1, 2, 3, 2]);
});

test('cocoImage and cocoCategories', () => {
  assert.deepEqual(cocoImage(record as unknown as ImageRecord), {
    coco_url: '',
    date_captured: '',
    file_name: '000042.jpg',
    flickr_url: '',
    id: 42,
    license: 0,
    width: 640,
    height: 480,
  });
  const categories = cocoCategories();
  assert.equal(categories.length, 13);
  assert.ok(categories.every((c) => c.keypoints.length === 294 && c.supercategory === 'clothes' && c.skeleton.length === 0));
  assert.equal(categories[0]!.keypoints[293], '294');
});

test('writeCocoFile refuses an image without a size, leaving no file', async () => {
  const dir = await tempDir();
  const out = join(dir, 'coco.json');
  async function* records(): AsyncGenerator<ImageRecord> {
    yield { ...record, source: 'user', items: [item()], annoPath: '/x/annos/000042.json', imagePath: '/x/image/000042.jpg' };
    yield { ...record, id: 43, name: '000043', width: 0, height: 0, source: 'user', items: [item()], annoPath: '/x/annos/000043.json', imagePath: undefined };
  }
  await assert.rejects(writeCocoFile(records(), out), /\/x\/image\/000043\.jpg: expected the image of 000043/);
  assert.deepEqual(await readdir(dir), []);
});
