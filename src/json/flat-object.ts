/**
 * A fast reader for the one shape that makes up almost all of a results
 * file's bytes: a JSON object whose wanted values are numbers or flat arrays
 * of numbers (`{"image_id": 1, "category_id": 8, "bbox": [...], "score":
 * 0.9, "keypoints": [882 numbers]}`), strings (a mask's RLE counts) or an
 * object read by a nested reader (`"segmentation": {"size": [h, w],
 * "counts": "..."}`). It reads the element's bytes directly into typed
 * storage, with no string and no JS object per element, where JSON.parse
 * would build both only for them to be copied into typed columns.
 *
 * The reader is exact or it declines: `read` returns the object's end only
 * when the bytes are one valid JSON object (every value checked against JSON's grammar,
 * including values of keys it does not keep), no wanted key appears twice,
 * and each wanted key holds a number, an array of numbers, a string (whose
 * bytes it points to, escapes left as they are) or an object of a key given
 * a nested reader. Numbers get
 * the double JSON.parse gives: up to 15 significant digits with a decimal
 * exponent within 22 of the point, the digits and the power of ten are both
 * exact doubles and one IEEE multiplication or division rounds correctly
 * (Clinger's fast path); any other number is converted by `Number`, which
 * is JSON.parse's own conversion. Everything else (a wanted key holding an
 * object without a nested reader, an escaped key, invalid JSON) is left to JSON.parse,
 * whose value or error message the caller then uses: the fast path never
 * changes a verdict, only how fast a valid element is read.
 */
import { JsonByte, isJsonSpace } from './json-bytes.js';

/** What a wanted key held in the last element read. */
export const enum FlatField {
  Absent = 0,
  Number = 1,
  Array = 2,
  /** A string: its bytes between the quotes, escapes not decoded, at start .. start + length of the bytes read. */
  String = 3,
  /** An object, read by the key's nested reader (whose fields then hold it). */
  Object = 4,
}

/** 10^0 .. 10^22: every one an exact double. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Significant digits that always fit a double's 53-bit significand exactly. */
const EXACT_DIGITS = 15;

const isDigit = (b: number): boolean => b >= JsonByte.Zero && b <= JsonByte.Nine;

/**
 * Reads flat JSON objects for a fixed list of wanted keys. After a `read`
 * that returned an end offset, `field[k]` says what key k held; a number is in
 * `value[k]`, an array's numbers in `numbers[start[k] .. start[k] + length[k])`,
 * a string's raw bytes in `bytes[start[k] .. start[k] + length[k])` of the
 * bytes read, an object in the nested reader given for key k.
 * The storage is reused by the next `read`.
 *
 * @example
 * ```ts
 * const reader = new FlatObjectReader(['image_id', 'bbox']);
 * const bytes = Buffer.from('{"image_id": 7, "bbox": [1, 2.5, 3, 4], "note": "x"}');
 * reader.read(bytes, 0, bytes.length); // bytes.length: the object ends there
 * reader.value[0]; // 7
 * reader.numbers.subarray(reader.start[1], reader.start[1] + reader.length[1]); // [1, 2.5, 3, 4]
 * ```
 */
export class FlatObjectReader {
  readonly field: Uint8Array;
  readonly value: Float64Array;
  readonly start: Int32Array;
  readonly length: Int32Array;
  numbers = new Float64Array(1024);
  private readonly keys: Uint8Array[];
  private used = 0;
  /** Containers open while a value that is not kept is skipped (1 object, 2 array). */
  private nesting = new Uint8Array(64);

  /** The reader of each wanted key that may hold an object (undefined: an object is declined). */
  private readonly nested: (FlatObjectReader | undefined)[];

  constructor(keys: readonly string[], nested: Readonly<Record<string, FlatObjectReader>> = {}) {
    this.keys = keys.map((key) => {
      const bytes = Buffer.from(key, 'utf8');
      for (const b of bytes)
        if (b < 0x20 || b === JsonByte.Quote || b === JsonByte.Backslash) throw new RangeError(`FlatObjectReader: key ${JSON.stringify(key)} needs escaping`);
      return new Uint8Array(bytes);
    });
    this.nested = keys.map((key) => (Object.hasOwn(nested, key) ? nested[key] : undefined));
    const n = keys.length;
    this.field = new Uint8Array(n);
    this.value = new Float64Array(n);
    this.start = new Int32Array(n);
    this.length = new Int32Array(n);
  }

  /**
   * Reads the JSON object that starts at `from` (white space before it
   * allowed) and ends before `to`: the offset just after its closing brace,
   * or -1 when it declines (see the class) or the object does not end before `to`.
   */
  read(bytes: Uint8Array, from: number, to: number): number {
    this.field.fill(FlatField.Absent);
    this.used = 0;
    this.allFinite = true;
    let i = skipSpace(bytes, from, to);
    if (i >= to || bytes[i] !== JsonByte.LeftBrace) return -1;
    i = skipSpace(bytes, i + 1, to);
    if (i < to && bytes[i] === JsonByte.RightBrace) return i + 1;
    for (;;) {
      if (i >= to || bytes[i] !== JsonByte.Quote) return -1;
      const keyStart = i + 1;
      const keyEnd = this.stringEnd(bytes, keyStart, to);
      if (keyEnd < 0) return -1;
      const k = this.keyIndex(bytes, keyStart, keyEnd);
      if (k === -2) return -1; // an escaped key might spell a wanted one
      i = skipSpace(bytes, keyEnd + 1, to);
      if (i >= to || bytes[i] !== JsonByte.Colon) return -1;
      i = skipSpace(bytes, i + 1, to);
      if (i >= to) return -1;
      if (k >= 0) {
        if (this.field[k] !== FlatField.Absent) return -1; // JSON.parse keeps the last: leave duplicates to it
        i = this.readWanted(bytes, i, to, k);
      } else i = this.skipValue(bytes, i, to);
      if (i < 0) return -1;
      i = skipSpace(bytes, i, to);
      if (i >= to) return -1;
      const c = bytes[i]!;
      if (c === JsonByte.RightBrace) return i + 1;
      if (c !== JsonByte.Comma) return -1;
      i = skipSpace(bytes, i + 1, to);
    }
  }

  /** -1: not wanted; -2: the key has an escape; else the wanted key's index. */
  private keyIndex(bytes: Uint8Array, from: number, to: number): number {
    const n = to - from;
    for (let i = from; i < to; i++) if (bytes[i] === JsonByte.Backslash) return -2;
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k]!;
      if (key.length !== n) continue;
      let same = true;
      for (let j = 0; j < n && same; j++) same = key[j] === bytes[from + j];
      if (same) return k;
    }
    return -1;
  }

  /** A number, an array of numbers, a string or (with a nested reader) an object for wanted key k: the offset after it, or -1. */
  private readWanted(bytes: Uint8Array, i: number, to: number, k: number): number {
    const c = bytes[i];
    if (c === JsonByte.Quote) {
      const end = this.stringEnd(bytes, i + 1, to);
      if (end < 0) return -1;
      this.start[k] = i + 1;
      this.length[k] = end - i - 1;
      this.field[k] = FlatField.String;
      return end + 1;
    }
    if (c === JsonByte.LeftBrace) {
      const end = this.nested[k]?.read(bytes, i, to) ?? -1;
      if (end >= 0) this.field[k] = FlatField.Object;
      return end;
    }
    if (c !== JsonByte.LeftBracket) {
      const end = this.readNumber(bytes, i, to);
      if (end < 0) return -1;
      this.value[k] = this.lastNumber;
      this.field[k] = FlatField.Number;
      return end;
    }
    const first = this.used;
    i = skipSpace(bytes, i + 1, to);
    if (i < to && bytes[i] === JsonByte.RightBracket) {
      this.start[k] = first;
      this.length[k] = 0;
      this.field[k] = FlatField.Array;
      return i + 1;
    }
    for (;;) {
      let end: number;
      // A plain 0 (most of a keypoint vector) needs none of readNumber's cases: a 0 then a separator is the number 0.
      if (bytes[i] === JsonByte.Zero && i + 1 < to && endsZero(bytes[i + 1]!)) {
        this.lastNumber = 0;
        end = i + 1;
      } else end = this.readNumber(bytes, i, to);
      if (end < 0) return -1;
      if (this.used === this.numbers.length) {
        const bigger = new Float64Array(this.numbers.length * 2);
        bigger.set(this.numbers);
        this.numbers = bigger;
      }
      this.numbers[this.used++] = this.lastNumber;
      i = skipSpace(bytes, end, to);
      if (i >= to) return -1;
      const c = bytes[i]!;
      if (c === JsonByte.RightBracket) break;
      if (c !== JsonByte.Comma) return -1;
      i = skipSpace(bytes, i + 1, to);
    }
    this.start[k] = first;
    this.length[k] = this.used - first;
    this.field[k] = FlatField.Array;
    return i + 1;
  }

  private lastNumber = 0;
  /**
   * Whether every number the last `read` converted (wanted or not, this reader's own, not a nested one's) is
   * finite: only a number past the fast path's bounds can be Infinity (1e400), so a caller need not check each.
   */
  allFinite = true;

  /** A JSON number at i into lastNumber: the offset after it, or -1 if there is none. */
  private readNumber(bytes: Uint8Array, i: number, to: number): number {
    const begin = i;
    let negative = false;
    if (bytes[i] === JsonByte.Minus) {
      negative = true;
      i++;
    }
    if (i >= to || !isDigit(bytes[i]!)) return -1;
    let mantissa = 0;
    let digits = 0; // significant digits taken into the mantissa
    let exact = true;
    let exponent = 0;
    if (bytes[i] === JsonByte.Zero) i++;
    else {
      while (i < to && isDigit(bytes[i]!)) {
        if (digits < EXACT_DIGITS) {
          mantissa = mantissa * 10 + (bytes[i]! - JsonByte.Zero);
          digits++;
        } else exact = false;
        i++;
      }
    }
    if (i < to && bytes[i] === JsonByte.Dot) {
      i++;
      if (i >= to || !isDigit(bytes[i]!)) return -1;
      while (i < to && isDigit(bytes[i]!)) {
        const d = bytes[i]! - JsonByte.Zero;
        if (mantissa === 0 && d === 0)
          exponent--; // leading zeros of a fraction are not significant
        else if (digits < EXACT_DIGITS) {
          mantissa = mantissa * 10 + d;
          digits++;
          exponent--;
        } else exact = false;
        i++;
      }
    }
    if (i < to && (bytes[i] === JsonByte.LowerE || bytes[i] === JsonByte.UpperE)) {
      i++;
      let sign = 1;
      if (i < to && (bytes[i] === JsonByte.Plus || bytes[i] === JsonByte.Minus)) {
        if (bytes[i] === JsonByte.Minus) sign = -1;
        i++;
      }
      if (i >= to || !isDigit(bytes[i]!)) return -1;
      let e = 0;
      while (i < to && isDigit(bytes[i]!)) {
        if (e < 100000) e = e * 10 + (bytes[i]! - JsonByte.Zero);
        i++;
      }
      exponent += sign * e;
    }
    if (mantissa === 0 && exact) this.lastNumber = negative ? -0 : 0;
    else if (exact && exponent >= -22 && exponent <= 22) {
      const magnitude = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent]! : mantissa / POWERS_OF_TEN[-exponent]!;
      this.lastNumber = negative ? -magnitude : magnitude;
    } else {
      this.lastNumber = Number(Buffer.from(bytes.buffer, bytes.byteOffset + begin, i - begin).toString('latin1'));
      if (!Number.isFinite(this.lastNumber)) this.allFinite = false;
    }
    return i;
  }

  /** The offset of a string's closing quote (from = just after the opening one), or -1 if it is not a valid JSON string. */
  private stringEnd(bytes: Uint8Array, i: number, to: number): number {
    while (i < to) {
      const c = bytes[i]!;
      if (c === JsonByte.Quote) return i;
      if (c < 0x20) return -1;
      if (c === JsonByte.Backslash) {
        const e = bytes[i + 1];
        if (e === 0x75) {
          // \uXXXX
          for (let j = i + 2; j < i + 6; j++) if (j >= to || !isHex(bytes[j]!)) return -1;
          i += 6;
          continue;
        }
        if (e !== JsonByte.Quote && e !== JsonByte.Backslash && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
        i += 2;
        continue;
      }
      i++;
    }
    return -1;
  }

  /** Skips one valid JSON value at i (not kept): the offset after it, or -1. Containers are tracked on a stack, not by recursion. */
  private skipValue(bytes: Uint8Array, i: number, to: number): number {
    let depth = 0;
    for (;;) {
      // A value.
      if (i >= to) return -1;
      const c = bytes[i]!;
      if (c === JsonByte.LeftBrace || c === JsonByte.LeftBracket) {
        if (depth === this.nesting.length) {
          const deeper = new Uint8Array(depth * 2);
          deeper.set(this.nesting);
          this.nesting = deeper;
        }
        this.nesting[depth++] = c === JsonByte.LeftBrace ? 1 : 2;
        i = skipSpace(bytes, i + 1, to);
        if (i < to && bytes[i] === (c === JsonByte.LeftBrace ? JsonByte.RightBrace : JsonByte.RightBracket)) {
          depth--;
          i++;
        } else if (c === JsonByte.LeftBrace) {
          i = this.skipKey(bytes, i, to);
          if (i < 0) return -1;
          continue;
        } else continue;
      } else if (c === JsonByte.Quote) {
        const end = this.stringEnd(bytes, i + 1, to);
        if (end < 0) return -1;
        i = end + 1;
      } else if (c === JsonByte.Minus || isDigit(c)) {
        i = this.readNumber(bytes, i, to);
        if (i < 0) return -1;
      } else {
        i = skipLiteral(bytes, i, to);
        if (i < 0) return -1;
      }
      // After a value: close containers or go on to the next element.
      for (;;) {
        if (depth === 0) return i;
        i = skipSpace(bytes, i, to);
        if (i >= to) return -1;
        const inObject = this.nesting[depth - 1] === 1;
        const d = bytes[i]!;
        if (d === JsonByte.Comma) {
          i = skipSpace(bytes, i + 1, to);
          if (inObject) {
            i = this.skipKey(bytes, i, to);
            if (i < 0) return -1;
          }
          break;
        }
        if (d !== (inObject ? JsonByte.RightBrace : JsonByte.RightBracket)) return -1;
        depth--;
        i++;
      }
    }
  }

  /** `"key" :` inside a skipped object: the offset of its value, or -1. */
  private skipKey(bytes: Uint8Array, i: number, to: number): number {
    if (i >= to || bytes[i] !== JsonByte.Quote) return -1;
    const end = this.stringEnd(bytes, i + 1, to);
    if (end < 0) return -1;
    i = skipSpace(bytes, end + 1, to);
    if (i >= to || bytes[i] !== JsonByte.Colon) return -1;
    return skipSpace(bytes, i + 1, to);
  }
}

function isHex(b: number): boolean {
  return (b >= JsonByte.Zero && b <= JsonByte.Nine) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

/** Whether a byte after a 0 ends it: a separator in an array, so the number is exactly 0. */
const endsZero = (b: number): boolean => b === JsonByte.Comma || b === JsonByte.RightBracket || isJsonSpace(b);

function skipSpace(bytes: Uint8Array, i: number, to: number): number {
  while (i < to && isJsonSpace(bytes[i]!)) i++;
  return i;
}

const LITERALS = ['true', 'false', 'null'].map((word) => new Uint8Array(Buffer.from(word, 'latin1')));

/** true, false or null at i: the offset after it, or -1. */
function skipLiteral(bytes: Uint8Array, i: number, to: number): number {
  for (const word of LITERALS) {
    if (bytes[i] !== word[0] || i + word.length > to) continue;
    let same = true;
    for (let j = 1; j < word.length && same; j++) same = bytes[i + j] === word[j];
    if (same) return i + word.length;
  }
  return -1;
}
