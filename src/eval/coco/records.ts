/**
 * Variable-length numeric records (mask run lengths, landmark coordinates)
 * stored back to back in large blocks, so that hundreds of megabytes never
 * need one contiguous allocation or a grow-and-copy, and can be handed to
 * another thread without copying.
 */
import { i32 } from './columns.js';

type Typed = Float64Array | Uint32Array;

/** Finished record storage: record i is blocks[block[i]].subarray(offset[i], offset[i] + length[i]). */
export interface RecordBlocks<T extends Typed> {
  blocks: T[];
  block: Int32Array;
  offset: Int32Array;
  length: Int32Array;
}

export class RecordWriter<T extends Typed> {
  private readonly blocks: T[] = [];
  private current: T | null = null;
  private used = 0;
  private readonly block = i32();
  private readonly offset = i32();
  private readonly length = i32();

  constructor(private readonly make: (n: number) => T, private readonly blockSize: number) {}

  get count(): number {
    return this.block.length;
  }

  /** Appends one record holding source[start, start + n). */
  append(source: ArrayLike<number>, start: number, n: number): void {
    const target = this.reserve(n);
    if (ArrayBuffer.isView(source)) target.set((source as T).subarray(start, start + n), this.used);
    else for (let i = 0; i < n; i++) target[this.used + i] = source[start + i]!;
    this.commit(n);
  }

  /** Appends a record that is filled in place: write(target, at) gets the block and the first index. */
  appendWith(n: number, write: (target: T, at: number) => void): void {
    const target = this.reserve(n);
    write(target, this.used);
    this.commit(n);
  }

  private reserve(n: number): T {
    if (!this.current || this.used + n > this.current.length) {
      this.current = this.make(Math.max(this.blockSize, n));
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
    // The last block is trimmed so that no unused tail travels to another thread.
    const last = this.blocks.length - 1;
    if (last >= 0 && this.used < this.blocks[last]!.length) this.blocks[last] = this.blocks[last]!.slice(0, this.used) as T;
    return { blocks: this.blocks, block: this.block.finish(), offset: this.offset.finish(), length: this.length.finish() };
  }
}

export function recordOf<T extends Typed>(store: RecordBlocks<T>, i: number): T {
  const start = store.offset[i]!;
  return store.blocks[store.block[i]!]!.subarray(start, start + store.length[i]!) as T;
}

export function emptyRecords<T extends Typed>(): RecordBlocks<T> {
  return { blocks: [], block: new Int32Array(0), offset: new Int32Array(0), length: new Int32Array(0) };
}
