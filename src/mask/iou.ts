/**
 * Intersection over union as maskApi's rleIou and bbIou compute it, including
 * the crowd rule: when a ground truth is a crowd region, the union is the
 * detection's own area, so a detection inside a crowd scores 1.
 *
 * Results are laid out detection-major: result[d * gt.length + g].
 */
import { type Rle, rleArea, rleToBbox } from './rle.js';

/** The crowd flag as pycocotools reads it: converted to uint8 (so 256 is 0), then nonzero. */
function crowdFlags(iscrowd: ArrayLike<number>, n: number): Uint8Array {
  if (iscrowd.length < n) throw new RangeError(`iscrowd has ${iscrowd.length} flags for ${n} ground truths`);
  const flags = new Uint8Array(n);
  for (let g = 0; g < n; g++) flags[g] = Math.trunc(iscrowd[g]!) & 0xff ? 1 : 0;
  return flags;
}

/**
 * Mask IoU. maskApi first rejects pairs whose bounding boxes do not overlap;
 * that box always contains every set pixel, so the rejection only saves work
 * and is skipped here (intersection 0 gives IoU 0 either way). Intersection
 * and union are exact integers, so the quotient is the same double. Masks of
 * different sizes give -1 when their boxes overlap, else 0, as in maskApi.
 * The RLEs must be well formed (rleCheck); all parsers here ensure that.
 */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd: ArrayLike<number>): Float64Array {
  const nDt = dt.length;
  const nGt = gt.length;
  const crowd = crowdFlags(iscrowd, nGt);
  const out = new Float64Array(nDt * nGt);
  if (nDt === 0 || nGt === 0) return out;
  const gtAreas = new Float64Array(nGt);
  for (let g = 0; g < nGt; g++) gtAreas[g] = rleArea(gt[g]!);
  for (let d = 0; d < nDt; d++) {
    const a = dt[d]!;
    const dtArea = rleArea(a);
    for (let g = 0; g < nGt; g++) {
      const b = gt[g]!;
      if (a.height !== b.height || a.width !== b.width) {
        out[d * nGt + g] = boxesOverlap(rleToBbox(a), rleToBbox(b)) ? -1 : 0;
        continue;
      }
      const inter = intersection(a.counts, b.counts);
      if (inter === 0) continue;
      // The same integers maskApi counts pixel by pixel in its run walk.
      out[d * nGt + g] = inter / (crowd[g] ? dtArea : dtArea + gtAreas[g]! - inter);
    }
  }
  return out;
}

/**
 * Pixels set in both masks: a merge of the two lists of set intervals
 * [start, end) (the odd runs), touching only the runs of 1s.
 */
function intersection(a: Uint32Array, b: Uint32Array): number {
  const aLen = a.length;
  const bLen = b.length;
  if (aLen < 2 || bLen < 2) return 0;
  let aStart = a[0]!;
  let aEnd = aStart + a[1]!;
  let bStart = b[0]!;
  let bEnd = bStart + b[1]!;
  let ia = 1;
  let ib = 1;
  let inter = 0;
  for (;;) {
    const overlap = (aEnd < bEnd ? aEnd : bEnd) - (aStart > bStart ? aStart : bStart);
    if (overlap > 0) inter += overlap;
    if (aEnd <= bEnd) {
      // Next set interval of a: skip its run of 0s.
      if (ia + 2 >= aLen) break;
      aStart = aEnd + a[ia + 1]!;
      aEnd = aStart + a[ia + 2]!;
      ia += 2;
    } else {
      if (ib + 2 >= bLen) break;
      bStart = bEnd + b[ib + 1]!;
      bEnd = bStart + b[ib + 2]!;
      ib += 2;
    }
  }
  return inter;
}

/** bbIou's test for a positive overlap of two [x, y, w, h] boxes. */
function boxesOverlap(d: readonly number[], g: readonly number[]): boolean {
  const w = Math.min(d[2]! + d[0]!, g[2]! + g[0]!) - Math.max(d[0]!, g[0]!);
  if (w <= 0) return false;
  const h = Math.min(d[3]! + d[1]!, g[3]! + g[1]!) - Math.max(d[1]!, g[1]!);
  return h > 0;
}

/**
 * Box IoU of boxes packed [x, y, w, h] * n, as maskApi's bbIou (same
 * operations in the same order, so the same doubles).
 */
/**
 * maskApi bbIou for one pair of [x, y, w, h] boxes, with its arithmetic
 * (right edge as w + x, union as area_d + area_g - overlap, or area_d for a
 * crowd ground truth): the last bits decide threshold comparisons, so every
 * box IoU in df2 goes through here.
 */
export function xywhIou(
  dx: number, dy: number, dw: number, dh: number,
  gx: number, gy: number, gw: number, gh: number, crowd: boolean,
): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const inter = w * h;
  const dtArea = dw * dh;
  return inter / (crowd ? dtArea : dtArea + gw * gh - inter);
}

export function boxIou(dt: Float64Array, gt: Float64Array, iscrowd: ArrayLike<number>): Float64Array {
  const nDt = Math.floor(dt.length / 4);
  const nGt = Math.floor(gt.length / 4);
  const crowd = crowdFlags(iscrowd, nGt);
  const out = new Float64Array(nDt * nGt);
  for (let g = 0; g < nGt; g++) {
    const gx = gt[4 * g]!, gy = gt[4 * g + 1]!, gw = gt[4 * g + 2]!, gh = gt[4 * g + 3]!;
    for (let d = 0; d < nDt; d++) {
      out[d * nGt + g] = xywhIou(dt[4 * d]!, dt[4 * d + 1]!, dt[4 * d + 2]!, dt[4 * d + 3]!, gx, gy, gw, gh, crowd[g] === 1);
    }
  }
  return out;
}
