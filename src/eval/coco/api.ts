/**
 * The file-level API: load ground truth and results (concurrently, in
 * worker threads), then evaluate on both cores. To evaluate loaded data
 * again with other options without reading the files again, use
 * loadCocoPair (or loadCocoGroundTruth + loadCocoResults) and CocoEvaluator.
 */
import type { AttributeName } from '../../schema/index.js';
import type { CocoEvalResult } from './evaluate.js';
import { requireAttributes } from './ground-truth.js';
import type { CocoEvalOptions } from './plan.js';
import { loadCocoPair, loadCocoValues } from './load.js';
import { CocoEvaluator } from './parallel.js';
import type { CocoTask } from './params.js';
import type { AttributeBreakdown } from './report.js';

/**
 * Evaluates a COCO results file against COCO ground truth (from
 * `convertSplitToCoco` or the release's converter): the figures the release's
 * official evaluation prints, in `stats` (summarize()'s 12 figures for bbox
 * and segm, 10 for keypoints) and per category.
 *
 * @example
 * ```ts
 * import { evaluateCocoFiles, cocoReportText } from 'df2/eval';
 * const result = await evaluateCocoFiles('bbox', 'val-coco.json', 'bbox_results.json', { matches: false });
 * console.log(result.stats[0], result.perCategoryAp);
 * process.stdout.write(cocoReportText(result));
 * ```
 */
export async function evaluateCocoFiles(task: CocoTask, gtFile: string, resultsFile: string, options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
  const { gt, results } = await loadCocoPair(task, gtFile, resultsFile, { onProgress: options.onProgress });
  const evaluator = CocoEvaluator.create(task, gt, results);
  try {
    return await evaluator.evaluate(options);
  } finally {
    await evaluator.close();
  }
}

/** COCO ground truth as `convertSplitToCoco` (or the release's converter) writes it, parsed or built in memory. */
export interface CocoGroundTruthObject {
  images: readonly unknown[];
  annotations: readonly unknown[];
  categories: readonly unknown[];
}

/** Options of {@link evaluateCocoObjects}: those of {@link evaluateCocoFiles}, and the names messages give the two values. */
export interface CocoObjectsEvalOptions extends CocoEvalOptions {
  /**
   * Stands for the ground truth's file name in an InputError's message.
   * @default 'ground truth'
   */
  gtName?: string;
  /**
   * Stands for the results' file name in an InputError's message.
   * @default 'results'
   */
  resultsName?: string;
}

/**
 * {@link evaluateCocoFiles} for ground truth and results that a program holds
 * in memory (built by the program, or parsed from somewhere other than a
 * file): the same checks, with the same one-line InputError (naming
 * `gtName` or `resultsName`, the entry and the field), and the same figures.
 * For files, prefer evaluateCocoFiles: it streams files of any size, while
 * the values here are whole in memory.
 *
 * @example
 * ```ts
 * import { evaluateCocoObjects } from 'df2/eval';
 * const gt = { images: [{ id: 1, width: 640, height: 480 }], annotations: [
 *   { id: 1, image_id: 1, category_id: 1, bbox: [10, 20, 100, 200], area: 20000, iscrowd: 0 }],
 *   categories: [{ id: 1, name: 'short_sleeved_shirt' }] };
 * const detections = [{ image_id: 1, category_id: 1, bbox: [12, 18, 98, 205], score: 0.9 }];
 * const result = await evaluateCocoObjects('bbox', gt, detections);
 * console.log(result.figures.ap, result.figures.ap50); // the official stats[0] and stats[1]
 * ```
 */
export async function evaluateCocoObjects(
  task: CocoTask,
  groundTruth: CocoGroundTruthObject,
  results: readonly unknown[],
  options: CocoObjectsEvalOptions = {},
): Promise<CocoEvalResult> {
  const { gtName = 'ground truth', resultsName = 'results', ...evalOptions } = options;
  const loaded = await loadCocoValues(task, { name: gtName, value: groundTruth }, { name: resultsName, value: results });
  const evaluator = CocoEvaluator.create(task, loaded.gt, loaded.results);
  try {
    return await evaluator.evaluate(evalOptions);
  } finally {
    await evaluator.close();
  }
}

/**
 * What `df2 eval <task> --by ...` computes: the overall figures and, per
 * attribute and value 1..3, [AP, AP50, AP75] over the ground truth with that
 * value. The ground truth must carry the attributes (`convertSplitToCoco`
 * with `attributes: true`); otherwise InputError. `onProgress` counts
 * evaluated categories over all the runs (1 + 3 per attribute) as one stage,
 * "evaluating", after the "reading ..." stages of the two files.
 *
 * @example
 * ```ts
 * import { evaluateCocoFilesByAttribute, cocoReportJson } from 'df2/eval';
 * const { result, by } = await evaluateCocoFilesByAttribute('segm', 'val-coco-attributes.json', 'segm_results.json', ['occlusion', 'scale']);
 * console.log(by.occlusion?.['3']); // [AP, AP50, AP75] of heavily occluded items
 * console.log(JSON.stringify(cocoReportJson(result, by)));
 * ```
 */
export async function evaluateCocoFilesByAttribute(
  task: CocoTask,
  gtFile: string,
  resultsFile: string,
  attributes: readonly AttributeName[],
  options: Pick<CocoEvalOptions, 'quiet' | 'onProgress'> = {},
): Promise<{ result: CocoEvalResult; by: AttributeBreakdown | undefined }> {
  const { gt, results } = await loadCocoPair(task, gtFile, resultsFile, { onProgress: options.onProgress });
  requireAttributes(gt, attributes);
  const categories = gt.categories.id.length;
  const runs = 1 + 3 * attributes.length;
  let finished = 0;
  const onProgress = (_stage: string, done: number): void => {
    options.onProgress?.('evaluating', finished * categories + done, runs * categories);
    if (done === categories) finished++;
  };
  const evaluator = CocoEvaluator.create(task, gt, results);
  try {
    const result = await evaluator.evaluate({ quiet: options.quiet, onProgress, matches: false });
    const by = attributes.length > 0 ? await evaluator.evaluateByAttribute(attributes, { quiet: options.quiet, onProgress }) : undefined;
    return { result, by };
  } finally {
    await evaluator.close();
  }
}
