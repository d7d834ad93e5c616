/**
 * RLE masks of many annotations or results in shared blocks of run lengths
 * (see records.ts), each with its own size, readable as mask-module Rle views.
 */
import type { Rle } from '../../mask/index.js';
import { i32 } from './columns.js';
import { type RecordBlocks, RecordWriter, emptyRecords, recordOf } from './records.js';

export interface MaskStore {
  readonly runs: RecordBlocks<Uint32Array>;
  readonly height: Int32Array;
  readonly width: Int32Array;
}

const BLOCK_RUNS = 1 << 20;

export class MaskStoreWriter {
  private readonly runs = new RecordWriter<Uint32Array>(Uint32Array, BLOCK_RUNS);
  private readonly height = i32();
  private readonly width = i32();

  append(rle: Rle): void {
    this.runs.append(rle.counts, 0, rle.counts.length);
    this.height.push(rle.height);
    this.width.push(rle.width);
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
      if (n >= 0) view = { height, width, counts: target.subarray(at, at + n) };
      return n;
    });
    if (!appended) return null;
    this.height.push(height);
    this.width.push(width);
    return view;
  }

  /** Appends the masks of a finished store (another thread's) without copying their runs. */
  appendStore(store: MaskStore): void {
    this.runs.appendRecords(store.runs);
    this.height.pushFrom(store.height, 0, store.height.length);
    this.width.pushFrom(store.width, 0, store.width.length);
  }

  /** A placeholder (0x0, no runs) to be replaced later by patchMasks. */
  appendPlaceholder(): void {
    this.runs.append([], 0, 0);
    this.height.push(0);
    this.width.push(0);
  }

  finish(): MaskStore {
    return { runs: this.runs.finish(), height: this.height.finish(), width: this.width.finish() };
  }
}

export function emptyMaskStore(): MaskStore {
  return { runs: emptyRecords<Uint32Array>(), height: new Int32Array(0), width: new Int32Array(0) };
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
