/**
 * Run-length encoded binary masks in the layout of the COCO mask API
 * (cocoapi common/maskApi.c): pixels in column-major order (index
 * x*height + y), alternating runs of 0s and 1s, the first run of 0s (its
 * length may be 0). Every operation here matches maskApi bit for bit,
 * including its treatment of zero-length runs; merge and area work on the
 * runs only, never per pixel.
 */
import { RleFormatError, checkRleSize } from './errors.js';
import { ScratchU32 } from './scratch.js';

export interface Rle {
  height: number;
  width: number;
  /** Run lengths, column-major, starting with a run of 0s. */
  counts: Uint32Array;
}

/** Throws RleFormatError unless the size is valid and the runs cover exactly height*width pixels. */
export function rleCheck(rle: Rle): void {
  checkRleSize(rle.height, rle.width);
  const total = rleTotal(rle.counts);
  const area = rle.height * rle.width;
  if (total !== area) throw new RleFormatError(`run lengths sum to ${total}, expected ${rle.height}*${rle.width} = ${area}`);
}

/** Sum of all run lengths (exact: a double holds it for any Uint32Array we can allocate). */
function rleTotal(counts: Uint32Array): number {
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j]!;
  return total;
}

/** Encodes a column-major mask (nonzero = set) of height*width pixels. */
export function rleEncode(mask: Uint8Array, height: number, width: number): Rle {
  checkRleSize(height, width);
  const area = height * width;
  if (mask.length !== area) throw new RangeError(`rleEncode: mask has ${mask.length} pixels, expected ${height}*${width} = ${area}`);
  // Two passes (count runs, then fill) so the result is allocated once at its exact size.
  let runs = 1;
  let state = 0;
  for (let i = 0; i < area; i++) {
    const bit = mask[i] === 0 ? 0 : 1;
    if (bit !== state) {
      runs++;
      state = bit;
    }
  }
  const counts = new Uint32Array(runs);
  let k = 0;
  let runStart = 0;
  state = 0;
  for (let i = 0; i < area; i++) {
    const bit = mask[i] === 0 ? 0 : 1;
    if (bit !== state) {
      counts[k++] = i - runStart;
      runStart = i;
      state = bit;
    }
  }
  counts[k] = area - runStart;
  return { height, width, counts };
}

/** Decodes to a column-major 0/1 mask of height*width pixels. */
export function rleDecode(rle: Rle): Uint8Array {
  rleCheck(rle);
  const mask = new Uint8Array(rle.height * rle.width);
  const counts = rle.counts;
  let at = 0;
  for (let j = 0; j < counts.length; j++) {
    const run = counts[j]!;
    if (j & 1) mask.fill(1, at, at + run);
    at += run;
  }
  return mask;
}

/** Number of set pixels: the sum of the odd-indexed runs. */
export function rleArea(rle: Rle): number {
  const counts = rle.counts;
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
  return area;
}

const UINT32_WRAP = 4294967296;

/**
 * Bounding box [x, y, w, h] as the release's maskApi (2017) rleToBbox computes
 * it: the min/max column and row over the first and last pixel of every run
 * of 1s, ignoring a trailing run of 0s. A run that wraps from the bottom of
 * one column into the top of the next therefore does NOT widen the box to the
 * full height, so the box may leave out set pixels; later pycocotools widen it
 * (see {@link rlePixelBounds}). The evaluation uses this box (a mask result's
 * bbox, and the box pre-check of {@link rleIou}) because the release's figures
 * depend on it. Like maskApi it treats a zero-length run of 1s as the pixel
 * before it, and an empty mask as [0,0,0,0].
 *
 * @example
 * // 4x3 image (column-major), one run of pixels 2..5: rows 2-3 of column 0, rows 0-1 of column 1.
 * // The box spans the run's first pixel (x 0, y 2) and last pixel (x 1, y 1) only:
 * rleToBbox({ height: 4, width: 3, counts: Uint32Array.from([2, 4, 6]) }); // [0, 1, 2, 2]
 */
export function rleToBbox(rle: Rle): [number, number, number, number] {
  const box = new Float64Array(4);
  measureRuns(rle.counts, 0, rle.counts.length, rle.height, rle.width, box, 0);
  return [box[0]!, box[1]!, box[2]!, box[3]!];
}

/**
 * {@link rleToBbox} and {@link rleArea} of the runs counts[from, to) of a mask
 * of `height` x `width` pixels, in one pass over them and with no allocation: the box
 * is written to boxes[at, at + 4), the area returned. The evaluation measures
 * every mask once with it (when it is decoded or made) instead of in every
 * IoU that reads the mask.
 *
 * @example
 * const boxes = new Float64Array(4);
 * measureRuns(Uint32Array.from([2, 4, 6]), 0, 3, 4, 3, boxes, 0); // 4; boxes is [0, 1, 2, 2]
 */
export function measureRuns(counts: Uint32Array, from: number, to: number, height: number, width: number, boxes: Float64Array, at: number): number {
  const end = from + ((to - from) & ~1);
  // No run of 1s, or no rows: the walk's box of zeros.
  if (end === from || height === 0) return measureByWalk(counts, from, to, height, width, boxes, at);
  // The runs as pairs (a run of 0s, then one of 1s), each ending at a pixel:
  // the first of the run of 1s, and its last (of an empty one: the pixel
  // before it). Those pixels only grow while no run of 1s is empty at a
  // column's top and no sum passes 2^32, which is every mask read from a
  // file: then the columns only grow too, the first and the last give the
  // box's x and width, and only the rows need a min and a max. Else the
  // general walk, which follows maskApi's unsigned arithmetic step by step.
  let top = height;
  let bottom = 0;
  let sum = 0;
  let column = 0;
  let firstColumn = -1;
  let area = 0;
  for (let j = from; j < end; j += 2) {
    sum += counts[j]!;
    column = columnOf(sum, column, height);
    if (firstColumn < 0) firstColumn = column;
    let row = sum - column * height;
    if (row < top) top = row;
    if (row > bottom) bottom = row;
    const run = counts[j + 1]!;
    area += run;
    sum += run;
    const last = sum - 1;
    if (last < column * height) return measureByWalk(counts, from, to, height, width, boxes, at);
    column = columnOf(last, column, height);
    row = last - column * height;
    if (row < top) top = row;
    if (row > bottom) bottom = row;
  }
  if (sum >= UINT32_WRAP) return measureByWalk(counts, from, to, height, width, boxes, at);
  // maskApi starts its least column at the width: runs past the image (never in a file's mask) leave it there.
  const left = firstColumn < width ? firstColumn : width;
  boxes[at] = left;
  boxes[at + 1] = top;
  boxes[at + 2] = column - left + 1;
  boxes[at + 3] = bottom - top + 1;
  return area;
}

/** The column of `pixel`, which is in column `from` or a later one (most are in it or the next: no division for those). */
function columnOf(pixel: number, from: number, height: number): number {
  const row = pixel - from * height;
  if (row < height) return from;
  if (row < 2 * height) return from + 1;
  return Math.floor(pixel / height);
}

function measureByWalk(counts: Uint32Array, from: number, to: number, height: number, width: number, boxes: Float64Array, at: number): number {
  const rle = { height, width, counts: counts.subarray(from, to) };
  boxes.set(runEndsBox(rle, false), at);
  return rleArea(rle);
}

/** rleToBbox as maskApi's loop computes it, step by step (what {@link measureRuns} must equal; for tests). */
export function releaseBoxByWalk(rle: Rle): [number, number, number, number] {
  return runEndsBox(rle, false);
}

/**
 * The tight box [x, y, w, h] of every set pixel: like {@link rleToBbox}, but a
 * run spanning columns widens the box to the full height (what pycocotools do
 * since 2018). For drawing, not for the release's figures.
 *
 * @example
 * rlePixelBounds({ height: 4, width: 3, counts: Uint32Array.from([2, 4, 6]) }); // [0, 0, 2, 4]
 */
export function rlePixelBounds(rle: Rle): [number, number, number, number] {
  return runEndsBox(rle, true);
}

function runEndsBox(rle: Rle, widenWrappingRuns: boolean): [number, number, number, number] {
  const { height: h, width: w, counts } = rle;
  const m = counts.length - (counts.length % 2);
  if (m === 0 || h === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let runEnd = 0;
  let xStart = 0;
  // The column of the last pixel looked at, and its first pixel (column * h).
  let column = 0;
  let columnStart = 0;
  for (let j = 0; j < m; j++) {
    // Unsigned 32-bit arithmetic as in maskApi: a run of 1s of length 0 at
    // the very start looks at pixel -1, i.e. 2^32-1. (Written without `%`:
    // on numbers past 2^31 it is a floating-point remainder, a library call
    // per run, and this loop runs for every mask of every evaluation.)
    runEnd += counts[j]!; // each count < 2^32, so one subtraction wraps it
    if (runEnd >= UINT32_WRAP) runEnd -= UINT32_WRAP;
    let pixel = runEnd - (j & 1);
    if (pixel < 0) pixel += UINT32_WRAP;
    // Most runs end in the column of the one before or in the next (a mask
    // crosses a column in two runs): no division for those, the loop's cost
    // when it walks the 10^7 runs of an evaluation. Further, or back after a
    // wrap: floor of the quotient, exact for integers below 2^32.
    const offset = pixel - columnStart;
    let x: number;
    let y: number;
    if (offset >= 0 && offset < h) {
      x = column;
      y = offset;
    } else if (offset >= h && offset < 2 * h) {
      x = column + 1;
      y = offset - h;
      column = x;
      columnStart += h;
    } else {
      x = Math.floor(pixel / h);
      y = pixel - x * h;
      column = x;
      columnStart = x * h;
    }
    if (widenWrappingRuns) {
      if ((j & 1) === 0) xStart = x;
      else if (xStart < x) {
        ys = 0;
        ye = h - 1;
      }
    }
    if (x < xs) xs = x;
    if (x > xe) xe = x;
    if (y < ys) ys = y;
    if (y > ye) ye = y;
  }
  // maskApi's width is unsigned 32-bit too: a zero-length first run of 1s on an image 1 pixel high puts xe at 2^32-1, and the width wraps to 0.
  return [xs, ys, (xe - xs + 1) % UINT32_WRAP, ye - ys + 1];
}

const mergeScratch = [new ScratchU32(), new ScratchU32()] as const;

/**
 * Union (default) or intersection of masks of one size, merged left to right
 * pair by pair as maskApi's rleMerge does. Like maskApi: no masks give an
 * empty 0x0 RLE; masks of different sizes give an empty 0x0 RLE too.
 */
export function rleMerge(rles: readonly Rle[], intersect = false): Rle {
  if (rles.length === 0) return { height: 0, width: 0, counts: new Uint32Array(0) };
  const first = rles[0]!;
  const { height, width } = first;
  if (rles.length === 1) return { height, width, counts: first.counts.slice() };
  for (const rle of rles) {
    if (rle.height !== height || rle.width !== width) return { height: 0, width: 0, counts: new Uint32Array(0) };
  }
  let merged: Uint32Array = first.counts;
  for (let i = 1; i < rles.length; i++) {
    const next = rles[i]!.counts;
    const out = mergeScratch[i & 1]!.get(merged.length + next.length + 1);
    const m = mergeRuns(merged, next, intersect, out);
    merged = out.subarray(0, m);
  }
  return { height, width, counts: merged.slice() };
}

/**
 * One pairwise merge. Walks both run lists in step: each step consumes the
 * shorter of the two current runs, then loads the next run of whichever list
 * ran out (at most one per list per step, so a zero-length run is seen as a
 * step of its own, exactly as in maskApi), and closes an output run when the
 * combined state flips or both lists end. Returns the number of runs written.
 */
function mergeRuns(a: Uint32Array, b: Uint32Array, intersect: boolean, out: Uint32Array): number {
  const aLen = a.length;
  const bLen = b.length;
  let restA = aLen > 0 ? a[0]! : 0;
  let restB = bLen > 0 ? b[0]! : 0;
  let nextA = 1;
  let nextB = 1;
  let setA = false;
  let setB = false;
  let setOut = false;
  let pending = 0;
  let m = 0;
  for (;;) {
    const step = restA < restB ? restA : restB;
    pending += step;
    restA -= step;
    if (restA === 0 && nextA < aLen) {
      restA = a[nextA++]!;
      setA = !setA;
    }
    restB -= step;
    if (restB === 0 && nextB < bLen) {
      restB = b[nextB++]!;
      setB = !setB;
    }
    const left = restA + restB;
    const set = intersect ? setA && setB : setA || setB;
    if (set !== setOut || left === 0) {
      out[m++] = pending;
      pending = 0;
    }
    setOut = set;
    if (left === 0) return m;
    if ((restA === 0 && nextA >= aLen) || (restB === 0 && nextB >= bLen)) throw unequalTotals();
  }
}

function unequalTotals(): RleFormatError {
  return new RleFormatError('masks of one size whose run lengths sum to different totals');
}
