/**
 * One evaluation of loaded ground truth and results: plan it (plan.ts),
 * evaluate each category cell by cell (cell-evaluator.ts), accumulate per
 * category, summarize. The same loaded data can be evaluated again with other
 * options (image or category selection, an attribute subset: subsets.ts)
 * without reading the files again.
 */
import { type AccumulatedArrays, accumulateCategory, createAccumulated } from './accumulate.js';
import { CellEvaluator, similarityCache } from './cell-evaluator.js';
import type { CocoGroundTruth } from './ground-truth.js';
import { type CocoMatchRecords, MatchRecordWriter, mergeMatchRecords } from './matches.js';
import type { CocoTask } from './params.js';
import { type CocoEvalOptions, type CocoSubset, type EvaluationPlan, planEvaluation } from './plan.js';
import type { CocoResults } from './results.js';
import { type CocoFigures, type SummaryLine, categoryAp, headlineAp, namedFigures, summarizeStats } from './summarize.js';

export interface CocoEvalResult {
  task: CocoTask;
  /** summarize()'s figures: 12 for bbox/segm, 10 for keypoints. */
  stats: number[];
  /** The same figures by name (`figures.ap` is `stats[0]`, `figures.ap50` is `stats[1]`, ...). */
  figures: CocoFigures;
  summary: SummaryLine[];
  /** Per evaluated category: AP at IoU .50:.95, area all, largest maxDets; -1 when it has no ground truth. */
  perCategoryAp: { categoryId: number; name: string; ap: number }[];
  /** [AP, AP50, AP75]. */
  headline: [number, number, number];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
  /** Shapes: precision and scores [T, R, K, A, M], recall [T, K, A, M]. */
  dims: AccumulatedArrays['dims'];
  params: {
    iouThrs: number[];
    recThrs: number[];
    maxDets: number[];
    areaRanges: [number, number][];
    areaLabels: string[];
    imageIds: number[];
    categoryIds: number[];
  };
  subset?: CocoSubset;
  matches: CocoMatchRecords;
}

/** The evaluation of some categories (ranks into plan.categoryIds): precision etc. filled for those only. */
export interface EvaluationPart {
  categories: number[];
  acc: AccumulatedArrays;
  matches: CocoMatchRecords | null;
}

/** Evaluates the given categories (ranks into plan.categoryIds), in ascending order. */
export function evaluateCategories(plan: EvaluationPlan, categories: readonly number[], onCategory?: () => void): EvaluationPart {
  const ks = [...categories].sort((a, b) => a - b);
  let i = 0;
  return evaluateClaimed(plan, () => (i < ks.length ? ks[i++]! : -1), onCategory);
}

/**
 * Evaluates the categories `next` hands out (a rank into plan.categoryIds,
 * -1 when there are none left), one at a time: threads that share one
 * `next` (claimCategories) each take a category when they are free, so the
 * one that started later, or got the lighter categories, is not waited for.
 */
export function evaluateClaimed(plan: EvaluationPlan, next: () => number, onCategory?: () => void): EvaluationPart {
  const { task, params, gt, res, imageIds, categoryIds } = plan;
  const nImages = imageIds.length;
  const acc = createAccumulated(params, categoryIds.length);
  const records = plan.options.matches === false ? null : new MatchRecordWriter();
  // Only the runs of an attribute breakdown come again on the same data (one per subset): a plain
  // evaluation that kept its similarities would pay a map entry and an array per cell for nothing.
  const cache = plan.options.subset ? similarityCache(task, gt, res) : null;
  const evaluator = new CellEvaluator(task, params, gt, res, plan.baseIgnore, records, cache);
  const categoryPosition = new Map(gt.categories.id.map((id, i) => [id, i]));
  const done: number[] = [];
  for (let k = next(); k >= 0; k = next()) {
    const cacheBase = (categoryPosition.get(categoryIds[k]!) ?? -1) * gt.images.id.length;
    const cacheKey = (r: number): number => (cacheBase < 0 ? -1 : cacheBase + plan.imageIndexOfRank[r]!);
    const matches = evaluator.category(k, categoryIds[k]!, nImages, imageIds, plan.gtGroups, plan.detGroups, cacheKey);
    accumulateCategory(params, acc, k, matches);
    done.push(k);
    onCategory?.();
  }
  return { categories: done, acc, matches: records?.finish() ?? null };
}

/** Categories (ranks) in a shared queue, heaviest first: `counter` (one Int32 on shared memory) is the next place to take. */
export interface CategoryClaims {
  counter: Int32Array;
  order: Int32Array;
}

/** A queue of the plan's categories, heaviest first (categoryWork), to share between threads. */
export function categoryClaims(work: readonly number[]): CategoryClaims {
  const order = Int32Array.from(work.map((_, k) => k).sort((a, b) => work[b]! - work[a]! || a - b));
  return { counter: new Int32Array(new SharedArrayBuffer(4)), order };
}

/** The `next` of evaluateClaimed for a shared queue: each category goes to exactly one thread. */
export function claimFrom(claims: CategoryClaims): () => number {
  return () => {
    const at = Atomics.add(claims.counter, 0, 1);
    return at < claims.order.length ? claims.order[at]! : -1;
  };
}

/** The result from parts that together cover every category of the plan. */
export function combineParts(plan: EvaluationPlan, parts: readonly EvaluationPart[]): CocoEvalResult {
  const { task, params, gt, categoryIds, imageIds } = plan;
  let acc: AccumulatedArrays;
  if (parts.length === 1) acc = parts[0]!.acc;
  else {
    acc = createAccumulated(params, categoryIds.length);
    for (const part of parts) for (const k of part.categories) copyCategory(part.acc, acc, k);
  }
  const owner = new Map<number, CocoMatchRecords | null>();
  for (const part of parts) for (const k of part.categories) owner.set(categoryIds[k]!, part.matches);
  const matches =
    parts.length === 1 && parts[0]!.matches
      ? parts[0]!.matches
      : mergeMatchRecords(categoryIds.map((id) => ({ categoryId: id, records: owner.get(id) ?? null })));

  const names = new Map(gt.categories.id.map((id, i) => [id, gt.categories.name[i]!]));
  const summary = summarizeStats(params, acc);
  return {
    task,
    stats: summary.map((line) => line.value),
    figures: namedFigures(summary),
    summary,
    perCategoryAp: categoryIds.map((id, k) => ({ categoryId: id, name: names.get(id) ?? String(id), ap: categoryAp(params, acc, k) })),
    headline: headlineAp(params, acc),
    precision: acc.precision,
    recall: acc.recall,
    scores: acc.scores,
    dims: acc.dims,
    params: {
      iouThrs: [...params.iouThrs],
      recThrs: [...params.recThrs],
      maxDets: [...params.maxDets],
      areaRanges: params.areaRanges.map(([lo, hi]) => [lo, hi]),
      areaLabels: [...params.areaLabels],
      imageIds,
      categoryIds,
    },
    subset: plan.options.subset,
    matches,
  };
}

/** Copies category k's precision, recall and scores from one accumulation to another. */
function copyCategory(from: AccumulatedArrays, to: AccumulatedArrays, k: number): void {
  const { T, R, K, A, M } = to.dims;
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        const at = ((t * K + k) * A + a) * M + m;
        to.recall[at] = from.recall[at]!;
        for (let r = 0; r < R; r++) {
          const p = (((t * R + r) * K + k) * A + a) * M + m;
          to.precision[p] = from.precision[p]!;
          to.scores[p] = from.scores[p]!;
        }
      }
    }
  }
}

/** Evaluates in this thread (see CocoEvaluator for both cores). */
export function evaluateLoaded(task: CocoTask, gt: CocoGroundTruth, res: CocoResults, options: CocoEvalOptions = {}): CocoEvalResult {
  const plan = planEvaluation(task, gt, res, options);
  let done = 0;
  const K = plan.categoryIds.length;
  const part = evaluateCategories(
    plan,
    plan.categoryIds.map((_, k) => k),
    () => options.onProgress?.('evaluating', ++done, K),
  );
  return combineParts(plan, [part]);
}
