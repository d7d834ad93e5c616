/**
 * The JobQueue of a single server process: a FIFO of submission ids worked
 * one at a time (the evaluation itself runs in a child process, see
 * evaluator.ts). Durability comes from the Store: on start the server puts
 * every submission still 'queued' back in here, so this list may be lost.
 */
import type { JobQueue } from './types.js';

export class InProcessJobQueue implements JobQueue {
  private readonly pending: number[] = [];
  private handler: ((id: number) => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  async enqueue(submissionId: number): Promise<void> {
    if (!this.pending.includes(submissionId)) this.pending.push(submissionId);
    this.pump();
  }

  start(handler: (submissionId: number) => Promise<void>): void {
    this.handler = handler;
    this.stopped = false;
    this.pump();
  }

  idle(): Promise<void> {
    if (!this.running && (this.pending.length === 0 || !this.handler || this.stopped)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.notifyIdle();
  }

  private pump(): void {
    if (this.running || this.stopped || !this.handler) return;
    const id = this.pending.shift();
    if (id === undefined) {
      this.notifyIdle();
      return;
    }
    const handler = this.handler;
    this.running = handler(id)
      .catch((err: unknown) => {
        // The handler records failures in the store itself; this is a last resort so the queue keeps going.
        process.stderr.write(`df2 serve: job ${id}: ${err instanceof Error ? err.message : String(err)}\n`);
      })
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
