/**
 * Landmark error analysis: coco-analyze (Ronchi and Perona, ICCV 2017;
 * matteorr/coco-analyze) for DeepFashion2. Every labelled landmark of every
 * detection matched at OKS 0.1 is good, jitter, inversion, swap or miss
 * (landmark-kinds.ts); then AP at every OKS threshold on the original
 * results and after correcting, cumulatively, misses, swaps, inversions and
 * jitter, the scores (soft-nms.ts), background false positives and false
 * negatives. Changed from coco-analyze only where DeepFashion2 needs it: 294
 * positions with the release's sigmas, lookups by the detection's own
 * category, area range 'all' = [0, 1e10] (so the baseline is the release's
 * AP), AP the mean over the 13 categories.
 *
 * One pass over the (category, image) cells: everything coco-analyze does
 * is local to a cell (its teamMaxDets is the largest cell, so the score
 * correction cuts nothing), so the work is linear in the detections.
 */
import { TOTAL_LANDMARKS, categoryById } from '../../schema/index.js';
import { type AccumulatedArrays, type CategoryMatches, accumulateCategory, createAccumulated } from '../coco/accumulate.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import { type CellMatch, CellMatcher, createCellMatch } from '../coco/match.js';
import { stableOrderByDescending } from '../coco/numeric.js';
import { type CocoEvalParams, paramsFor } from '../coco/params.js';
import { planEvaluation } from '../coco/plan.js';
import { landmarksOf } from '../coco/landmark-windows.js';
import type { CocoResults } from '../coco/results.js';
import { keypointOks } from '../coco/similarity.js';
import { sliceMean } from '../coco/summarize.js';
import { CellLandmarks, type ClassifiedLandmarks, KIND_JITTER, KIND_MISS, KIND_UNCLASSIFIED, type LandmarkKind, createClassified } from './landmark-kinds.js';
import { softNms } from './soft-nms.js';

/** coco-analyze's oksThrs, written as literals (its Params), not numpy.linspace. */
export const KEYPOINT_ERROR_OKS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] as const;
/** The localization threshold: detections matched at this OKS have their landmarks classified. */
const OKS_LOCALIZATION = 0.1;
/** The release's area range 'all' (coco-analyze's own starts at 32^2). */
const AREA_ALL: readonly [number, number] = [0, 1e10];
const MAX_DETS = 20;

/** The evaluations, in order: each correction adds to the ones before it. */
export const KEYPOINT_ERROR_STEPS = ['baseline', 'miss', 'swap', 'inversion', 'jitter', 'score', 'background_fp', 'false_negatives'] as const;
export type KeypointErrorStep = (typeof KEYPOINT_ERROR_STEPS)[number];

export type KindCounts = Record<LandmarkKind, number>;

export interface KeypointErrorOptions {
  /**
   * Analyse only these images.
   * @default every image of the ground truth
   */
  imageIds?: readonly number[];
  /**
   * Analyse only these categories.
   * @default every category of the ground truth
   */
  categoryIds?: readonly number[];
  /**
   * Keep the kind of every classified landmark of each detection (`perDetection[].landmarks`), e.g. to draw them.
   * @default false
   */
  landmarkKinds?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** One analysed detection (matched at OKS 0.1 to ground truth with labelled landmarks). */
export interface DetectionLandmarkErrors {
  /** 0-based index of the detection in the results file (its id is index + 1). */
  resultIndex: number;
  imageId: number;
  categoryId: number;
  /** Annotation id of the matched ground truth. */
  gtId: number;
  /** OKS with it. */
  oks: number;
  counts: KindCounts;
  /** With the `landmarkKinds` option: each labelled landmark of the matched ground truth (1-based number within the category) and its kind. */
  landmarks?: { landmark: number; kind: LandmarkKind | 'unclassified' }[];
}

/** Counts per landmark of one category: landmark n (1-based, the release README's Figure 2 numbering) at index n - 1. */
export interface CategoryLandmarkErrors {
  categoryId: number;
  counts: KindCounts;
  landmarks: KindCounts[];
}

export interface KeypointErrorAnalysis {
  /** The OKS thresholds of the `ap` arrays. */
  oksThresholds: number[];
  counts: KindCounts;
  /** Per evaluated category, ascending id. */
  byCategory: CategoryLandmarkErrors[];
  /** Detections whose landmarks were classified. */
  matchedDetections: number;
  /** Detections matched at OKS 0.1 to ground truth without labelled landmarks (left out). */
  matchedDetectionsZeroKptGt: number;
  /** Labelled landmarks none of the five kinds take (ks exactly .85 on their own landmark). */
  unclassifiedLabelledLandmarks: number;
  /** coco-analyze's teamMaxDets: the most detections of one (image, category). */
  teamMaxDets: number;
  /** AP (mean over categories) per step, per threshold (KEYPOINT_ERROR_OKS order). */
  ap: Record<KeypointErrorStep, number[]>;
  /** AP .50:.95 per step. */
  apMean: Record<KeypointErrorStep, number>;
  /** Per category: AP per step and threshold (-1 where the category has no regular ground truth). */
  apByCategory: { categoryId: number; ap: Record<KeypointErrorStep, number[]> }[];
  /**
   * coco-analyze labels its false-negative curves in reverse threshold order
   * (it reverses the others but not this one): its "false_neg" at OKS t is
   * `ap.false_negatives` at the mirrored threshold. Kept for comparison.
   */
  apFalseNegativesAsLabelled: number[];
  /** Per threshold, after the keypoint and score corrections: detections and ground truth left unmatched. */
  falsePositiveDetections: number[];
  falseNegativeGroundTruth: number[];
  /** Ascending result index. */
  perDetection: DetectionLandmarkErrors[];
}

const KIND_OF_CODE: readonly (LandmarkKind | null)[] = ['miss', 'swap', 'inversion', 'jitter', 'good', null];
const zeroCounts = (): KindCounts => ({ good: 0, jitter: 0, inversion: 0, swap: 0, miss: 0 });
function addCodes(into: KindCounts, codes: Int32Array): void {
  for (let c = 0; c < KIND_OF_CODE.length; c++) {
    const kind = KIND_OF_CODE[c];
    if (kind) into[kind] += codes[c]!;
  }
}

/** Matches kept per evaluation step (all but false_negatives, which re-counts background_fp's). */
const MATCHED_STEPS = 7;
const STEP_SCORE = 5;
const STEP_BACKGROUND = 6;

/**
 * Landmark error analysis of keypoint results, with coco-analyze's figures
 * (see fixtures/golden/README.md, "Landmark error analysis").
 *
 * @example
 * ```ts
 * import { loadCocoPair, errors } from 'df2/eval';
 * const { gt, res } = await loadCocoPair('keypoints', 'val-coco.json', 'keypoints_results.json');
 * const analysis = errors.keypointErrorAnalysis(gt, res);
 * console.log(analysis.counts.inversion, analysis.ap.baseline[0], analysis.ap.jitter[0]);
 * ```
 */
export function keypointErrorAnalysis(gt: CocoGroundTruth, res: CocoResults, options: KeypointErrorOptions = {}): KeypointErrorAnalysis {
  const plan = planEvaluation('keypoints', gt, res, { imageIds: options.imageIds, categoryIds: options.categoryIds, matches: false });
  const params: CocoEvalParams = {
    task: 'keypoints',
    iouThrs: Float64Array.from(KEYPOINT_ERROR_OKS),
    recThrs: paramsFor('keypoints').recThrs,
    maxDets: [MAX_DETS],
    areaRanges: [AREA_ALL],
    areaLabels: ['all'],
  };
  const T = KEYPOINT_ERROR_OKS.length;
  const K = plan.categoryIds.length;
  const nImages = plan.imageIds.length;
  const accs = KEYPOINT_ERROR_STEPS.map(() => createAccumulated(params, K));
  const cell = new CellAnalysis(gt, res, params, plan.baseIgnore, options.landmarkKinds === true);
  const state: AnalysisState = {
    counts: zeroCounts(),
    byCategory: [],
    matchedDetections: 0,
    zeroKptGt: 0,
    unclassified: 0,
    falsePositives: new Float64Array(T),
    falseNegatives: new Float64Array(T),
    perDetection: [],
  };
  let teamMaxDets = 0;
  for (let c = 0; c < K * nImages; c++) teamMaxDets = Math.max(teamMaxDets, plan.detGroups.start[c + 1]! - plan.detGroups.start[c]!);

  for (let k = 0; k < K; k++) {
    const categoryId = plan.categoryIds[k]!;
    const category = categoryById(categoryId);
    const perLandmark = Array.from({ length: category?.landmarks ?? 0 }, zeroCounts);
    const catState: CategoryLandmarkErrors = { categoryId, counts: zeroCounts(), landmarks: perLandmark };
    let cells = 0;
    let kept = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const nGt = plan.gtGroups.start[c + 1]! - plan.gtGroups.start[c]!;
      const nDet = plan.detGroups.start[c + 1]! - plan.detGroups.start[c]!;
      if (nGt === 0 && nDet === 0) continue;
      cells++;
      kept += Math.min(nDet, MAX_DETS);
    }
    const steps = Array.from({ length: MATCHED_STEPS }, () => categoryMatches(cells, kept, T));
    /** Regular ground truth per threshold that is a false negative at that threshold or a lower one. */
    const missedUpTo = new Float64Array(T);
    let at = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const gStart = plan.gtGroups.start[c]!;
      const nGt = plan.gtGroups.start[c + 1]! - gStart;
      const dStart = plan.detGroups.start[c]!;
      const nAll = plan.detGroups.start[c + 1]! - dStart;
      if (nGt === 0 && nAll === 0) continue;
      const gts = plan.gtGroups.items.subarray(gStart, gStart + nGt);
      const dets = plan.detGroups.items.subarray(dStart, dStart + nAll);
      at += cell.run(plan.imageIds[r]!, categoryId, category?.offset ?? 0, gts, dets, steps, at, missedUpTo, state, catState);
    }
    for (let s = 0; s < MATCHED_STEPS; s++) accumulateCategory(params, accs[s]!, k, steps[s]!);
    accumulateFalseNegatives(params, accs[MATCHED_STEPS]!, k, steps[STEP_BACKGROUND]!, missedUpTo);
    addInto(state.counts, catState.counts);
    state.byCategory.push(catState);
    options.onProgress?.(k + 1, K);
  }

  const apOf = (acc: AccumulatedArrays, ks?: number[]): number[] =>
    KEYPOINT_ERROR_OKS.map((iouThr) => sliceMean(params, acc, { ap: true, iouThr, maxDets: MAX_DETS }, ks));
  const byStep = <V>(f: (acc: AccumulatedArrays) => V): Record<KeypointErrorStep, V> =>
    Object.fromEntries(KEYPOINT_ERROR_STEPS.map((step, s) => [step, f(accs[s]!)])) as Record<KeypointErrorStep, V>;
  const ap = byStep((acc) => apOf(acc));
  state.perDetection.sort((a, b) => a.resultIndex - b.resultIndex);
  return {
    oksThresholds: [...KEYPOINT_ERROR_OKS],
    counts: state.counts,
    byCategory: state.byCategory,
    matchedDetections: state.matchedDetections,
    matchedDetectionsZeroKptGt: state.zeroKptGt,
    unclassifiedLabelledLandmarks: state.unclassified,
    teamMaxDets,
    ap,
    apMean: byStep((acc) => sliceMean(params, acc, { ap: true, maxDets: MAX_DETS })),
    apByCategory: plan.categoryIds.map((categoryId, k) => ({ categoryId, ap: byStep((acc) => apOf(acc, [k])) })),
    apFalseNegativesAsLabelled: [...ap.false_negatives].reverse(),
    falsePositiveDetections: [...state.falsePositives],
    falseNegativeGroundTruth: [...state.falseNegatives],
    perDetection: state.perDetection,
  };
}

interface AnalysisState {
  counts: KindCounts;
  byCategory: CategoryLandmarkErrors[];
  matchedDetections: number;
  zeroKptGt: number;
  unclassified: number;
  falsePositives: Float64Array;
  falseNegatives: Float64Array;
  perDetection: DetectionLandmarkErrors[];
}

function addInto(into: KindCounts, from: KindCounts): void {
  for (const kind of Object.keys(into) as LandmarkKind[]) into[kind] += from[kind];
}

function categoryMatches(cells: number, count: number, T: number): CategoryMatches {
  return {
    cells,
    count,
    score: new Float64Array(count),
    rank: new Int32Array(count),
    matched: new Uint8Array(T * count),
    ignored: new Uint8Array(T * count),
    regularGt: new Int32Array(1),
  };
}

/**
 * False negatives recovered, as coco-analyze's last step: per threshold t
 * (ascending), the ground truth left unmatched at t is ignored on top of
 * what earlier thresholds ignored, and precision at t is read after that.
 */
function accumulateFalseNegatives(params: CocoEvalParams, into: AccumulatedArrays, k: number, cat: CategoryMatches, missedUpTo: Float64Array): void {
  const { T, R, K } = into.dims;
  for (let t = 0; t < T; t++) {
    const one = createAccumulated(params, 1);
    accumulateCategory(params, one, 0, { ...cat, regularGt: Int32Array.of(cat.regularGt[0]! - missedUpTo[t]!) });
    for (let r = 0; r < R; r++) into.precision[(t * R + r) * K + k] = one.precision[t * R + r]!;
    into.recall[t * K + k] = one.recall[t]!;
  }
}

/** The per-cell work, with buffers reused across cells. */
class CellAnalysis {
  private readonly ann: CocoGroundTruth['annotations'];
  private readonly matcher: CellMatcher;
  private readonly locMatcher = new CellMatcher(Float64Array.of(OKS_LOCALIZATION));
  private readonly match = createCellMatch();
  private readonly locMatch = createCellMatch();
  private readonly landmarks: CellLandmarks;
  private readonly classified = createClassified();
  private readonly terms = new Float64Array(TOTAL_LANDMARKS);
  private readonly T: number;

  constructor(
    gt: CocoGroundTruth,
    private readonly res: CocoResults,
    params: CocoEvalParams,
    private readonly baseIgnore: Uint8Array,
    private readonly keepKinds: boolean,
  ) {
    this.ann = gt.annotations;
    this.matcher = new CellMatcher(params.iouThrs);
    this.landmarks = new CellLandmarks(gt.annotations);
    this.T = params.iouThrs.length;
  }

  /** Analyses one cell, writes its kept detections at `at` of every step; returns how many it kept. */
  run(
    imageId: number,
    categoryId: number,
    offset: number,
    gts: Int32Array,
    all: Int32Array,
    steps: CategoryMatches[],
    at: number,
    missedUpTo: Float64Array,
    state: AnalysisState,
    catState: CategoryLandmarkErrors,
  ): number {
    const { ann, res, T } = this;
    const nGt = gts.length;
    const nAll = all.length;
    const gtIgnore = new Uint8Array(nGt);
    const gtCrowd = new Uint8Array(nGt);
    const gtIds = new Float64Array(nGt);
    let regular = 0;
    for (let g = 0; g < nGt; g++) {
      const a = gts[g]!;
      const area = ann.area[a]!;
      gtIgnore[g] = this.baseIgnore[a] || area < AREA_ALL[0] || area > AREA_ALL[1] ? 1 : 0;
      gtCrowd[g] = ann.iscrowd[a]!;
      gtIds[g] = ann.id[a]!;
      if (!gtIgnore[g]) regular++;
    }
    for (const step of steps) step.regularGt[0]! += regular;

    // The detections kept by the original scores (stable order, cut to maxDets).
    const original = Float64Array.from(all, (d) => res.score[d]!);
    const order = stableOrderByDescending(original, nAll);
    const nDet = Math.min(nAll, MAX_DETS);
    const dets = Int32Array.from(order.subarray(0, nDet), (i) => all[i]!);
    const dtOut = Uint8Array.from(dets, (d) => (res.area[d]! < AREA_ALL[0] || res.area[d]! > AREA_ALL[1] ? 1 : 0));
    const oks = this.oksRows(dets, gts, (d) => landmarksOf(res.keypoints, d, this.detectionXy));

    // Classify the landmarks of each detection matched at OKS 0.1.
    const patches: Patch[] = new Array<Patch>(nDet);
    /** Per kept detection: which error kinds it has (bit per kind code). */
    const kinds = new Uint8Array(nDet);
    if (nGt > 0 && nDet > 0) {
      this.locMatcher.match(oks, nDet, nGt, gtIgnore, gtCrowd, gtIds, this.locMatch);
      this.landmarks.load(gts, nGt);
      for (let d = 0; d < nDet; d++) {
        const gtId = this.locMatch.dtGtId[d]!;
        if (gtId === 0) continue;
        const g = gtIds.indexOf(gtId);
        if (ann.numKeypoints[gts[g]!] === 0) {
          state.zeroKptGt++;
          continue;
        }
        const c = this.classified;
        this.landmarks.classify(g, landmarksOf(res.keypoints, dets[d]!, this.detectionXy), c);
        patches[d] = { landmark: Int32Array.from(c.landmark), kind: Uint8Array.from(c.kind), x: Float64Array.from(c.x), y: Float64Array.from(c.y) };
        for (const kind of c.kind) kinds[d]! |= 1 << kind;
        const counts = zeroCounts();
        addCodes(counts, c.counts);
        addInto(catState.counts, counts);
        countLandmarks(catState, offset, c);
        state.matchedDetections++;
        state.unclassified += c.counts[KIND_UNCLASSIFIED]!;
        const entry: DetectionLandmarkErrors = { resultIndex: dets[d]!, imageId, categoryId, gtId, oks: oks[d * nGt + g]!, counts };
        if (this.keepKinds) entry.landmarks = c.position.map((p, i) => ({ landmark: p - offset + 1, kind: KIND_OF_CODE[c.code[i]!] ?? 'unclassified' }));
        state.perDetection.push(entry);
      }
    }

    // Baseline, then each landmark correction in turn: only rows of detections with that kind change.
    const scoreOf = (d: number): number => res.score[dets[d]!]!;
    this.matchAndFill(oks, nDet, nGt, gtIgnore, gtCrowd, gtIds, steps[0]!, at, scoreOf, dtOut, false);
    let current = oks;
    for (let kind = KIND_MISS; kind <= KIND_JITTER; kind++) {
      let changed = false;
      for (let d = 0; d < nDet; d++) if (kinds[d]! & (1 << kind)) changed = true;
      if (changed) {
        current = Float64Array.from(current);
        for (let d = 0; d < nDet; d++) {
          if (!(kinds[d]! & (1 << kind))) continue;
          const xy = this.patched(dets[d]!, patches[d]!, kind);
          for (let g = 0; g < nGt; g++) current[d * nGt + g] = keypointOks(ann, gts[g]!, xy, this.terms);
        }
      }
      this.matchAndFill(current, nDet, nGt, gtIgnore, gtCrowd, gtIds, steps[kind + 1]!, at, scoreOf, dtOut, false);
    }

    // Scores: every detection of the cell, landmarks corrected, starts from its best OKS with regular ground truth; then soft NMS.
    const keptAt = new Int32Array(nAll).fill(-1);
    for (let d = 0; d < nDet; d++) keptAt[order[d]!] = d;
    const corrected = Array.from(all, (det, i) => {
      const d = keptAt[i]!;
      return d >= 0 && patches[d] ? Float64Array.from(this.patched(det, patches[d], KIND_JITTER)) : landmarksOf(res.keypoints, det);
    });
    const fullOks = new Float64Array(nAll * nGt);
    const newScores = new Float64Array(nAll);
    for (let i = 0; i < nAll; i++) {
      const d = keptAt[i]!;
      for (let g = 0; g < nGt; g++) fullOks[i * nGt + g] = d >= 0 ? current[d * nGt + g]! : keypointOks(ann, gts[g]!, corrected[i]!, this.terms);
      // dtIousMax: the best OKS with regular ground truth, 0 when the cell has none.
      newScores[i] = regular > 0 ? maxRegular(fullOks, i, nGt, gtIgnore) : 0;
    }
    softNms(corrected, newScores, this.terms);
    const rescored = stableOrderByDescending(newScores, nAll);
    const rescoredDets = Int32Array.from(rescored.subarray(0, nDet), (i) => all[i]!);
    const rescoredOks = new Float64Array(nDet * nGt);
    for (let d = 0; d < nDet; d++) rescoredOks.set(fullOks.subarray(rescored[d]! * nGt, rescored[d]! * nGt + nGt), d * nGt);
    const rescoredOut = Uint8Array.from(rescoredDets, (d) => (res.area[d]! < AREA_ALL[0] || res.area[d]! > AREA_ALL[1] ? 1 : 0));
    const newScoreOf = (d: number): number => newScores[rescored[d]!]!;
    this.matchAndFill(rescoredOks, nDet, nGt, gtIgnore, gtCrowd, gtIds, steps[STEP_SCORE]!, at, newScoreOf, rescoredOut, false);
    // Background false positives: the same matching, unmatched detections ignored at each threshold.
    this.fill(steps[STEP_BACKGROUND]!, at, nDet, newScoreOf, rescoredOut, true);
    const m = this.match;
    for (let t = 0; t < T; t++) {
      let matched = 0;
      for (let d = 0; d < nDet; d++) if (m.dtGtId[t * nDet + d] !== 0) matched++;
      state.falsePositives[t]! += nAll - matched;
    }
    for (let g = 0; g < nGt; g++) {
      let first = -1;
      for (let t = 0; t < T; t++) {
        const found = nDet > 0 && m.gtMatched[t * nGt + g] === 1;
        if (!found) {
          state.falseNegatives[t]!++;
          if (first < 0) first = t;
        }
      }
      if (!gtIgnore[g] && first >= 0) for (let t = first; t < T; t++) missedUpTo[t]!++;
    }
    return nDet;
  }

  /** OKS of each detection (row) with each ground truth (column). */
  private oksRows(dets: Int32Array, gts: Int32Array, xyOf: (det: number) => Float64Array): Float64Array {
    const out = new Float64Array(dets.length * gts.length);
    for (let d = 0; d < dets.length; d++) {
      const xy = xyOf(dets[d]!);
      for (let g = 0; g < gts.length; g++) out[d * gts.length + g] = keypointOks(this.ann, gts[g]!, xy, this.terms);
    }
    return out;
  }

  private scratch = new Float64Array(2 * TOTAL_LANDMARKS);
  /** One detection's 588 coordinates, for a use that ends before the next. */
  private readonly detectionXy = new Float64Array(2 * TOTAL_LANDMARKS);

  /** The detection's landmarks with its errors of kind codes up to `upTo` corrected (a shared buffer). */
  private patched(det: number, patch: Patch, upTo: number): Float64Array {
    const xy = this.scratch;
    landmarksOf(this.res.keypoints, det, xy);
    for (let i = 0; i < patch.landmark.length; i++) {
      if (patch.kind[i]! > upTo) continue;
      const p = patch.landmark[i]!;
      xy[2 * p] = patch.x[i]!;
      xy[2 * p + 1] = patch.y[i]!;
    }
    return xy;
  }

  private matchAndFill(
    ious: Float64Array,
    nDet: number,
    nGt: number,
    gtIgnore: Uint8Array,
    gtCrowd: Uint8Array,
    gtIds: Float64Array,
    into: CategoryMatches,
    at: number,
    scoreOf: (d: number) => number,
    dtOut: Uint8Array,
    ignoreUnmatched: boolean,
  ): void {
    this.matcher.match(ious, nDet, nGt, gtIgnore, gtCrowd, gtIds, this.match);
    this.fill(into, at, nDet, scoreOf, dtOut, ignoreUnmatched);
  }

  /** Writes the last matching into a step's matches, as the cell evaluator does (area range 'all'). */
  private fill(into: CategoryMatches, at: number, nDet: number, scoreOf: (d: number) => number, dtOut: Uint8Array, ignoreUnmatched: boolean): void {
    const m: CellMatch = this.match;
    for (let d = 0; d < nDet; d++) {
      into.score[at + d] = scoreOf(d);
      into.rank[at + d] = d;
    }
    for (let t = 0; t < this.T; t++) {
      const base = t * into.count + at;
      for (let d = 0; d < nDet; d++) {
        const matched = m.dtGtId[t * nDet + d] !== 0;
        into.matched[base + d] = matched ? 1 : 0;
        into.ignored[base + d] = m.dtIgnored[t * nDet + d]! || (!matched && (dtOut[d]! || ignoreUnmatched)) ? 1 : 0;
      }
    }
  }
}

interface Patch {
  landmark: Int32Array;
  kind: Uint8Array;
  x: Float64Array;
  y: Float64Array;
}

function maxRegular(oks: Float64Array, i: number, nGt: number, gtIgnore: Uint8Array): number {
  let best = -Infinity;
  for (let g = 0; g < nGt; g++) if (!gtIgnore[g] && oks[i * nGt + g]! > best) best = oks[i * nGt + g]!;
  return best;
}

/** Adds one detection's classified landmarks to its category's per-landmark counts. */
function countLandmarks(catState: CategoryLandmarkErrors, offset: number, c: ClassifiedLandmarks): void {
  for (let i = 0; i < c.position.length; i++) {
    const kind = KIND_OF_CODE[c.code[i]!];
    const n = c.position[i]! - offset;
    if (kind && n >= 0 && n < catState.landmarks.length) catState.landmarks[n]![kind]++;
  }
}
