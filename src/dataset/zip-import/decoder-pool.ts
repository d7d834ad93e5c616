/**
 * The decoding threads of `df2 import` (decode-worker.ts), fed batches of
 * consecutive entries. Each thread holds at most MAX_BATCHES_PER_THREAD
 * batches (lists of entries) and decodes one at a time, which bounds memory:
 * a batch is at most BATCH_BYTES of archive and BATCH_CONTENT_BYTES of
 * content, plus one entry of at most 16 MB. With no threads, batches are
 * decoded in this thread, one at a time, by the same BatchDecoder.
 */
import { availableParallelism } from 'node:os';
import { WorkerClient, WorkerPool } from '../../util/worker-client.js';
import { SHARED_INTS, STOP, type BatchReply, type DecodeItem, type DecodeReply, type DecodeRequest, type DecodeWorkerData } from './decode-protocol.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';
import { BatchDecoder } from './batch-decoder.js';

export const BATCH_FILES = 256;
export const BATCH_BYTES = 4 << 20;
/** A thread holds a batch's content until it writes it: at most this much, plus one entry (at most 16 MB). */
export const BATCH_CONTENT_BYTES = 16 << 20;
const MAX_BATCHES_PER_THREAD = 2;
/** One per core, at most two: the main thread has the rest. */
export const DECODING_THREADS = Math.max(1, Math.min(2, availableParallelism()));
const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

export class DecoderPool {
  /** The decoding threads, or this thread's decoder. */
  private readonly decoding: WorkerPool<DecodeRequest, DecodeReply> | BatchDecoder;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4 * SHARED_INTS));
  private readonly settling = new Set<Promise<void>>();
  private nextId = 0;
  private failure: { error: unknown } | undefined;

  /** `threads`: DECODING_THREADS by default; 0 decodes in this thread. */
  constructor(password: Uint8Array | undefined, threads = DECODING_THREADS) {
    if (threads === 0) {
      this.decoding = new BatchDecoder(password, this.stopFlag);
      return;
    }
    const workerData: DecodeWorkerData = { password, stop: this.stopFlag };
    this.decoding = new WorkerPool(threads, () => new WorkerClient(WORKER_URL, { name: 'a decoding thread', workerData, maxInFlight: MAX_BATCHES_PER_THREAD }));
    this.decoding.start();
  }

  /**
   * Sends a batch of entries of `archive` to the least busy thread, once one
   * has room; `onReply` runs when it is done (a failure of the thread, or of
   * the batch other than the entry's own, arrives as an Error). Returns once
   * the batch is sent.
   */
  async submit(archive: string, items: DecodeItem[], onReply: (reply: BatchReply | Error) => Promise<void> | void): Promise<void> {
    const batch = { id: this.nextId++, archive, items };
    let sent: Promise<DecodeReply>;
    if (this.decoding instanceof BatchDecoder) {
      const decoder = this.decoding;
      // The batch before has had its reply handled (its split checks): one batch out at a time, like one thread's.
      await this.settled();
      sent = Promise.resolve().then(() => decoder.decode(batch));
    } else {
      await this.decoding.ready();
      sent = this.decoding.call(batch);
    }
    const reply = sent.then(
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
    await this.settled();
    if (this.failure) throw this.failure.error;
  }

  private async settled(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }

  /** Ctrl-C: each thread stops before its next entry (the files it wrote are whole). */
  stop(): void {
    Atomics.store(this.stopFlag, STOP, 1);
  }

  /** Waits for the batches sent, closes the threads' archive files and ends the threads. */
  async close(): Promise<void> {
    await ignoreRejection(this.drain(), 'drain() reported it to the import already; closing goes on');
    if (this.decoding instanceof BatchDecoder) return this.decoding.close();
    await ignoreRejection(this.decoding.broadcast('close'), 'a thread that died has no archive open');
    await this.decoding.close();
  }
}
