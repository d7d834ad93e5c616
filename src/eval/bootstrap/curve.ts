/**
 * One precision-recall curve of a resample: one pass at one IoU threshold
 * over the blocks of one category's area range (blocks.ts), giving the
 * recall reached and the precision at each of the 101 recall samples, the
 * same doubles as the official accumulate() on the resampled files.
 */
import { NP_SPACING_1 } from '../coco/numeric.js';
import { IGNORED, TIE_RUN } from './blocks.js';
import type { PreparedArea } from './prepare.js';

/**
 * needs[r]: the fewest true positives whose recall (tp / npig, the same
 * double) reaches recall sample r, so that the pass compares integers
 * instead of dividing at every true positive; needs[R] is Infinity.
 */
export function fillNeeds(recThrs: ArrayLike<number>, npig: number, needs: Float64Array): void {
  const R = recThrs.length;
  for (let r = 0; r < R; r++) {
    const threshold = recThrs[r]!;
    if (!(threshold <= 1)) {
      needs[r] = Infinity;
      continue;
    }
    // tp / npig rises with tp, so the first tp whose quotient reaches the threshold is near ceil(threshold * npig).
    let m = Math.max(0, Math.ceil(threshold * npig));
    while (m > 0 && (m - 1) / npig >= threshold) m--;
    while (m / npig < threshold) m++;
    needs[r] = m;
  }
  needs[R] = Infinity;
}

/**
 * One pass at one IoU threshold over the blocks of an area range (see
 * blocks.ts): a block of true positives adds its weight to tp, one of
 * ignored detections to the ignored weight, the false positives before a
 * block are the rest of the weight up to it, and a run of equal scores is
 * walked copy by copy in the resample's order. Recall samples are reached at true positives
 * (searchsorted 'left' on a rising recall), and a sample's precision is the
 * largest precision at or after the true positive that reaches it; within
 * a block of true positives precision rises, so the block's last one
 * stands for all of them. The pass keeps, per recall sample, the largest
 * precision between the true positive that reaches it and the one that
 * reaches the next (best[r]; -1 when not reached), and fillPrecision takes
 * maxima from the right over those at most R values: no list of true
 * positives, no second pass. Returns the (weighted) true positives.
 */
export function curveOf(
  area: PreparedArea,
  t: number,
  prefix: Int32Array,
  tieStream: Int32Array,
  runFrom: Int32Array,
  needs: Float64Array,
  best: Float64Array,
): number {
  const R = needs.length - 1;
  best.fill(-1, 0, R);
  const { code, blockStart, blockEnd, blockKind } = area;
  const base = t * area.n;
  let tp = 0;
  // Weight of the ignored detections so far; the false positives so far are the rest of the weight (prefix).
  let ignored = 0;
  let reached = 0;
  let need = needs[0]!;
  let segment = 0;
  const last = area.blockOffset[t + 1]!;
  for (let b = area.blockOffset[t]!; b < last; b++) {
    const kind = blockKind[b]!;
    if (kind !== TIE_RUN) {
      const end = prefix[blockEnd[b]!]!;
      const w = end - prefix[blockStart[b]!]!;
      if (kind === IGNORED) ignored += w;
      else if (w > 0) {
        // A block of true positives: one entry of weight w; fp + tp is the weight up to its end, less the ignored.
        tp += w;
        if (tp >= need) {
          reached = reach(best, needs, reached, tp, segment);
          need = needs[reached]!;
          segment = 0;
        }
        const precision = tp / (end - ignored + NP_SPACING_1);
        if (precision > segment) segment = precision;
      }
      continue;
    }
    // A run of equal scores that mixes codes at t: copy by copy (each of weight 1).
    const x = blockStart[b]!;
    let fp = prefix[area.runStart[x]!]! - tp - ignored;
    const run = area.runBase + x;
    const to = runFrom[run + 1]!;
    for (let y = runFrom[run]!; y < to; y++) {
      const c = code[base + tieStream[y]!]!;
      if (c === 1) {
        tp++;
        if (tp >= need) {
          reached = reach(best, needs, reached, tp, segment);
          need = needs[reached]!;
          segment = 0;
        }
        const precision = tp / (fp + tp + NP_SPACING_1);
        if (precision > segment) segment = precision;
      } else if (c === 2) fp++;
      else ignored++;
    }
  }
  if (reached > 0) best[reached - 1] = segment;
  return tp;
}

/**
 * A true positive that reaches recall samples: the stretch of the sample
 * reached last closes with its best precision, and the samples reached now
 * open (all but the last with no precision of their own). Returns the
 * number of samples reached.
 */
function reach(best: Float64Array, needs: Float64Array, reached: number, tp: number, segment: number): number {
  const R = needs.length - 1;
  if (reached > 0) best[reached - 1] = segment;
  while (reached < R && tp >= needs[reached]!) best[reached++] = 0;
  return reached;
}

/** Precision at each recall sample (from `first`, `stride` apart): maxima from the right of the per-sample bests, 0 where not reached. */
export function fillPrecision(precision: Float64Array, first: number, stride: number, best: Float64Array, R: number): void {
  let running = 0;
  for (let r = R - 1; r >= 0; r--) {
    const b = best[r]!;
    if (b < 0) {
      precision[first + r * stride] = 0;
      continue;
    }
    if (b > running) running = b;
    precision[first + r * stride] = running;
  }
}
