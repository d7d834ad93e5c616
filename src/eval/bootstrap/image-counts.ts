/**
 * Per-image counts (true positives, false positives, missed ground truth at
 * IoU or OKS .50, area all) read from a prepared evaluation, so that
 * `df2 compare` lists the images where two models differ without matching
 * each file a second time. The prepared evaluation keeps every cell's
 * matching (the codes of the detections that count, and the regular ground
 * truth per cell of each area range), which is all perImageCounts reads from an evaluation's
 * match records: the two agree on every image (tested).
 */
import type { ImageCounts } from '../errors/per-image.js';
import { thresholdIndex } from '../coco/params.js';
import type { PreparedEvaluation } from './prepare.js';

/**
 * The counts perImageCounts gives for the same files, from the matching
 * prepareBootstrap already did.
 *
 * A detection left out of the prepared area (ignored at every threshold) or
 * coded ignored at .50 counts as neither, as in the match records; every
 * true positive at .50 is matched to a distinct regular ground-truth item of
 * its cell, so the missed ones of an image are its regular items less its
 * true positives.
 *
 * @example
 * ```ts
 * const prepared = prepareBootstrap('bbox', gt, results);
 * const counts = preparedImageCounts(prepared); // as perImageCounts(evaluateLoaded('bbox', gt, results))
 * ```
 */
export function preparedImageCounts(prepared: PreparedEvaluation): ImageCounts {
  const n = prepared.imageIds.length;
  const tp = new Int32Array(n);
  const fp = new Int32Array(n);
  const fn = new Int32Array(n);
  const { params } = prepared;
  const all = params.areaLabels.indexOf('all');
  const t50 = thresholdIndex(params, 0.5);
  if (all < 0 || t50 < 0) throw new RangeError(`per-image counts need the area range 'all' and the threshold .50 (${prepared.task})`);
  for (const category of prepared.categories) {
    const area = category.areas[all]!;
    for (let x = 0; x < area.gtImage.length; x++) fn[area.gtImage[x]!]! += area.gtCount[x]!;
    const base = t50 * area.n;
    for (let j = 0; j < area.n; j++) {
      const code = area.code[base + j]!;
      if (code === 1) tp[area.image[j]!]!++;
      else if (code === 2) fp[area.image[j]!]!++;
    }
  }
  for (let r = 0; r < n; r++) fn[r]! -= tp[r]!;
  return { imageId: Float64Array.from(prepared.imageIds), tp, fp, fn };
}
