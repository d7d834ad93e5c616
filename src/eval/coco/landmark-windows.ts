/**
 * The detected landmarks of keypoint results, stored by window. A result
 * lists x, y, v for all 294 positions, but a garment's landmarks are one
 * category's run of 8 to 39 positions and every other position is (0, 0).
 * Each result keeps x, y of the smallest run of positions that holds every
 * coordinate other than +0, and the first position of that run; the rest is
 * +0 by construction. A validation-sized results file (90k results) takes
 * about 36 MB this way instead of 422 MB, and the 422 MB would cost more to
 * touch than to parse. Whatever a file holds (a landmark predicted outside
 * its category, a -0) is kept exactly: it is inside the window.
 */
import { TOTAL_LANDMARKS } from '../../schema/index.js';
import { i32 } from './columns.js';
import { type RecordBlocks, RecordWriter, emptyRecords, recordOf } from './records.js';

/** x, y of landmark position k of result i: xy[2 * (k - first[i])], xy[2 * (k - first[i]) + 1] inside the window, else +0. */
export interface LandmarkWindows {
  first: Int32Array;
  /** Per result: x, y of its window's positions, in order (length 2 * window size). */
  xy: RecordBlocks<Float64Array>;
}

const BLOCK_DOUBLES = 1 << 20;

/** Not +0: -0 counts as a value, so that it is kept as read. */
const isSet = (v: number): boolean => v !== 0 || 1 / v < 0;

export class LandmarkWindowWriter {
  private readonly first = i32();
  private readonly xy = new RecordWriter<Float64Array>(Float64Array, BLOCK_DOUBLES);

  get count(): number {
    return this.first.length;
  }

  /** Makes room for `n` results' windows in all in the index columns. */
  reserve(n: number): void {
    this.first.reserve(n);
    this.xy.reserveRecords(n);
  }

  /**
   * Appends one result's landmarks from `values`, a list of x, y, v triples
   * for the 294 positions starting at `start` (v is not kept: the official
   * OKS never reads a detection's v).
   */
  append(values: ArrayLike<number>, start: number): void {
    let lo = 0;
    while (lo < TOTAL_LANDMARKS && !isSet(values[start + 3 * lo]!) && !isSet(values[start + 3 * lo + 1]!)) lo++;
    let hi = TOTAL_LANDMARKS - 1;
    while (hi >= lo && !isSet(values[start + 3 * hi]!) && !isSet(values[start + 3 * hi + 1]!)) hi--;
    const n = hi - lo + 1; // 0 when every coordinate is +0
    this.first.push(n > 0 ? lo : 0);
    this.xy.appendWith(2 * n, (target, at) => {
      for (let k = lo; k <= hi; k++) {
        target[at++] = values[start + 3 * k]!;
        target[at++] = values[start + 3 * k + 1]!;
      }
    });
  }

  /** Appends every result of finished windows (read by another thread), after the ones appended so far, without copying them. */
  appendWindows(windows: LandmarkWindows): void {
    this.first.pushFrom(windows.first, 0, windows.first.length);
    this.xy.appendRecords(windows.xy);
  }

  finish(): LandmarkWindows {
    return { first: this.first.finish(), xy: this.xy.finish() };
  }
}

export function emptyLandmarkWindows(): LandmarkWindows {
  return { first: new Int32Array(0), xy: emptyRecords<Float64Array>() };
}

/**
 * Result i's x, y for all 294 positions (588 doubles), written into `out`
 * when given (it must hold 588), else into a new array.
 *
 * @example
 * const xy = landmarksOf(results.keypoints, 0);
 * xy[2 * 5]; // x of position 5 (0 when the result left it at 0)
 */
export function landmarksOf(windows: LandmarkWindows, i: number, out?: Float64Array): Float64Array {
  const full = out ?? new Float64Array(2 * TOTAL_LANDMARKS);
  full.fill(0, 0, 2 * TOTAL_LANDMARKS);
  full.set(recordOf(windows.xy, i), 2 * windows.first[i]!);
  return full;
}
