/**
 * The official figures of one resample, from a prepared evaluation
 * (prepare.ts), without matching anything again.
 *
 * A resample is a list of image ranks R (positions in the sorted image
 * ids); image j of the resampled files is a copy of image R[j] with new id
 * j + 1. The official accumulate() concatenates each category's detections
 * image by image in id order (here: draw order) and sorts them by score
 * with a stable sort. So, in score order, a detection of an image drawn w
 * times appears w times in a row unless another detection has the same
 * score: outside runs of equal scores, the resample's order is the prepared
 * order with weights. Inside such a run the copies are ordered by new image
 * id, then by their place in their image, exactly as the official sort
 * leaves them.
 *
 * True positives in a row (copies of one, or several in the prepared
 * order) share their false positives, and precision rises along them, so
 * the right-to-left maximum at any of them is the one at the last: a
 * stretch of true positives counts as one entry of its summed weight, and
 * the false positives before it are the rest of the weight up to it.
 * prepare.ts (blocks.ts) cuts each (area range, IoU threshold) once into such blocks;
 * a resample weighs a block by a difference of prefix sums of the weights
 * and walks copy by copy only the runs of equal scores that mix true and
 * false positives. One pass per (area range, threshold) over those blocks
 * gives every recall sample and its precision (curveOf); recall at the
 * smaller maxDets comes from per-cell counts (prepare.ts), weighted, with
 * no pass over the detections.
 * Each shortcut gives the same doubles as the plain accumulation (the
 * golden files, and a property test against the resampled files).
 */
import { meanOfValid } from '../coco/numeric.js';
import { thresholdIndex } from '../coco/params.js';
import { curveOf, fillNeeds, fillPrecision } from './curve.js';
import type { PreparedArea, PreparedCategory, PreparedEvaluation } from './prepare.js';

/** The figures of one resample. */
export interface ResampleFigures {
  /** summarize()'s figures: 12 for bbox/segm, 10 for keypoints. */
  stats: number[];
  /** Per category (in prepared.categoryIds order): AP at .50:.95, area all, largest maxDets; -1 without ground truth. */
  perCategoryAp: number[];
}

/** Buffers reused across resamples of one prepared evaluation (one per thread). */
export class ResampleAccumulator {
  private readonly T: number;
  private readonly R: number;
  private readonly K: number;
  private readonly A: number;
  private readonly S: number;
  private readonly weight: Int32Array;
  /** [((a * T + t) * R + r) * K + k] at the largest maxDets. */
  private readonly precision: Float64Array;
  /** [(a * T + t) * K + k] at the largest maxDets. */
  private readonly recall: Float64Array;
  /** [(s * T + t) * K + k] at area 'all' and the smaller maxDets s. */
  private readonly recallSmall: Float64Array;
  private prefix = new Int32Array(1024);
  /** The copies of every run of equal scores, in the resample's order: run x is [runFrom[x], runFrom[x + 1]). */
  private tieStream = new Int32Array(1024);
  private readonly runFrom: Int32Array;
  private readonly runCursor: Int32Array;
  /** Per recall sample: the fewest true positives that reach it (see fillNeeds). */
  private readonly needs: Float64Array;
  /** Per recall sample: the best precision of its own stretch of the curve (see curveOf). */
  private readonly segmentBest: Float64Array;
  private readonly npig: Int32Array;
  /** meanOfValid's kept values, reused. */
  private readonly scratch: Float64Array;
  private readonly cutTp: Int32Array;

  constructor(private readonly prepared: PreparedEvaluation) {
    const { params } = prepared;
    this.T = params.iouThrs.length;
    this.R = params.recThrs.length;
    this.K = prepared.categoryIds.length;
    this.A = params.areaRanges.length;
    this.S = params.maxDets.length - 1;
    const nImages = prepared.imageIds.length;
    this.weight = new Int32Array(nImages);
    this.runFrom = new Int32Array(prepared.ties.runs + 1);
    this.runCursor = new Int32Array(prepared.ties.runs);
    this.precision = new Float64Array(this.A * this.T * this.R * this.K);
    this.recall = new Float64Array(this.A * this.T * this.K);
    this.recallSmall = new Float64Array(Math.max(1, this.S * this.T * this.K));
    this.needs = new Float64Array(this.R + 1);
    this.segmentBest = new Float64Array(this.R);
    this.npig = new Int32Array(this.A);
    this.scratch = new Float64Array(this.T * this.R * this.K);
    this.cutTp = new Int32Array(Math.max(1, this.S * this.T));
  }

  /**
   * The figures of the resample that draws these image ranks (positions in
   * prepared.imageIds), in draw order.
   */
  figures(draw: ArrayLike<number>, perCategory = false): ResampleFigures {
    const weight = this.weight.fill(0);
    for (let j = 0; j < draw.length; j++) weight[draw[j]!]!++;
    this.layOutTies(draw);
    for (let k = 0; k < this.K; k++) this.category(k, this.prepared.categories[k]!);
    return { stats: this.stats(), perCategoryAp: perCategory ? this.categoryAps() : [] };
  }

  private category(k: number, cat: PreparedCategory): void {
    const { T, R, K, A, S } = this;
    const weight = this.weight;
    const npig = this.npig;
    for (let a = 0; a < A; a++) npig[a] = weightedSum(weight, cat.areas[a]!.gtImage, cat.areas[a]!.gtCount);
    // True positives that the smaller maxDets cut away, area all: [s * T + t], weighted per cell (see prepare.ts).
    const cutTp = this.cutTp.fill(0);
    for (let x = 0; x < cat.cutImage.length; x++) cutTp[cat.cutSlot[x]!]! += weight[cat.cutImage[x]!]! * cat.cutCount[x]!;
    const recThrs = this.prepared.params.recThrs;
    const precision = this.precision;
    for (let a = 0; a < A; a++) {
      const n = npig[a]!;
      if (n === 0) {
        for (let t = 0; t < T; t++) {
          const first = (a * T + t) * R * K + k;
          for (let r = 0; r < R; r++) precision[first + r * K] = -1;
          this.recall[(a * T + t) * K + k] = -1;
          if (a === 0) for (let s = 0; s < S; s++) this.recallSmall[(s * T + t) * K + k] = -1;
        }
        continue;
      }
      const area = cat.areas[a]!;
      this.weighArea(area);
      const needs = this.needs;
      fillNeeds(recThrs, n, needs);
      for (let t = 0; t < T; t++) {
        const tp = curveOf(area, t, this.prefix, this.tieStream, this.runFrom, needs, this.segmentBest);
        this.recall[(a * T + t) * K + k] = tp / n;
        if (a === 0) for (let s = 0; s < S; s++) this.recallSmall[(s * T + t) * K + k] = (tp - cutTp[s * T + t]!) / n;
        fillPrecision(precision, (a * T + t) * R * K + k, K, this.segmentBest, R);
      }
    }
  }

  /**
   * The copies of every run of equal scores that resamples reorder (see
   * PreparedTies), in this resample's order: a run's copies follow new
   * image ids, then each image's own order, as the official stable sort
   * leaves them. Walking the draws in order visits new ids ascending, so
   * each run's copies come out sorted.
   */
  private layOutTies(draw: ArrayLike<number>): void {
    const { runs, memberStart, memberRun, memberFrom, memberTo } = this.prepared.ties;
    if (runs === 0) return;
    const weight = this.weight;
    const runFrom = this.runFrom.fill(0);
    for (let r = 0; r < weight.length; r++) {
      const w = weight[r]!;
      if (w === 0) continue;
      for (let m = memberStart[r]!; m < memberStart[r + 1]!; m++) runFrom[memberRun[m]! + 1]! += w * (memberTo[m]! - memberFrom[m]!);
    }
    for (let x = 0; x < runs; x++) runFrom[x + 1]! += runFrom[x]!;
    if (this.tieStream.length < runFrom[runs]!) this.tieStream = new Int32Array(runFrom[runs]! * 2);
    const stream = this.tieStream;
    const cursor = this.runCursor;
    cursor.set(runFrom.subarray(0, runs));
    for (let j = 0; j < draw.length; j++) {
      const r = draw[j]!;
      for (let m = memberStart[r]!; m < memberStart[r + 1]!; m++) {
        let at = cursor[memberRun[m]!]!;
        for (let i = memberFrom[m]!; i < memberTo[m]!; i++) stream[at++] = i;
        cursor[memberRun[m]!] = at;
      }
    }
  }

  /** prefix[i]: the summed weights of the detections before i in the prepared order (a block's weight is a difference of two). */
  private weighArea(area: PreparedArea): void {
    const weight = this.weight;
    const { image, n } = area;
    if (this.prefix.length < n + 1) this.prefix = new Int32Array((n + 1) * 2);
    const prefix = this.prefix;
    let sum = 0;
    prefix[0] = 0;
    for (let i = 0; i < n; i++) prefix[i + 1] = sum += weight[image[i]!]!;
  }

  /** summarize()'s figures, each the mean of the valid values of its slice in numpy's C order. */
  private stats(): number[] {
    const { params } = this.prepared;
    const { T, R, K } = this;
    const area = (label: string): number => params.areaLabels.indexOf(label);
    const ap = (a: number, t: number | null): number => {
      if (a < 0) return -1;
      if (t === null) return meanOfValid(this.precision.subarray(a * T * R * K, (a + 1) * T * R * K), this.scratch);
      if (t < 0) return -1;
      return meanOfValid(this.precision.subarray((a * T + t) * R * K, (a * T + t + 1) * R * K), this.scratch);
    };
    const ar = (a: number, t: number | null): number => {
      if (a < 0) return -1;
      if (t === null) return meanOfValid(this.recall.subarray(a * T * K, (a + 1) * T * K), this.scratch);
      if (t < 0) return -1;
      return meanOfValid(this.recall.subarray((a * T + t) * K, (a * T + t + 1) * K), this.scratch);
    };
    const t50 = thresholdIndex(params, 0.5);
    const t75 = thresholdIndex(params, 0.75);
    const all = area('all');
    if (params.task === 'keypoints') {
      return [
        ap(all, null),
        ap(all, t50),
        ap(all, t75),
        ap(area('medium'), null),
        ap(area('large'), null),
        ar(all, null),
        ar(all, t50),
        ar(all, t75),
        ar(area('medium'), null),
        ar(area('large'), null),
      ];
    }
    const small = (s: number): number => meanOfValid(this.recallSmall.subarray(s * T * K, (s + 1) * T * K), this.scratch);
    return [
      ap(all, null),
      ap(all, t50),
      ap(all, t75),
      ap(area('small'), null),
      ap(area('medium'), null),
      ap(area('large'), null),
      small(0),
      small(1),
      ar(all, null),
      ar(area('small'), null),
      ar(area('medium'), null),
      ar(area('large'), null),
    ];
  }

  private categoryAps(): number[] {
    const { T, R, K } = this;
    const values = new Float64Array(T * R);
    return this.prepared.categoryIds.map((_, k) => {
      for (let t = 0; t < T; t++) for (let r = 0; r < R; r++) values[t * R + r] = this.precision[(t * R + r) * K + k]!;
      return meanOfValid(values, this.scratch);
    });
  }
}

/** Sum of weight[image[x]] * count[x]: a count over the cells of a resample. */
function weightedSum(weight: Int32Array, image: Int32Array, count: Int32Array): number {
  let sum = 0;
  for (let x = 0; x < image.length; x++) sum += weight[image[x]!]! * count[x]!;
  return sum;
}

/**
 * The figures of one resample given as image ids (a list as in the golden
 * files: image j of the resample is a copy of image ids[j - 1]).
 *
 * @example
 * ```ts
 * const prepared = prepareBootstrap('bbox', gt, results);
 * resampleFigures(prepared, prepared.imageIds).stats; // equals the plain evaluation
 * ```
 */
export function resampleFigures(prepared: PreparedEvaluation, ids: readonly number[], perCategory = false): ResampleFigures {
  return new ResampleAccumulator(prepared).figures(imageRanks(prepared.imageIds, ids), perCategory);
}

/** Image ids to their positions in the sorted evaluated ids; throws a RangeError naming the first unknown id. */
export function imageRanks(imageIds: readonly number[], ids: readonly number[]): Int32Array {
  const rankOf = new Map(imageIds.map((id, r) => [id, r]));
  const out = new Int32Array(ids.length);
  for (let j = 0; j < ids.length; j++) {
    const r = rankOf.get(ids[j]!);
    if (r === undefined) throw new RangeError(`image id ${ids[j]} (entry ${j}) is not an evaluated image of the ground truth`);
    out[j] = r;
  }
  return out;
}
