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
 */
export function accumulateCategory(params: CocoEvalParams, acc: AccumulatedArrays, k: number, cat: CategoryMatches): void {
  if (cat.cells === 0) return;
  const { T, R, K, A, M } = acc.dims;
  const recThrs = params.recThrs;
  const n = cat.count;
  const order = stableOrderByDescending(cat.score, n);
  const sortedScore = new Float64Array(n);
  const sortedRank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    sortedScore[i] = cat.score[order[i]!]!;
    sortedRank[i] = cat.rank[order[i]!]!;
  }
  // Per maxDets: the positions (in score order) of the detections within each image's cut.
  const selected = params.maxDets.map((maxDet) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (sortedRank[i]! < maxDet) out.push(i);
    return Int32Array.from(out);
  });
  /** Per detection in score order: 0 ignored, 1 true positive, 2 false positive. */
  const code = new Uint8Array(n);
  /** Per true positive (in order): false positives before it, and its place in the selection. */
  const fpBefore = new Int32Array(n);
  const placeOf = new Int32Array(n);
  /** Per recall sample: the true positive that first reaches it (-1: the first detection, not a true positive). */
  const reachedAt = new Int32Array(R);
  const { precision, recall, scores } = acc;
  const stride = K * A * M; // from recall sample r to r + 1 in precision / scores
  for (let a = 0; a < A; a++) {
    const npig = cat.regularGt[a]!;
    if (npig === 0) continue;
    for (let t = 0; t < T; t++) {
      const base = (a * T + t) * n;
      for (let i = 0; i < n; i++) {
        const d = base + order[i]!;
        code[i] = cat.ignored[d] ? 0 : cat.matched[d] ? 1 : 2;
      }
      for (let m = 0; m < M; m++) {
        const positions = selected[m]!;
        const nd = positions.length;
        const first = ((t * R * K + k) * A + a) * M + m;
        let fp = 0;
        let tp = 0;
        for (let j = 0; j < nd; j++) {
          const c = code[positions[j]!]!;
          if (c === 2) fp++;
          else if (c === 1) {
            fpBefore[tp] = fp;
            placeOf[tp] = j;
            tp++;
          }
        }
        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? tp / npig : 0;
        let reached = 0;
        if (nd > 0 && code[positions[0]!] !== 1) {
          while (reached < R && 0 >= recThrs[reached]!) reachedAt[reached++] = -1;
        }
        for (let e = 0; e < tp; e++) {
          const rc = (e + 1) / npig;
          while (reached < R && rc >= recThrs[reached]!) reachedAt[reached++] = e;
        }
        for (let r = reached; r < R; r++) {
          precision[first + r * stride] = 0;
          scores[first + r * stride] = 0;
        }
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
        for (; r >= 0; r--) {
          precision[first + r * stride] = best;
          scores[first + r * stride] = sortedScore[positions[0]!]!;
        }
      }
    }
  }
}
