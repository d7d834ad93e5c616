/**
 * The decoding threads of `df2 import` (decode-worker.ts), fed batches of
 * consecutive entries. Each thread holds at most MAX_BATCHES_PER_THREAD
 * batches (lists of entries) and decodes one at a time, which bounds memory:
 * a batch is at most BATCH_BYTES of archive and BATCH_CONTENT_BYTES of
 * content, plus one entry of at most 16 MB.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SHARED_INTS, STOP, type BatchReply, type DecodeBatch, type DecodeItem, type DecodeWorkerData } from './decode-protocol.js';

export const BATCH_FILES = 256;
export const BATCH_BYTES = 4 << 20;
/** A thread holds a batch's content until it writes it: at most this much, plus one entry (at most 16 MB). */
export const BATCH_CONTENT_BYTES = 16 << 20;
const MAX_BATCHES_PER_THREAD = 2;

interface Thread {
  worker: Worker;
  inFlight: number;
  replies: Map<number, (reply: BatchReply | Error) => void>;
  closed?: () => void;
}

export class DecoderPool {
  private readonly threads: Thread[];
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4 * SHARED_INTS));
  private readonly settling = new Set<Promise<void>>();
  private nextId = 0;
  private slotFreed: (() => void) | undefined;
  private failure: { error: unknown } | undefined;

  /** `threads`: two by default (one per core, at most two: the main thread has the rest). */
  constructor(password: Uint8Array | undefined, threads = Math.max(1, Math.min(2, availableParallelism()))) {
    this.threads = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./decode-worker.js', import.meta.url), {
        workerData: { password, stop: this.stopFlag } satisfies DecodeWorkerData,
      });
      const thread: Thread = { worker, inFlight: 0, replies: new Map() };
      worker.on('message', (reply: BatchReply | 'closed') => {
        if (reply === 'closed') return thread.closed?.();
        const resolve = thread.replies.get(reply.id)!;
        thread.replies.delete(reply.id);
        resolve(reply);
      });
      worker.on('error', (err) => {
        for (const resolve of thread.replies.values()) resolve(err);
        thread.replies.clear();
      });
      return thread;
    });
  }

  /**
   * Sends a batch of entries of `archive` to the least busy thread, once one
   * has room; `onReply` runs when it is done (a thread's crash arrives as an
   * Error). Returns once the batch is sent.
   */
  async submit(archive: string, items: DecodeItem[], onReply: (reply: BatchReply | Error) => Promise<void> | void): Promise<void> {
    let thread: Thread | undefined;
    for (;;) {
      thread = this.threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (thread.inFlight < MAX_BATCHES_PER_THREAD) break;
      await new Promise<void>((resolve) => (this.slotFreed = resolve));
    }
    const chosen = thread;
    const id = this.nextId++;
    chosen.inFlight++;
    const reply = new Promise<BatchReply | Error>((resolve) => chosen.replies.set(id, resolve));
    chosen.worker.postMessage({ id, archive, items } satisfies DecodeBatch);
    const settled: Promise<void> = reply
      .then(async (r) => {
        chosen.inFlight--;
        this.slotFreed?.();
        this.slotFreed = undefined;
        await onReply(r);
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.settling.delete(settled));
    this.settling.add(settled);
  }

  /** Waits until every batch sent is done and its onReply has run; throws what an onReply threw. */
  async drain(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    if (this.failure) throw this.failure.error;
  }

  /** Ctrl-C: each thread stops before its next entry (the files it wrote are whole). */
  stop(): void {
    Atomics.store(this.stopFlag, STOP, 1);
  }

  /** Waits for the batches sent, closes the threads' archive files and ends the threads. */
  async close(): Promise<void> {
    await this.drain().catch(() => {});
    await Promise.all(
      this.threads.map(async (thread) => {
        const closed = new Promise<void>((resolve) => (thread.closed = resolve));
        thread.worker.postMessage('close');
        await Promise.race([closed, new Promise((resolve) => thread.worker.once('exit', resolve))]);
        await thread.worker.terminate();
      }),
    );
  }
}
