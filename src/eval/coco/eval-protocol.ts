/** What CocoEvaluator (parallel.ts) and its evaluation thread (eval-worker.ts) send each other. */
import type { CocoEvalOptions } from './plan.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { CocoResults } from './results.js';

/** The data the thread evaluates, given at its start (typed arrays on shared buffers: shared, not copied). */
export interface EvalWorkerData {
  task: CocoTask;
  gt: CocoGroundTruth;
  res: CocoResults;
}

/** Evaluate these category ranks of the plan made from these options; the reply is their EvaluationPart. */
export interface EvalRequest {
  options: CocoEvalOptions;
  categories: number[];
}
