/**
 * Reusable typed buffers. Mask work runs per detection (~10^5 per evaluation):
 * intermediate arrays are taken from here and grown geometrically instead of
 * being allocated per call; only the final result is a fresh array.
 * Everything here is single-threaded and must not be held across calls.
 */
export class ScratchU32 {
  private buffer = new Uint32Array(256);

  /** A buffer of at least `length` elements (contents unspecified). */
  get(length: number): Uint32Array {
    if (this.buffer.length < length) this.buffer = new Uint32Array(Math.max(length, this.buffer.length * 2));
    return this.buffer;
  }
}

export class ScratchI32 {
  private buffer = new Int32Array(256);

  get(length: number): Int32Array {
    if (this.buffer.length < length) this.buffer = new Int32Array(Math.max(length, this.buffer.length * 2));
    return this.buffer;
  }
}

export class ScratchU8 {
  private buffer = new Uint8Array(1024);

  get(length: number): Uint8Array {
    if (this.buffer.length < length) this.buffer = new Uint8Array(Math.max(length, this.buffer.length * 2));
    return this.buffer;
  }
}
