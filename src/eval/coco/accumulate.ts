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
  const T = params.iouThrs.length, R = params.recThrs.length, A = params.areaRanges.length, M = params.maxDets.length;
  return {
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
    scores: new Float64Array(T * R * K * A * M).fill(-1),
    dims: { T, R, K, A, M },
  };
}

/** Fills category k of `acc` from its matches. */
export function accumulateCategory(params: CocoEvalParams, acc: AccumulatedArrays, k: number, cat: CategoryMatches): void {
  if (cat.cells === 0) return;
  const { T, R, K, A, M } = acc.dims;
  const recThrs = params.recThrs;
  const order = stableOrderByDescending(cat.score, cat.count);
  const selected = new Int32Array(cat.count);
  const rc = new Float64Array(cat.count);
  const pr = new Float64Array(cat.count);
  for (let a = 0; a < A; a++) {
    const npig = cat.regularGt[a]!;
    if (npig === 0) continue;
    for (let m = 0; m < M; m++) {
      const maxDet = params.maxDets[m]!;
      let nd = 0;
      for (let i = 0; i < cat.count; i++) {
        const det = order[i]!;
        if (cat.rank[det]! < maxDet) selected[nd++] = det;
      }
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * cat.count;
        let tp = 0;
        let fp = 0;
        for (let i = 0; i < nd; i++) {
          const at = base + selected[i]!;
          if (!cat.ignored[at]) {
            if (cat.matched[at]) tp++;
            else fp++;
          }
          rc[i] = tp / npig;
          pr[i] = tp / (fp + tp + NP_SPACING_1);
        }
        acc.recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1]! : 0;
        for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        // searchsorted(rc, recThrs, 'left'): rc never decreases and neither do the samples.
        let i = 0;
        for (let r = 0; r < R; r++) {
          const at = (((t * R + r) * K + k) * A + a) * M + m;
          const threshold = recThrs[r]!;
          while (i < nd && rc[i]! < threshold) i++;
          if (i >= nd) {
            for (let rest = r; rest < R; rest++) {
              const restAt = (((t * R + rest) * K + k) * A + a) * M + m;
              acc.precision[restAt] = 0;
              acc.scores[restAt] = 0;
            }
            break;
          }
          acc.precision[at] = pr[i]!;
          acc.scores[at] = cat.score[selected[i]!]!;
        }
      }
    }
  }
}
