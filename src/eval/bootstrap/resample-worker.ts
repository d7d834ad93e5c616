/**
 * Worker-thread entry of the parallel bootstrap (parallel.ts): given the
 * prepared evaluations (copied once) and a seed, computes the figures of
 * the drawn resamples [from, to) and posts them back in one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedEvaluation } from './prepare.js';
import { ResampleAccumulator } from './resample.js';
import { drawResample } from './resamples.js';

export interface ResampleJob {
  prepared: PreparedEvaluation[];
  seed: number;
  from: number;
  to: number;
}

/** Per prepared evaluation: stats and per-category AP of each resample, flat. */
export interface ResampleJobResult {
  stats: Float64Array[];
  perCategory: Float64Array[];
  error?: string;
}

const job = workerData as ResampleJob;
try {
  const accumulators = job.prepared.map((p) => new ResampleAccumulator(p));
  const n = job.prepared[0]!.imageIds.length;
  const ranks = new Int32Array(n);
  const stats: number[][] = job.prepared.map(() => []);
  const perCategory: number[][] = job.prepared.map(() => []);
  for (let i = job.from; i < job.to; i++) {
    drawResample(n, job.seed, i, ranks);
    accumulators.forEach((acc, p) => {
      const f = acc.figures(ranks, true);
      stats[p]!.push(...f.stats);
      perCategory[p]!.push(...f.perCategoryAp);
    });
  }
  const result: ResampleJobResult = { stats: stats.map((s) => Float64Array.from(s)), perCategory: perCategory.map((s) => Float64Array.from(s)) };
  parentPort!.postMessage(
    result,
    [...result.stats, ...result.perCategory].map((a) => a.buffer as ArrayBuffer),
  );
} catch (err) {
  parentPort!.postMessage({ stats: [], perCategory: [], error: err instanceof Error ? err.message : String(err) } satisfies ResampleJobResult);
}
