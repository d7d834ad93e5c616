/**
 * The evaluation of one submission with the same engine as `df2 eval`:
 * the COCO-style tasks through src/eval (evaluateCocoFiles), retrieval
 * through src/eval/retrieval. Runs inside the evaluation child process
 * (eval-child.ts), never in a request.
 */
import { join } from 'node:path';
import { ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import { evaluateRetrieval, loadRetrievalInputs } from '../../eval/index.js';
import type { TopKAccuracy } from '../../eval/index.js';
import { COCO_SUBSET_STAT_NAMES, GT_FILES, RETRIEVAL_STAT_NAMES, statNames } from './tasks.js';
import type { EvaluationResult, Task } from './types.js';
import { evaluateCocoTask } from './coco-engine.js';

const topK = (a: TopKAccuracy): number[] => [a.top1, a.top5, a.top10, a.top15, a.top20];

export async function evaluateSubmission(task: Task, gtDir: string, resultsFile: string): Promise<EvaluationResult> {
  const started = performance.now();
  const result =
    task === 'retrieval' ? await evaluateRetrievalTask(gtDir, resultsFile) : await evaluateCocoTask(task, join(gtDir, GT_FILES[task][0]!), resultsFile);
  return { ...result, statNames: statNames(task), seconds: (performance.now() - started) / 1000 };
}

async function evaluateRetrievalTask(gtDir: string, resultsFile: string): Promise<Omit<EvaluationResult, 'statNames' | 'seconds'>> {
  const [queryFile, galleryFile] = GT_FILES.retrieval.map((f) => join(gtDir, f)) as [string, string];
  const inputs = await loadRetrievalInputs(queryFile, galleryFile, resultsFile);
  // Per-attribute tables when every counted query carries the four attributes.
  const counted = inputs.queries.items.filter((q) => q.style > 0);
  const by: AttributeName[] =
    counted.length > 0 && counted.every((q) => ATTRIBUTE_NAMES.every((a) => q.attributes[a] !== undefined)) ? [...ATTRIBUTE_NAMES] : [];
  const result = evaluateRetrieval(inputs, { by });
  const out: Omit<EvaluationResult, 'statNames' | 'seconds'> = {
    task: 'retrieval',
    stats: topK(result),
    queries: result.queries,
    missed: result.missed,
  };
  if (by.length > 0) {
    out.subsets = {};
    for (const name of by) {
      out.subsets[name] = Object.fromEntries(Object.entries(result.by[name] ?? {}).map(([v, a]) => [v, topK(a)]));
    }
    out.subsetStatNames = RETRIEVAL_STAT_NAMES;
  }
  return out;
}

export { COCO_SUBSET_STAT_NAMES };
