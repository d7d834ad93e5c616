/**
 * What a bootstrap over images keeps of one COCO-style evaluation. Matching
 * is per (image, category) cell and does not change under resampling: a
 * resampled image is a copy of a drawn one, with the same ground truth and
 * detections. So each cell is matched once, here, and a resample only
 * changes which cells are accumulated, how many times, and in which order
 * (resample.ts).
 *
 * Per category the kept detections (each image cut to the largest maxDets)
 * are sorted once by descending score, ties in image order then in the
 * image's own score order: the official order of the identity resample.
 * A resample keeps that order except inside runs of equal scores, where
 * the copies are ordered by their new image ids; those runs are marked.
 * What is the same in every resample is computed here once: per IoU
 * threshold, the blocks of true or of false positives in that order (see
 * PreparedArea.blockOffset), the runs a resample must reorder, and the
 * sparse counts of regular ground truth and of true positives past the
 * smaller maxDets.
 */
import { CellEvaluator } from '../coco/cell-evaluator.js';
import type { CategoryMatches } from '../coco/accumulate.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import { stableOrderByDescending } from '../coco/numeric.js';
import type { CocoEvalParams, CocoTask } from '../coco/params.js';
import { type CocoEvalOptions, type EvaluationPlan, planEvaluation } from '../coco/plan.js';
import type { CocoResults } from '../coco/results.js';
import { type PreparedTies, blocksOf, tiesOf } from './blocks.js';

/**
 * The detections of one category that count at one area range (true or
 * false positive at some IoU threshold), in score order. Ignored ones are
 * left out: they change neither the true nor the false positives, and the
 * precision they would sample at recall 0 is the same maximum (see
 * resample.ts).
 */
export interface PreparedArea {
  n: number;
  /** Per detection: the image rank of its cell. */
  image: Int32Array;
  /** [t * n + j]: 0 ignored, 1 true positive, 2 false positive. */
  code: Uint8Array;
  /**
   * The runs of equal scores that a resample must reorder: [runStart[x], runEnd[x]) for run x,
   * those whose detections are not all true positives or all false positives at some threshold.
   */
  runStart: Int32Array;
  runEnd: Int32Array;
  /** Run x of this area range is run runBase + x of PreparedEvaluation.ties. */
  runBase: number;
  /**
   * Per IoU threshold t, blocks blockOffset[t] to blockOffset[t + 1], in score order: maximal
   * stretches [blockStart, blockEnd) of true positives only (TRUE_POSITIVE) or ignored detections
   * only (IGNORED) at t, and the runs of equal scores that mix codes at t, each one block (TIE_RUN,
   * blockStart the run's index x) since a resample reorders it. False positives lie between
   * blocks: at any point the weight so far is true plus false positives plus ignored ones, so a
   * pass needs no block for them. Outside the mixed runs a resample keeps the order and only
   * weighs detections, and the order inside a run of one code does not matter, so a block's weight
   * (a difference of prefix sums) is all a pass needs of it: true positives in a row raise
   * precision, so the last of them stands for the block.
   */
  blockOffset: Int32Array;
  blockStart: Int32Array;
  blockEnd: Int32Array;
  blockKind: Uint8Array;
  /**
   * The cells with regular (not ignored) ground truth in this area range: their image ranks and
   * how many each has. Cells without any are left out, so a resample's count of regular ground
   * truth (the weighted sum) touches only these.
   */
  gtImage: Int32Array;
  gtCount: Int32Array;
}

/** One category's matched detections and cells, ready to be accumulated for any resample. */
export interface PreparedCategory {
  /** Per area range. */
  areas: PreparedArea[];
  /** Number of cells (images with ground truth or detections of the category). */
  cells: number;
  /**
   * True positives at area 'all' that the smaller maxDets cut away: entry x says that the cell of
   * image rank cutImage[x] has cutCount[x] true positives at threshold t among its kept detections
   * that are not among its first maxDets[s] (cutSlot[x] = s * T + t, S = maxDets.length - 1).
   * A resample weighs cells, so the true positives at a smaller maxDets are those at the largest
   * (the pass over area 'all') less the weighted sum of these, whatever the order. Only cells and
   * slots with a non-zero count are listed: most cells have fewer detections than the cut.
   */
  cutImage: Int32Array;
  cutSlot: Int32Array;
  cutCount: Int32Array;
}

export interface PreparedEvaluation {
  task: CocoTask;
  params: CocoEvalParams;
  /** The evaluated images, ascending (the identity resample). */
  imageIds: number[];
  categoryIds: number[];
  categoryNames: string[];
  categories: PreparedCategory[];
  ties: PreparedTies;
}

/**
 * Matches every cell once and keeps what the accumulation of any resample
 * needs. Runs in this thread.
 *
 * @example
 * ```ts
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const prepared = prepareBootstrap('bbox', gt, results);
 * const stats = resampleFigures(prepared, prepared.imageIds).stats; // the plain figures
 * ```
 */
export function prepareBootstrap(task: CocoTask, gt: CocoGroundTruth, res: CocoResults, options: CocoEvalOptions = {}): PreparedEvaluation {
  const plan = planEvaluation(task, gt, res, { ...options, matches: false });
  const { params, imageIds, categoryIds } = plan;
  const evaluator = new CellEvaluator(task, params, gt, res, plan.baseIgnore, null, new Map(), true);
  const names = new Map(gt.categories.id.map((id, i) => [id, gt.categories.name[i]!]));
  const categories: PreparedCategory[] = [];
  for (let k = 0; k < categoryIds.length; k++) {
    const matches = evaluator.category(k, categoryIds[k]!, imageIds.length, imageIds, plan.gtGroups, plan.detGroups, () => -1);
    categories.push(prepareCategory(plan, k, matches));
    options.onProgress?.('matching', k + 1, categoryIds.length);
  }
  return {
    task,
    params,
    imageIds,
    categoryIds,
    categoryNames: categoryIds.map((id) => names.get(id) ?? String(id)),
    categories,
    ties: tiesOf(categories, imageIds.length),
  };
}

function prepareCategory(plan: EvaluationPlan, k: number, m: CategoryMatches): PreparedCategory {
  const { params, gt, gtGroups, detGroups, baseIgnore } = plan;
  const nImages = plan.imageIds.length;
  const T = params.iouThrs.length;
  const A = params.areaRanges.length;
  const maxDet = params.maxDets[params.maxDets.length - 1]!;
  const S = params.maxDets.length - 1;
  const all = params.areaLabels.indexOf('all');
  const n = m.count;

  // Cells in image order, as the cell evaluator walks them, and each kept detection's image.
  const gtImage: number[][] = params.areaRanges.map(() => []);
  const gtCount: number[][] = params.areaRanges.map(() => []);
  const cutImage: number[] = [];
  const cutSlot: number[] = [];
  const cutCount: number[] = [];
  const cut = new Int32Array(S * T);
  const detImage = new Int32Array(n);
  let at = 0;
  for (let r = 0; r < nImages; r++) {
    const c = k * nImages + r;
    const g0 = gtGroups.start[c]!;
    const nGt = gtGroups.start[c + 1]! - g0;
    const nDet = detGroups.start[c + 1]! - detGroups.start[c]!;
    if (nGt === 0 && nDet === 0) continue;
    const kept = Math.min(nDet, maxDet);
    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRanges[a]!;
      let regular = 0;
      for (let g = g0; g < g0 + nGt; g++) {
        const i = gtGroups.items[g]!;
        const area = gt.annotations.area[i]!;
        if (!(baseIgnore[i] || area < lo || area > hi)) regular++;
      }
      if (regular > 0) {
        gtImage[a]!.push(r);
        gtCount[a]!.push(regular);
      }
    }
    detImage.fill(r, at, at + kept);
    if (all >= 0 && S > 0) {
      cut.fill(0);
      for (let d = at; d < at + kept; d++) {
        for (let t = 0; t < T; t++) {
          const x = (all * T + t) * n + d;
          if (m.ignored[x] || !m.matched[x]) continue;
          for (let s = 0; s < S; s++) if (m.rank[d]! >= params.maxDets[s]!) cut[s * T + t]!++;
        }
      }
      for (let x = 0; x < S * T; x++) {
        if (cut[x] === 0) continue;
        cutImage.push(r);
        cutSlot.push(x);
        cutCount.push(cut[x]!);
      }
    }
    at += kept;
  }

  const order = stableOrderByDescending(m.score, n);
  const areas: PreparedArea[] = [];
  for (let a = 0; a < A; a++) {
    // The detections that count at some threshold, in score order.
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      const d = order[i]!;
      let counts = false;
      for (let t = 0; t < T && !counts; t++) counts = !m.ignored[(a * T + t) * n + d];
      if (counts) kept.push(d);
    }
    const na = kept.length;
    const image = new Int32Array(na);
    const code = new Uint8Array(T * na);
    const tieEnd = new Int32Array(na);
    kept.forEach((d, j) => {
      image[j] = detImage[d]!;
      for (let t = 0; t < T; t++) {
        const x = (a * T + t) * n + d;
        code[t * na + j] = m.ignored[x] ? 0 : m.matched[x] ? 1 : 2;
      }
    });
    for (let j = 0; j < na;) {
      let e = j + 1;
      while (e < na && m.score[kept[e]!] === m.score[kept[j]!]) e++;
      if (e - j > 1) tieEnd[j] = e;
      j = e;
    }
    areas.push({
      n: na,
      image,
      code,
      runBase: 0,
      ...blocksOf(code, tieEnd, na, T),
      gtImage: Int32Array.from(gtImage[a]!),
      gtCount: Int32Array.from(gtCount[a]!),
    });
  }
  return { areas, cells: m.cells, cutImage: Int32Array.from(cutImage), cutSlot: Int32Array.from(cutSlot), cutCount: Int32Array.from(cutCount) };
}
