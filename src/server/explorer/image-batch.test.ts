/** Images as columns: what goes in comes out, items packed and unpacked exactly (styles beyond 32 bits too). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ITEM_BYTES, ImageBatchBuilder, batchBuffers, itemBytes, toBatch, unpackItem } from './image-batch.js';
import type { IndexedImage } from './types.js';

const image = (imageId: number, styles: number[]): IndexedImage => ({
  imageId,
  source: imageId % 2 ? 'shop' : 'user',
  pairId: imageId * 7,
  width: 300 + imageId,
  height: 200 + imageId,
  hasImage: imageId % 3 !== 0,
  mtimeMs: 1_700_000_000_000.25 + imageId,
  size: 1000 + imageId,
  items: styles.map((style, k) => ({ categoryId: 1 + k, style, scale: 1 + (k % 3), occlusion: 3, zoomIn: 2, viewpoint: 1, visible: 30 + k, occluded: 300 })),
});

test('a batch keeps every field of its images, items in order', () => {
  const images = [image(1, [0, 5]), image(2, []), image(3, [2 ** 40 + 1, 1, 0]), image(999_999, [Number.MAX_SAFE_INTEGER])];
  const b = toBatch(images);
  assert.equal(b.count, 4);
  assert.equal(b.items.byteLength, 6 * ITEM_BYTES);
  images.forEach((img, k) => {
    assert.deepEqual(
      [b.imageId[k], b.source[k], b.pairId[k], b.width[k], b.height[k], b.hasImage[k], b.mtimeMs[k], b.size[k]],
      [img.imageId, img.source === 'shop' ? 1 : 0, img.pairId, img.width, img.height, img.hasImage ? 1 : 0, img.mtimeMs, img.size],
    );
    const bytes = itemBytes(b, k);
    assert.equal(bytes.byteLength, img.items.length * ITEM_BYTES);
    // Landmark counts are kept up to 255 (an item has at most 39 landmarks).
    assert.deepEqual(
      img.items.map((_, j) => unpackItem(bytes, j)),
      img.items.map((it) => ({ ...it, occluded: 255 })),
    );
  });
});

test('a builder grows past its capacity and starts over after take()', () => {
  const builder = new ImageBatchBuilder(2);
  for (let id = 1; id <= 5; id++)
    builder.add(
      image(
        id,
        Array.from({ length: id }, (_, k) => k),
      ),
    );
  const first = builder.take();
  assert.deepEqual([...first.imageId], [1, 2, 3, 4, 5]);
  assert.deepEqual([...first.itemStart], [0, 1, 3, 6, 10, 15]);
  assert.equal(builder.count, 0);
  builder.add(image(9, [4]));
  const second = builder.take();
  assert.deepEqual([...second.imageId], [9]);
  assert.equal(unpackItem(itemBytes(second, 0), 0).style, 4);
  // Each column's buffer is listed once for the transfer.
  assert.equal(new Set(batchBuffers(second)).size, 10);
});
