/**
 * The five kinds of a detected landmark (Ronchi and Perona's pose error
 * taxonomy, as matteorr/coco-analyze computes it), laid out for
 * DeepFashion2's 294 positions: each labelled landmark of the detection's
 * matched garment is compared, by keypoint similarity (ks), with the same
 * landmark of every garment of its cell (same image and category) and with
 * the landmark a horizontal flip puts there. Also where coco-analyze moves a
 * landmark to correct it.
 */
import { LANDMARK_FLIP, OKS_SIGMAS, TOTAL_LANDMARKS } from '../../schema/index.js';
import type { GroundTruthAnnotations } from '../coco/ground-truth.js';
import { NP_SPACING_1 } from '../coco/numeric.js';
import { recordOf } from '../coco/records.js';
import { OKS_VARS } from '../coco/similarity.js';

export const LANDMARK_KINDS = ['good', 'jitter', 'inversion', 'swap', 'miss'] as const;
export type LandmarkKind = (typeof LANDMARK_KINDS)[number];

/** Kind codes: the error kinds by their correction rank, then good and (ks exactly 0.85 on its own landmark) unclassified. */
export const KIND_MISS = 0;
const KIND_SWAP = 1;
const KIND_INVERSION = 2;
export const KIND_JITTER = 3;
const KIND_GOOD = 4;
export const KIND_UNCLASSIFIED = 5;

/** coco-analyze's jitterKsThrs: below .5 a miss, .5 up to .85 jitter, above .85 good. */
const KS_LOW = 0.5;
const KS_HIGH = 0.85;

/**
 * The flip permutation of the 294 positions: each category's flip pairs
 * swapped, every other position its own image (coco-analyze's inv_idx).
 */
export const FLIP_PERMUTATION: Int32Array = Int32Array.from(LANDMARK_FLIP);

/**
 * Pixels from the ground-truth landmark at which a corrected landmark is
 * put, along x: sqrt(-ln(ks) * 2 * area * sigma^2). coco-analyze uses
 * sigma^2 here where the OKS uses (2 sigma)^2, so the corrected landmark
 * scores ks^(1/4): 0.841 for a miss (ks .5), 0.960 for jitter (ks .85).
 */
function correctionDistance(ks: number, area: number, landmark: number): number {
  const s = OKS_SIGMAS[landmark]!;
  return Math.sqrt(-Math.log(ks) * 2 * area * (s * s));
}

/** The landmarks of one detection, classified, with the corrections of its errors. */
export interface ClassifiedLandmarks {
  /** Counts per kind code (KIND_*). */
  counts: Int32Array;
  /** Every labelled landmark: its position and kind code. */
  position: number[];
  code: number[];
  /** Per corrected landmark (errors only): its position, kind code and corrected x, y. */
  landmark: number[];
  kind: number[];
  x: number[];
  y: number[];
}

/**
 * The ground truth of one cell laid out by position for the classification:
 * x, y per (garment, position) and whether it is labelled.
 */
export class CellLandmarks {
  private xy = new Float64Array(0);
  private labelled = new Uint8Array(0);
  private gts: Int32Array = new Int32Array(0);
  private n = 0;
  private rowGtBuffer = new Int32Array(0);

  constructor(private readonly ann: GroundTruthAnnotations) {}

  /** Lays out the cell's ground truth (annotation indices in file order). */
  load(gts: Int32Array, nGt: number): void {
    this.clear();
    if (this.labelled.length < nGt * TOTAL_LANDMARKS) {
      this.xy = new Float64Array(2 * nGt * TOTAL_LANDMARKS * 2);
      this.labelled = new Uint8Array(nGt * TOTAL_LANDMARKS * 2);
    }
    this.gts = gts;
    this.n = nGt;
    for (let j = 0; j < nGt; j++) {
      const rec = recordOf(this.ann.landmarks, gts[j]!);
      for (let k = 0; k < rec.length; k += 3) {
        const p = j * TOTAL_LANDMARKS + rec[k]!;
        this.labelled[p] = 1;
        this.xy[2 * p] = rec[k + 1]!;
        this.xy[2 * p + 1] = rec[k + 2]!;
      }
    }
  }

  private clear(): void {
    for (let j = 0; j < this.n; j++) {
      const rec = recordOf(this.ann.landmarks, this.gts[j]!);
      for (let k = 0; k < rec.length; k += 3) this.labelled[j * TOTAL_LANDMARKS + rec[k]!] = 0;
    }
    this.n = 0;
  }

  /**
   * Classifies the labelled landmarks of ground truth `own` (index in the
   * cell) for a detection with landmarks `xy`, as coco-analyze's
   * _find_kpt_errors: ks with every garment of the cell at that position and
   * at its flipped position; rows in coco-analyze's order (own, the others
   * in file order, own flipped, the others flipped), the first best row
   * wins. Good: ks > .85 on its own landmark; jitter: .5 <= ks < .85 on its
   * own landmark; inversion: ks >= .5 best on its own garment's flipped
   * landmark; swap: ks >= .5 best on another garment (either way round);
   * miss: ks < .5 everywhere.
   */
  classify(own: number, xy: Float64Array, out: ClassifiedLandmarks): void {
    const { ann, n } = this;
    out.counts.fill(0);
    out.position.length = 0;
    out.code.length = 0;
    out.landmark.length = 0;
    out.kind.length = 0;
    out.x.length = 0;
    out.y.length = 0;
    const ownAnn = this.gts[own]!;
    const ownArea = ann.area[ownAnn]!;
    const ownRecord = recordOf(ann.landmarks, ownAnn);
    // Rows: 0 = own, 1..n-1 = the others in file order, n = own flipped, n+1.. = the others flipped.
    const rowGt = this.rowOrder(own);
    for (let k = 0; k < ownRecord.length; k += 3) {
      const p = ownRecord[k]!;
      const flipped = FLIP_PERMUTATION[p]!;
      const dx = xy[2 * p]!;
      const dy = xy[2 * p + 1]!;
      let best = -Infinity;
      let bestRow = -1;
      for (let row = 0; row < 2 * n; row++) {
        const j = rowGt[row % n]!;
        const q = j * TOTAL_LANDMARKS + (row < n ? p : flipped);
        let ks = -1;
        if (this.labelled[q]) {
          const ex = this.xy[2 * q]! - dx;
          const ey = this.xy[2 * q + 1]! - dy;
          ks = Math.exp(-((ex * ex + ey * ey) / OKS_VARS[p]! / (ann.area[this.gts[j]!]! + NP_SPACING_1) / 2));
        }
        if (ks > best) {
          best = ks;
          bestRow = row;
        }
      }
      if (best < 0) best = 0;
      let kind: number;
      if (best < KS_LOW) kind = KIND_MISS;
      else if (bestRow === 0) kind = best > KS_HIGH ? KIND_GOOD : best < KS_HIGH ? KIND_JITTER : KIND_UNCLASSIFIED;
      else if (bestRow === n) kind = KIND_INVERSION;
      else kind = KIND_SWAP;
      out.counts[kind]!++;
      out.position.push(p);
      out.code.push(kind);
      if (kind > KIND_JITTER) continue;
      // coco-analyze keeps ks away from 0 and 1 before the logarithm.
      const ks = kind === KIND_MISS ? KS_LOW : kind === KIND_JITTER ? KS_HIGH : best === 1 ? best - NP_SPACING_1 : best;
      out.landmark.push(p);
      out.kind.push(kind);
      out.x.push(ownRecord[k + 1]! + correctionDistance(ks, ownArea, p));
      out.y.push(ownRecord[k + 2]!);
    }
  }

  /** Garment index (in the cell) per row 0..n-1: own first, then the others in file order. */
  private rowOrder(own: number): Int32Array {
    if (this.rowGtBuffer.length < this.n) this.rowGtBuffer = new Int32Array(this.n * 2);
    const rows = this.rowGtBuffer;
    rows[0] = own;
    let r = 1;
    for (let j = 0; j < this.n; j++) if (j !== own) rows[r++] = j;
    return rows;
  }
}

export function createClassified(): ClassifiedLandmarks {
  return { counts: new Int32Array(6), position: [], code: [], landmark: [], kind: [], x: [], y: [] };
}
