/**
 * COCO's compressed RLE strings (maskApi rleToString / rleFrString). Each run
 * length is written as a little-endian sequence of 5-bit groups, one printable
 * character each (group + 48, so '0'..'o'); bit 0x20 of a character says
 * another group follows, and bit 0x10 of the last group is the sign. From the
 * fourth run on, the value written is the difference to the run two places
 * back (the previous run of the same colour), which keeps strings short.
 */
import { RleFormatError, checkRleSize } from './errors.js';
import type { Rle } from './rle.js';
import { ScratchU32, ScratchU8 } from './scratch.js';

export { RleFormatError } from './errors.js';

const CHAR_OFFSET = 48;
const MORE = 0x20;
const SIGN = 0x10;
const GROUP = 0x1f;
/** A run length is below 2^32 and a difference above -2^32: 35 bits, 7 groups. */
const MAX_GROUPS = 7;
const BACKSLASH = 0x5c;

const textDecoder = new TextDecoder();
const chars = new ScratchU8();
const decodedRuns = new ScratchU32();

export function rleToString(rle: Rle): string {
  const counts = rle.counts;
  const out = chars.get(counts.length * MAX_GROUPS);
  let p = 0;
  for (let i = 0; i < counts.length; i++) {
    let value = counts[i]!;
    if (i > 2) value -= counts[i - 2]!;
    for (;;) {
      // Low 5 bits of the two's complement value; ToInt32 keeps them for |value| < 2^53.
      const group = value & GROUP;
      // An arithmetic shift by 5 that does not truncate to 32 bits.
      value = Math.floor(value / 32);
      const more = group & SIGN ? value !== -1 : value !== 0;
      out[p++] = (more ? group | MORE : group) + CHAR_OFFSET;
      if (!more) break;
    }
  }
  return textDecoder.decode(out.subarray(0, p));
}

/**
 * Reads a compressed RLE string for an image of height x width. Stricter than
 * maskApi, which reads any bytes: characters outside '0'..'o', a string that
 * ends inside a value, a value of more than 7 groups, a negative run, or runs
 * that do not sum to height*width throw RleFormatError.
 */
export function rleFromString(counts: string, height: number, width: number): Rle {
  checkRleSize(height, width);
  if (typeof counts !== 'string') throw new RleFormatError('compressed RLE counts must be a string');
  const length = counts.length;
  // Every run takes at least one character, so the string length bounds the run count.
  const runs = decodedRuns.get(length);
  let m = 0;
  let total = 0;
  let p = 0;
  while (p < length) {
    let value = 0;
    let scale = 1;
    let groups = 0;
    for (;;) {
      if (p >= length) throw new RleFormatError(`truncated: the string ends inside run ${m + 1}`);
      const code = counts.charCodeAt(p) - CHAR_OFFSET;
      if (code < 0 || code > 63) {
        throw new RleFormatError(`bad character ${JSON.stringify(counts[p])} at position ${p}`);
      }
      p++;
      groups++;
      value += (code & GROUP) * scale;
      scale *= 32;
      if ((code & MORE) === 0) {
        if (code & SIGN) value -= scale;
        break;
      }
      if (groups >= MAX_GROUPS) throw new RleFormatError(`run ${m + 1} is longer than ${MAX_GROUPS} characters`);
    }
    if (m > 2) value += runs[m - 2]!;
    if (value < 0 || value > 0xffffffff) throw new RleFormatError(`run ${m + 1} has length ${value}`);
    runs[m++] = value;
    total += value;
  }
  const area = height * width;
  if (total !== area) throw new RleFormatError(`run lengths sum to ${total}, expected ${height}*${width} = ${area}`);
  return { height, width, counts: runs.slice(0, m) };
}

/**
 * Decodes a compressed RLE string from its bytes in a JSON text (the bytes
 * between its quotes, escapes as written) into `target` from index `at`, for
 * an image of height x width: the number of runs written, or -1 for anything
 * rleFromString would refuse for the same string, and for an escape other than
 * `\\` (the alphabet's one character JSON must escape), which the caller
 * leaves to JSON.parse. `target` needs room for `end - start` runs from `at`
 * (every run takes at least one byte). Results files hold ~10^5 such strings:
 * this reads them with no JS string and no copy of the runs.
 *
 * @example
 * // A 2 x 3 mask: 1 pixel unset, 2 set, 3 unset ("123" is rleToString of those runs).
 * const bytes = Buffer.from('{"counts": "123"}');
 * const runs = new Uint32Array(3);
 * rleRunsFromJsonBytes(bytes, 12, 15, 2, 3, runs, 0); // 3: runs is [1, 2, 3]
 * rleRunsFromJsonBytes(bytes, 12, 15, 2, 4, runs, 0); // -1: the runs do not cover 2 x 4 pixels
 */
export function rleRunsFromJsonBytes(bytes: Uint8Array, start: number, end: number, height: number, width: number, target: Uint32Array, at: number): number {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0 || height * width > 0xffffffff) return -1;
  let m = 0;
  let total = 0;
  let p = start;
  while (p < end) {
    let value = 0;
    let scale = 1;
    let groups = 0;
    for (;;) {
      if (p >= end) return -1;
      const byte = bytes[p++]!;
      if (byte === BACKSLASH) {
        if (p >= end || bytes[p] !== BACKSLASH) return -1;
        p++;
      }
      const code = byte - CHAR_OFFSET;
      if (code < 0 || code > 63) return -1;
      groups++;
      value += (code & GROUP) * scale;
      scale *= 32;
      if ((code & MORE) === 0) {
        if (code & SIGN) value -= scale;
        break;
      }
      if (groups >= MAX_GROUPS) return -1;
    }
    if (m > 2) value += target[at + m - 2]!;
    if (value < 0 || value > 0xffffffff) return -1;
    target[at + m++] = value;
    total += value;
  }
  return total === height * width ? m : -1;
}
