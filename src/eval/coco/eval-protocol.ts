/** What CocoEvaluator (parallel.ts) and its evaluation thread (helper-worker.ts) send each other. */
import type { CategoryClaims } from './evaluate.js';
import type { PortablePlan } from './plan.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { CocoResults } from './results.js';

/** The data the thread evaluates, sent with the first call (typed arrays on shared buffers: shared, not copied). */
export interface EvalWorkerData {
  task: CocoTask;
  gt: CocoGroundTruth;
  res: CocoResults;
}

/**
 * Evaluate the caller's plan, for these category ranks, or for those the
 * thread takes from a queue it shares with the caller; the reply is their
 * EvaluationPart.
 */
export interface EvalRequest {
  /** With the first call only: the thread keeps it for the later ones. */
  data?: EvalWorkerData;
  plan: PortablePlan;
  categories: number[] | CategoryClaims;
}
