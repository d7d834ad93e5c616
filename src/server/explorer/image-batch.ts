/**
 * Indexed images as columns: what an index worker sends (its typed arrays
 * are transferred, not copied, and make no garbage for the main thread to
 * collect), what the database writes and what the split's model applies.
 *
 * An image's items are packed into ITEM_BYTES bytes each, in file key order:
 * category, scale, occlusion, zoom_in, viewpoint, visible and occluded
 * landmarks (clamped to 255), one spare byte, then style as a little-endian
 * float64 (styles are any safe integer). The same bytes are the `items`
 * column of an image's row in the database.
 */
import type { IndexedImage, IndexedItem } from './types.js';
import { grow } from '../../util/grow.js';

export const ITEM_BYTES = 16;

/** Image sources as numbers: 0 user, 1 shop, 2 unknown (an images-only split). */
export const SOURCES = ['user', 'shop', 'unknown'] as const;
export const sourceCode = (source: string): number => (source === 'shop' ? 1 : source === 'unknown' ? 2 : 0);

export interface ImageBatch {
  count: number;
  imageId: Int32Array;
  /** sourceCode() of each image. */
  source: Uint8Array;
  pairId: Int32Array;
  width: Int32Array;
  height: Int32Array;
  hasImage: Uint8Array;
  /** The annotation file's mtime (ms) and size when it was read. */
  mtimeMs: Float64Array;
  size: Float64Array;
  /** Image k's items are item slots itemStart[k] .. itemStart[k + 1] - 1 (count + 1 entries). */
  itemStart: Int32Array;
  /** ITEM_BYTES per item slot. */
  items: Uint8Array;
}

/** The buffers of a batch, for postMessage's transfer list. */
export function batchBuffers(b: ImageBatch): ArrayBuffer[] {
  return [b.imageId, b.source, b.pairId, b.width, b.height, b.hasImage, b.mtimeMs, b.size, b.itemStart, b.items].map((a) => a.buffer as ArrayBuffer);
}

/** Image k's packed items (a view, no copy). */
export const itemBytes = (b: ImageBatch, k: number): Uint8Array => b.items.subarray(b.itemStart[k]! * ITEM_BYTES, b.itemStart[k + 1]! * ITEM_BYTES);

/** Writes one item's fields at item slot `slot` of `bytes`. */
function packItem(bytes: Uint8Array, slot: number, it: IndexedItem): void {
  const at = slot * ITEM_BYTES;
  bytes[at] = it.categoryId;
  bytes[at + 1] = it.scale;
  bytes[at + 2] = it.occlusion;
  bytes[at + 3] = it.zoomIn;
  bytes[at + 4] = it.viewpoint;
  bytes[at + 5] = Math.min(it.visible, 255);
  bytes[at + 6] = Math.min(it.occluded, 255);
  bytes[at + 7] = 0;
  new DataView(bytes.buffer, bytes.byteOffset + at + 8, 8).setFloat64(0, it.style, true);
}

/** The style of item slot `slot` of packed `bytes`. */
const itemStyle = (bytes: Uint8Array, slot: number): number => new DataView(bytes.buffer, bytes.byteOffset + slot * ITEM_BYTES + 8, 8).getFloat64(0, true);

/** Unpacks item slot `slot` (tests and checks; the model reads the bytes directly). */
export function unpackItem(bytes: Uint8Array, slot: number): IndexedItem {
  const at = slot * ITEM_BYTES;
  return {
    categoryId: bytes[at]!,
    scale: bytes[at + 1]!,
    occlusion: bytes[at + 2]!,
    zoomIn: bytes[at + 3]!,
    viewpoint: bytes[at + 4]!,
    visible: bytes[at + 5]!,
    occluded: bytes[at + 6]!,
    style: itemStyle(bytes, slot),
  };
}

/** Collects images into a batch; `take()` hands the columns over and starts a new batch. */
export class ImageBatchBuilder {
  private b!: ImageBatch;
  private itemCount = 0;

  constructor(private readonly capacity = 512) {
    this.reset();
  }

  get count(): number {
    return this.b.count;
  }

  private reset(): void {
    const n = this.capacity;
    this.b = {
      count: 0,
      imageId: new Int32Array(n),
      source: new Uint8Array(n),
      pairId: new Int32Array(n),
      width: new Int32Array(n),
      height: new Int32Array(n),
      hasImage: new Uint8Array(n),
      mtimeMs: new Float64Array(n),
      size: new Float64Array(n),
      itemStart: new Int32Array(n + 1),
      items: new Uint8Array(n * 4 * ITEM_BYTES),
    };
    this.itemCount = 0;
  }

  add(img: IndexedImage): void {
    const b = this.b;
    if (b.count === b.imageId.length) this.growImages();
    const k = b.count++;
    b.imageId[k] = img.imageId;
    b.source[k] = sourceCode(img.source);
    b.pairId[k] = img.pairId;
    b.width[k] = img.width;
    b.height[k] = img.height;
    b.hasImage[k] = img.hasImage ? 1 : 0;
    b.mtimeMs[k] = img.mtimeMs;
    b.size[k] = img.size;
    b.items = grow(b.items, (this.itemCount + img.items.length) * ITEM_BYTES);
    for (const it of img.items) packItem(b.items, this.itemCount++, it);
    b.itemStart[k + 1] = this.itemCount;
  }

  private growImages(): void {
    const b = this.b;
    const n = b.imageId.length + 1;
    b.imageId = grow(b.imageId, n);
    b.source = grow(b.source, n);
    b.pairId = grow(b.pairId, n);
    b.width = grow(b.width, n);
    b.height = grow(b.height, n);
    b.hasImage = grow(b.hasImage, n);
    b.mtimeMs = grow(b.mtimeMs, n);
    b.size = grow(b.size, n);
    b.itemStart = grow(b.itemStart, n + 1);
  }

  /** The batch so far (views cut to its length, no copy); the builder starts on new columns. */
  take(): ImageBatch {
    const b = this.b;
    const n = b.count;
    const out: ImageBatch = {
      count: n,
      imageId: b.imageId.subarray(0, n),
      source: b.source.subarray(0, n),
      pairId: b.pairId.subarray(0, n),
      width: b.width.subarray(0, n),
      height: b.height.subarray(0, n),
      hasImage: b.hasImage.subarray(0, n),
      mtimeMs: b.mtimeMs.subarray(0, n),
      size: b.size.subarray(0, n),
      itemStart: b.itemStart.subarray(0, n + 1),
      items: b.items.subarray(0, this.itemCount * ITEM_BYTES),
    };
    this.reset();
    return out;
  }
}

/** A batch of these images. */
export function toBatch(images: readonly IndexedImage[]): ImageBatch {
  const builder = new ImageBatchBuilder(Math.max(1, images.length));
  for (const img of images) builder.add(img);
  return builder.take();
}
