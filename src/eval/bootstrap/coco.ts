/**
 * Bootstrap intervals of the COCO-style figures of one model, and the
 * paired comparison of two models on the same resamples.
 */
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import type { CocoTask } from '../coco/params.js';
import type { CocoEvalOptions } from '../coco/plan.js';
import type { CocoResults } from '../coco/results.js';
import { type Interval, percentileInterval } from './percentile.js';
import { type PreparedEvaluation, prepareBootstrap } from './prepare.js';
import { ResampleAccumulator } from './resample.js';
import { resamplesInWorker, worthParallel } from './parallel.js';
import { DEFAULT_RESAMPLES, type ResampleOptions, type ResampleRun, runResamples } from './run.js';

/**
 * Runs the resamples of `options` through `each` (per resample, the figures
 * of every prepared evaluation), sharing seeded draws with a second thread
 * when that pays. Figures arrive in resample order.
 */
async function figuresOfResamples(
  prepared: PreparedEvaluation[],
  options: ResampleOptions,
  each: (figures: { stats: ArrayLike<number>; perCategoryAp: ArrayLike<number> }[]) => void,
): Promise<ResampleRun> {
  const accumulators = prepared.map((p) => new ResampleAccumulator(p));
  const count = options.resamples ?? DEFAULT_RESAMPLES;
  const split =
    options.file === undefined &&
    options.writeFile === undefined &&
    count >= 2 &&
    (options.threads === undefined ? worthParallel(prepared, count) : options.threads > 1);
  if (!split) return runResamples(prepared[0]!.imageIds, options, (ranks) => each(accumulators.map((acc) => acc.figures(ranks, true))));
  const half = Math.ceil(count / 2);
  const seed = options.seed ?? 0;
  const worker = resamplesInWorker(prepared, seed, half, count);
  try {
    const mine = await runResamples(prepared[0]!.imageIds, { ...options, resamples: half, onProgress: (d) => options.onProgress?.(d, count) }, (ranks) =>
      each(accumulators.map((acc) => acc.figures(ranks, true))),
    );
    const theirs = await worker.result;
    const nStats = theirs.stats.map((s) => s.length / (count - half));
    const K = prepared.map((p) => p.categoryIds.length);
    for (let i = 0; i < count - half; i++) {
      each(
        prepared.map((_, p) => ({
          stats: theirs.stats[p]!.subarray(i * nStats[p]!, (i + 1) * nStats[p]!),
          perCategoryAp: theirs.perCategory[p]!.subarray(i * K[p]!, (i + 1) * K[p]!),
        })),
      );
    }
    options.onProgress?.(count, count);
    return { ...mine, count };
  } finally {
    await worker.stop();
  }
}

/** A figure of the full sample with its bootstrap interval. */
export interface FigureInterval extends Interval {
  /** The figure on the images as given (the official figure). */
  value: number;
}

export interface CocoBootstrap extends ResampleRun {
  task: CocoTask;
  /** summarize()'s figures with their intervals. */
  stats: FigureInterval[];
  perCategory: ({ categoryId: number; name: string } & FigureInterval)[];
  /** Each resample's summarize() figures (with a resample file, or when asked). */
  figures?: number[][];
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, r) => r);
}

/** Column j of rows stored flat with `width` values per row. */
function column(flat: readonly number[], width: number, j: number): Float64Array {
  const out = new Float64Array(flat.length / width);
  for (let i = 0; i < out.length; i++) out[i] = flat[i * width + j]!;
  return out;
}

/**
 * Bootstrap intervals of a prepared evaluation (see prepareBootstrap).
 *
 * @example
 * ```ts
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const ci = await bootstrapPrepared(prepareBootstrap('bbox', gt, results), { resamples: 1000, seed: 1 });
 * console.log(ci.stats[0]); // { value, low, high, defined }
 * ```
 */
export async function bootstrapPrepared(prepared: PreparedEvaluation, options: ResampleOptions = {}): Promise<CocoBootstrap> {
  const accumulator = new ResampleAccumulator(prepared);
  const point = accumulator.figures(identity(prepared.imageIds.length), true);
  const nStats = point.stats.length;
  const K = prepared.categoryIds.length;
  const stats: number[] = [];
  const perCategory: number[] = [];
  const run = await figuresOfResamples([prepared], options, ([f]) => {
    for (let j = 0; j < f!.stats.length; j++) stats.push(f!.stats[j]!);
    for (let k = 0; k < f!.perCategoryAp.length; k++) perCategory.push(f!.perCategoryAp[k]!);
  });
  const keep = options.keepFigures ?? options.file !== undefined;
  return {
    ...run,
    task: prepared.task,
    stats: point.stats.map((value, j) => ({ value, ...percentileInterval(column(stats, nStats, j), run.level) })),
    perCategory: prepared.categoryIds.map((categoryId, k) => ({
      categoryId,
      name: prepared.categoryNames[k]!,
      value: point.perCategoryAp[k]!,
      ...percentileInterval(column(perCategory, K, k), run.level),
    })),
    ...(keep && { figures: Array.from({ length: run.count }, (_, i) => stats.slice(i * nStats, (i + 1) * nStats)) }),
  };
}

/**
 * Bootstrap intervals of the figures of loaded ground truth and results.
 *
 * @example
 * ```ts
 * const ci = await bootstrapCoco('segm', gt, results, { resamples: 500, seed: 7, level: 0.9 });
 * ```
 */
export async function bootstrapCoco(
  task: CocoTask,
  gt: CocoGroundTruth,
  results: CocoResults,
  options: ResampleOptions & { eval?: CocoEvalOptions } = {},
): Promise<CocoBootstrap> {
  return bootstrapPrepared(prepareBootstrap(task, gt, results, options.eval), options);
}

/** One figure of a paired comparison. */
export interface PairedFigure {
  a: FigureInterval;
  b: FigureInterval;
  /** a - b on the full sample, and the interval of the per-resample differences. */
  difference: FigureInterval;
  /** Share of the resamples (where both are defined) in which A's figure is above B's. */
  aBeats: number;
  /** Share in which they are equal. */
  ties: number;
}

export interface CocoComparison extends ResampleRun {
  task: CocoTask;
  stats: PairedFigure[];
  perCategory: ({ categoryId: number; name: string } & PairedFigure)[];
  /** Each resample's summarize() figures of A and B (with a resample file, or when asked). */
  figures?: { a: number[]; b: number[] }[];
}

/**
 * One figure of two models compared on the same resamples (`a[i]` and `b[i]` from list i): each
 * model's interval, the interval of the differences, and how often A is above B. Resamples where
 * either is -1 (undefined) are left out of the difference.
 */
export function paired(valueA: number, valueB: number, a: Float64Array, b: Float64Array, level: number): PairedFigure {
  return {
    a: { value: valueA, ...percentileInterval(a, level) },
    b: { value: valueB, ...percentileInterval(b, level) },
    ...pairedDifference(valueA, valueB, a, b, level),
  };
}

/**
 * The difference part of {@link paired} alone: what a challenge leaderboard compares neighbours
 * with, from stored figures (each team's own interval is stored with its submission).
 *
 * @example
 * ```ts
 * const gap = pairedDifference(0.61, 0.6, apOfA, apOfB, 0.95);
 * const significant = !(gap.difference.low <= 0 && gap.difference.high >= 0);
 * ```
 */
export function pairedDifference(valueA: number, valueB: number, a: Float64Array, b: Float64Array, level: number): Omit<PairedFigure, 'a' | 'b'> {
  const diff: number[] = [];
  let wins = 0;
  let ties = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === -1 || b[i] === -1) continue;
    diff.push(a[i]! - b[i]!);
    if (a[i]! > b[i]!) wins++;
    else if (a[i] === b[i]) ties++;
  }
  return {
    difference: { value: valueA === -1 || valueB === -1 ? Number.NaN : valueA - valueB, ...percentileInterval(diff, level, true) },
    aBeats: diff.length === 0 ? Number.NaN : wins / diff.length,
    ties: diff.length === 0 ? Number.NaN : ties / diff.length,
  };
}

/**
 * Paired bootstrap of two models on the same ground truth: both are
 * accumulated on the same resamples, so the interval of the difference
 * reflects only what the image sample does to the gap between them.
 *
 * @example
 * ```ts
 * const a = prepareBootstrap('bbox', gt, resultsA);
 * const b = prepareBootstrap('bbox', gt, resultsB);
 * const cmp = await comparePrepared(a, b, { resamples: 1000, seed: 1 });
 * console.log(cmp.stats[0].difference, cmp.stats[0].aBeats);
 * ```
 */
export async function comparePrepared(a: PreparedEvaluation, b: PreparedEvaluation, options: ResampleOptions = {}): Promise<CocoComparison> {
  if (a.task !== b.task || a.imageIds.length !== b.imageIds.length || a.imageIds.some((id, i) => id !== b.imageIds[i]))
    throw new RangeError('compare: both evaluations must be of the same task on the same images');
  const accA = new ResampleAccumulator(a);
  const accB = new ResampleAccumulator(b);
  const whole = identity(a.imageIds.length);
  const pointA = accA.figures(whole, true);
  const pointB = accB.figures(whole, true);
  const nStats = pointA.stats.length;
  const K = a.categoryIds.length;
  const statsA: number[] = [];
  const statsB: number[] = [];
  const catA: number[] = [];
  const catB: number[] = [];
  const run = await figuresOfResamples([a, b], options, ([fa, fb]) => {
    for (let j = 0; j < fa!.stats.length; j++) {
      statsA.push(fa!.stats[j]!);
      statsB.push(fb!.stats[j]!);
    }
    for (let k = 0; k < fa!.perCategoryAp.length; k++) {
      catA.push(fa!.perCategoryAp[k]!);
      catB.push(fb!.perCategoryAp[k]!);
    }
  });
  const keep = options.keepFigures ?? options.file !== undefined;
  return {
    ...run,
    task: a.task,
    stats: pointA.stats.map((value, j) => paired(value, pointB.stats[j]!, column(statsA, nStats, j), column(statsB, nStats, j), run.level)),
    perCategory: a.categoryIds.map((categoryId, k) => ({
      categoryId,
      name: a.categoryNames[k]!,
      ...paired(pointA.perCategoryAp[k]!, pointB.perCategoryAp[k]!, column(catA, K, k), column(catB, K, k), run.level),
    })),
    ...(keep && {
      figures: Array.from({ length: run.count }, (_, i) => ({ a: statsA.slice(i * nStats, (i + 1) * nStats), b: statsB.slice(i * nStats, (i + 1) * nStats) })),
    }),
  };
}
