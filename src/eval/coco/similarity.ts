/**
 * Similarity of the detections and ground truths of one (image, category):
 * box IoU and mask IoU from the mask module (maskApi's bbIou / rleIou), and
 * the object keypoint similarity (OKS) of the release's computeOks with its
 * 294 sigmas. Matrices are detection-major: out[d * nGt + g].
 */
import { boxIou } from '../../mask/index.js';
import { maskColumnsIou } from '../../mask/internal.js';
import { OKS_SIGMAS, TOTAL_LANDMARKS } from '../../schema/index.js';
import type { CocoGroundTruth, GroundTruthAnnotations } from './ground-truth.js';
import { NP_SPACING_1, pairwiseSum } from './numeric.js';
import type { CocoTask } from './params.js';
import { recordOf } from './records.js';
import type { LandmarkWindows } from './landmark-windows.js';
import type { CocoResults } from './results.js';

/** vars = (2 * sigma)^2, as the official code computes it. */
export const OKS_VARS = OKS_SIGMAS.map((s) => (s * 2) ** 2);

export class SimilarityComputer {
  private dtBoxes = new Float64Array(400);
  private gtBoxes = new Float64Array(400);
  private crowd = new Uint8Array(100);
  private terms = new Float64Array(TOTAL_LANDMARKS);

  constructor(
    private readonly task: CocoTask,
    private readonly gt: CocoGroundTruth,
    private readonly res: CocoResults,
  ) {}

  /**
   * dets: result indices sorted by score (already cut to maxDets);
   * gts: annotation indices in file order. Empty when either list is.
   */
  compute(dets: Int32Array, nDet: number, gts: Int32Array, nGt: number): Float64Array {
    if (nDet === 0 || nGt === 0) return new Float64Array(0);
    const crowd = this.crowdOf(gts, nGt);
    if (this.task === 'bbox') {
      const dt = this.packBoxes('dtBoxes', this.res.bbox, dets, nDet);
      const g = this.packBoxes('gtBoxes', this.gt.annotations.bbox, gts, nGt);
      return boxIou(dt, g, crowd);
    }
    if (this.task === 'segm') {
      // The stores' masks as they are, with the boxes and areas measured when they were stored.
      return maskColumnsIou(this.res.masks, dets, nDet, this.gt.annotations.masks, gts, nGt, crowd);
    }
    return this.oks(dets, nDet, gts, nGt);
  }

  private crowdOf(gts: Int32Array, nGt: number): Uint8Array {
    if (this.crowd.length < nGt) this.crowd = new Uint8Array(nGt * 2);
    const crowd = this.crowd.subarray(0, nGt);
    for (let j = 0; j < nGt; j++) crowd[j] = this.gt.annotations.iscrowd[gts[j]!]!;
    return crowd;
  }

  private packBoxes(which: 'dtBoxes' | 'gtBoxes', boxes: Float64Array, list: Int32Array, n: number): Float64Array {
    if (this[which].length < 4 * n) this[which] = new Float64Array(8 * n);
    const out = this[which].subarray(0, 4 * n);
    // Four copies, not set(subarray(...)): a view object per box was most of this loop's time.
    for (let i = 0; i < n; i++) {
      const from = 4 * list[i]!;
      out[4 * i] = boxes[from]!;
      out[4 * i + 1] = boxes[from + 1]!;
      out[4 * i + 2] = boxes[from + 2]!;
      out[4 * i + 3] = boxes[from + 3]!;
    }
    return out;
  }

  /** OKS of every (detection, ground truth) pair of the cell: see keypointOks. */
  private oks(dets: Int32Array, nDet: number, gts: Int32Array, nGt: number): Float64Array {
    const out = new Float64Array(nDet * nGt);
    const ann = this.gt.annotations;
    const windows: LandmarkWindows = this.res.keypoints;
    for (let i = 0; i < nDet; i++) {
      const xy = recordOf(windows.xy, dets[i]!);
      const first = windows.first[dets[i]!]!;
      for (let j = 0; j < nGt; j++) out[i * nGt + j] = keypointOks(ann, gts[j]!, xy, this.terms, first);
    }
    return out;
  }
}

/**
 * OKS of one detection against ground-truth annotation `a`, as computeOks:
 * for a ground truth with labelled landmarks (v > 0), e = d^2 / vars /
 * (area + eps) / 2 over those landmarks; without any, the distance of every
 * detected landmark to the ground-truth box grown by its size on each side,
 * over all 294. OKS = mean of exp(-e). `xy` holds x, y of the detected
 * landmarks from position `first` on (all 294 when `first` is 0 and it holds
 * 588 doubles; positions outside it are (0, 0): see landmark-windows.ts);
 * `terms` is scratch of at least 294 doubles. Exported so that the landmark
 * error analysis scores corrected landmarks exactly as the AP does.
 */
export function keypointOks(ann: GroundTruthAnnotations, a: number, xy: Float64Array, terms: Float64Array, first = 0): number {
  const labelled = recordOf(ann.landmarks, a);
  const k1 = labelled.length / 3;
  const areaEps = ann.area[a]! + NP_SPACING_1;
  const inWindow = xy.length >> 1;
  if (k1 > 0) {
    for (let k = 0; k < k1; k++) {
      const p = labelled[3 * k]! - first;
      const inside = p >= 0 && p < inWindow;
      const landmark = labelled[3 * k]!;
      const dx = (inside ? xy[2 * p]! : 0) - labelled[3 * k + 1]!;
      const dy = (inside ? xy[2 * p + 1]! : 0) - labelled[3 * k + 2]!;
      terms[k] = Math.exp(-((dx * dx + dy * dy) / OKS_VARS[landmark]! / areaEps / 2));
    }
    return pairwiseSum(terms, 0, k1) / k1;
  }
  const bx = ann.bbox[4 * a]!,
    by = ann.bbox[4 * a + 1]!,
    bw = ann.bbox[4 * a + 2]!,
    bh = ann.bbox[4 * a + 3]!;
  const x0 = bx - bw,
    x1 = bx + bw * 2,
    y0 = by - bh,
    y1 = by + bh * 2;
  for (let k = 0; k < TOTAL_LANDMARKS; k++) {
    const p = k - first;
    const inside = p >= 0 && p < inWindow;
    const xd = inside ? xy[2 * p]! : 0;
    const yd = inside ? xy[2 * p + 1]! : 0;
    const dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
    const dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
    terms[k] = Math.exp(-((dx * dx + dy * dy) / OKS_VARS[k]! / areaEps / 2));
  }
  return pairwiseSum(terms, 0, TOTAL_LANDMARKS) / TOTAL_LANDMARKS;
}
