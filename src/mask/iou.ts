/**
 * Intersection over union as the release's maskApi (2017) rleIou and bbIou compute it, including
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
 * Mask IoU as the release's maskApi (2017) rleIou: a pair whose boxes (its
 * {@link rleToBbox}, which may leave out the pixels of a run wrapping into the
 * next column) do not overlap gets 0 before any pixel is counted, so two
 * masks that share pixels can still score 0. Otherwise intersection over
 * union of the pixels; both are exact integers, so the quotient is the same
 * double. Masks of different sizes give -1 when their boxes overlap, else 0.
 * The RLEs must be well formed (rleCheck); all parsers here ensure that.
 *
 * @example
 * const a = rleFromBox(0, 0, 4, 4, 10, 10);
 * const b = rleFromBox(2, 2, 4, 4, 10, 10);
 * rleIou([a], [b], [0]); // Float64Array [4 / 28]
 */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd: ArrayLike<number>): Float64Array {
  const nDt = dt.length;
  const nGt = gt.length;
  const crowd = crowdFlags(iscrowd, nGt);
  const out = new Float64Array(nDt * nGt);
  if (nDt === 0 || nGt === 0) return out;
  const gtAreas = new Float64Array(nGt);
  const gtBoxes = new Float64Array(4 * nGt);
  for (let g = 0; g < nGt; g++) {
    gtAreas[g] = rleArea(gt[g]!);
    gtBoxes.set(rleToBbox(gt[g]!), 4 * g);
  }
  for (let d = 0; d < nDt; d++) {
    const a = dt[d]!;
    const [dx, dy, dw, dh] = rleToBbox(a);
    let dtArea = -1;
    for (let g = 0; g < nGt; g++) {
      if (!boxesOverlap(dx, dy, dw, dh, gtBoxes, 4 * g)) continue;
      const b = gt[g]!;
      if (a.height !== b.height || a.width !== b.width) {
        out[d * nGt + g] = -1;
        continue;
      }
      const inter = intersection(a.counts, b.counts);
      if (inter === 0) continue;
      if (dtArea < 0) dtArea = rleArea(a);
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

/** bbIou's test for a positive overlap of box d and the [x, y, w, h] box at boxes[at]. */
function boxesOverlap(dx: number, dy: number, dw: number, dh: number, boxes: Float64Array, at: number): boolean {
  const gx = boxes[at]!,
    gy = boxes[at + 1]!,
    gw = boxes[at + 2]!,
    gh = boxes[at + 3]!;
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return false;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  return h > 0;
}

/**
 * maskApi bbIou for one pair of [x, y, w, h] boxes, with its arithmetic
 * (right edge as w + x, union as area_d + area_g - overlap, or area_d for a
 * crowd ground truth): the last bits decide threshold comparisons, so every
 * box IoU in df2 goes through here.
 */
export function xywhIou(dx: number, dy: number, dw: number, dh: number, gx: number, gy: number, gw: number, gh: number, crowd: boolean): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const inter = w * h;
  const dtArea = dw * dh;
  return inter / (crowd ? dtArea : dtArea + gw * gh - inter);
}

/**
 * Box IoU of boxes packed [x, y, w, h] * n, as maskApi's bbIou (same
 * operations in the same order, so the same doubles).
 */
export function boxIou(dt: Float64Array, gt: Float64Array, iscrowd: ArrayLike<number>): Float64Array {
  const nDt = Math.floor(dt.length / 4);
  const nGt = Math.floor(gt.length / 4);
  const crowd = crowdFlags(iscrowd, nGt);
  const out = new Float64Array(nDt * nGt);
  for (let g = 0; g < nGt; g++) {
    const gx = gt[4 * g]!,
      gy = gt[4 * g + 1]!,
      gw = gt[4 * g + 2]!,
      gh = gt[4 * g + 3]!;
    for (let d = 0; d < nDt; d++) {
      out[d * nGt + g] = xywhIou(dt[4 * d]!, dt[4 * d + 1]!, dt[4 * d + 2]!, dt[4 * d + 3]!, gx, gy, gw, gh, crowd[g] === 1);
    }
  }
  return out;
}
