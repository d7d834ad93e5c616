/**
 * The file-level API: load ground truth and results (concurrently, in
 * worker threads), then evaluate on both cores. To evaluate loaded data
 * again with other options without reading the files again, use
 * loadCocoPair (or loadCocoGroundTruth + loadCocoResults) and CocoEvaluator.
 */
import type { CocoEvalOptions, CocoEvalResult } from './evaluate.js';
import { loadCocoPair } from './load.js';
import { CocoEvaluator } from './parallel.js';
import type { CocoTask } from './params.js';

export async function evaluateCocoFiles(task: CocoTask, gtFile: string, resultsFile: string, options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
  const { gt, results } = await loadCocoPair(task, gtFile, resultsFile, { onProgress: options.onProgress });
  const evaluator = CocoEvaluator.create(task, gt, results);
  try {
    return await evaluator.evaluate(options);
  } finally {
    await evaluator.close();
  }
}
