/**
 * The detection confusion matrix as Ultralytics' ConfusionMatrix
 * (task "detect", process_batch per image) builds it, on boxes only:
 *
 * - detections with score > `conf` (0.25), every category together;
 * - box IoU of each (ground truth, detection) pair, class-agnostic, as its
 *   box_iou on corner boxes: inter / (area_gt + area_det - inter + 1e-7);
 * - candidate pairs with IoU > `iou` (0.45), listed ground truth by ground
 *   truth; sorted by IoU (descending), the best pair of each detection is
 *   kept, then, sorted again, the best of each ground truth;
 * - each ground truth: matrix[detection category][its category] when it
 *   kept a pair, else matrix[background][its category]; each detection
 *   with no pair: matrix[its category][background] (also on images where
 *   nothing matched, and on images without ground truth).
 *
 * Rows are predictions, columns ground truth; the last index is background.
 * Ties of IoU: numpy's argsort()[::-1] on a short list puts the later pair
 * first; this does the same for any length.
 */
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import type { CocoResults } from '../coco/results.js';
import { type ImageGroups, categoryRanks, groupByImage } from './image-groups.js';

export interface ConfusionOptions {
  /**
   * Detections with a score above this count.
   * @default 0.25
   */
  conf?: number;
  /**
   * Pairs with an IoU above this match.
   * @default 0.45
   */
  iou?: number;
  /** Groups from groupByImage, when the caller already has them. */
  groups?: ImageGroups;
}

export interface ConfusionMatrix {
  /** Category ids (ascending, as the ground truth lists them), then "background". */
  labels: (number | 'background')[];
  /** matrix[pred][gt], (K + 1) x (K + 1). */
  matrix: number[][];
}

/**
 * Every increment of the matrix, one per entry: which image, which cell;
 * with the detection and annotation behind it (-1 for background). For
 * listing the images behind a cell.
 */
export interface ConfusionEntries {
  count: number;
  /** Index into gt.images. */
  image: Int32Array;
  row: Int32Array;
  col: Int32Array;
  det: Int32Array;
  gt: Int32Array;
}

export interface ConfusionAnalysis extends ConfusionMatrix {
  entries: ConfusionEntries;
}

const EPS = 1e-7;

/**
 * The 14 x 14 (13 categories + background) confusion matrix of a results set.
 * Boxes are the results' `bbox` (for mask results without one, the mask's
 * box) and the ground truth's `bbox`.
 *
 * @example
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const { labels, matrix } = confusionAnalysis(gt, results, { conf: 0.25, iou: 0.45 });
 * // matrix[0][labels.length - 1]: short sleeve tops detected where there is nothing
 */
export function confusionAnalysis(gt: CocoGroundTruth, res: CocoResults, options: ConfusionOptions = {}): ConfusionAnalysis {
  const conf = options.conf ?? 0.25;
  const iouThreshold = options.iou ?? 0.45;
  const groups = options.groups ?? groupByImage(gt, res);
  const categoryIds = [...gt.categories.id].sort((a, b) => a - b);
  const K = categoryIds.length;
  const background = K;
  const cells = new Float64Array((K + 1) * (K + 1));
  const ann = gt.annotations;
  const annClass = categoryRanks(ann.category, categoryIds);
  const resClass = categoryRanks(res.categoryId, categoryIds);
  const resBoxes = detectionBoxes(res);

  const entries = new EntryWriter(res.count + ann.count);
  let dets = new Int32Array(64);
  let detTaken = new Uint8Array(64);
  let gtPair = new Int32Array(64);
  // Candidate pairs: ground-truth position, detection position, IoU.
  let pairGt = new Int32Array(256);
  let pairDet = new Int32Array(256);
  let pairIou = new Float64Array(256);
  let pairOrder = new Int32Array(256);
  let bestOfDet = new Int32Array(64);
  let kept = new Int32Array(64);
  let keptIou = new Float64Array(64);
  let keptOrder = new Int32Array(64);

  for (let image = 0; image < groups.count; image++) {
    const g0 = groups.gtStart[image]!;
    const nG = groups.gtStart[image + 1]! - g0;
    const d0 = groups.detStart[image]!;
    const nAll = groups.detStart[image + 1]! - d0;
    if (dets.length < nAll) {
      dets = new Int32Array(nAll * 2);
      detTaken = new Uint8Array(nAll * 2);
      bestOfDet = new Int32Array(nAll * 2);
      kept = new Int32Array(nAll * 2);
      keptIou = new Float64Array(nAll * 2);
      keptOrder = new Int32Array(nAll * 2);
    }
    let nD = 0;
    for (let i = 0; i < nAll; i++) {
      const r = groups.detItems[d0 + i]!;
      if (res.score[r]! > conf) dets[nD++] = r;
    }
    if (gtPair.length < nG) gtPair = new Int32Array(nG * 2);

    // Candidate pairs in row-major (ground truth, detection) order.
    let nPairs = 0;
    if (pairGt.length < nG * nD) {
      const n = nG * nD * 2;
      pairGt = new Int32Array(n);
      pairDet = new Int32Array(n);
      pairIou = new Float64Array(n);
      pairOrder = new Int32Array(n);
    }
    for (let g = 0; g < nG; g++) {
      const a = 4 * groups.gtItems[g0 + g]!;
      const ax1 = ann.bbox[a]!,
        ay1 = ann.bbox[a + 1]!;
      const ax2 = ax1 + ann.bbox[a + 2]!,
        ay2 = ay1 + ann.bbox[a + 3]!;
      const areaA = (ax2 - ax1) * (ay2 - ay1);
      for (let d = 0; d < nD; d++) {
        const b = 4 * dets[d]!;
        const bx1 = resBoxes[b]!,
          by1 = resBoxes[b + 1]!;
        const bx2 = bx1 + resBoxes[b + 2]!,
          by2 = by1 + resBoxes[b + 3]!;
        const inter = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0) * Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
        const iou = inter / (areaA + (bx2 - bx1) * (by2 - by1) - inter + EPS);
        if (iou > iouThreshold) {
          pairGt[nPairs] = g;
          pairDet[nPairs] = d;
          pairIou[nPairs++] = iou;
        }
      }
    }

    // Best pair per detection, then best of those per ground truth.
    gtPair.fill(-1, 0, nG);
    detTaken.fill(0, 0, nD);
    if (nPairs > 0) {
      const order = byIouDescending(pairIou, nPairs, pairOrder);
      bestOfDet.fill(-1, 0, nD);
      for (let i = 0; i < nPairs; i++) {
        const p = order[i]!;
        if (bestOfDet[pairDet[p]!] === -1) bestOfDet[pairDet[p]!] = p;
      }
      // The kept pairs, in detection order (np.unique's order), sorted again.
      let nKept = 0;
      for (let d = 0; d < nD; d++) if (bestOfDet[d]! >= 0) kept[nKept++] = bestOfDet[d]!;
      for (let i = 0; i < nKept; i++) keptIou[i] = pairIou[kept[i]!]!;
      const keptSorted = byIouDescending(keptIou, nKept, keptOrder);
      for (let i = 0; i < nKept; i++) {
        const p = kept[keptSorted[i]!]!;
        if (gtPair[pairGt[p]!] === -1) gtPair[pairGt[p]!] = p;
      }
    }
    for (let g = 0; g < nG; g++) {
      const a = groups.gtItems[g0 + g]!;
      const p = gtPair[g]!;
      if (p >= 0) {
        const det = dets[pairDet[p]!]!;
        detTaken[pairDet[p]!] = 1;
        entries.push(cells, K, image, resClass[det]!, annClass[a]!, det, a);
      } else {
        entries.push(cells, K, image, background, annClass[a]!, -1, a);
      }
    }
    for (let d = 0; d < nD; d++) {
      if (detTaken[d]) continue;
      const det = dets[d]!;
      entries.push(cells, K, image, resClass[det]!, background, det, -1);
    }
  }

  const matrix: number[][] = [];
  for (let r = 0; r <= K; r++) matrix.push(Array.from(cells.subarray(r * (K + 1), (r + 1) * (K + 1))));
  return { labels: [...categoryIds, 'background'], matrix, entries: entries.finish() };
}

/**
 * Only the matrix (see confusionAnalysis).
 *
 * @example
 * const { matrix } = confusionMatrix(gt, results, { conf: 0.1 });
 * const missedVests = matrix[13]![4]; // background row, vest column
 */
export function confusionMatrix(gt: CocoGroundTruth, res: CocoResults, options: ConfusionOptions = {}): ConfusionMatrix {
  const { labels, matrix } = confusionAnalysis(gt, res, options);
  return { labels, matrix };
}

/** [x, y, w, h] per result: its bbox, or its mask's box where it has none (mask results read for segm only). */
function detectionBoxes(res: CocoResults): Float64Array {
  let boxes = res.bbox;
  for (let i = 0; i < res.count; i++) {
    if (!Number.isNaN(boxes[4 * i]!)) continue;
    if (boxes === res.bbox) boxes = Float64Array.from(res.bbox);
    boxes.set(res.masks.box.subarray(4 * i, 4 * i + 4), 4 * i);
  }
  return boxes;
}

/** Positions 0..n-1 by descending IoU; ties: the later position first (numpy's argsort()[::-1]). */
function byIouDescending(iou: Float64Array, n: number, out: Int32Array): Int32Array {
  const order = out.subarray(0, n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n > 64) return order.sort((a, b) => iou[b]! - iou[a]! || b - a);
  // Insertion sort (an image has few pairs): a later item passes earlier ones of equal IoU.
  for (let i = 1; i < n; i++) {
    const v = iou[i]!;
    let j = i - 1;
    while (j >= 0 && iou[order[j]!]! <= v) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = i;
  }
  return order;
}

class EntryWriter {
  count = 0;
  private readonly image: Int32Array;
  private readonly row: Int32Array;
  private readonly col: Int32Array;
  private readonly det: Int32Array;
  private readonly gt: Int32Array;

  constructor(capacity: number) {
    this.image = new Int32Array(capacity);
    this.row = new Int32Array(capacity);
    this.col = new Int32Array(capacity);
    this.det = new Int32Array(capacity);
    this.gt = new Int32Array(capacity);
  }

  push(cells: Float64Array, K: number, image: number, row: number, col: number, det: number, gt: number): void {
    cells[row * (K + 1) + col]!++;
    const i = this.count++;
    this.image[i] = image;
    this.row[i] = row;
    this.col[i] = col;
    this.det[i] = det;
    this.gt[i] = gt;
  }

  finish(): ConfusionEntries {
    const n = this.count;
    return {
      count: n,
      image: this.image.slice(0, n),
      row: this.row.slice(0, n),
      col: this.col.slice(0, n),
      det: this.det.slice(0, n),
      gt: this.gt.slice(0, n),
    };
  }
}

/** One image behind a confusion-matrix cell, with how many entries of the cell it holds. */
export interface CellImage {
  imageId: number;
  count: number;
}

/**
 * The images holding cell (row, col) of a confusion matrix (e.g. predicted
 * vest dress, ground truth vest): most entries first, then by image id.
 * `imageIds` is gt.images.id (entries index into it).
 *
 * @example
 * const analysis = confusionAnalysis(gt, results);
 * const images = confusionCellImages(analysis.entries, gt.images.id, 11, 4);
 */
export function confusionCellImages(entries: ConfusionEntries, imageIds: ArrayLike<number>, row: number, col: number): CellImage[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < entries.count; i++) {
    if (entries.row[i] !== row || entries.col[i] !== col) continue;
    const image = entries.image[i]!;
    counts.set(image, (counts.get(image) ?? 0) + 1);
  }
  return [...counts].map(([image, count]) => ({ imageId: imageIds[image]!, count })).sort((a, b) => b.count - a.count || a.imageId - b.imageId);
}
