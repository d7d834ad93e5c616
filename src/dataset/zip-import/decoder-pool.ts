/**
 * The decoding threads of `df2 import` (decode-worker.ts), fed batches of
 * consecutive entries. Each thread holds at most MAX_BATCHES_PER_THREAD
 * batches (lists of entries) and decodes one at a time, which bounds memory:
 * a batch is at most BATCH_BYTES of archive and BATCH_CONTENT_BYTES of
 * content, plus one entry of at most 16 MB.
 */
import { availableParallelism } from 'node:os';
import { WorkerClient, WorkerPool } from '../../util/worker-client.js';
import { SHARED_INTS, STOP, type BatchReply, type DecodeItem, type DecodeReply, type DecodeRequest, type DecodeWorkerData } from './decode-protocol.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

export const BATCH_FILES = 256;
export const BATCH_BYTES = 4 << 20;
/** A thread holds a batch's content until it writes it: at most this much, plus one entry (at most 16 MB). */
export const BATCH_CONTENT_BYTES = 16 << 20;
const MAX_BATCHES_PER_THREAD = 2;
const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

export class DecoderPool {
  private readonly threads: WorkerPool<DecodeRequest, DecodeReply>;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4 * SHARED_INTS));
  private readonly settling = new Set<Promise<void>>();
  private nextId = 0;
  private failure: { error: unknown } | undefined;

  /** `threads`: two by default (one per core, at most two: the main thread has the rest). */
  constructor(password: Uint8Array | undefined, threads = Math.max(1, Math.min(2, availableParallelism()))) {
    const workerData: DecodeWorkerData = { password, stop: this.stopFlag };
    this.threads = new WorkerPool(threads, () => new WorkerClient(WORKER_URL, { name: 'a decoding thread', workerData, maxInFlight: MAX_BATCHES_PER_THREAD }));
    this.threads.start();
  }

  /**
   * Sends a batch of entries of `archive` to the least busy thread, once one
   * has room; `onReply` runs when it is done (a failure of the thread, or of
   * the batch other than the entry's own, arrives as an Error). Returns once
   * the batch is sent.
   */
  async submit(archive: string, items: DecodeItem[], onReply: (reply: BatchReply | Error) => Promise<void> | void): Promise<void> {
    await this.threads.ready();
    const reply = this.threads.call({ id: this.nextId++, archive, items }).then(
      (r) => r as BatchReply,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    const settled: Promise<void> = reply
      .then(onReply)
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
    await ignoreRejection(this.drain(), 'drain() reported it to the import already; closing goes on');
    await ignoreRejection(this.threads.broadcast('close'), 'a thread that died has no archive open');
    await this.threads.close();
  }
}
