/**
 * Intersection over union as the release's maskApi (2017) rleIou and bbIou compute it, including
 * the crowd rule: when a ground truth is a crowd region, the union is the
 * detection's own area, so a detection inside a crowd scores 1.
 *
 * Results are laid out detection-major: result[d * gt.length + g].
 */
import { type Rle, measureRuns } from './rle.js';

/** The crowd flag as pycocotools reads it: converted to uint8 (so 256 is 0), then nonzero. */
function crowdFlags(iscrowd: ArrayLike<number>, n: number): Uint8Array {
  if (iscrowd.length < n) throw new RangeError(`iscrowd has ${iscrowd.length} flags for ${n} ground truths`);
  const flags = new Uint8Array(n);
  for (let g = 0; g < n; g++) flags[g] = Math.trunc(iscrowd[g]!) & 0xff ? 1 : 0;
  return flags;
}

/**
 * Many masks, measured: mask i's runs are
 * runs.blocks[runs.block[i]][runs.offset[i], runs.offset[i] + runs.length[i]),
 * its size height[i] x width[i], its rleToBbox box box[4i, 4i + 4) and its
 * rleArea area[i]. The evaluation's mask stores have this shape, so that the
 * IoU of their masks reads the measures made once and no view per mask.
 */
export interface MaskColumns {
  readonly runs: { readonly blocks: readonly Uint32Array[]; readonly block: Int32Array; readonly offset: Int32Array; readonly length: Int32Array };
  readonly height: ArrayLike<number>;
  readonly width: ArrayLike<number>;
  readonly box: Float64Array;
  readonly area: Float64Array;
}

/**
 * Mask IoU as the release's maskApi (2017) rleIou: a pair whose boxes (its
 * rleToBbox, which may leave out the pixels of a run wrapping into the
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
  const crowd = crowdFlags(iscrowd, gt.length);
  return maskColumnsIou(measuredColumns(dt), identity(dt.length), dt.length, measuredColumns(gt), identity(gt.length), gt.length, crowd);
}

/**
 * {@link rleIou} of the masks dt[dets[0..nDt)] and gt[gts[0..nGt)] of two
 * measured sets (crowd: one 0/1 flag per listed ground truth).
 */
export function maskColumnsIou(dt: MaskColumns, dets: Int32Array, nDt: number, gt: MaskColumns, gts: Int32Array, nGt: number, crowd: Uint8Array): Float64Array {
  const out = new Float64Array(nDt * nGt);
  const dtRuns = dt.runs;
  const gtRuns = gt.runs;
  for (let d = 0; d < nDt; d++) {
    const i = dets[d]!;
    const dx = dt.box[4 * i]!,
      dy = dt.box[4 * i + 1]!,
      dw = dt.box[4 * i + 2]!,
      dh = dt.box[4 * i + 3]!;
    const dtArea = dt.area[i]!;
    const a = dtRuns.blocks[dtRuns.block[i]!]!;
    const aFrom = dtRuns.offset[i]!;
    const aTo = aFrom + dtRuns.length[i]!;
    for (let g = 0; g < nGt; g++) {
      const j = gts[g]!;
      if (!boxesOverlap(dx, dy, dw, dh, gt.box, 4 * j)) continue;
      if (dt.height[i] !== gt.height[j] || dt.width[i] !== gt.width[j]) {
        out[d * nGt + g] = -1;
        continue;
      }
      const from = gtRuns.offset[j]!;
      const inter = intersection(a, aFrom, aTo, gtRuns.blocks[gtRuns.block[j]!]!, from, from + gtRuns.length[j]!);
      if (inter === 0) continue;
      // The same integers maskApi counts pixel by pixel in its run walk.
      out[d * nGt + g] = inter / (crowd[g] ? dtArea : dtArea + gt.area[j]! - inter);
    }
  }
  return out;
}

/** Masks given one by one as columns, measured. */
function measuredColumns(masks: readonly Rle[]): MaskColumns {
  const n = masks.length;
  const box = new Float64Array(4 * n);
  const area = new Float64Array(n);
  const length = new Int32Array(n);
  masks.forEach((m, i) => {
    area[i] = measureRuns(m.counts, 0, m.counts.length, m.height, m.width, box, 4 * i);
    length[i] = m.counts.length;
  });
  return {
    runs: { blocks: masks.map((m) => m.counts), block: identity(n), offset: new Int32Array(n), length },
    height: masks.map((m) => m.height),
    width: masks.map((m) => m.width),
    box,
    area,
  };
}

function identity(n: number): Int32Array {
  const list = new Int32Array(n);
  for (let i = 0; i < n; i++) list[i] = i;
  return list;
}

/**
 * Pixels set in both masks a[aFrom, aTo) and b[bFrom, bTo) (their runs): a
 * merge of the two lists of set intervals [start, end) (the odd runs),
 * touching only the runs of 1s.
 */
function intersection(a: Uint32Array, aFrom: number, aTo: number, b: Uint32Array, bFrom: number, bTo: number): number {
  if (aTo - aFrom < 2 || bTo - bFrom < 2) return 0;
  let aStart = a[aFrom]!;
  let aEnd = aStart + a[aFrom + 1]!;
  let bStart = b[bFrom]!;
  let bEnd = bStart + b[bFrom + 1]!;
  let ia = aFrom + 1;
  let ib = bFrom + 1;
  let inter = 0;
  for (;;) {
    const overlap = (aEnd < bEnd ? aEnd : bEnd) - (aStart > bStart ? aStart : bStart);
    if (overlap > 0) inter += overlap;
    if (aEnd <= bEnd) {
      // Next set interval of a: skip its run of 0s.
      if (ia + 2 >= aTo) break;
      aStart = aEnd + a[ia + 1]!;
      aEnd = aStart + a[ia + 2]!;
      ia += 2;
    } else {
      if (ib + 2 >= bTo) break;
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
