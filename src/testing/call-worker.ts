/**
 * A worker for the tests of util/worker-client.ts: each request kind makes
 * it answer, fail, report events or die in one of the ways a real worker can.
 */
import { parentPort } from 'node:worker_threads';
import { InputError, UsageError } from '../util/errors.js';
import { serveCalls } from '../util/worker-serve.js';
import { transferablesOf } from '../util/worker-messages.js';

export type CallWorkerRequest =
  | { kind: 'echo'; value: unknown }
  | { kind: 'input-error' }
  | { kind: 'usage-error' }
  | { kind: 'range-error' }
  | { kind: 'exit'; code: number; afterMs?: number }
  | { kind: 'crash' }
  | { kind: 'hang' }
  | { kind: 'wait'; ms: number }
  | { kind: 'events'; count: number }
  | { kind: 'sum'; values: Float64Array };

/** 'wait': calls that had arrived and were not answered when this one was handled (this one included). */
export type CallWorkerReply = unknown;

let arrived = 0;
let answered = 0;
parentPort!.on('message', () => arrived++);

serveCalls<CallWorkerRequest, CallWorkerReply, number>(
  async (request, context) => {
    switch (request.kind) {
      case 'echo':
        return request.value;
      case 'input-error':
        throw new InputError('results.json', '[3].bbox', '4 finite numbers', 'an array of 3');
      case 'usage-error':
        throw new UsageError('eval', '--iou-type', 'bbox, segm or keypoints', '"box"');
      case 'range-error':
        throw new RangeError('unknown attribute colour');
      case 'exit':
        // In the middle of the call: the exit comes while it is being handled.
        await new Promise((resolve) => setTimeout(resolve, request.afterMs ?? 0));
        process.exit(request.code);
        // process.exit ends a worker thread at its next turn, not here: no reply goes out meanwhile.
        return new Promise(() => {});
      case 'crash':
        // Thrown outside the call: the thread dies of an uncaught error.
        setImmediate(() => {
          throw new Error('the thread fell over');
        });
        return new Promise(() => {});
      case 'hang':
        return new Promise(() => {});
      case 'wait': {
        const waiting = arrived - answered;
        await new Promise((resolve) => setTimeout(resolve, request.ms));
        answered++;
        return waiting;
      }
      case 'events':
        for (let k = 1; k <= request.count; k++) context.emit(k);
        return 'done';
      case 'sum': {
        const doubled = request.values.map((v) => 2 * v);
        return { sum: request.values.reduce((a, b) => a + b, 0), doubled };
      }
    }
  },
  { transfer: transferablesOf },
);
