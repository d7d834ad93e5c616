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
import { loadCocoPair } from './load.js';
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
