/**
 * Reusable typed buffers. Mask work runs per detection (~10^5 per evaluation):
 * intermediate arrays are taken from here and grown geometrically instead of
 * being allocated per call; only the final result is a fresh array.
 * Everything here is single-threaded and must not be held across calls.
 */
class Scratch<T extends Uint32Array | Int32Array | Uint8Array> {
  private buffer: T;

  constructor(
    private readonly Type: new (length: number) => T,
    initialLength: number,
  ) {
    this.buffer = new Type(initialLength);
  }

  /** A buffer of at least `length` elements (contents unspecified). */
  get(length: number): T {
    if (this.buffer.length < length) this.buffer = new this.Type(Math.max(length, this.buffer.length * 2));
    return this.buffer;
  }
}

export class ScratchU32 extends Scratch<Uint32Array> {
  constructor() {
    super(Uint32Array, 256);
  }
}

export class ScratchI32 extends Scratch<Int32Array> {
  constructor() {
    super(Int32Array, 256);
  }
}

export class ScratchU8 extends Scratch<Uint8Array> {
  constructor() {
    super(Uint8Array, 1024);
  }
}
