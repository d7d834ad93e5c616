/**
 * coco-analyze's score correction for one cell (image, category): every
 * detection starts from the best OKS it reaches with a regular ground truth
 * (its corrected landmarks), then a soft non-maximum suppression lowers the
 * others' scores by their OKS with each kept one in turn.
 */
import { TOTAL_LANDMARKS } from '../../schema/index.js';
import { NP_SPACING_1, pairwiseSum, stableOrderByDescending } from '../coco/numeric.js';
import { OKS_VARS } from '../coco/similarity.js';

/** Area of the box around all 294 landmarks (zeros included), as coco-analyze's _soft_nms measures it. */
function landmarkBoxArea(xy: Float64Array): number {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let k = 0; k < TOTAL_LANDMARKS; k++) {
    const x = xy[2 * k]!;
    const y = xy[2 * k + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return (x1 - x0) * (y1 - y0);
}

/**
 * Soft NMS as coco-analyze's _soft_nms, over all 294 positions: repeatedly
 * the detection of highest score (ties: the earlier in the list, which is
 * re-sorted stably each round) is kept, and each one left is multiplied by
 * exp(-oks^2 / .5), with oks between the two over all 294 landmarks and the
 * mean of their two landmark-box areas. `xy`: the detections' landmarks in
 * file order; `scores`: their starting scores, replaced by the new ones.
 */
export function softNms(xy: readonly Float64Array[], scores: Float64Array, terms: Float64Array): void {
  const n = xy.length;
  if (n < 2) return;
  const area = xy.map(landmarkBoxArea);
  // The remaining list, in its current order (Python's list B).
  let remaining = Int32Array.from({ length: n }, (_, i) => i);
  const key = new Float64Array(n);
  while (remaining.length > 0) {
    for (let i = 0; i < remaining.length; i++) key[i] = scores[remaining[i]!]!;
    const order = stableOrderByDescending(key, remaining.length);
    const sorted = Int32Array.from(order, (i) => remaining[i]!);
    const m = sorted[0]!;
    remaining = sorted.subarray(1);
    const mxy = xy[m]!;
    for (const d of remaining) {
      const dxy = xy[d]!;
      const scale = 0.5 * (area[m]! + area[d]!) + NP_SPACING_1;
      for (let k = 0; k < TOTAL_LANDMARKS; k++) {
        const dx = dxy[2 * k]! - mxy[2 * k]!;
        const dy = dxy[2 * k + 1]! - mxy[2 * k + 1]!;
        terms[k] = Math.exp(-((dx * dx + dy * dy) / OKS_VARS[k]! / scale / 2));
      }
      const oks = pairwiseSum(terms, 0, TOTAL_LANDMARKS) / TOTAL_LANDMARKS;
      scores[d] = scores[d]! * Math.exp(-((oks * oks) / 0.5));
    }
  }
}
