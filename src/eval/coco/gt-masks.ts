/**
 * Ground-truth segmentations to RLE masks. Turning polygons into masks
 * (maskApi's rleFrPoly and merge, via the mask module) is most of a segm
 * load, so it is shared between threads and starts before the file is read
 * to the end: the reader packs segmentations into batches of 1024
 * annotations in shared memory, with their image sizes; a batch is sealed
 * when full and can be handed to another thread at once. Threads claim
 * whole batches through shared flags (compare-and-swap), so each batch is
 * rasterized exactly once, and the parts are joined without copying the
 * run lengths.
 */
import { type Rle, rleFromSegmentation, RleFormatError } from '../../mask/index.js';
import { InputError, pathJoin } from '../../util/errors.js';
import { f64, i32, sharedArray, u32 } from './columns.js';
import { type MaskStore, MaskStoreWriter } from './mask-store.js';

const SEGMENTATION_BATCH = 1024;

/** Segmentations of annotations [start, start + count): polygon lists packed, anything else as JSON. */
export interface SegmentationBatch {
  readonly index: number;
  readonly start: number;
  readonly count: number;
  /** All polygon coordinates of the batch back to back. */
  readonly coords: Float64Array;
  /** The number of coordinates of each polygon, back to back. */
  readonly polygonLengths: Uint32Array;
  /** Per annotation: its number of polygons (-1: see `other`). */
  readonly polygonCount: Int32Array;
  /** Per annotation: its image's size (NaN until known, when annotations come before images). */
  readonly height: Float64Array;
  readonly width: Float64Array;
  /** Local index -> a segmentation that is not a plain polygon list (RLE objects, odd shapes). */
  readonly other: Map<number, unknown>;
}

export class SegmentationWriter {
  private readonly batches: SegmentationBatch[] = [];
  // The first batch's columns start small (a small file allocates little: shared memory costs 13 µs per 8 KB
  // to allocate); later batches start at the size the one before ended at.
  private coords = f64();
  private lengths = u32();
  private counts = i32();
  private heights = f64();
  private widths = f64();
  private other = new Map<number, unknown>();
  private start = 0;

  /** onSealed(batch) is called for every full batch whose image sizes are all known. */
  constructor(private readonly onSealed?: (batch: SegmentationBatch) => void) {}

  /** Adds the segmentation of the next annotation, with its image size (NaN if not known yet). */
  add(segmentation: unknown, height: number, width: number): void {
    if (isPolygonList(segmentation)) {
      for (const polygon of segmentation) {
        this.coords.pushFrom(polygon, 0, polygon.length);
        this.lengths.push(polygon.length);
      }
      this.counts.push(segmentation.length);
    } else {
      this.other.set(this.counts.length, segmentation);
      this.counts.push(-1);
    }
    this.heights.push(height);
    this.widths.push(width);
    if (this.counts.length === SEGMENTATION_BATCH) this.seal();
  }

  private seal(): void {
    const batch: SegmentationBatch = {
      index: this.batches.length,
      start: this.start,
      count: this.counts.length,
      coords: this.coords.finish(),
      polygonLengths: this.lengths.finish(),
      polygonCount: this.counts.finish(),
      height: this.heights.finish(),
      width: this.widths.finish(),
      other: this.other,
    };
    this.batches.push(batch);
    this.start += batch.count;
    this.coords = f64(batch.coords.length);
    this.lengths = u32(batch.polygonLengths.length);
    this.counts = i32(SEGMENTATION_BATCH);
    this.heights = f64(SEGMENTATION_BATCH);
    this.widths = f64(SEGMENTATION_BATCH);
    this.other = new Map();
    if (this.onSealed && !batch.height.some(Number.isNaN)) this.onSealed(batch);
  }

  /** All batches; sizes still unknown are filled in by sizeOf(annotation index). */
  finish(sizeOf: (i: number) => [number, number]): SegmentationBatch[] {
    if (this.counts.length > 0) this.seal();
    for (const batch of this.batches) {
      for (let j = 0; j < batch.count; j++) {
        if (Number.isNaN(batch.height[j])) [batch.height[j], batch.width[j]] = sizeOf(batch.start + j);
      }
    }
    return this.batches;
  }
}

/** A non-empty list of lists of finite numbers. (Whether it reads as polygons or boxes is the mask module's business.) */
function isPolygonList(value: unknown): value is number[][] {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const polygon of value) {
    if (!Array.isArray(polygon)) return false;
    for (const v of polygon) if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

/** Shared claim flags, one per batch (room for 2^16 batches: 67M annotations). */
export function createBatchClaims(): Int32Array {
  return sharedArray(Int32Array, 1 << 16);
}

/** Claims a batch; true for exactly one caller among all threads. */
export function claimBatch(claims: Int32Array, batch: number): boolean {
  return Atomics.compareExchange(claims, batch, 0, 1) === 0;
}

/** The masks one thread made: annotation indices and their masks, in the same order. */
export interface MaskPart {
  indices: Int32Array;
  masks: MaskStore;
}

/** Rasterizes batches into one part; the caller claims them. */
export class MaskPartWriter {
  private readonly indices = i32();
  private readonly masks = new MaskStoreWriter();

  constructor(private readonly file: string) {}

  add(batch: SegmentationBatch): void {
    let polygonAt = 0;
    let coordAt = 0;
    for (let j = 0; j < batch.count; j++) {
      const n = batch.polygonCount[j]!;
      let segmentation: unknown;
      if (n < 0) segmentation = batch.other.get(j);
      else {
        const polygons = new Array<number[]>(n);
        for (let p = 0; p < n; p++) {
          const len = batch.polygonLengths[polygonAt++]!;
          polygons[p] = Array.from(batch.coords.subarray(coordAt, coordAt + len));
          coordAt += len;
        }
        segmentation = polygons;
      }
      this.indices.push(batch.start + j);
      this.masks.append(this.rasterize(batch.start + j, segmentation, batch.height[j]!, batch.width[j]!));
    }
  }

  private rasterize(i: number, segmentation: unknown, height: number, width: number): Rle {
    try {
      return rleFromSegmentation(segmentation, height, width);
    } catch (err) {
      if (err instanceof RleFormatError)
        throw new InputError(this.file, pathJoin(pathJoin('annotations', i), 'segmentation'), 'a polygon list or an RLE', err.reason);
      throw err;
    }
  }

  finish(): MaskPart {
    return { indices: this.indices.finish(), masks: this.masks.finish() };
  }
}

/** Claims and rasterizes every batch nobody has claimed yet. */
export function rasterizeUnclaimed(file: string, batches: readonly SegmentationBatch[], claims: Int32Array, into = new MaskPartWriter(file)): MaskPartWriter {
  for (const batch of batches) if (claimBatch(claims, batch.index)) into.add(batch);
  return into;
}

/** One mask store indexed by annotation, from the parts (run lengths are not copied). */
export function joinMaskParts(count: number, parts: readonly MaskPart[]): MaskStore {
  const block = sharedArray(Int32Array, count);
  const offset = sharedArray(Int32Array, count);
  const length = sharedArray(Int32Array, count);
  const height = sharedArray(Int32Array, count);
  const width = sharedArray(Int32Array, count);
  const box = sharedArray(Float64Array, 4 * count);
  const area = sharedArray(Float64Array, count);
  const blocks: Uint32Array[] = [];
  let filled = 0;
  for (const part of parts) {
    const base = blocks.length;
    blocks.push(...part.masks.runs.blocks);
    for (let j = 0; j < part.indices.length; j++) {
      const i = part.indices[j]!;
      block[i] = part.masks.runs.block[j]! + base;
      offset[i] = part.masks.runs.offset[j]!;
      length[i] = part.masks.runs.length[j]!;
      height[i] = part.masks.height[j]!;
      width[i] = part.masks.width[j]!;
      for (let k = 0; k < 4; k++) box[4 * i + k] = part.masks.box[4 * j + k]!;
      area[i] = part.masks.area[j]!;
      filled++;
    }
  }
  if (filled !== count) throw new Error(`joinMaskParts: ${filled} masks for ${count} annotations`);
  return { runs: { blocks, block, offset, length }, height, width, box, area };
}
