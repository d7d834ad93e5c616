/**
 * Sharing drawn resamples with a second thread: the resamples are
 * independent, so the last part of them (by index) is computed in a worker
 * while this thread does the first. Used for seeded draws only (a resample
 * file is read in order in this thread, and written lists come from this
 * thread too), when the machine has two cores and the work is large enough
 * to pay for copying the prepared evaluations.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PreparedEvaluation } from './prepare.js';
import type { ResampleJob, ResampleJobResult } from './resample-worker.js';

/** Below this many kept detections (all evaluations together), one thread is faster. */
const PARALLEL_DETECTIONS = 20_000;

export function worthParallel(prepared: readonly PreparedEvaluation[], count: number): boolean {
  if (availableParallelism() < 2 || count < 16) return false;
  let detections = 0;
  for (const p of prepared) for (const c of p.categories) detections += c.areas[0]?.n ?? 0;
  return detections >= PARALLEL_DETECTIONS;
}

/** Starts resamples [from, to) of `seed` in a worker; resolves with their figures. */
export function resamplesInWorker(
  prepared: PreparedEvaluation[],
  seed: number,
  from: number,
  to: number,
): { result: Promise<ResampleJobResult>; stop: () => Promise<void> } {
  const job: ResampleJob = { prepared, seed, from, to };
  const worker = new Worker(new URL('./resample-worker.js', import.meta.url), { workerData: job });
  const result = new Promise<ResampleJobResult>((resolve, reject) => {
    worker.once('message', (message: ResampleJobResult) => (message.error === undefined ? resolve(message) : reject(new Error(message.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the bootstrap thread stopped (exit code ${code})`)));
  });
  return { result, stop: async () => void (await worker.terminate()) };
}
