/**
 * Worker-thread entry of CocoEvaluator: holds the loaded ground truth and
 * results (their typed arrays are shared, not copied) and evaluates the
 * categories it is given. Its similarity cache lives as long as it does, so
 * repeated evaluations (per attribute) reuse IoUs and OKS.
 */
import { serveCalls } from '../../util/worker-serve.js';
import { transferablesOf } from '../../util/worker-messages.js';
import { type EvaluationPart, claimFrom, evaluateCategories, evaluateClaimed } from './evaluate.js';
import { receivePlan } from './plan.js';
import type { EvalRequest, EvalWorkerData } from './eval-protocol.js';

let data: EvalWorkerData | undefined;

serveCalls<EvalRequest, EvaluationPart>(
  (request) => {
    if (request.data) data = request.data;
    if (!data) throw new Error('the evaluation thread was called before it was given its data');
    const plan = receivePlan(data.task, data.gt, data.res, request.plan);
    const { categories } = request;
    return Array.isArray(categories) ? evaluateCategories(plan, categories) : evaluateClaimed(plan, claimFrom(categories));
  },
  { transfer: transferablesOf },
);
