/**
 * The second thread of an evaluation. Started early (prestartHelperThread),
 * while this thread reads the files, it first reads the second half of a
 * large results file (results-split.ts) and then evaluates its share of the
 * categories (parallel.ts). One thread started instead of two: on two cores
 * busy with the two readers, the start-up of a thread (loading its modules,
 * some 0.1 s of CPU) was paid twice, and the second half waited for it.
 */
import { availableParallelism } from 'node:os';
import { ignoreRejection } from '../../util/ignore-rejection.js';
import { WorkerClient } from '../../util/worker-client.js';
import type { EvalRequest } from './eval-protocol.js';
import type { EvaluationPart } from './evaluate.js';
import type { FinishedResultColumns } from './results-fast.js';
import type { TailRequest } from './results-tail.js';

/** A call of the thread: read a results file's second half, or evaluate. */
export type HelperRequest = { tail: TailRequest } | { evaluate: EvalRequest };
/** Its reply: the second half (null: the thread gave up on it), or the evaluated part. */
export type HelperReply = FinishedResultColumns | null | EvaluationPart;
/** What the thread says before its reply: where the second half it reads begins. */
export interface HelperEvent {
  start: number;
}
export type HelperThread = WorkerClient<HelperRequest, HelperReply, HelperEvent>;

/** A thread nobody uses at the moment, taken by the next reader or evaluator that wants one. */
let spare: HelperThread | null = null;
let started = 0;

/** How many helper threads this process has started (tests count them). */
export function helperThreadsStarted(): number {
  return started;
}

function startHelperThread(): HelperThread {
  started++;
  return new WorkerClient<HelperRequest, HelperReply, HelperEvent>(new URL('./helper-worker.js', import.meta.url), { name: 'the evaluation thread' });
}

/**
 * Starts the thread now, for the next results reader or evaluator that runs
 * on two threads. Call it when the input is likely to be large: started
 * while this thread begins reading, its start-up is not waited for. A spare
 * thread nobody takes does not keep the process alive.
 */
export function prestartHelperThread(): void {
  if (availableParallelism() >= 2 && (!spare || spare.failed)) spare = startHelperThread();
}

/** The spare thread (it is then the caller's), or a new one. */
export function takeHelperThread(): HelperThread {
  const thread = spare && !spare.failed ? spare : startHelperThread();
  spare = null;
  return thread;
}

/**
 * Gives back a thread whose calls are all answered and which keeps nothing of
 * them (a reader of a second half; not an evaluator, which keeps its data):
 * it becomes the spare, unless there is one already.
 */
export function releaseHelperThread(thread: HelperThread): void {
  if (!thread.failed && thread.inFlight === 0 && (!spare || spare.failed)) spare = thread;
  else void ignoreRejection(thread.terminate(), 'the thread is not kept as the spare');
}

/** The second half of a results file, read on `thread`; onStart hears where it begins before it is read. */
export function readTailOn(thread: HelperThread, request: TailRequest, onStart: (start: number) => void): Promise<FinishedResultColumns | null> {
  return thread.call({ tail: request }, { onEvent: (event) => onStart(event.start) }) as Promise<FinishedResultColumns | null>;
}

/** Categories evaluated on `thread`. */
export function evaluateOn(thread: HelperThread, request: EvalRequest): Promise<EvaluationPart> {
  return thread.call({ evaluate: request }) as Promise<EvaluationPart>;
}
