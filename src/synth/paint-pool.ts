/**
 * A small pool of paint workers. `submit` hands a job to the least busy
 * worker and returns at once unless every worker already has its share of
 * queued jobs (back-pressure keeps memory bounded); `drain` waits for all
 * jobs. Each JPEG depends on its job alone, so the number of workers never
 * changes the bytes written.
 */
import { Worker } from 'node:worker_threads';
import type { PaintJob } from './painter.js';
import type { PaintReply, PaintRequest } from './paint-worker.js';

/** Jobs queued per worker before `submit` waits. */
const QUEUE_PER_WORKER = 6;

interface Slot {
  worker: Worker;
  pending: number;
}

export class PaintPool {
  private readonly slots: Slot[];
  private seq = 0;
  private failure: Error | undefined;
  private bytes = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(workers: number) {
    const url = new URL('./paint-worker.js', import.meta.url);
    this.slots = Array.from({ length: Math.max(1, workers) }, () => {
      const slot: Slot = { worker: new Worker(url), pending: 0 };
      slot.worker.on('message', (reply: PaintReply) => {
        slot.pending--;
        if ('error' in reply) this.fail(new Error(`painting an image failed: ${reply.error}`));
        else this.bytes += reply.bytes;
        this.wake();
      });
      slot.worker.on('error', (err) => this.fail(err));
      slot.worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`a paint worker stopped (exit code ${code})`));
      });
      return slot;
    });
  }

  /** Total JPEG bytes written so far. */
  get writtenBytes(): number {
    return this.bytes;
  }

  async submit(job: PaintJob): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const slot = this.slots.reduce((a, b) => (b.pending < a.pending ? b : a));
      if (slot.pending < QUEUE_PER_WORKER) {
        slot.pending++;
        slot.worker.postMessage({ seq: this.seq++, job } satisfies PaintRequest);
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until every submitted job is written; throws the first failure. */
  async drain(): Promise<void> {
    while (!this.failure && this.slots.some((s) => s.pending > 0)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
