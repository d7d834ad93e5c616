/**
 * The file-level API: load ground truth and results (concurrently, in
 * worker threads when it pays), then evaluate. Loaded data can be evaluated
 * again with other options through evaluateLoaded.
 */
import { type CocoEvalOptions, type CocoEvalResult, evaluateLoaded } from './evaluate.js';
import { loadCocoPair } from './load.js';
import type { CocoTask } from './params.js';

export async function evaluateCocoFiles(task: CocoTask, gtFile: string, resultsFile: string, options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
  const { gt, results } = await loadCocoPair(task, gtFile, resultsFile, { onProgress: options.onProgress });
  return evaluateLoaded(task, gt, results, options);
}
