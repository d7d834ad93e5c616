/**
 * A small pool of paint workers. `submit` hands a job to the least busy
 * worker and returns at once unless every worker already has its share of
 * queued jobs (back-pressure keeps memory bounded); `drain` waits for all
 * jobs. Each JPEG depends on its job alone, so the number of workers never
 * changes the bytes written.
 */
import { WorkerClient, WorkerPool } from '../util/worker-client.js';
import type { PaintJob } from './painter.js';

/** Jobs queued per worker before `submit` waits. */
const QUEUE_PER_WORKER = 6;
const WORKER_URL = new URL('./paint-worker.js', import.meta.url);

export class PaintPool {
  /** Each job's reply: the bytes of the JPEG written. */
  private readonly threads: WorkerPool<PaintJob, number>;
  private readonly out = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private bytes = 0;

  constructor(workers: number) {
    this.threads = new WorkerPool(Math.max(1, workers), () => new WorkerClient(WORKER_URL, { name: 'a paint worker', maxInFlight: QUEUE_PER_WORKER }));
  }

  /** Total JPEG bytes written so far. */
  get writtenBytes(): number {
    return this.bytes;
  }

  /** Sends the job to a worker once one has room; throws the first failure of a job sent before. */
  async submit(job: PaintJob): Promise<void> {
    if (!this.failure) await this.threads.ready();
    if (this.failure) throw this.failure.error;
    const done: Promise<void> = this.threads
      .call(job)
      .then(
        (bytes) => void (this.bytes += bytes),
        (error: unknown) => void (this.failure ??= { error }),
      )
      .finally(() => this.out.delete(done));
    this.out.add(done);
  }

  /** Waits until every submitted job is written; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all([...this.out]);
    if (this.failure) throw this.failure.error;
  }

  async close(): Promise<void> {
    await this.threads.close();
  }
}
