/**
 * The JobQueue of a single server process (the SQLite setup): a FIFO of
 * submission ids worked `concurrency` at a time (each evaluation runs in its
 * own child process, see evaluator.ts). Durability comes from the Store: on
 * start the server puts every submission still 'queued' back in here, so
 * this list may be lost.
 */
import type { JobQueue } from './types.js';

export class InProcessJobQueue implements JobQueue {
  private readonly pending: number[] = [];
  private handler: ((id: number) => Promise<void>) | undefined;
  private readonly running = new Map<number, Promise<void>>();
  private concurrency = 1;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  async enqueue(submissionId: number): Promise<void> {
    if (!this.pending.includes(submissionId)) this.pending.push(submissionId);
    this.pump();
  }

  async enqueueMany(submissionIds: number[]): Promise<void> {
    for (const id of submissionIds) await this.enqueue(id);
  }

  async start(handler: (submissionId: number) => Promise<void>, concurrency = 1): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, concurrency);
    this.stopped = false;
    this.pump();
  }

  /** Submissions waiting here (not counting those being worked). */
  get depth(): number {
    return this.pending.length;
  }

  idle(): Promise<void> {
    if (this.running.size === 0 && (this.pending.length === 0 || !this.handler || this.stopped)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.values());
    this.notifyIdle();
  }

  private pump(): void {
    while (!this.stopped && this.handler && this.running.size < this.concurrency) {
      const id = this.pending.shift();
      if (id === undefined) break;
      const handler = this.handler;
      const run = handler(id)
        .catch((err: unknown) => {
          // The handler records failures in the store itself; this is a last resort so the queue keeps going.
          process.stderr.write(`df2 serve: job ${id}: ${err instanceof Error ? err.message : String(err)}\n`);
        })
        .finally(() => {
          this.running.delete(id);
          this.pump();
        });
      this.running.set(id, run);
    }
    if (this.running.size === 0 && (this.pending.length === 0 || this.stopped)) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
