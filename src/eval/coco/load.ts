/**
 * Loading ground truth and results. The two files are independent until
 * they are linked, so they are read at the same time: the ground truth in a
 * worker thread, the results in this thread (both parse JSON, which is most
 * of the time of an evaluation). A small ground truth (SMALL_GROUND_TRUTH_BYTES)
 * is read in this thread, between the results' chunks: a worker costs more
 * to start than it saves. For segm, this thread then rasterizes
 * ground-truth segmentations that the worker has already read, while the
 * worker reads on. The typed storage crosses threads without copying.
 */
import { statSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { JsonValueSource } from '../../json/source.js';
import { MaskPartWriter, type SegmentationBatch, claimBatch, createBatchClaims, rasterizeUnclaimed } from './gt-masks.js';
import { type CocoGroundTruth, attachMasks, rasterizeGroundTruth, readCocoGroundTruth } from './ground-truth.js';
import { type CocoTask, requireCocoTask } from './params.js';
import { type CocoResults, linkResults, readCocoResults } from './results.js';
import { runLoadWorker } from './load-worker-client.js';
import { type SnapshotCacheOptions, readSnapshot, statIdentity, writeSnapshot } from './snapshot.js';

export type LoadProgress = (stage: string, done: number, total: number) => void;

export interface LoadOptions {
  onProgress?: LoadProgress;
  /**
   * Read the ground truth in a worker thread (true) or in this one (false).
   * @default a worker thread for a file of more than {@link SMALL_GROUND_TRUTH_BYTES}
   */
  useWorker?: boolean;
  /** Stops the worker (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * loadCocoPair: also load what these tasks read (e.g. 'bbox' for segm,
   * so that the boxes of both sides are there for the confusion matrix).
   */
  extraTasks?: readonly CocoTask[];
  /**
   * Ground truth: read it from its snapshot in this cache folder when one is
   * valid, else load the JSON and write one (see snapshot.ts).
   * @default no cache
   */
  cache?: SnapshotCacheOptions;
}

/** Loads a COCO ground-truth file for the given tasks (default all three). */
export async function loadCocoGroundTruth(
  file: string,
  tasks: readonly CocoTask[] = ['bbox', 'segm', 'keypoints'],
  options: LoadOptions = {},
): Promise<CocoGroundTruth> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(options.signal!.reason), { once: true });
  const loading = startGroundTruth(file, tasks, { ...options, signal: controller.signal });
  try {
    return await loading.finish();
  } catch (err) {
    controller.abort(err); // a bad mask found in this thread stops the worker
    throw err;
  }
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
export async function loadCocoPair(
  task: CocoTask,
  gtFile: string,
  resultsFile: string,
  options: LoadOptions = {},
): Promise<{ gt: CocoGroundTruth; results: CocoResults }> {
  requireCocoTask(task);
  for (const extra of options.extraTasks ?? []) requireCocoTask(extra);
  const tasks = [task, ...(options.extraTasks ?? []).filter((t) => t !== task)];
  const controller = new AbortController();
  const loading = startGroundTruth(gtFile, tasks, { ...options, signal: controller.signal });
  let gtFailure: { error: unknown } | undefined;
  loading.data.catch((error: unknown) => (gtFailure = { error }));
  try {
    const data = await readCocoResults(resultsFile, {
      tasks,
      onProgress(done, total) {
        if (gtFailure !== undefined) throw gtFailure.error;
        options.onProgress?.('reading results', done, total);
      },
    });
    const gt = await loading.finish();
    return { gt, results: linkResults(gt, data) };
  } catch (err) {
    const first = gtFailure ? gtFailure.error : err;
    controller.abort(first);
    throw first;
  }
}

/**
 * Ground truth and results that a program holds in memory, read and checked as their files would be, in
 * this thread (the values are already parsed: there is no file to read in a worker meanwhile).
 */
export async function loadCocoValues(
  task: CocoTask,
  gtValue: JsonValueSource,
  resultsValue: JsonValueSource,
): Promise<{ gt: CocoGroundTruth; results: CocoResults }> {
  requireCocoTask(task);
  const read = await readCocoGroundTruth(gtValue, { tasks: [task] });
  const gt = task === 'segm' ? withOwnMasks(read) : read;
  const data = await readCocoResults(resultsValue, { tasks: [task] });
  return { gt, results: linkResults(gt, data) };
}

interface GroundTruthLoading {
  /** The ground truth as read (for segm, masks not made yet). */
  data: Promise<CocoGroundTruth>;
  /** The complete ground truth: for segm, helps make the masks and joins them with the worker's. */
  finish(): Promise<CocoGroundTruth>;
}

function startGroundTruth(file: string, tasks: readonly CocoTask[], options: LoadOptions): GroundTruthLoading {
  const cache = options.cache;
  if (!cache) return parseGroundTruth(file, tasks, options);
  // The identity before any read: a snapshot is written only if the file did not change while it was read.
  const before = statIdentity(file);
  // The snapshot is read by the file system's threads while this one reads the results; its checks
  // (checksum, identity) run here between chunks of the results.
  const cached = readSnapshot(file, tasks, cache);
  let parsing: GroundTruthLoading | undefined;
  // Without a usable snapshot, the JSON is parsed (the content hash, a pass over the bytes, only when asked to verify).
  const data = cached.then((gt) => gt ?? (parsing = parseGroundTruth(file, tasks, options, cache.verify === true)).data);
  return {
    data,
    async finish() {
      const gt = await cached;
      if (gt) return gt;
      await data;
      const loaded = await parsing!.finish();
      if (before) writeSnapshot(loaded, before, cache);
      return loaded;
    },
  };
}

/**
 * Ground truth up to this size is read in this thread unless a worker is asked for: starting the worker (a
 * thread, its modules) costs 40-60 ms of CPU on 2 cores, more than reading a few MB while the results are read.
 */
export const SMALL_GROUND_TRUTH_BYTES = 4 << 20;

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return Infinity; // the reader names the file and what is wrong with it
  }
}

function parseGroundTruth(file: string, tasks: readonly CocoTask[], options: LoadOptions, hashContent = false): GroundTruthLoading {
  const onProgress = options.onProgress && ((done: number, total: number) => options.onProgress!('reading ground truth', done, total));
  const segm = tasks.includes('segm');
  if (!(options.useWorker ?? sizeOf(file) > SMALL_GROUND_TRUTH_BYTES)) {
    const data = readCocoGroundTruth(file, { tasks, onProgress, hashContent });
    return { data, finish: async () => (segm ? withOwnMasks(await data) : data) };
  }

  const claims = segm ? createBatchClaims() : undefined;
  const queue: SegmentationBatch[] = [];
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const load = runLoadWorker(
    { kind: 'ground-truth', file, tasks, claims, hashContent },
    {
      onProgress,
      signal: options.signal,
      onBatch(batch) {
        queue.push(batch);
        poke();
      },
    },
  );
  const data = load.then((l) => l.data as CocoGroundTruth);
  let settled = false;
  data.then(
    () => {
      settled = true;
      poke();
    },
    () => {
      settled = true;
      poke();
    },
  );

  const finish = async (): Promise<CocoGroundTruth> => {
    if (!segm) return data;
    // Rasterize what the worker has read so far, until it has read everything.
    const mine = new MaskPartWriter(file);
    for (;;) {
      while (queue.length > 0) {
        const batch = queue.shift()!;
        if (claimBatch(claims!, batch.index)) {
          mine.add(batch);
          await yieldToEvents(); // let further batches and progress arrive
        }
      }
      if (settled) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const gt = await data;
    rasterizeUnclaimed(file, gt.annotations.segmentations!, claims!, mine);
    const theirs = await (await load).masks!;
    return attachMasks(gt, [mine.finish(), theirs]);
  };
  return { data, finish };
}

function withOwnMasks(gt: CocoGroundTruth): CocoGroundTruth {
  return attachMasks(gt, [rasterizeGroundTruth(gt)]);
}
