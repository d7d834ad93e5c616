/**
 * True positives, false positives and missed ground truth per image, read
 * from the official matching's own records (IoU or OKS .50, area all, the
 * largest maxDets): the same matches as the AP, not a second matcher. A
 * detection matched to ignored ground truth counts as neither; ignored
 * ground truth is never missed.
 */
import type { CocoEvalResult } from '../coco/evaluate.js';

export interface ImageCounts {
  /** Image ids, ascending (every evaluated image of the ground truth). */
  imageId: Float64Array;
  tp: Int32Array;
  fp: Int32Array;
  fn: Int32Array;
}

/** One row of `--per-image`. */
export interface ImageCountRow {
  image_id: number;
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Per-image counts from an evaluation run with match records (the default
 * of evaluate; `matches: false` leaves none).
 *
 * @example
 * const result = await evaluator.evaluate({ matches: true });
 * const counts = perImageCounts(result);
 * const worst = perImageRows(counts).sort((a, b) => b.fp + b.fn - (a.fp + a.fn)).slice(0, 10);
 */
export function perImageCounts(result: CocoEvalResult): ImageCounts {
  const imageIds = result.params.imageIds;
  const rank = new Map(imageIds.map((id, i) => [id, i]));
  const n = imageIds.length;
  const tp = new Int32Array(n);
  const fp = new Int32Array(n);
  const fn = new Int32Array(n);
  const m = result.matches;
  const cells = m.cellImageId.length;
  for (let c = 0; c < cells; c++) {
    const i = rank.get(m.cellImageId[c]!);
    if (i === undefined) continue;
    for (let d = m.cellDetStart[c]!; d < m.cellDetStart[c + 1]!; d++) {
      if (m.detIgnored50[d]) continue;
      if (m.detGtId50[d] !== 0) tp[i]!++;
      else fp[i]!++;
    }
    for (let g = m.cellGtStart[c]!; g < m.cellGtStart[c + 1]!; g++) {
      if (!m.gtIgnored[g] && !m.gtMatched50[g]) fn[i]!++;
    }
  }
  return { imageId: Float64Array.from(imageIds), tp, fp, fn };
}

/**
 * The counts as the rows `--per-image` writes.
 *
 * @example
 * await writeFile('per-image.json', JSON.stringify(perImageRows(perImageCounts(result))));
 */
export function perImageRows(counts: ImageCounts): ImageCountRow[] {
  return Array.from(counts.imageId, (imageId, i) => ({ image_id: imageId, tp: counts.tp[i]!, fp: counts.fp[i]!, fn: counts.fn[i]! }));
}
