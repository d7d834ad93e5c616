/**
 * Variable-length numeric records (mask run lengths, landmark coordinates,
 * polygons) stored back to back in large shared blocks, so that hundreds of
 * megabytes never need one contiguous allocation or a grow-and-copy, and any
 * thread can read them without a copy.
 *
 * Blocks start at the writer's block size and double up to 32 MB: a small
 * store wastes little, and a large one is mostly made of blocks that the
 * kernel can back with 2 MB pages (transparent huge pages, when the process
 * asks for them: docs/performance.md). A block is mapped wherever malloc puts
 * it, so only the 2 MB-aligned stretches inside it can be huge pages; in a
 * 4 MB block that is about half of it, in a 32 MB one nearly all. On this
 * machine a first touch of a 4 KB page costs some 13 µs, which made the
 * memory of a repeated segm evaluation's masks the largest part of its time.
 */
import { type TypedConstructor, i32, sharedArray } from './columns.js';

type RecordTyped = Float64Array | Uint32Array;

/** The largest block a writer allocates (a record larger than that gets a block of its own size). */
export const MAX_BLOCK_BYTES = 32 << 20;
/** The first block of a writer (see the constructor). */
export const FIRST_BLOCK_BYTES = 64 << 10;

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
  /** Elements of the next block: blockSize, doubled per block up to MAX_BLOCK_BYTES. */
  private nextBlock: number;
  private readonly block = i32();
  private readonly offset = i32();
  private readonly length = i32();

  /**
   * The first block is small (FIRST_BLOCK_BYTES by default), so that a small file allocates little (shared memory
   * costs about 13 µs per 8 KB to allocate); the next ones start at `blockSize` elements. A large file then gets large
   * blocks from its second block on: blocks doubled from the small one were slower to fill (a repeated segm run of the
   * bench took 0.1-0.3 s longer, with more page faults).
   */
  constructor(
    private readonly Type: TypedConstructor<T>,
    /** Elements of the second block (doubled per block after it). */
    blockSize: number,
    /** Elements of the first block. */
    private readonly firstBlock = FIRST_BLOCK_BYTES / Type.BYTES_PER_ELEMENT,
  ) {
    this.nextBlock = blockSize;
  }

  get count(): number {
    return this.block.length;
  }

  /** Makes room for `n` records in all in the index columns (the values' blocks grow as they do). */
  reserveRecords(n: number): void {
    this.block.reserve(n);
    this.offset.reserve(n);
    this.length.reserve(n);
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
    // The current block is closed (cut to what it holds), the other's blocks follow it; the next append starts a new block.
    const last = this.blocks.length - 1;
    if (this.current && this.used < this.current.length) this.blocks[last] = this.current.subarray(0, this.used) as T;
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
      const first = this.blocks.length === 0;
      this.current = sharedArray(this.Type, Math.max(first ? this.firstBlock : this.nextBlock, n));
      this.blocks.push(this.current);
      this.used = 0;
      if (!first) this.nextBlock = Math.max(this.nextBlock, Math.min(2 * this.nextBlock, MAX_BLOCK_BYTES / this.Type.BYTES_PER_ELEMENT));
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
    // The last block is cut to what it holds: a view, not a copy. Its unused tail was never written, so
    // it holds no memory (a page is backed on its first write), while a copy would write it all again.
    const last = this.blocks.length - 1;
    if (last >= 0 && this.used < this.blocks[last]!.length) this.blocks[last] = this.blocks[last]!.subarray(0, this.used) as T;
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
