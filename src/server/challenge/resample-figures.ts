/**
 * A submission's figure on each of its phase's resample lists (phases with
 * `intervals:` in challenge.yaml), computed in the evaluation child from the
 * evaluation it has already loaded, with the bootstrap of `df2 eval --ci`
 * (src/eval/bootstrap). Only the leaderboard's figure is kept on each list
 * (AP, or top-20 for retrieval): it is what neighbours on the board are
 * compared by, and 1,000 doubles a submission stay small in the database.
 * Every figure's interval is kept too (a few numbers each), for the
 * submission's own page, and the bootstrap itself goes to the submission's
 * report: its intervals are those stored, from the same draws.
 */
import { bootstrapPrepared, bootstrapRetrieval, prepareBootstrap } from '../../eval/index.js';
import type { CocoBootstrap, CocoGroundTruth, CocoResults, RetrievalBootstrap, RetrievalInputs, RetrievalResult } from '../../eval/index.js';
import type { PhaseIntervals } from './config.js';
import { PRIMARY_FIGURE_NAME } from './tasks.js';
import type { ResultInterval, Task } from './types.js';
import type { FigureBoundsJson } from '../../shared/api-types.js';

export interface ResampledFigure<Bootstrap = CocoBootstrap | RetrievalBootstrap> {
  interval: ResultInterval;
  /** The figure on resample list i (-1 where it is undefined, as in summarize()). */
  figures: Float64Array;
  /** Every figure of the submission's stats with its interval, from the same lists (the submission page shows them). */
  statIntervals: FigureBoundsJson[];
  /** COCO tasks: AP per category with its interval. */
  perCategoryApIntervals?: FigureBoundsJson[];
  /**
   * The bootstrap all of the above come from, for the submission's report (one set of draws for the figures and the
   * page), without its per-list figures, which the report does not read.
   */
  bootstrap: Bootstrap;
}

/** The index of the leaderboard's figure among the retrieval bootstrap's figures (top-20). */
const RETRIEVAL_PRIMARY = 4;

/**
 * One thread: the server's `--workers` decides how many evaluations share the machine's cores, and a
 * bootstrap that took a second one would break that count.
 */
const settings = (intervals: PhaseIntervals) => ({
  resamples: intervals.resamples,
  seed: intervals.seed,
  level: intervals.level,
  keepFigures: true,
  threads: 1,
});

/**
 * The AP of a COCO-style submission on each resample list of the phase.
 *
 * @example
 * const { interval, figures } = await cocoResampledFigure('bbox', 'bbox', gt, results, { resamples: 1000, level: 0.95, seed: 0 });
 */
export async function cocoResampledFigure(
  task: Exclude<Task, 'retrieval'>,
  engineTask: 'bbox' | 'segm' | 'keypoints',
  gt: CocoGroundTruth,
  results: CocoResults,
  intervals: PhaseIntervals,
): Promise<ResampledFigure<CocoBootstrap>> {
  const { figures: lists, ...ci } = await bootstrapPrepared(prepareBootstrap(engineTask, gt, results), settings(intervals));
  const figures = Float64Array.from(lists!, (stats) => stats[0]!);
  const ap = ci.stats[0]!;
  return {
    figures,
    interval: intervalOf(task, ap, intervals),
    statIntervals: ci.stats.map(bounds),
    perCategoryApIntervals: ci.perCategory.map(bounds),
    bootstrap: ci,
  };
}

/**
 * The top-20 accuracy of a retrieval submission on each resample list of the phase (lists of query images).
 *
 * @example
 * const { interval } = await retrievalResampledFigure(inputs, result.outcomes, { resamples: 1000, level: 0.95, seed: 0 });
 */
export async function retrievalResampledFigure(
  inputs: Pick<RetrievalInputs, 'queries'>,
  outcomes: RetrievalResult['outcomes'],
  intervals: PhaseIntervals,
): Promise<ResampledFigure<RetrievalBootstrap>> {
  const { lists, ...ci } = await bootstrapRetrieval(inputs.queries, outcomes, settings(intervals));
  const figures = Float64Array.from(lists!, (list) => list[RETRIEVAL_PRIMARY]!);
  return { figures, interval: intervalOf('retrieval', ci.figures[RETRIEVAL_PRIMARY]!, intervals), statIntervals: ci.figures.map(bounds), bootstrap: ci };
}

/** A figure's bounds as stored (JSON has no NaN: null where no resample defined it). */
function bounds(f: { low: number; high: number; defined: number }): FigureBoundsJson {
  return f.defined > 0 ? { low: f.low, high: f.high, defined: f.defined } : { low: null, high: null, defined: 0 };
}

function intervalOf(task: Task, figure: { low: number; high: number; defined: number }, intervals: PhaseIntervals): ResultInterval {
  return {
    figure: PRIMARY_FIGURE_NAME[task],
    low: figure.low,
    high: figure.high,
    level: intervals.level,
    resamples: intervals.resamples,
    defined: figure.defined,
    seed: intervals.seed,
  };
}
