/**
 * Worker-thread entry of the helper thread (helper-thread.ts): it reads the
 * second half of a large results file, and evaluates the categories it is
 * given. For the evaluation it holds the loaded ground truth and results
 * (their typed arrays are shared, not copied); its similarity cache lives as
 * long as it does, so repeated evaluations (per attribute) reuse IoUs and OKS.
 */
import { serveCalls } from '../../util/worker-serve.js';
import { transferablesOf } from '../../util/worker-messages.js';
import { type EvaluationPart, claimFrom, evaluateCategories, evaluateClaimed } from './evaluate.js';
import type { EvalRequest, EvalWorkerData } from './eval-protocol.js';
import type { HelperEvent, HelperReply, HelperRequest } from './helper-thread.js';
import { receivePlan } from './plan.js';
import { readResultsTail } from './results-tail.js';

let data: EvalWorkerData | undefined;

function evaluate(request: EvalRequest): EvaluationPart {
  if (request.data) data = request.data;
  if (!data) throw new Error('the evaluation thread was called before it was given its data');
  const plan = receivePlan(data.task, data.gt, data.res, request.plan);
  const { categories } = request;
  return Array.isArray(categories) ? evaluateCategories(plan, categories) : evaluateClaimed(plan, claimFrom(categories));
}

serveCalls<HelperRequest, HelperReply, HelperEvent>(
  (request, context) => ('tail' in request ? readResultsTail(request.tail, (start) => context.emit({ start })) : evaluate(request.evaluate)),
  { transfer: transferablesOf },
);
