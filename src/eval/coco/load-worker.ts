/**
 * Worker-thread entry: reads one file (ground truth or results) and replies
 * with the typed storage (shared buffers, so nothing is copied). For ground
 * truth with segm it also reports each batch of segmentations as soon as it
 * is read, so that the other thread can rasterize it meanwhile, and on the
 * second call rasterizes the batches nobody has claimed and replies with its
 * masks. Bad input fails the call with its InputError (util/worker-serve.ts).
 */
import { workerData } from 'node:worker_threads';
import { serveCalls } from '../../util/worker-serve.js';
import { transferablesOf } from '../../util/worker-messages.js';
import { rasterizeUnclaimed } from './gt-masks.js';
import { type CocoGroundTruth, readCocoGroundTruth } from './ground-truth.js';
import { readCocoResults } from './results.js';
import type { LoadEvent, LoadJob, LoadRequest } from './load-protocol.js';

const job = workerData as LoadJob;
let gt: CocoGroundTruth | undefined;

serveCalls<LoadRequest, unknown, LoadEvent>(
  async (request, { emit }) => {
    if (request === 'masks') {
      if (!gt?.annotations.segmentations || !job.claims) throw new Error('the loading thread has no segmentations to rasterize');
      return rasterizeUnclaimed(job.file, gt.annotations.segmentations, job.claims).finish();
    }
    const onProgress = (done: number, total: number): void => emit({ type: 'progress', done, total });
    if (job.kind === 'results') return readCocoResults(job.file, { tasks: job.tasks, onProgress });
    const claims = job.claims;
    gt = await readCocoGroundTruth(job.file, {
      tasks: job.tasks,
      onProgress,
      hashContent: job.hashContent,
      onSegmentationBatch: claims ? (batch) => emit({ type: 'segm-batch', batch }) : undefined,
    });
    return gt;
  },
  { transfer: transferablesOf },
);
