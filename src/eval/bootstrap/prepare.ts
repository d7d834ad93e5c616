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
 */
import { CellEvaluator } from '../coco/cell-evaluator.js';
import type { CategoryMatches } from '../coco/accumulate.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import { stableOrderByDescending } from '../coco/numeric.js';
import type { CocoEvalParams, CocoTask } from '../coco/params.js';
import { type CocoEvalOptions, type EvaluationPlan, planEvaluation } from '../coco/plan.js';
import type { CocoResults } from '../coco/results.js';

/** One category's matched detections and cells, ready to be accumulated for any resample. */
export interface PreparedCategory {
  /** Kept detections. */
  n: number;
  /** Per detection in score order: the image rank of its cell. */
  image: Int32Array;
  /** Per detection in score order: its place in its image's score order. */
  rank: Int32Array;
  score: Float64Array;
  /** [(a * T + t) * n + i] for detection i in score order: 0 ignored, 1 true positive, 2 false positive. */
  code: Uint8Array;
  /** Per detection in score order: the end (exclusive) of the run of equal scores it starts, or 0 (not the start of a run of two or more). */
  tieEnd: Int32Array;
  /** Number of cells (images with ground truth or detections of the category). */
  cells: number;
  cellImage: Int32Array;
  /** [c * A + a]: regular (not ignored) ground truth of cell c in area range a. */
  cellRegular: Int32Array;
  /** [c * T * S + t * S + s] for each smaller maxDets s < M - 1: true positives at area 'all' within the cut. */
  cellSmallTp: Int32Array;
  /** Detections kept in cell c. */
  cellKept: Int32Array;
}

export interface PreparedEvaluation {
  task: CocoTask;
  params: CocoEvalParams;
  /** The evaluated images, ascending (the identity resample). */
  imageIds: number[];
  categoryIds: number[];
  categoryNames: string[];
  categories: PreparedCategory[];
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
  };
}

function prepareCategory(plan: EvaluationPlan, k: number, m: CategoryMatches): PreparedCategory {
  const { params, gt, gtGroups, detGroups, baseIgnore } = plan;
  const nImages = plan.imageIds.length;
  const T = params.iouThrs.length;
  const A = params.areaRanges.length;
  const M = params.maxDets.length;
  const S = M - 1;
  const maxDet = params.maxDets[M - 1]!;
  const n = m.count;

  // Cells in image order, as the cell evaluator walks them, and each kept detection's image.
  const cellImage = new Int32Array(m.cells);
  const cellKept = new Int32Array(m.cells);
  const cellRegular = new Int32Array(m.cells * A);
  const cellSmallTp = new Int32Array(m.cells * T * S);
  const detImage = new Int32Array(n);
  const detCell = new Int32Array(n);
  let cell = 0;
  let at = 0;
  for (let r = 0; r < nImages; r++) {
    const c = k * nImages + r;
    const g0 = gtGroups.start[c]!;
    const nGt = gtGroups.start[c + 1]! - g0;
    const nDet = detGroups.start[c + 1]! - detGroups.start[c]!;
    if (nGt === 0 && nDet === 0) continue;
    const kept = Math.min(nDet, maxDet);
    cellImage[cell] = r;
    cellKept[cell] = kept;
    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRanges[a]!;
      let regular = 0;
      for (let g = g0; g < g0 + nGt; g++) {
        const i = gtGroups.items[g]!;
        const area = gt.annotations.area[i]!;
        if (!(baseIgnore[i] || area < lo || area > hi)) regular++;
      }
      cellRegular[cell * A + a] = regular;
    }
    for (let d = at; d < at + kept; d++) {
      detImage[d] = r;
      detCell[d] = cell;
    }
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) {
        let tp = 0;
        for (let d = at; d < at + Math.min(kept, params.maxDets[s]!); d++) {
          const x = t * n + d; // area 'all' is a = 0
          if (m.matched[x] && !m.ignored[x]) tp++;
        }
        cellSmallTp[(cell * T + t) * S + s] = tp;
      }
    }
    at += kept;
    cell++;
  }

  const order = stableOrderByDescending(m.score, n);
  const image = new Int32Array(n);
  const rank = new Int32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = order[i]!;
    image[i] = detImage[d]!;
    rank[i] = m.rank[d]!;
    score[i] = m.score[d]!;
  }
  const code = new Uint8Array(A * T * n);
  for (let at2 = 0; at2 < A * T; at2++) {
    const base = at2 * n;
    for (let i = 0; i < n; i++) {
      const x = base + order[i]!;
      code[base + i] = m.ignored[x] ? 0 : m.matched[x] ? 1 : 2;
    }
  }
  const tieEnd = new Int32Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && score[j] === score[i]) j++;
    if (j - i > 1) tieEnd[i] = j;
    i = j;
  }
  return { n, image, rank, score, code, tieEnd, cells: m.cells, cellImage, cellRegular, cellSmallTp, cellKept };
}
