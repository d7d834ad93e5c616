/**
 * Loading ground truth and results. The two files are independent until
 * they are linked, so they are read at the same time: the ground truth in a
 * worker thread, the results in this thread (both parse JSON, which is most
 * of the time of an evaluation). The typed storage crosses threads without
 * copying.
 */
import { type CocoGroundTruth, readCocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import { type CocoResults, linkResults, readCocoResults } from './results.js';
import { runLoadWorker } from './worker-client.js';

export type LoadProgress = (stage: string, done: number, total: number) => void;

export interface LoadOptions {
  onProgress?: LoadProgress;
  /** Read in a worker thread (default true). */
  useWorker?: boolean;
  /** Stops the worker (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Loads a COCO ground-truth file for the given tasks (default all three). */
export async function loadCocoGroundTruth(file: string, tasks: readonly CocoTask[] = ['bbox', 'segm', 'keypoints'], options: LoadOptions = {}): Promise<CocoGroundTruth> {
  const onProgress = options.onProgress && ((done: number, total: number) => options.onProgress!('reading ground truth', done, total));
  if (options.useWorker === false) return readCocoGroundTruth(file, { tasks, onProgress });
  return runLoadWorker({ kind: 'ground-truth', file, tasks }, onProgress, options.signal) as Promise<CocoGroundTruth>;
}

/** Loads a results file and checks it against the ground truth. */
export async function loadCocoResults(file: string, gt: CocoGroundTruth, tasks: readonly CocoTask[], options: LoadOptions = {}): Promise<CocoResults> {
  const onProgress = options.onProgress && ((done: number, total: number) => options.onProgress!('reading results', done, total));
  const data = await readCocoResults(file, { tasks, onProgress });
  return linkResults(gt, data);
}

/**
 * Both files of one evaluation, read concurrently. A problem in either file
 * stops the other read: bad results terminate the ground-truth worker, bad
 * ground truth ends the results read at its next chunk.
 */
export async function loadCocoPair(task: CocoTask, gtFile: string, resultsFile: string, options: LoadOptions = {}): Promise<{ gt: CocoGroundTruth; results: CocoResults }> {
  const tasks = [task];
  const controller = new AbortController();
  let gtFailure: unknown;
  const gtPromise = loadCocoGroundTruth(gtFile, tasks, { ...options, signal: controller.signal });
  gtPromise.catch((err: unknown) => (gtFailure = err));
  let data;
  try {
    data = await readCocoResults(resultsFile, {
      tasks,
      onProgress(done, total) {
        if (gtFailure !== undefined) throw gtFailure;
        options.onProgress?.('reading results', done, total);
      },
    });
  } catch (err) {
    if (gtFailure !== undefined) throw gtFailure;
    controller.abort(err);
    throw err;
  }
  const gt = await gtPromise;
  return { gt, results: linkResults(gt, data) };
}
