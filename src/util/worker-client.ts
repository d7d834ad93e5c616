/**
 * The one way df2 talks to its worker threads: typed calls, each answered by
 * a reply or an error (worker-serve.ts on the other side). Every pool of
 * threads (evaluation, loading, the second half of a large results file,
 * the explorer's annotation reader and indexer, zip import's decoders,
 * synth's painters) is built on it, so that they behave alike:
 *
 * - a failure thrown in the worker is thrown by the call, as the same class
 *   when it is a df2 InputError or UsageError (worker-messages.ts);
 * - when a thread dies (an uncaught error, process.exit, terminate) every
 *   call out to it fails with that cause, and so does every later call;
 * - back-pressure: at most `maxInFlight` calls are out to a thread; more
 *   wait for a reply, which bounds the memory held in messages;
 * - a thread with no call out does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';
import { type AnswerMessage, type CallMessage, deserializeError } from './worker-messages.js';

export interface WorkerClientOptions {
  /** Names the thread in the error of the calls it could not answer, e.g. 'the evaluation thread'. */
  name: string;
  /** The worker's `workerData` (cloned; shared buffers are shared). */
  workerData?: unknown;
  /**
   * Calls out at once at most; a call beyond waits for a reply before it is sent.
   * @default Infinity
   */
  maxInFlight?: number;
}

export interface CallOptions<Event> {
  /** Buffers to move to the worker rather than copy (they are unusable here afterwards). */
  transfer?: readonly Transferable[];
  /** Each event the worker reports for this call before its reply. */
  onEvent?: (event: Event) => void;
}

interface Pending<Reply, Event> {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
  onEvent: ((event: Event) => void) | undefined;
}

/**
 * One worker thread, called with requests of type `Request` that it answers
 * with a `Reply` (and, on the way, `Event`s).
 *
 * @example
 * const painter = new WorkerClient<PaintRequest, PaintReply>(new URL('./paint-worker.js', import.meta.url), { name: 'a paint thread', maxInFlight: 6 });
 * const { bytes } = await painter.call({ job });
 * await painter.terminate();
 */
export class WorkerClient<Request, Reply, Event = never> {
  private readonly worker: Worker;
  private readonly name: string;
  private readonly maxInFlight: number;
  private readonly pending = new Map<number, Pending<Reply, Event>>();
  private waiters: (() => void)[] = [];
  private nextCall = 0;
  private failure: Error | undefined;

  constructor(url: URL, options: WorkerClientOptions) {
    this.name = options.name;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? Infinity);
    this.worker = new Worker(url, { workerData: options.workerData });
    this.worker.on('message', (answer: AnswerMessage<Reply, Event>) => this.answered(answer));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`${this.name} stopped (exit code ${code})`)));
    // After the listeners (a 'message' listener holds the port again): held only while a call is out.
    this.worker.unref();
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Why the thread can take no more calls (it died or was terminated); undefined while it can. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Whether a call made now is sent at once. */
  get hasRoom(): boolean {
    return !this.failure && this.pending.size < this.maxInFlight;
  }

  /** The worker's reply to `request`; waits first while `maxInFlight` calls are out. Rejects with the worker's error, or the thread's end. */
  async call(request: Request, options: CallOptions<Event> = {}): Promise<Reply> {
    while (!this.hasRoom && !this.failure) await this.ready();
    if (this.failure) throw this.failure;
    return this.send(request, options);
  }

  /** Resolves when a call would be sent at once, or the thread has failed. */
  ready(): Promise<void> {
    if (this.hasRoom || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the thread; calls still out fail with `reason`. */
  async terminate(reason: Error = new Error(`${this.name} was stopped`)): Promise<void> {
    this.fail(reason);
    await this.worker.terminate();
  }

  private send(request: Request, options: CallOptions<Event>): Promise<Reply> {
    const call = this.nextCall++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(call, { resolve, reject, onEvent: options.onEvent });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ call, request } satisfies CallMessage<Request>, options.transfer);
      } catch (err) {
        // A request that cannot be cloned fails this call alone.
        this.settled(call);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private answered(answer: AnswerMessage<Reply, Event>): void {
    const pending = this.pending.get(answer.call);
    if (!pending) return;
    if ('event' in answer) {
      pending.onEvent?.(answer.event);
      return;
    }
    this.settled(answer.call);
    if ('error' in answer) pending.reject(deserializeError(answer.error));
    else pending.resolve(answer.reply);
  }

  private settled(call: number): void {
    this.pending.delete(call);
    if (this.pending.size === 0) this.worker.unref();
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(this.failure);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

export interface WorkerPoolOptions {
  /**
   * A thread that died is replaced by a new one at the next call (the calls
   * it had out still fail); otherwise every later call fails with its cause.
   * @default false
   */
  replaceFailed?: boolean;
}

/**
 * Several threads of one kind: a call goes to the least busy, once one has
 * room (each thread's `maxInFlight`). Threads start at their first call (or
 * `start()`); after `close()` a later call starts them again.
 *
 * @example
 * const pool = new WorkerPool(2, () => new WorkerClient<Req, Rep>(url, { name: 'a reading thread', maxInFlight: 2 }));
 * const replies = await Promise.all(requests.map((r) => pool.call(r)));
 * await pool.close();
 */
export class WorkerPool<Request, Reply, Event = never> {
  private readonly threads: (WorkerClient<Request, Reply, Event> | undefined)[];

  constructor(
    size: number,
    private readonly startThread: () => WorkerClient<Request, Reply, Event>,
    private readonly options: WorkerPoolOptions = {},
  ) {
    this.threads = new Array<WorkerClient<Request, Reply, Event> | undefined>(Math.max(1, size)).fill(undefined);
  }

  /** Threads in the pool. */
  get size(): number {
    return this.threads.length;
  }

  /** Calls out to all threads. */
  get inFlight(): number {
    return this.threads.reduce((n, t) => n + (t?.inFlight ?? 0), 0);
  }

  /** Starts every thread now (so that the first calls do not wait for them). */
  start(): void {
    for (let slot = 0; slot < this.threads.length; slot++) this.thread(slot);
  }

  /** The reply of the least busy thread; waits first while every thread has `maxInFlight` calls out. */
  async call(request: Request, options: CallOptions<Event> = {}): Promise<Reply> {
    for (;;) {
      const threads = this.threads.map((_, slot) => this.thread(slot));
      const idlest = threads.reduce((a, b) => (b.hasRoom && (!a.hasRoom || b.inFlight < a.inFlight) ? b : a));
      if (idlest.hasRoom) return idlest.call(request, options);
      const failure = threads.find((t) => t.failed)?.failed;
      if (failure) throw failure;
      await Promise.race(threads.map((t) => t.ready()));
    }
  }

  /** Resolves when a call would be sent at once (or a thread has failed and is not replaced). */
  async ready(): Promise<void> {
    const threads = this.threads.map((_, slot) => this.thread(slot));
    if (threads.some((t) => t.hasRoom || t.failed)) return;
    await Promise.race(threads.map((t) => t.ready()));
  }

  /** The same request to every running thread (e.g. to close what they hold), each one's reply. */
  async broadcast(request: Request): Promise<Reply[]> {
    return Promise.all(this.threads.flatMap((t) => (t && !t.failed ? [t.call(request)] : [])));
  }

  /** Ends the threads; calls still out fail. */
  async close(): Promise<void> {
    const running = this.threads.splice(0, this.threads.length, ...this.threads.map(() => undefined));
    await Promise.all(running.flatMap((t) => (t ? [t.terminate()] : [])));
  }

  private thread(slot: number): WorkerClient<Request, Reply, Event> {
    let thread = this.threads[slot];
    if (!thread || (thread.failed && this.options.replaceFailed)) this.threads[slot] = thread = this.startThread();
    return thread;
  }
}
