/**
 * Greedy matching of one (image, category) at one area range, as the
 * official evaluateImg: ground truth sorted with ignored ones last (stable);
 * per IoU threshold, each detection in score order takes the unmatched
 * ground truth (a crowd region may be taken again) of highest IoU >= the
 * threshold, preferring any regular one over ignored ones; a detection
 * matched to an ignored ground truth is ignored. (That an unmatched
 * detection outside the area range is ignored too is left to the caller:
 * the matching itself depends only on the IoUs and the ignore flags, so one
 * matching serves every area range with the same flags.)
 */

export interface CellMatch {
  /** [t * nDet + d]: id of the matched ground truth, 0 when unmatched (an id of 0 also reads as unmatched, as in pycocotools). */
  dtGtId: Float64Array;
  /** [t * nDet + d]: 1 if matched to an ignored ground truth. */
  dtIgnored: Uint8Array;
  /** [t * nGt + g] in the ground truth's file order: 1 if matched at threshold t. */
  gtMatched: Uint8Array;
}

export function createCellMatch(): CellMatch {
  return { dtGtId: new Float64Array(0), dtIgnored: new Uint8Array(0), gtMatched: new Uint8Array(0) };
}

export class CellMatcher {
  private order = new Int32Array(64);
  private sortedIgnore = new Uint8Array(64);
  private taken = new Uint8Array(64);
  /** Thresholds as compared: min(t, 1 - 1e-10). */
  private readonly thresholds: Float64Array;

  constructor(iouThrs: Float64Array) {
    this.thresholds = iouThrs.map((t) => Math.min(t, 1 - 1e-10));
  }

  /**
   * ious: [d * nGt + g] (detections in score order, ground truths in file
   * order; empty if either list is empty). gtIgnore, gtCrowd, gtId: per
   * ground truth in file order. Fills `out` (grown as needed).
   */
  match(ious: Float64Array, nDet: number, nGt: number, gtIgnore: Uint8Array, gtCrowd: Uint8Array, gtId: Float64Array, out: CellMatch): void {
    const T = this.thresholds.length;
    if (out.dtGtId.length < T * nDet) {
      out.dtGtId = new Float64Array(T * nDet * 2);
      out.dtIgnored = new Uint8Array(T * nDet * 2);
    }
    if (out.gtMatched.length < T * nGt) out.gtMatched = new Uint8Array(T * nGt * 2);
    const dtGtId = out.dtGtId.fill(0, 0, T * nDet);
    const dtIgnored = out.dtIgnored.fill(0, 0, T * nDet);
    const gtMatched = out.gtMatched.fill(0, 0, T * nGt);
    if (ious.length === 0) return;
    if (this.order.length < nGt) {
      this.order = new Int32Array(nGt * 2);
      this.sortedIgnore = new Uint8Array(nGt * 2);
      this.taken = new Uint8Array(nGt * 2);
    }

    // Stable: regular ground truth first, ignored after, each in file order.
    const order = this.order;
    const ig = this.sortedIgnore;
    let n = 0;
    for (let g = 0; g < nGt; g++)
      if (!gtIgnore[g]) {
        order[n] = g;
        ig[n++] = 0;
      }
    for (let g = 0; g < nGt; g++)
      if (gtIgnore[g]) {
        order[n] = g;
        ig[n++] = 1;
      }

    const taken = this.taken;
    for (let t = 0; t < T; t++) {
      const threshold = this.thresholds[t]!;
      // No IoU in [previous threshold, this one): every comparison comes out
      // the same, so the matching is the previous one.
      if (t > 0 && !anyInRange(ious, nDet * nGt, this.thresholds[t - 1]!, threshold)) {
        dtGtId.copyWithin(t * nDet, (t - 1) * nDet, t * nDet);
        dtIgnored.copyWithin(t * nDet, (t - 1) * nDet, t * nDet);
        gtMatched.copyWithin(t * nGt, (t - 1) * nGt, t * nGt);
        continue;
      }
      taken.fill(0, 0, nGt);
      for (let d = 0; d < nDet; d++) {
        let best = threshold;
        let m = -1;
        const row = d * nGt;
        for (let s = 0; s < nGt; s++) {
          const g = order[s]!;
          if (taken[s] && !gtCrowd[g]) continue;
          if (m > -1 && ig[m] === 0 && ig[s] === 1) break;
          const iou = ious[row + g]!;
          if (iou < best) continue;
          best = iou;
          m = s;
        }
        if (m === -1) continue;
        const g = order[m]!;
        dtIgnored[t * nDet + d] = ig[m]!;
        dtGtId[t * nDet + d] = gtId[g]!;
        taken[m] = 1;
        gtMatched[t * nGt + g] = 1;
      }
    }
  }
}

function anyInRange(values: Float64Array, n: number, lo: number, hi: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v >= lo && v < hi) return true;
  }
  return false;
}
