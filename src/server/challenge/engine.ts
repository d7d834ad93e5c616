/**
 * The evaluation of one submission with the same engine as `df2 eval`:
 * the COCO-style tasks through src/eval (coco-engine.ts), retrieval through
 * src/eval/retrieval. Evaluated once: the figures and the report are both
 * made from that one evaluation. Runs inside the evaluation child process
 * (eval-child.ts), never in a request.
 */
import { join } from 'node:path';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { evaluateRetrieval, loadRetrievalInputs } from '../../eval/index.js';
import type { TopKAccuracy } from '../../eval/internal.js';
import { evaluatedReportPage, retrievalReportAttributes, type EvaluatedReportOptions } from '../../render/index.js';
import { GT_FILES, RETRIEVAL_STAT_NAMES, statNames } from './tasks.js';
import type { EvaluationResult, Task } from './types.js';
import { evaluateCocoTask } from './coco-engine.js';
import type { PhaseIntervals } from './config.js';
import type { GroundTruthMemory } from './ground-truth-memory.js';
import { retrievalResampledFigure } from './resample-figures.js';

const topK = (a: TopKAccuracy): number[] => [a.top1, a.top5, a.top10, a.top15, a.top20];

export interface SubmissionEvaluation {
  result: EvaluationResult;
  /** With the phase's intervals: the leaderboard's figure on each of the phase's resample lists (`result.interval` is its interval). */
  resampleFigures?: Float64Array;
  /** The report page of this same evaluation (no second evaluation); names files through `displayName`. */
  reportPage(options: { title: string; displayName: (path: string) => string }): string;
}

type Evaluated = {
  figures: Omit<EvaluationResult, 'statNames' | 'seconds'>;
  report: Pick<EvaluatedReportOptions, 'tasks' | 'retrieval'>;
  resampleFigures?: Float64Array;
};

export async function evaluateSubmission(
  task: Task,
  gtDir: string,
  resultsFile: string,
  options: { snapshotDir?: string; intervals?: PhaseIntervals; memory?: GroundTruthMemory } = {},
): Promise<SubmissionEvaluation> {
  const started = performance.now();
  const { figures, report, resampleFigures }: Evaluated =
    task === 'retrieval'
      ? await evaluateRetrievalTask(gtDir, resultsFile, options.intervals)
      : await evaluateCocoTask(task, join(gtDir, GT_FILES[task][0]!), resultsFile, options.snapshotDir, options.intervals, options.memory).then((e) => ({
          figures: e.figures,
          report: { tasks: [e.evaluated] },
          ...(e.resampled && { resampleFigures: e.resampled.figures }),
        }));
  return {
    result: { ...figures, statNames: statNames(task), seconds: (performance.now() - started) / 1000 },
    ...(resampleFigures && { resampleFigures }),
    reportPage: (options) => evaluatedReportPage({ ...options, ...report }),
  };
}

async function evaluateRetrievalTask(gtDir: string, resultsFile: string, intervals?: PhaseIntervals): Promise<Evaluated> {
  const [query, gallery] = GT_FILES.retrieval.map((f) => join(gtDir, f)) as [string, string];
  const inputs = await loadRetrievalInputs(query, gallery, resultsFile);
  // Broken down by every attribute all counted queries carry (the report's tables); the
  // figures keep per-attribute tables when those are all four.
  const by = retrievalReportAttributes(inputs);
  const result = evaluateRetrieval(inputs, { by });
  const figures: Evaluated['figures'] = { task: 'retrieval', stats: topK(result), queries: result.queries, missed: result.missed };
  if (by.length === ATTRIBUTE_NAMES.length) {
    figures.subsets = {};
    for (const name of by) {
      figures.subsets[name] = Object.fromEntries(Object.entries(result.by[name] ?? {}).map(([v, a]) => [v, topK(a)]));
    }
    figures.subsetStatNames = RETRIEVAL_STAT_NAMES;
  }
  const resampled = intervals && (await retrievalResampledFigure(inputs, result.outcomes, intervals));
  if (resampled) {
    figures.interval = resampled.interval;
    figures.statIntervals = resampled.statIntervals;
    if (resampled.perCategoryApIntervals) figures.perCategoryApIntervals = resampled.perCategoryApIntervals;
  }
  return {
    figures,
    report: { retrieval: { files: { query, gallery, results: resultsFile }, result, ...(resampled && { intervals: resampled.bootstrap }) } },
    ...(resampled && { resampleFigures: resampled.figures }),
  };
}
