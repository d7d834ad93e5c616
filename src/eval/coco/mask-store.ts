/**
 * RLE masks of many annotations or results in shared blocks of run lengths
 * (see records.ts), each with its own size, readable as mask-module Rle views.
 * Each mask is measured once, as it is stored (its maskApi box and its area):
 * the mask IoU reads those instead of walking the runs again in every cell,
 * and a ground-truth snapshot keeps them, so a repeated evaluation walks
 * only the runs of the pairs it intersects.
 */
import type { Rle } from '../../mask/index.js';
import { measureRuns } from '../../mask/internal.js';
import { f64, i32 } from './columns.js';
import { type RecordBlocks, RecordWriter, emptyRecords, recordOf } from './records.js';

export interface MaskStore {
  readonly runs: RecordBlocks<Uint32Array>;
  readonly height: Int32Array;
  readonly width: Int32Array;
  /** Mask i's box as maskApi's rleToBbox gives it, at [4i, 4i + 4). */
  readonly box: Float64Array;
  /** Mask i's set pixels (rleArea). */
  readonly area: Float64Array;
}

const BLOCK_RUNS = 1 << 20;
const NO_RUNS = new Uint32Array(0);

export class MaskStoreWriter {
  private readonly runs = new RecordWriter<Uint32Array>(Uint32Array, BLOCK_RUNS);
  private readonly height = i32();
  private readonly width = i32();
  private readonly box = f64(256);
  private readonly area = f64();
  /** The box of the mask appended last; see lastArea. */
  readonly lastBox = new Float64Array(4);
  /** The area of the mask appended last. */
  lastArea = 0;

  /** Makes room for `n` masks in all in the columns (see Column.reserve). */
  reserve(n: number): void {
    this.runs.reserveRecords(n);
    this.height.reserve(n);
    this.width.reserve(n);
    this.box.reserve(4 * n);
    this.area.reserve(n);
  }

  append(rle: Rle): void {
    this.runs.append(rle.counts, 0, rle.counts.length);
    this.pushMeasured(rle.height, rle.width, rle.counts, 0, rle.counts.length);
  }

  /**
   * Appends a mask of at most `maxRuns` runs that decode(target, at) writes in
   * place, returning the run count: a view of it, or null (nothing appended)
   * when decode returns -1.
   */
  appendDecoded(height: number, width: number, maxRuns: number, decode: (target: Uint32Array, at: number) => number): Rle | null {
    let view: Rle | null = null;
    const appended = this.runs.appendUpTo(maxRuns, (target, at) => {
      const n = decode(target, at);
      if (n >= 0) {
        view = { height, width, counts: target.subarray(at, at + n) };
        // Measured now, while the runs just written are in the cache.
        this.pushMeasured(height, width, target, at, at + n);
      }
      return n;
    });
    return appended ? view : null;
  }

  /** Appends the masks of a finished store (another thread's) without copying their runs. */
  appendStore(store: MaskStore): void {
    this.runs.appendRecords(store.runs);
    this.height.pushFrom(store.height, 0, store.height.length);
    this.width.pushFrom(store.width, 0, store.width.length);
    this.box.pushFrom(store.box, 0, store.box.length);
    this.area.pushFrom(store.area, 0, store.area.length);
  }

  /** A placeholder (0x0, no runs) to be replaced later by patchMasks. */
  appendPlaceholder(): void {
    this.runs.append([], 0, 0);
    this.pushMeasured(0, 0, NO_RUNS, 0, 0);
  }

  /** The size, box and area of the mask of runs counts[from, to). */
  private pushMeasured(height: number, width: number, counts: Uint32Array, from: number, to: number): void {
    this.height.push(height);
    this.width.push(width);
    this.lastArea = measureRuns(counts, from, to, height, width, this.lastBox, 0);
    this.area.push(this.lastArea);
    this.box.pushFrom(this.lastBox, 0, 4);
  }

  finish(): MaskStore {
    return { runs: this.runs.finish(), height: this.height.finish(), width: this.width.finish(), box: this.box.finish(), area: this.area.finish() };
  }
}

export function emptyMaskStore(): MaskStore {
  return { runs: emptyRecords<Uint32Array>(), height: new Int32Array(0), width: new Int32Array(0), box: new Float64Array(0), area: new Float64Array(0) };
}

/** A view of mask i (no copy). */
export function maskOf(store: MaskStore, i: number): Rle {
  return { height: store.height[i]!, width: store.width[i]!, counts: recordOf(store.runs, i) };
}

/** A new store of `count` masks where replace(i) (when defined) stands in for mask i. */
export function patchMasks(store: MaskStore, count: number, replace: (i: number) => Rle | undefined): MaskStore {
  const out = new MaskStoreWriter();
  for (let i = 0; i < count; i++) out.append(replace(i) ?? maskOf(store, i));
  return out.finish();
}
