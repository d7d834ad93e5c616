/**
 * Hands finished files to the writer thread (write-worker.ts) in batches and
 * runs each file's `then` once it is on disk under its real name. A content
 * that fills its own buffer is moved, not copied: the caller must not use it
 * after write(). At most
 * MAX_BATCHES_IN_FLIGHT batches wait, which bounds memory (a batch holds at
 * most BATCH_BYTES of content, or one larger file).
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../../util/errors.js';
import { tempPathFor } from '../../util/atomic.js';
import type { WriteBatch, WriteReply } from './write-worker.js';

const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;
const MAX_BATCHES_IN_FLIGHT = 3;

interface Pending {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class FileWriter {
  private readonly worker = new Worker(new URL('./write-worker.js', import.meta.url));
  private batch: WriteBatch['files'] = [];
  private batchThens: (() => void | Promise<void>)[] = [];
  private batchBytes = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor() {
    this.worker.on('message', (reply: WriteReply) => {
      const pending = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if (reply.ok) pending.resolve();
      else pending.reject(new InputError(reply.target, '', 'a writable output path', reply.message));
    });
    this.worker.on('error', (err) => {
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    });
  }

  /** Queues a file; `then` runs once it is on disk. Throws the first failure of an earlier batch. */
  async write(target: string, content: Uint8Array, then: () => void | Promise<void>): Promise<void> {
    if (this.failure) throw this.failure.error;
    this.batch.push({ target, tmp: tempPathFor(target), content });
    this.batchThens.push(then);
    this.batchBytes += content.length;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Sends the current batch; waits while too many are in flight. */
  async flush(): Promise<void> {
    if (this.batch.length > 0) {
      const id = this.nextId++;
      const files = this.batch;
      const thens = this.batchThens;
      this.batch = [];
      this.batchThens = [];
      this.batchBytes = 0;
      const done = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      // A buffer that the content alone fills moves to the writer instead of being copied.
      const transfer = files
        .filter(({ content }) => content.byteOffset === 0 && content.byteLength === content.buffer.byteLength && content.byteLength > 0)
        .map(({ content }) => content.buffer as ArrayBuffer);
      this.worker.postMessage({ id, files } satisfies WriteBatch, [...new Set(transfer)]);
      const settled: Promise<void> = done
        .then(async () => {
          for (const then of thens) await then();
        })
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => this.inFlight.delete(settled));
      this.inFlight.add(settled);
    }
    while (this.inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure.error;
  }

  /** Writes what is queued and waits for every batch; throws the first failure. */
  async drain(): Promise<void> {
    await this.flush().catch(() => {});
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
  }

  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    await this.worker.terminate();
  }
}
