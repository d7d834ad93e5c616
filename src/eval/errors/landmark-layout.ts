/**
 * Where each landmark of a category usually is: the mean of its position
 * relative to its item's box over the ground truth, so that a category's
 * skeleton can be drawn (coloured by error rate) without a hand-made
 * template.
 */
import { CATEGORIES } from '../../schema/index.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import { recordOf } from '../coco/records.js';

/** Per category id: per landmark (index n - 1 for landmark n) its mean [x, y] in [0, 1] of the box, or null when never labelled. */
export type LandmarkLayout = Map<number, ([number, number] | null)[]>;

/**
 * The mean layout of every category's landmarks in the ground truth.
 *
 * @example
 * ```ts
 * const layout = meanLandmarkLayout(gt);
 * const collar = layout.get(1)?.[0]; // short sleeve top, landmark 1
 * ```
 */
export function meanLandmarkLayout(gt: CocoGroundTruth): LandmarkLayout {
  const ann = gt.annotations;
  const sums = new Map(
    CATEGORIES.map((c) => [c.id, { offset: c.offset, x: new Float64Array(c.landmarks), y: new Float64Array(c.landmarks), n: new Float64Array(c.landmarks) }]),
  );
  for (let a = 0; a < ann.count; a++) {
    const s = sums.get(ann.category[a]!);
    const w = ann.bbox[4 * a + 2]!;
    const h = ann.bbox[4 * a + 3]!;
    if (!s || !(w > 0) || !(h > 0)) continue;
    const rec = recordOf(ann.landmarks, a);
    for (let k = 0; k < rec.length; k += 3) {
      const i = rec[k]! - s.offset;
      if (i < 0 || i >= s.n.length) continue;
      s.x[i]! += (rec[k + 1]! - ann.bbox[4 * a]!) / w;
      s.y[i]! += (rec[k + 2]! - ann.bbox[4 * a + 1]!) / h;
      s.n[i]!++;
    }
  }
  const layout: LandmarkLayout = new Map();
  for (const [id, s] of sums)
    layout.set(
      id,
      Array.from(s.n, (n, i) => (n > 0 ? ([s.x[i]! / n, s.y[i]! / n] as [number, number]) : null)),
    );
  return layout;
}
