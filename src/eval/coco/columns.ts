/**
 * Growable typed columns: the loaders append one value per annotation or
 * result and end with one exact-size typed array per field, instead of
 * keeping a JS object per record. Columns grow in SharedArrayBuffers, and a
 * finished array is a view of one, so that any thread can be handed it without
 * a copy.
 */
export type Typed = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array;

export interface TypedConstructor<T extends Typed> {
  new (length: number): T;
  new (buffer: ArrayBufferLike): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A zero-filled typed array of `length` elements in a SharedArrayBuffer. */
export function sharedArray<T extends Typed>(Type: TypedConstructor<T>, length: number): T {
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

export class Column<T extends Typed> {
  private data: T;
  length = 0;

  /** `initial`: small by default, since a small file should allocate little (shared memory costs about 13 µs per 8 KB to allocate and touch); doubling makes up for it on a large one. */
  constructor(
    private readonly Type: TypedConstructor<T>,
    initial = 64,
  ) {
    this.data = sharedArray(Type, initial);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  /** Appends `n` values from `source[start..start+n)`. */
  pushFrom(source: ArrayLike<number>, start: number, n: number): void {
    if (this.length + n > this.data.length) this.grow(this.length + n);
    const data = this.data;
    let at = this.length;
    for (let i = 0; i < n; i++) data[at++] = source[start + i]!;
    this.length = at;
  }

  /** Makes room for `n` values in all: pushing up to n then grows nothing (room never written holds no memory). */
  reserve(n: number): void {
    if (n > this.data.length) this.resize(n);
  }

  private grow(needed: number): void {
    let size = Math.max(16, this.data.length * 2);
    while (size < needed) size *= 2;
    this.resize(size);
  }

  private resize(size: number): void {
    const next = sharedArray(this.Type, size);
    // The values only: room never written stays unwritten (and holds no memory) in the new buffer too.
    next.set((this.length === this.data.length ? this.data : this.data.subarray(0, this.length)) as never);
    this.data = next;
  }

  /**
   * The values as a shared array of their length: a view of the column's
   * buffer, not a copy (the buffer's unused tail was never written, so it
   * holds no memory; a copy would write every value once more to new pages).
   * Values pushed later fall outside the view.
   */
  finish(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const f64 = (initial?: number): Column<Float64Array> => new Column(Float64Array, initial);
export const i32 = (initial?: number): Column<Int32Array> => new Column(Int32Array, initial);
export const u32 = (initial?: number): Column<Uint32Array> => new Column(Uint32Array, initial);
export const u8 = (initial?: number): Column<Uint8Array> => new Column(Uint8Array, initial);
export const i8 = (initial?: number): Column<Int8Array> => new Column(Int8Array, initial);
