/**
 * Precision and recall per (IoU threshold, recall sample, category, area
 * range, maxDets), as the official accumulate(): all detections of a
 * category over the images, each image cut to maxDets, in one stable
 * score order; precision made monotone from the right, sampled at the 101
 * recall points with searchsorted(side='left'); samples past the last
 * recall reached stay 0; -1 where a category has no (regular) ground truth.
 */
import { NP_SPACING_1, stableOrderByDescending } from './numeric.js';
import type { CocoEvalParams } from './params.js';

export interface AccumulatedArrays {
  /** [T, R, K, A, M] in C order. */
  precision: Float64Array;
  /** [T, K, A, M]. */
  recall: Float64Array;
  /** [T, R, K, A, M]: the score at each recall sample. */
  scores: Float64Array;
  dims: { T: number; R: number; K: number; A: number; M: number };
}

/** The per-image results of one category, concatenated in image order. */
export interface CategoryMatches {
  /** Images with ground truth or detections of the category (pycocotools' non-None evalImgs). */
  cells: number;
  /** Detections kept (each image cut to the largest maxDets), in image order then score order. */
  count: number;
  score: Float64Array;
  /** Position of the detection in its image's score order (for the smaller maxDets cuts). */
  rank: Int32Array;
  /** [(a * T + t) * count + i]: matched to a ground truth with a non-zero id. */
  matched: Uint8Array;
  /** [(a * T + t) * count + i]: ignored. */
  ignored: Uint8Array;
  /** Per area range: regular (not ignored) ground truths. */
  regularGt: Int32Array;
}

export function createAccumulated(params: CocoEvalParams, K: number): AccumulatedArrays {
  const T = params.iouThrs.length,
    R = params.recThrs.length,
    A = params.areaRanges.length,
    M = params.maxDets.length;
  return {
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
    scores: new Float64Array(T * R * K * A * M).fill(-1),
    dims: { T, R, K, A, M },
  };
}

/**
 * Fills category k of `acc` from its matches, with the values of
 * accumulate()'s arrays but without building them. In score order, recall
 * (tp / npig) only rises at a true positive, so a recall sample is first
 * reached (searchsorted 'left') at a true positive, or at the first
 * detection for the sample 0; and precision made monotone from the right is,
 * at a true positive, the largest precision at it or at any later true
 * positive (a false positive or ignored detection never has more than the
 * true positive before it). So per (area range, threshold, maxDets) it is
 * enough to count false positives before each true positive, compute
 * precision there (the same double: tp / (fp + tp + eps)) and take running
 * maxima from the right.
 *
 * The steps are small functions of one loop each, not one body: V8 then
 * optimizes each after a few calls, where one large function was compiled
 * on stack replacement with the feedback of its first loop only and thrown
 * away again at each later loop (a cold run spent twice its warm time here).
 */
export function accumulateCategory(params: CocoEvalParams, acc: AccumulatedArrays, k: number, cat: CategoryMatches): void {
  if (cat.cells === 0) return;
  const { T, R, K, A, M } = acc.dims;
  const n = cat.count;
  const order = stableOrderByDescending(cat.score, n);
  const sortedScore = new Float64Array(n);
  const sortedRank = new Int32Array(n);
  gatherInOrder(order, cat.score, cat.rank, sortedScore, sortedRank);
  // Per maxDets: the positions (in score order) of the detections within each image's cut.
  const selected = params.maxDets.map((maxDet) => positionsWithin(sortedRank, maxDet));
  const curve: Curve = {
    code: new Uint8Array(n),
    fpBefore: new Int32Array(n),
    placeOf: new Int32Array(n),
    reachedAt: new Int32Array(R),
    sortedScore,
    recThrs: params.recThrs,
  };
  const stride = K * A * M; // from recall sample r to r + 1 in precision / scores
  for (let a = 0; a < A; a++) {
    const npig = cat.regularGt[a]!;
    if (npig === 0) continue;
    for (let t = 0; t < T; t++) {
      codeDetections(curve.code, cat.ignored, cat.matched, (a * T + t) * n, order, n);
      for (let m = 0; m < M; m++) {
        const positions = selected[m]!;
        const tp = countBeforeTruePositives(curve, positions);
        acc.recall[((t * K + k) * A + a) * M + m] = positions.length > 0 ? tp / npig : 0;
        fillPrecision(curve, positions, tp, npig, acc, ((t * R * K + k) * A + a) * M + m, stride);
      }
    }
  }
}

/** The working arrays of one category's curves, reused from one (area, threshold, maxDets) to the next. */
interface Curve {
  /** Per detection in score order: 0 ignored, 1 true positive, 2 false positive. */
  code: Uint8Array;
  /** Per true positive (in order): false positives before it, and its place in the selection. */
  fpBefore: Int32Array;
  placeOf: Int32Array;
  /** Per recall sample: the true positive that first reaches it (-1: the first detection, not a true positive). */
  reachedAt: Int32Array;
  sortedScore: Float64Array;
  recThrs: CocoEvalParams['recThrs'];
}

function gatherInOrder(order: Int32Array, score: Float64Array, rank: Int32Array, sortedScore: Float64Array, sortedRank: Int32Array): void {
  for (let i = 0; i < order.length; i++) {
    sortedScore[i] = score[order[i]!]!;
    sortedRank[i] = rank[order[i]!]!;
  }
}

function positionsWithin(sortedRank: Int32Array, maxDet: number): Int32Array {
  let count = 0;
  for (let i = 0; i < sortedRank.length; i++) if (sortedRank[i]! < maxDet) count++;
  const out = new Int32Array(count);
  for (let i = 0, j = 0; i < sortedRank.length; i++) if (sortedRank[i]! < maxDet) out[j++] = i;
  return out;
}

function codeDetections(code: Uint8Array, ignored: Uint8Array, matched: Uint8Array, base: number, order: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const d = base + order[i]!;
    code[i] = ignored[d] ? 0 : matched[d] ? 1 : 2;
  }
}

/** Walks the selection in score order: per true positive, the false positives before it and its place. Returns the true positives. */
function countBeforeTruePositives(curve: Curve, positions: Int32Array): number {
  const { code, fpBefore, placeOf } = curve;
  let fp = 0;
  let tp = 0;
  for (let j = 0; j < positions.length; j++) {
    const c = code[positions[j]!]!;
    if (c === 2) fp++;
    else if (c === 1) {
      fpBefore[tp] = fp;
      placeOf[tp] = j;
      tp++;
    }
  }
  return tp;
}

/** Precision and score at each recall sample of one (area, threshold, maxDets), from `first` on with `stride` per sample. */
function fillPrecision(curve: Curve, positions: Int32Array, tp: number, npig: number, acc: AccumulatedArrays, first: number, stride: number): void {
  const R = curve.recThrs.length;
  const reached = markReached(curve, positions, tp, npig);
  fillUnreached(acc, first, stride, reached, R);
  const r = fillReached(curve, positions, tp, acc, first, stride, reached);
  // Samples reached at the first detection, which is not a true positive.
  if (r >= 0) fillBeforeFirstTruePositive(curve, positions, tp, acc, first, stride, r);
}

/** reachedAt for every recall sample reached; returns how many are. */
function markReached(curve: Curve, positions: Int32Array, tp: number, npig: number): number {
  const { code, reachedAt, recThrs } = curve;
  const R = recThrs.length;
  let reached = 0;
  if (positions.length > 0 && code[positions[0]!] !== 1) {
    while (reached < R && 0 >= recThrs[reached]!) reachedAt[reached++] = -1;
  }
  for (let e = 0; e < tp; e++) {
    const rc = (e + 1) / npig;
    while (reached < R && rc >= recThrs[reached]!) reachedAt[reached++] = e;
  }
  return reached;
}

function fillUnreached(acc: AccumulatedArrays, first: number, stride: number, reached: number, R: number): void {
  for (let r = reached; r < R; r++) {
    acc.precision[first + r * stride] = 0;
    acc.scores[first + r * stride] = 0;
  }
}

/** Running maxima of precision from the last true positive back; returns the last sample left (reached before any true positive), or -1. */
function fillReached(curve: Curve, positions: Int32Array, tp: number, acc: AccumulatedArrays, first: number, stride: number, reached: number): number {
  const { fpBefore, placeOf, reachedAt, sortedScore } = curve;
  const { precision, scores } = acc;
  let best = 0;
  let r = reached - 1;
  for (let e = tp - 1; e >= 0 && r >= 0; e--) {
    const pr = (e + 1) / (fpBefore[e]! + (e + 1) + NP_SPACING_1);
    if (pr > best) best = pr;
    while (r >= 0 && reachedAt[r] === e) {
      precision[first + r * stride] = best;
      scores[first + r * stride] = sortedScore[positions[placeOf[e]!]!]!;
      r--;
    }
  }
  return r;
}

function fillBeforeFirstTruePositive(
  curve: Curve,
  positions: Int32Array,
  tp: number,
  acc: AccumulatedArrays,
  first: number,
  stride: number,
  last: number,
): void {
  const { fpBefore } = curve;
  // The best precision of any true positive (0 without one), as the running maximum ends.
  let best = 0;
  for (let e = 0; e < tp; e++) {
    const pr = (e + 1) / (fpBefore[e]! + (e + 1) + NP_SPACING_1);
    if (pr > best) best = pr;
  }
  for (let r = last; r >= 0; r--) {
    acc.precision[first + r * stride] = best;
    acc.scores[first + r * stride] = curve.sortedScore[positions[0]!]!;
  }
}
