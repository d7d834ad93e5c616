/**
 * The TIDE error breakdown (Bolya et al., ECCV 2020) as the tidecv package
 * (1.0.1) computes it, for boxes and masks:
 *
 * - Matching, per image over every category at once: detections in stable
 *   score order (cut to `maxDets` per image over every category: 100, the
 *   max_dets of tidecv's COCO loader) each take the
 *   unused ground truth of their own category with the highest IoU, when it
 *   is >= the foreground threshold (0.5). Crowd ground truth is an ignore
 *   region: an unmatched detection of its category with crowd IoU > 0.5 is
 *   left out of the AP, but still gets its error below (tidecv 1.0.1's
 *   change: "detections ignored by AP calculation" may fix errors), so it
 *   can fix the ground truth beside the region and is a false positive in
 *   the fixed data whenever its error is not the one fixed.
 * - Every other detection gets one error, tested in this order: the image
 *   has no ground truth (background); best same-category IoU in [0.1, 0.5]
 *   (localization); IoU >= 0.5 with ground truth of another category
 *   (classification); IoU >= 0.5 with same-category ground truth already
 *   used (duplicate); best IoU of any category <= 0.1 (background); else
 *   both (classification and localization). Ground truth left unmatched and
 *   not named by a localization or classification error is missed.
 * - AP: per category, data points sorted by score (stable), precision made
 *   monotone from the right, sampled at recall 0:.01:1 (searchsorted left),
 *   averaged; a category with detections but no ground truth counts 0; mean
 *   over categories with either. Percent inside, fractions outside.
 * - dAP of an error type: the AP with those errors fixed minus the AP
 *   (floored at 0). Fixing a localization or classification error makes the
 *   highest-scoring such detection of each ground truth a true positive (of
 *   the ground truth's category) and drops the others; fixing a duplicate,
 *   background or both error drops the detection; fixing a miss removes the
 *   ground truth. As in tidecv, the fixed data lists the errors first and
 *   the true positives after, which decides the order of tied scores.
 * - Special errors: false positives (every true positive scored 1, every
 *   false positive 0) and false negatives (every unmatched ground truth
 *   removed), each minus the AP.
 *
 * One pass over the images fills typed arrays; the nine AP computations then
 * reuse two sorted orders.
 */
import { xywhIou } from '../../mask/index.js';
import { maskColumnsIou } from '../../mask/internal.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import { stableOrderByDescending } from '../coco/numeric.js';
import type { CocoResults } from '../coco/results.js';
import { type ImageGroups, categoryRanks, groupByImage } from './image-groups.js';

export type TideTask = 'bbox' | 'segm';

/** The six main error types, in tidecv's order. */
export const TIDE_MAIN_ERRORS = ['cls', 'loc', 'both', 'dupe', 'bkg', 'miss'] as const;
export type TideMainError = (typeof TIDE_MAIN_ERRORS)[number];

/** The figures of `df2 eval --errors` (fractions: tidecv's percentages / 100). */
export interface TideErrors {
  /** AP at IoU 0.5 as TIDE computes it (101 recall points, no area ranges). */
  ap50: number;
  /** dAP of fixing each main error type (>= 0). */
  main: Record<TideMainError, number>;
  /** dAP of perfect precision (false_pos) and of perfect recall (false_neg). */
  special: { false_pos: number; false_neg: number };
}

export interface TideOptions {
  /**
   * Foreground IoU.
   * @default 0.5
   */
  posThreshold?: number;
  /**
   * Background IoU.
   * @default 0.1
   */
  backgroundThreshold?: number;
  /**
   * Detections kept per image over every category, highest scores first (as tidecv's COCO loader).
   * @default 100
   */
  maxDets?: number;
  /** Groups from groupByImage, when the caller already has them. */
  groups?: ImageGroups;
}

/**
 * What happened to each detection (TideAnalysis.detOutcome): -1 not
 * evaluated (beyond maxDets), 0 true positive, 1..5 the error (see
 * TIDE_OUTCOME_ERROR), 6 left out inside a crowd region of its category.
 */
export const TIDE_OUTCOME = { notEvaluated: -1, truePositive: 0, cls: 1, loc: 2, both: 3, dupe: 4, bkg: 5, ignored: 6 } as const;

/** Outcome code -> error name (null: no error), from TIDE_OUTCOME. */
export const TIDE_OUTCOME_ERROR: readonly (TideMainError | null)[] = Array.from(
  { length: TIDE_OUTCOME.ignored + 1 },
  (_, code) => TIDE_MAIN_ERRORS.find((name) => (TIDE_OUTCOME as Record<string, number>)[name] === code) ?? null,
);

export interface TideAnalysis {
  errors: TideErrors;
  /** Number of errors of each main type. */
  counts: Record<TideMainError, number>;
  /** Per result (results-file order): a TIDE_OUTCOME code. */
  detOutcome: Int8Array;
  /** Per result: the annotation index it matched (true positive) or that its localization / classification error names; -1 otherwise. */
  detGt: Int32Array;
  /** Per annotation: 1 if missed (a MissedError). */
  gtMissed: Uint8Array;
}

// The outcome codes, defined once in TIDE_OUTCOME.
const { notEvaluated: NOT_EVALUATED, truePositive: TRUE_POSITIVE, cls: CLS, loc: LOC, both: BOTH, dupe: DUPE, bkg: BKG, ignored: IGNORED } = TIDE_OUTCOME;
/** A missed ground truth, counted beside the detection errors (it is no detection's outcome). */
const MISS = IGNORED + 1;
const MAIN_CODES: Record<TideMainError, number> = { cls: CLS, loc: LOC, both: BOTH, dupe: DUPE, bkg: BKG, miss: MISS };

/**
 * The TIDE figures of one results set (bbox: boxes; segm: masks).
 *
 * @example
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const { errors } = tideAnalysis('bbox', gt, results);
 * console.log(errors.ap50, errors.main.cls, errors.special.false_neg);
 */
export function tideAnalysis(task: TideTask, gt: CocoGroundTruth, res: CocoResults, options: TideOptions = {}): TideAnalysis {
  const matching = matchImages(task, gt, res, options);
  return { ...summarize(matching), detOutcome: matching.detOutcome, detGt: matching.detGt, gtMissed: matching.gtMissed };
}

/**
 * Only the figures (see tideAnalysis).
 *
 * @example
 * const { ap50, main } = tideErrors('segm', gt, results);
 * const worst = TIDE_MAIN_ERRORS.reduce((a, b) => (main[b] > main[a] ? b : a));
 */
export function tideErrors(task: TideTask, gt: CocoGroundTruth, res: CocoResults, options: TideOptions = {}): TideErrors {
  return tideAnalysis(task, gt, res, options).errors;
}

/** Everything the AP computations need, from the one pass over the images. */
interface Matching {
  K: number;
  /** Categories in the order tidecv first meets them (its dict order). */
  classOrder: number[];
  /** Non-ignored ground truth per category. */
  npos: Float64Array;
  /** Unmatched non-ignored ground truth per category (special false negatives). */
  falseNegatives: Float64Array;
  /** Missed errors per category. */
  missed: Float64Array;
  /** Data points in push order: category, score, 1 = true positive. */
  nPoints: number;
  pointClass: Int32Array;
  pointScore: Float64Array;
  pointTp: Uint8Array;
  /** Detection errors in tidecv's error order: type, category, score, fixed category, 1 = fixing makes it a true positive. */
  nErrors: number;
  errType: Uint8Array;
  errClass: Int32Array;
  errScore: Float64Array;
  errFixedClass: Int32Array;
  errFixedTp: Uint8Array;
  counts: Record<TideMainError, number>;
  detOutcome: Int8Array;
  detGt: Int32Array;
  gtMissed: Uint8Array;
}

function matchImages(task: TideTask, gt: CocoGroundTruth, res: CocoResults, options: TideOptions): Matching {
  return new TideMatcher(task, gt, res, options).run();
}

/**
 * tidecv's matching, one image at a time, in the steps of pycocotools'
 * evaluateImg: the image's ground truth (regular and crowd), its detections
 * in score order cut to maxDets, greedy matching, crowd regions, then each
 * detection's data point and error, and the ground truth left unmatched.
 * The state is tidecv's (per annotation: used, usable, its best error), kept
 * in typed arrays; the scratch arrays grow with the largest image.
 */
class TideMatcher {
  private readonly pos: number;
  private readonly bg: number;
  private readonly maxDets: number;
  private readonly groups: ImageGroups;
  private readonly ann: CocoGroundTruth['annotations'];
  private readonly K: number;
  private readonly annClass: Int32Array;
  private readonly resClass: Int32Array;

  private readonly touched: Uint8Array;
  private readonly classOrder: number[] = [];
  private readonly npos: Float64Array;
  private readonly falseNegatives: Float64Array;
  private readonly missed: Float64Array;
  /** Errors per type code. */
  private readonly typeCounts = new Int32Array(MISS + 1);

  private readonly pointClass: Int32Array;
  private readonly pointScore: Float64Array;
  private readonly pointTp: Uint8Array;
  private nPoints = 0;
  private readonly errType: Uint8Array;
  private readonly errClass: Int32Array;
  private readonly errScore: Float64Array;
  private readonly errDet: Int32Array;
  private readonly errGt: Int32Array;
  private nErrors = 0;

  private readonly detOutcome: Int8Array;
  private readonly detGt: Int32Array;
  private readonly gtMissed: Uint8Array;
  // Per annotation (tidecv keeps these on the ground-truth dicts).
  private readonly gtUsed: Uint8Array;
  private readonly gtUsable: Uint8Array;
  private readonly bestScore: Float64Array;
  private readonly bestDet: Int32Array;

  // The current image: its regular and crowd annotations, its evaluated detections (score order) and their IoUs.
  private order = new Int32Array(64);
  private scores = new Float64Array(64);
  private preds = new Int32Array(64);
  private regular = new Int32Array(64);
  private crowd = new Int32Array(64);
  private iou: Float64Array = new Float64Array(256);
  private crowdIou: Float64Array = new Float64Array(64);
  private nG = 0;
  private nCrowd = 0;
  private nP = 0;

  constructor(
    private readonly task: TideTask,
    gt: CocoGroundTruth,
    private readonly res: CocoResults,
    options: TideOptions,
  ) {
    this.pos = options.posThreshold ?? 0.5;
    this.bg = options.backgroundThreshold ?? 0.1;
    this.maxDets = options.maxDets ?? 100;
    this.groups = options.groups ?? groupByImage(gt, res);
    this.ann = gt.annotations;
    this.K = gt.categories.id.length;
    this.annClass = categoryRanks(this.ann.category, gt.categories.id);
    this.resClass = categoryRanks(res.categoryId, gt.categories.id);
    this.touched = new Uint8Array(this.K);
    this.npos = new Float64Array(this.K);
    this.falseNegatives = new Float64Array(this.K);
    this.missed = new Float64Array(this.K);
    this.pointClass = new Int32Array(res.count);
    this.pointScore = new Float64Array(res.count);
    this.pointTp = new Uint8Array(res.count);
    this.errType = new Uint8Array(res.count);
    this.errClass = new Int32Array(res.count);
    this.errScore = new Float64Array(res.count);
    this.errDet = new Int32Array(res.count);
    this.errGt = new Int32Array(res.count);
    this.detOutcome = new Int8Array(res.count).fill(NOT_EVALUATED);
    this.detGt = new Int32Array(res.count).fill(-1);
    this.gtMissed = new Uint8Array(this.ann.count);
    this.gtUsed = new Uint8Array(this.ann.count);
    this.gtUsable = new Uint8Array(this.ann.count);
    this.bestScore = new Float64Array(this.ann.count).fill(-1);
    this.bestDet = new Int32Array(this.ann.count).fill(-1);
  }

  run(): Matching {
    for (let image = 0; image < this.groups.count; image++) this.evaluateImage(image);
    return this.result();
  }

  private evaluateImage(image: number): void {
    this.takeGroundTruth(image);
    if (!this.takeDetections(image)) {
      for (let g = 0; g < this.nG; g++) {
        this.falseNegatives[this.annClass[this.regular[g]!]!]!++;
        this.miss(this.regular[g]!);
      }
      return;
    }
    this.matchGreedy();
    this.ignoreInCrowds();
    for (let p = 0; p < this.nP; p++) this.judge(p);
    this.countUnmatched();
  }

  /** The image's annotations: regular ones (counted in npos) and crowd regions. */
  private takeGroundTruth(image: number): void {
    const g0 = this.groups.gtStart[image]!;
    const nAll = this.groups.gtStart[image + 1]! - g0;
    if (this.regular.length < nAll) {
      this.regular = new Int32Array(nAll * 2);
      this.crowd = new Int32Array(nAll * 2);
    }
    this.nG = 0;
    this.nCrowd = 0;
    for (let i = 0; i < nAll; i++) {
      const a = this.groups.gtItems[g0 + i]!;
      if (this.ann.iscrowd[a]) this.crowd[this.nCrowd++] = a;
      else {
        this.regular[this.nG++] = a;
        this.npos[this.annClass[a]!]!++;
        this.touch(this.annClass[a]!);
      }
    }
  }

  /** The image's detections by descending score (stable), cut to maxDets; false when it has none. */
  private takeDetections(image: number): boolean {
    const d0 = this.groups.detStart[image]!;
    const nDet = this.groups.detStart[image + 1]! - d0;
    if (nDet === 0) return false;
    if (this.order.length < nDet) {
      this.order = new Int32Array(nDet * 2);
      this.scores = new Float64Array(nDet * 2);
      this.preds = new Int32Array(nDet * 2);
    }
    for (let i = 0; i < nDet; i++) this.scores[i] = this.res.score[this.groups.detItems[d0 + i]!]!;
    stableOrderByDescending(this.scores, nDet, this.order);
    this.nP = Math.min(nDet, this.maxDets);
    for (let p = 0; p < this.nP; p++) this.preds[p] = this.groups.detItems[d0 + this.order[p]!]!;
    return true;
  }

  /** Greedy matching in score order, same category only. */
  private matchGreedy(): void {
    const { nP, nG, regular, gtUsed, annClass } = this;
    this.iou = this.pairwiseIou(this.regular, nG, false, this.iou);
    const iou = this.iou;
    for (let p = 0; p < nP; p++) {
      const det = this.preds[p]!;
      const c = this.resClass[det]!;
      let best = -1;
      let at = -1;
      for (let g = 0; g < nG; g++) {
        const v = gtUsed[regular[g]!] || annClass[regular[g]!] !== c ? 0 : iou[p * nG + g]!;
        if (v > best) {
          best = v;
          at = g;
        }
      }
      if (at >= 0 && best >= this.pos) {
        gtUsed[regular[at]!] = 1;
        this.detOutcome[det] = TRUE_POSITIVE;
        this.detGt[det] = regular[at]!;
      }
    }
  }

  /** Crowd regions: unmatched detections of their category inside them are left out. */
  private ignoreInCrowds(): void {
    for (let r = 0; r < this.nCrowd; r++) {
      const region = this.crowd.subarray(r, r + 1);
      this.crowdIou = this.pairwiseIou(region, 1, true, this.crowdIou);
      const regionClass = this.annClass[region[0]!];
      for (let p = 0; p < this.nP; p++) {
        const det = this.preds[p]!;
        if (this.detOutcome[det] === NOT_EVALUATED && this.crowdIou[p]! > this.pos && this.resClass[det] === regionClass) this.detOutcome[det] = IGNORED;
      }
    }
  }

  /** The p-th detection's data point of the AP and, unless a true positive, its error. */
  private judge(p: number): void {
    const det = this.preds[p]!;
    const c = this.resClass[det]!;
    // An ignored detection is no data point of the AP, yet its error is found as for a false positive.
    if (this.detOutcome[det] !== IGNORED) {
      const tp = this.detOutcome[det] === TRUE_POSITIVE ? 1 : 0;
      this.touch(c);
      this.pushPoint(c, this.res.score[det]!, tp);
      if (tp) return;
    }
    if (this.nG === 0) {
      this.pushError(BKG, det, -1);
      return;
    }
    const { nG, regular, annClass, gtUsed, iou, pos, bg } = this;
    // The four maxima the tests read (first index of the maximum, as argmax).
    let clsBest = -1,
      clsAt = 0,
      otherBest = -1,
      otherAt = 0,
      usedBest = -1,
      anyBest = -1;
    for (let g = 0; g < nG; g++) {
      const a = regular[g]!;
      const v = iou[p * nG + g]!;
      const same = annClass[a] === c;
      const vCls = same ? v : 0;
      const vOther = same ? 0 : v;
      const vUsed = same && gtUsed[a] ? v : 0;
      if (vCls > clsBest) {
        clsBest = vCls;
        clsAt = g;
      }
      if (vOther > otherBest) {
        otherBest = vOther;
        otherAt = g;
      }
      if (vUsed > usedBest) usedBest = vUsed;
      if (v > anyBest) anyBest = v;
    }
    if (bg <= clsBest && clsBest <= pos) {
      this.pushError(LOC, det, regular[clsAt]!);
      this.bestMatch(det, regular[clsAt]!);
    } else if (otherBest >= pos) {
      this.pushError(CLS, det, regular[otherAt]!);
      this.bestMatch(det, regular[otherAt]!);
    } else if (usedBest >= pos) {
      this.pushError(DUPE, det, -1);
    } else if (anyBest <= bg) {
      this.pushError(BKG, det, -1);
    } else {
      this.pushError(BOTH, det, -1);
    }
  }

  /** The image's regular ground truth left unmatched: false negatives, and missed unless an error may fix it. */
  private countUnmatched(): void {
    for (let g = 0; g < this.nG; g++) {
      const a = this.regular[g]!;
      if (this.gtUsed[a]) continue;
      this.falseNegatives[this.annClass[a]!]!++;
      if (!this.gtUsable[a]) this.miss(a);
    }
  }

  /** Pairwise IoU of preds[0..nP) and the annotations gts[0..nG), as out[p * nG + g] (out grown as needed). */
  private pairwiseIou(gts: Int32Array, nG: number, isCrowd: boolean, out: Float64Array): Float64Array {
    const { nP, preds } = this;
    if (out.length < nP * nG) out = new Float64Array(nP * nG * 2);
    if (this.task === 'bbox') {
      const predBox = this.res.bbox;
      const gtBox = this.ann.bbox;
      for (let p = 0; p < nP; p++) {
        const d = 4 * preds[p]!;
        const dx = predBox[d]!,
          dy = predBox[d + 1]!,
          dw = predBox[d + 2]!,
          dh = predBox[d + 3]!;
        for (let g = 0; g < nG; g++) {
          const a = 4 * gts[g]!;
          out[p * nG + g] = xywhIou(dx, dy, dw, dh, gtBox[a]!, gtBox[a + 1]!, gtBox[a + 2]!, gtBox[a + 3]!, isCrowd);
        }
      }
      return out;
    }
    out.set(maskColumnsIou(this.res.masks, preds, nP, this.ann.masks, gts, nG, new Uint8Array(nG).fill(isCrowd ? 1 : 0)));
    return out;
  }

  private touch(c: number): void {
    if (!this.touched[c]) {
      this.touched[c] = 1;
      this.classOrder.push(c);
    }
  }

  private pushPoint(c: number, score: number, tp: number): void {
    this.pointClass[this.nPoints] = c;
    this.pointScore[this.nPoints] = score;
    this.pointTp[this.nPoints++] = tp;
  }

  private pushError(type: number, det: number, g: number): void {
    const e = this.nErrors++;
    this.errType[e] = type;
    this.errClass[e] = this.resClass[det]!;
    this.errScore[e] = this.res.score[det]!;
    this.errDet[e] = det;
    this.errGt[e] = g;
    if (this.detOutcome[det] !== IGNORED) this.detOutcome[det] = type;
    this.typeCounts[type]!++;
  }

  /** tidecv's BestGTMatch: the highest-scoring error naming an unused ground truth may fix it. */
  private bestMatch(det: number, g: number): void {
    this.detGt[det] = g;
    if (this.gtUsed[g]) return;
    this.gtUsable[g] = 1;
    const score = this.res.score[det]!;
    if (this.bestScore[g]! < score) {
      this.bestScore[g] = score;
      this.bestDet[g] = det;
    }
  }

  private miss(g: number): void {
    this.missed[this.annClass[g]!]!++;
    this.gtMissed[g] = 1;
    this.typeCounts[MISS]!++;
  }

  /** How each error is fixed, now that every ground truth knows its best error; the whole matching. */
  private result(): Matching {
    const { nErrors, errGt, errType, gtUsed, bestDet, errDet } = this;
    const errFixedClass = new Int32Array(nErrors);
    const errFixedTp = new Uint8Array(nErrors);
    for (let e = 0; e < nErrors; e++) {
      const g = errGt[e]!;
      const type = errType[e]!;
      errFixedClass[e] = type === CLS ? this.annClass[g]! : this.errClass[e]!;
      errFixedTp[e] = (type === CLS || type === LOC) && !gtUsed[g] && bestDet[g] === errDet[e] ? 1 : 0;
    }
    const counts = Object.fromEntries(TIDE_MAIN_ERRORS.map((name) => [name, this.typeCounts[MAIN_CODES[name]]!])) as Record<TideMainError, number>;
    return {
      K: this.K,
      classOrder: this.classOrder,
      npos: this.npos,
      falseNegatives: this.falseNegatives,
      missed: this.missed,
      nPoints: this.nPoints,
      pointClass: this.pointClass,
      pointScore: this.pointScore,
      pointTp: this.pointTp,
      nErrors,
      errType,
      errClass: this.errClass,
      errScore: this.errScore,
      errFixedClass,
      errFixedTp,
      counts,
      detOutcome: this.detOutcome,
      detGt: this.detGt,
      gtMissed: this.gtMissed,
    };
  }
}

/** The nine mAPs (in percent) and the figures from them. */
function summarize(m: Matching): { errors: TideErrors; counts: Record<TideMainError, number> } {
  const ap = new ApComputer(m.K, m.nPoints + m.nErrors);
  // Base: the data points in push order.
  const baseOrder = stableOrderByDescending(m.pointScore, m.nPoints);
  const baseAp = ap.mean(baseOrder, m.pointClass, m.pointTp, m.npos, m.classOrder);

  // Fixed data: the detection errors (in error order, ignored detections' too), then the true positives (in push order).
  let nTp = 0;
  for (let i = 0; i < m.nPoints; i++) nTp += m.pointTp[i]!;
  const n = m.nErrors + nTp;
  const score = new Float64Array(n);
  const origClass = new Int32Array(n);
  score.set(m.errScore.subarray(0, m.nErrors));
  origClass.set(m.errClass.subarray(0, m.nErrors));
  for (let i = 0, at = m.nErrors; i < m.nPoints; i++) {
    if (!m.pointTp[i]) continue;
    score[at] = m.pointScore[i]!;
    origClass[at++] = m.pointClass[i]!;
  }
  const fixOrder = stableOrderByDescending(score, n);
  const cls = new Int32Array(n);
  const tp = new Uint8Array(n);
  tp.fill(1, m.nErrors);
  cls.set(origClass.subarray(m.nErrors), m.nErrors);

  const fixedMean = (fixType: number, npos: Float64Array): number => {
    for (let e = 0; e < m.nErrors; e++) {
      if (m.errType[e] === fixType) {
        cls[e] = m.errFixedTp[e] ? m.errFixedClass[e]! : -1;
        tp[e] = m.errFixedTp[e]!;
      } else {
        cls[e] = origClass[e]!;
        tp[e] = 0;
      }
    }
    return ap.mean(fixOrder, cls, tp, npos, pushOrder(m, cls));
  };

  const main = {} as Record<TideMainError, number>;
  for (const name of TIDE_MAIN_ERRORS) {
    const code = MAIN_CODES[name];
    const npos = code === MISS ? m.npos.map((v, c) => v - m.missed[c]!) : m.npos;
    main[name] = Math.max(fixedMean(code, npos) - baseAp, 0) / 100;
  }
  // Perfect recall: every unmatched ground truth removed, nothing else changed.
  const falseNeg =
    fixedMean(
      0,
      m.npos.map((v, c) => v - m.falseNegatives[c]!),
    ) - baseAp;
  // Perfect precision: true positives score 1, false positives 0 (so all true positives come first).
  const tpFirst = new Int32Array(n);
  let k = 0;
  for (let i = m.nErrors; i < n; i++) tpFirst[k++] = i;
  for (let e = 0; e < m.nErrors; e++) tpFirst[k++] = e;
  for (let e = 0; e < m.nErrors; e++) {
    cls[e] = origClass[e]!;
    tp[e] = 0;
  }
  const falsePos = ap.mean(tpFirst, cls, tp, m.npos, pushOrder(m, cls)) - baseAp;
  return { errors: { ap50: baseAp / 100, main, special: { false_pos: falsePos / 100, false_neg: falseNeg / 100 } }, counts: m.counts };
}

/** Category order of fixed data: as first pushed among the errors, then the rest in the original order. */
function pushOrder(m: Matching, cls: Int32Array): number[] {
  const seen = new Uint8Array(m.K);
  const out: number[] = [];
  for (let e = 0; e < m.nErrors; e++) {
    const c = cls[e]!;
    if (c >= 0 && !seen[c]) {
      seen[c] = 1;
      out.push(c);
    }
  }
  for (const c of m.classOrder) {
    if (!seen[c]) {
      seen[c] = 1;
      out.push(c);
    }
  }
  return out;
}

/** tidecv's APDataObject.get_ap per category and ClassedAPDataObject.get_mAP, with reused buffers. */
class ApComputer {
  private readonly count: Int32Array;
  private readonly start: Int32Array;
  private readonly flags: Uint8Array;
  private readonly precision: Float64Array;
  private readonly recall: Float64Array;

  constructor(
    private readonly K: number,
    capacity: number,
  ) {
    this.count = new Int32Array(K);
    this.start = new Int32Array(K + 1);
    this.flags = new Uint8Array(capacity);
    this.precision = new Float64Array(capacity);
    this.recall = new Float64Array(capacity);
  }

  /**
   * Mean AP (percent) over the categories of `classOrder` that have data
   * points or ground truth. order: item positions sorted by score; cls[i]
   * (-1 = dropped) and tp[i] per position; npos per category.
   */
  mean(order: Int32Array, cls: Int32Array, tp: Uint8Array, npos: ArrayLike<number>, classOrder: readonly number[]): number {
    const { K, count, start, flags } = this;
    count.fill(0);
    for (let i = 0; i < order.length; i++) {
      const c = cls[order[i]!]!;
      if (c >= 0) count[c]!++;
    }
    start[0] = 0;
    for (let c = 0; c < K; c++) start[c + 1] = start[c]! + count[c]!;
    const fill = start.slice(0, K);
    for (let i = 0; i < order.length; i++) {
      const at = order[i]!;
      const c = cls[at]!;
      if (c >= 0) flags[fill[c]!++] = tp[at]!;
    }
    let sum = 0;
    let used = 0;
    for (const c of classOrder) {
      if (count[c] === 0 && npos[c] === 0) continue;
      sum += this.categoryAp(start[c]!, count[c]!, npos[c]!);
      used++;
    }
    return used === 0 ? 0 : sum / used;
  }

  private categoryAp(from: number, n: number, npos: number): number {
    if (npos === 0) return 0;
    const { flags, precision, recall } = this;
    let trues = 0;
    let falses = 0;
    for (let i = 0; i < n; i++) {
      if (flags[from + i]) trues++;
      else falses++;
      precision[i] = trues / (trues + falses);
      recall[i] = trues / npos;
    }
    for (let i = n - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
    let sum = 0;
    let j = 0;
    for (let bar = 0; bar <= 100; bar++) {
      const x = bar / 100;
      while (j < n && recall[j]! < x) j++;
      sum += j < n ? precision[j]! : 0;
    }
    return (sum / 101) * 100;
  }
}
