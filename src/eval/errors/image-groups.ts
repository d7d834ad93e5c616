/**
 * Ground truth and detections grouped by image (every category together),
 * file order kept inside an image: the error analyses look at a whole image
 * at once (a detection of the wrong category is a classification error, a
 * confusion-matrix entry), unlike the official matching, which works per
 * (image, category). Built once and shared by the analyses.
 */
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import type { CocoResults } from '../coco/results.js';

export interface ImageGroups {
  /** Number of images (gt.images order). */
  readonly count: number;
  /** Annotations of image i: gtItems[gtStart[i] .. gtStart[i + 1]), ascending (file order). */
  readonly gtStart: Int32Array;
  readonly gtItems: Int32Array;
  /** Results of image i: detItems[detStart[i] .. detStart[i + 1]), ascending (file order). */
  readonly detStart: Int32Array;
  readonly detItems: Int32Array;
}

/**
 * Groups annotations and results by their image (a counting sort: two
 * passes, no per-item objects).
 *
 * @example
 * const groups = groupByImage(gt, results);
 * const firstImageResults = groups.detItems.subarray(groups.detStart[0], groups.detStart[1]);
 */
export function groupByImage(gt: CocoGroundTruth, res: CocoResults): ImageGroups {
  const count = gt.images.id.length;
  const [gtStart, gtItems] = countingGroups(gt.annotations.image, gt.annotations.count, count);
  const [detStart, detItems] = countingGroups(res.image, res.count, count);
  return { count, gtStart, gtItems, detStart, detItems };
}

function countingGroups(groupOf: Int32Array, n: number, groups: number): [Int32Array, Int32Array] {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) start[groupOf[i]! + 1]!++;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, groups);
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[fill[groupOf[i]!]!++] = i;
  return [start, items];
}

/**
 * Category rank (position in `categoryIds`) of each of `ids`, -1 for an id
 * not listed: the analyses index their tables by it.
 */
export function categoryRanks(ids: Float64Array, categoryIds: readonly number[]): Int32Array {
  const rank = new Map(categoryIds.map((id, k) => [id, k]));
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = rank.get(ids[i]!) ?? -1;
  return out;
}
