/**
 * Growable typed columns: the loaders append one value per annotation or
 * result and end with one exact-size typed array per field, instead of
 * keeping a JS object per record.
 */
type Typed = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array;

export class Column<T extends Typed> {
  private data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T, initial = 1024) {
    this.data = make(initial);
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

  private grow(needed: number): void {
    let size = Math.max(16, this.data.length * 2);
    while (size < needed) size *= 2;
    const next = this.make(size);
    next.set(this.data as never);
    this.data = next;
  }

  /** The values as an exact-size array (a copy; the column may be dropped afterwards). */
  finish(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const f64 = (initial?: number): Column<Float64Array> => new Column((n) => new Float64Array(n), initial);
export const i32 = (initial?: number): Column<Int32Array> => new Column((n) => new Int32Array(n), initial);
export const u32 = (initial?: number): Column<Uint32Array> => new Column((n) => new Uint32Array(n), initial);
export const u16 = (initial?: number): Column<Uint16Array> => new Column((n) => new Uint16Array(n), initial);
export const u8 = (initial?: number): Column<Uint8Array> => new Column((n) => new Uint8Array(n), initial);
export const i8 = (initial?: number): Column<Int8Array> => new Column((n) => new Int8Array(n), initial);
