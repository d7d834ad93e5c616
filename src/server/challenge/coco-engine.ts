/**
 * The COCO-style tasks (bbox, segm, keypoints, keypoints_visible) with the
 * engine of `df2 eval` (src/eval/coco): the files are loaded once, then
 * evaluated as a whole and once per attribute value when the ground truth
 * carries the four attributes (`df2 convert coco --attributes`). The same
 * evaluation makes the submission's report (its match records, attribute
 * tables and loaded files are kept for it): nothing is evaluated twice.
 */
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import {
  evaluateByAttribute,
  evaluateLoaded,
  loadCocoPair,
  loadCocoResults,
  type CocoGroundTruth,
  type CocoBootstrap,
  type CocoResults,
  type CocoTask as EngineTask,
} from '../../eval/index.js';
import { boxesStandingInForMasks, firstMissingAttribute, type CocoResultsData } from '../../eval/internal.js';
import { InputError } from '../../util/errors.js';
import type { EvaluatedCocoTask } from '../../render/index.js';
import type { PhaseIntervals } from './config.js';
import type { GroundTruthMemory } from './ground-truth-memory.js';
import { serverSnapshotCache } from '../snapshot-cache.js';
import { cocoResampledFigure, type ResampledFigure } from './resample-figures.js';
import { COCO_SUBSET_STAT_NAMES } from './tasks.js';
import type { EvaluationResult, Task } from './types.js';

type CocoTask = Exclude<Task, 'retrieval'>;

interface CocoTaskEvaluation {
  figures: Omit<EvaluationResult, 'statNames' | 'seconds'>;
  /** What the report of the same evaluation is made of. */
  evaluated: EvaluatedCocoTask;
  /** With the phase's intervals: AP on each of its resample lists (the report shows the intervals of the same bootstrap). */
  resampled?: ResampledFigure<CocoBootstrap>;
}

/**
 * A segm submission whose results carry a bbox and no segmentation is refused. The official loader (and `df2 eval`,
 * which warns) scores each such box as a rectangular mask; on a leaderboard of masks that is nearly always box
 * results sent to the wrong task, and the submitter sees no warning there: one line saying so, instead of a figure.
 */
function refuseBoxesAsMasks(results: CocoResultsData): void {
  const { count, first } = boxesStandingInForMasks(results);
  if (count === 0) return;
  throw new InputError(
    results.file,
    `[${first}].segmentation`,
    `a mask (an RLE): ${count} of ${results.count} result(s) have a bbox and no segmentation, which a segm evaluation would score as rectangles (are these bbox results?)`,
    'none',
  );
}

export async function evaluateCocoTask(
  task: CocoTask,
  gtFile: string,
  resultsFile: string,
  snapshotDir?: string,
  intervals?: PhaseIntervals,
  memory?: GroundTruthMemory,
): Promise<CocoTaskEvaluation> {
  // keypoints_visible is the keypoints evaluation against the visible-only ground truth (coco-visible.json).
  const engineTask = task === 'keypoints_visible' ? 'keypoints' : task;
  const { gt, results } = await loadFiles(engineTask, gtFile, resultsFile, snapshotDir, memory);
  if (engineTask === 'segm') refuseBoxesAsMasks(results);
  // With the match records: the report's histograms, counts and worst images read them.
  const whole = evaluateLoaded(engineTask, gt, results, { quiet: true });
  const figures: Omit<EvaluationResult, 'statNames' | 'seconds'> = {
    task,
    stats: whole.stats,
    perCategoryAp: whole.perCategoryAp.map((c) => ({ category_id: c.categoryId, ap: c.ap })),
  };
  const hasAttributes = gt.annotations.count > 0 && ATTRIBUTE_NAMES.every((_name, a) => firstMissingAttribute(gt, a) < 0);
  const byAttribute = hasAttributes ? evaluateByAttribute(engineTask, gt, results, ATTRIBUTE_NAMES, { quiet: true }) : undefined;
  if (byAttribute) {
    figures.subsets = byAttribute;
    figures.subsetStatNames = COCO_SUBSET_STAT_NAMES;
  }
  // The files loaded once serve the bootstrap too.
  const resampled = intervals && (await cocoResampledFigure(task, engineTask, gt, results, intervals));
  if (resampled) {
    figures.interval = resampled.interval;
    figures.statIntervals = resampled.statIntervals;
    if (resampled.perCategoryApIntervals) figures.perCategoryApIntervals = resampled.perCategoryApIntervals;
  }
  return {
    figures,
    evaluated: { task: engineTask, gtFile, resultsFile, gt, results, result: whole, byAttribute, ...(resampled && { intervals: resampled.bootstrap }) },
    ...(resampled && { resampled }),
  };
}

/**
 * The ground truth (from this process's memory, else its snapshot, else its JSON) and the results. The report's
 * confusion matrix of segm results reads boxes (a mask result's box is its mask's bounding box): segm loads them too.
 */
async function loadFiles(
  task: EngineTask,
  gtFile: string,
  resultsFile: string,
  snapshotDir?: string,
  memory?: GroundTruthMemory,
): Promise<{ gt: CocoGroundTruth; results: CocoResults }> {
  const extraTasks: EngineTask[] = task === 'segm' ? ['bbox'] : [];
  const tasks = [task, ...extraTasks];
  const kept = memory?.lookup(gtFile, tasks);
  if (kept) return { gt: kept, results: await loadCocoResults(resultsFile, kept, tasks) };
  const start = memory?.startRead(gtFile);
  const loaded = await loadCocoPair(task, gtFile, resultsFile, { extraTasks, cache: serverSnapshotCache(snapshotDir) });
  if (start) memory!.keep(start, loaded.gt);
  return loaded;
}
