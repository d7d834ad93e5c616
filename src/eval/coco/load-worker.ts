/**
 * Worker-thread entry: reads one file (ground truth or results) and posts
 * the typed storage back (shared buffers, so nothing is copied). For ground
 * truth with segm it also posts each batch of segmentations as soon as it
 * is read, so that the other thread can rasterize it meanwhile, and after
 * reading rasterizes the batches nobody has claimed and posts its masks.
 * Bad input is posted as the fields of its InputError, to be rethrown as
 * one on the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { rasterizeUnclaimed } from './gt-masks.js';
import { readCocoGroundTruth } from './ground-truth.js';
import { readCocoResults } from './results.js';
import { type LoadJob, type WorkerMessage, errorToMessage, transferablesOf } from './load-protocol.js';

const job = workerData as LoadJob;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(message, transfer);
const onProgress = (done: number, total: number): void => post({ type: 'progress', done, total });

try {
  if (job.kind === 'ground-truth') {
    const claims = job.claims;
    const gt = await readCocoGroundTruth(job.file, {
      tasks: job.tasks,
      onProgress,
      hashContent: job.hashContent,
      onSegmentationBatch: claims ? (batch) => post({ type: 'segm-batch', batch }) : undefined,
    });
    post({ type: 'done', data: gt }, transferablesOf(gt));
    if (gt.annotations.segmentations && claims) {
      const part = rasterizeUnclaimed(job.file, gt.annotations.segmentations, claims).finish();
      post({ type: 'masks', part }, transferablesOf(part));
    }
  } else {
    const data = await readCocoResults(job.file, { tasks: job.tasks, onProgress });
    post({ type: 'done', data }, transferablesOf(data));
  }
} catch (err) {
  post(errorToMessage(err));
}
