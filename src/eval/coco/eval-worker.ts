/**
 * Worker-thread entry of CocoEvaluator: holds the loaded ground truth and
 * results (their typed arrays are shared, not copied) and evaluates the
 * categories it is given. Its similarity cache lives as long as it does, so
 * repeated evaluations (per attribute) reuse IoUs and OKS.
 */
import { parentPort } from 'node:worker_threads';
import { type EvaluationPart, evaluateCategories } from './evaluate.js';
import { planEvaluation } from './plan.js';
import type { EvalRequest, EvalResponse } from './eval-protocol.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { CocoResults } from './results.js';
import { errorToMessage, transferablesOf } from './load-protocol.js';

let loaded: { task: CocoTask; gt: CocoGroundTruth; res: CocoResults } | null = null;
const post = (message: EvalResponse, part?: EvaluationPart): void => parentPort!.postMessage(message, part ? transferablesOf(part) : []);

parentPort!.on('message', (message: EvalRequest) => {
  if (message.type === 'init') {
    loaded = { task: message.task, gt: message.gt, res: message.res };
    return;
  }
  try {
    if (!loaded) throw new Error('evaluation thread: no data');
    const plan = planEvaluation(loaded.task, loaded.gt, loaded.res, message.options);
    const part = evaluateCategories(plan, message.categories);
    post({ type: 'part', id: message.id, part }, part);
  } catch (err) {
    post({ ...errorToMessage(err), id: message.id });
  }
});
