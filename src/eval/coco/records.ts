/**
 * Variable-length numeric records (mask run lengths, landmark coordinates,
 * polygons) stored back to back in large shared blocks, so that hundreds of
 * megabytes never need one contiguous allocation or a grow-and-copy, and any
 * thread can read them without a copy.
 */
import { type TypedConstructor, i32, sharedArray, sharedCopy } from './columns.js';

type RecordTyped = Float64Array | Uint32Array;

/** Finished record storage: record i is blocks[block[i]].subarray(offset[i], offset[i] + length[i]). */
export interface RecordBlocks<T extends RecordTyped> {
  blocks: T[];
  block: Int32Array;
  offset: Int32Array;
  length: Int32Array;
}

export class RecordWriter<T extends RecordTyped> {
  private readonly blocks: T[] = [];
  private current: T | null = null;
  private used = 0;
  private readonly block = i32();
  private readonly offset = i32();
  private readonly length = i32();

  constructor(
    private readonly Type: TypedConstructor<T>,
    private readonly blockSize: number,
  ) {}

  get count(): number {
    return this.block.length;
  }

  /** Appends one record holding source[start, start + n). */
  append(source: ArrayLike<number>, start: number, n: number): void {
    const target = this.reserve(n);
    if (ArrayBuffer.isView(source)) target.set((source as T).subarray(start, start + n) as never, this.used);
    else for (let i = 0; i < n; i++) target[this.used + i] = source[start + i]!;
    this.commit(n);
  }

  /** Appends a record that is filled in place: write(target, at) gets the block and the first index. */
  appendWith(n: number, write: (target: T, at: number) => void): void {
    const target = this.reserve(n);
    write(target, this.used);
    this.commit(n);
  }

  /**
   * Appends a record of at most `maxN` values written in place: write(target,
   * at) returns how many it wrote, or -1 to append nothing.
   */
  appendUpTo(maxN: number, write: (target: T, at: number) => number): boolean {
    const target = this.reserve(maxN);
    const n = write(target, this.used);
    if (n < 0) return false;
    this.commit(n);
    return true;
  }

  /** Appends every record of finished storage (another writer's, possibly another thread's) without copying them. */
  appendRecords(other: RecordBlocks<T>): void {
    if (other.blocks.length === 0) {
      // Records of no values (the other writer never made a block): each points at this writer's current block.
      for (let i = 0; i < other.block.length; i++) {
        this.reserve(0);
        this.commit(0);
      }
      return;
    }
    // The current block is closed (trimmed), the other's blocks follow it; the next append starts a new block.
    const last = this.blocks.length - 1;
    if (this.current && this.used < this.current.length) this.blocks[last] = sharedCopy(this.Type, this.current, 0, this.used);
    const base = this.blocks.length;
    this.blocks.push(...other.blocks);
    for (let i = 0; i < other.block.length; i++) {
      this.block.push(base + other.block[i]!);
      this.offset.push(other.offset[i]!);
      this.length.push(other.length[i]!);
    }
    this.current = this.blocks[this.blocks.length - 1]!;
    this.used = this.current.length;
  }

  private reserve(n: number): T {
    if (!this.current || this.used + n > this.current.length) {
      this.current = sharedArray(this.Type, Math.max(this.blockSize, n));
      this.blocks.push(this.current);
      this.used = 0;
    }
    return this.current;
  }

  private commit(n: number): void {
    this.block.push(this.blocks.length - 1);
    this.offset.push(this.used);
    this.length.push(n);
    this.used += n;
  }

  finish(): RecordBlocks<T> {
    // The last block is trimmed so that its unused tail is freed.
    const last = this.blocks.length - 1;
    if (last >= 0 && this.used < this.blocks[last]!.length) this.blocks[last] = sharedCopy(this.Type, this.blocks[last]!, 0, this.used);
    return { blocks: this.blocks, block: this.block.finish(), offset: this.offset.finish(), length: this.length.finish() };
  }
}

export function recordOf<T extends RecordTyped>(store: RecordBlocks<T>, i: number): T {
  const start = store.offset[i]!;
  return store.blocks[store.block[i]!]!.subarray(start, start + store.length[i]!) as T;
}

export function emptyRecords<T extends RecordTyped>(): RecordBlocks<T> {
  return { blocks: [], block: new Int32Array(0), offset: new Int32Array(0), length: new Int32Array(0) };
}
