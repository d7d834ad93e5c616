/** Runs a load job in a worker thread; resolves with the data, rethrows bad input as InputError. */
import { Worker } from 'node:worker_threads';
import { InputError } from '../../util/errors.js';
import type { LoadJob, WorkerMessage } from './worker-protocol.js';

export function runLoadWorker(job: LoadJob, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    signal?.addEventListener('abort', () => {
      settle(() => reject(signal.reason ?? new Error('aborted')));
      void worker.terminate();
    }, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'progress':
          onProgress?.(message.done, message.total);
          break;
        case 'done':
          settle(() => resolve(message.data));
          break;
        case 'input-error':
          settle(() => reject(new InputError(message.file, message.entry, message.expected, message.found)));
          break;
        case 'error': {
          const err = new Error(message.message);
          err.stack = message.stack;
          settle(() => reject(err));
          break;
        }
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the loading thread stopped (exit code ${code}) before it finished`))));
  });
}
