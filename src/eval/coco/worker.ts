/**
 * Worker-thread entry: reads one file (ground truth or results) and posts
 * the typed storage back, transferring its buffers instead of copying them.
 * Bad input is posted as the fields of its InputError, to be rethrown as
 * one on the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../../util/errors.js';
import { readCocoGroundTruth } from './ground-truth.js';
import { readCocoResults } from './results.js';
import { type LoadJob, type WorkerMessage, transferablesOf } from './worker-protocol.js';

const job = workerData as LoadJob;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(message, transfer);
const onProgress = (done: number, total: number): void => post({ type: 'progress', done, total });

try {
  const data = job.kind === 'ground-truth'
    ? await readCocoGroundTruth(job.file, { tasks: job.tasks, onProgress })
    : await readCocoResults(job.file, { tasks: job.tasks, onProgress });
  post({ type: 'done', data }, transferablesOf(data));
} catch (err) {
  if (err instanceof InputError) {
    post({ type: 'input-error', file: err.file, entry: err.entry, expected: err.expected, found: err.found });
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', message: e.message, stack: e.stack ?? '' });
  }
}
