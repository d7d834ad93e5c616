/** Messages between CocoEvaluator (parallel.ts) and its evaluation thread (eval-worker.ts). */
import type { EvaluationPart } from './evaluate.js';
import type { CocoEvalOptions } from './plan.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { CocoResults } from './results.js';
import type { ErrorMessage } from './load-protocol.js';

export type EvalRequest =
  | { type: 'init'; task: CocoTask; gt: CocoGroundTruth; res: CocoResults }
  /** Evaluate these category ranks of the plan made from these options. */
  | { type: 'evaluate'; id: number; options: CocoEvalOptions; categories: number[] };

export type EvalResponse = { type: 'part'; id: number; part: EvaluationPart } | (ErrorMessage & { id: number });
