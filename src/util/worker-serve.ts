/**
 * The worker side of worker-client.ts: answers each call with the handler's
 * result or its failure (serialised the one way, worker-messages.ts). Calls
 * are handled one at a time, in the order they came: a worker holds state
 * between calls (loaded data, an open file, a half-read listing) and an
 * async handler must not see the next call before it is done.
 */
import { parentPort } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';
import { type AnswerMessage, type CallMessage, serializeError } from './worker-messages.js';

/** What a handler may do besides returning: report events of the call on the way (progress, partial results). */
export interface CallContext<Event> {
  emit: (event: Event, transfer?: readonly Transferable[]) => void;
}

export interface ServeOptions<Reply> {
  /** The buffers to move with a reply rather than copy (e.g. transferablesOf). */
  transfer?: (reply: Reply) => readonly Transferable[];
}

/**
 * Answers the calls sent to this worker thread.
 *
 * @example
 * // in the worker's module
 * serveCalls((request: PaintRequest) => paint(request), { transfer: transferablesOf });
 */
export function serveCalls<Request, Reply, Event = never>(
  handle: (request: Request, context: CallContext<Event>) => Reply | Promise<Reply>,
  options: ServeOptions<Reply> = {},
): void {
  const port = parentPort;
  if (!port) throw new Error('serveCalls runs in a worker thread');
  const send = (answer: AnswerMessage<Reply, Event>, transfer: readonly Transferable[] = []): void => port.postMessage(answer, transfer);
  let turn = Promise.resolve();
  port.on('message', (message: CallMessage<Request>) => {
    const { call, request } = message;
    const context: CallContext<Event> = { emit: (event, transfer) => send({ call, event }, transfer) };
    turn = turn.then(async () => {
      let reply: Reply;
      try {
        reply = await handle(request, context);
      } catch (err) {
        send({ call, error: serializeError(err) });
        return;
      }
      try {
        send({ call, reply }, options.transfer?.(reply));
      } catch (err) {
        // A reply that cannot be cloned fails its call, not the calls after it.
        send({ call, error: serializeError(err) });
      }
    });
  });
}
