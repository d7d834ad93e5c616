/** Runs a load job in a worker thread; resolves with the data, rethrows bad input as InputError. */
import { Worker } from 'node:worker_threads';
import type { MaskPart, SegmentationBatch } from './gt-masks.js';
import { type LoadJob, type WorkerMessage, errorFromMessage } from './load-protocol.js';

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
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: job });
    // Two stages: the data ('done'), then for segm ground truth the worker's masks.
    let stage: 'data' | 'masks' | 'over' = 'data';
    let resolveMasks: (part: MaskPart) => void = () => {};
    let rejectMasks: (err: unknown) => void = () => {};
    const masks = new Promise<MaskPart>((res, rej) => {
      resolveMasks = res;
      rejectMasks = rej;
    });
    masks.catch(() => {}); // observed by the caller when it asks for it
    const fail = (err: unknown): void => {
      if (stage === 'data') reject(err);
      else if (stage === 'masks') rejectMasks(err);
      stage = 'over';
    };
    signal?.addEventListener(
      'abort',
      () => {
        fail(signal.reason ?? new Error('aborted'));
        void worker.terminate();
      },
      { once: true },
    );
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'progress':
          onProgress?.(message.done, message.total);
          break;
        case 'segm-batch':
          onBatch?.(message.batch);
          break;
        case 'done':
          if (stage !== 'data') break;
          if (job.kind === 'ground-truth' && job.claims && job.tasks.includes('segm')) {
            stage = 'masks';
            resolve({ data: message.data, masks });
          } else {
            stage = 'over';
            resolve({ data: message.data });
          }
          break;
        case 'masks':
          if (stage === 'masks') resolveMasks(message.part);
          stage = 'over';
          break;
        case 'input-error':
        case 'error':
          fail(errorFromMessage(message));
          break;
      }
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`the loading thread stopped (exit code ${code}) before it finished`)));
  });
}
