/** Runs a load job in a worker thread; resolves with the data, rethrows bad input as InputError (util/worker-client.ts). */
import { WorkerClient } from '../../util/worker-client.js';
import type { MaskPart, SegmentationBatch } from './gt-masks.js';
import type { LoadEvent, LoadJob, LoadRequest } from './load-protocol.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

export interface WorkerLoad {
  data: unknown;
  /** Ground truth with segm (job.claims set): the masks the worker made. */
  masks?: Promise<MaskPart>;
}

export interface WorkerCallbacks {
  onProgress?: (done: number, total: number) => void;
  /** Ground truth with segm: each batch of segmentations as soon as it is read. */
  onBatch?: (batch: SegmentationBatch) => void;
  signal?: AbortSignal;
}

export function runLoadWorker(job: LoadJob, callbacks: WorkerCallbacks = {}): Promise<WorkerLoad> {
  const { onProgress, onBatch, signal } = callbacks;
  const worker = new WorkerClient<LoadRequest, unknown, LoadEvent>(new URL('./load-worker.js', import.meta.url), {
    name: 'the loading thread',
    workerData: job,
  });
  signal?.addEventListener('abort', () => void worker.terminate(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
  const onEvent = (event: LoadEvent): void => {
    if (event.type === 'progress') onProgress?.(event.done, event.total);
    else onBatch?.(event.batch);
  };
  const data = worker.call('data', { onEvent });
  // Both calls are sent now: the thread goes on to rasterize as soon as it has read the file.
  const masks = job.kind === 'ground-truth' && job.claims && job.tasks.includes('segm') ? (worker.call('masks') as Promise<MaskPart>) : undefined;
  if (masks) void ignoreRejection(masks, 'observed by the caller when it asks for the masks');
  // Ended as soon as its last reply is in (a reaction registered before the caller's): its heap is not kept while the caller works.
  const end = (): Promise<void> => worker.terminate();
  void (masks ?? data).then(end, end);
  return data.then((loaded) => (masks ? { data: loaded, masks } : { data: loaded }));
}
