/**
 * Reads the annotation files of a page of images on worker threads
 * (annotation-reader-worker.ts) and gives back each image's JSON as text:
 * reading, parsing and checking 48 files a page, and serialising them, was
 * most of what held the server's one JavaScript thread at 10 concurrent
 * clients. The main thread only joins the texts into the response.
 *
 * The threads start on first use and do not keep the process alive when
 * idle; one that fails is replaced on the next read.
 */
import { availableParallelism } from 'node:os';
import { WorkerClient, WorkerPool } from '../../util/worker-client.js';
import type { ImageRow } from './types.js';

/** What the reader asks a thread: a split directory and the rows to read. */
export interface ReaderRequest {
  dir: string;
  rows: ImageRow[];
}

/** An image read: its ImageJson as text, and its items' keys and styles (what pairs link by). */
export interface ReadImage {
  json: string;
  styles: [key: string, style: number][];
}

const WORKER_URL = new URL('./annotation-reader-worker.js', import.meta.url);
/** Fewer rows than this are not shared between threads (a message costs more than a file). */
const MIN_ROWS_PER_THREAD = 8;

export class AnnotationReader {
  private readonly threads: WorkerPool<ReaderRequest, ReadImage[]>;

  constructor(threadCount = Math.min(2, availableParallelism())) {
    this.threads = new WorkerPool(Math.max(1, threadCount), () => new WorkerClient(WORKER_URL, { name: 'an annotation reader thread' }), {
      replaceFailed: true,
    });
  }

  /**
   * The images' JSON (ImageJson as text) in the order of `rows`, each file read now.
   *
   * @example
   * const [image] = await annotationReader.read(split.dir, [row]);
   * const json = JSON.parse(image.json) as ImageJson;
   */
  async read(dir: string, rows: readonly ImageRow[]): Promise<ReadImage[]> {
    if (rows.length === 0) return [];
    const parts = Math.min(this.threads.size, Math.ceil(rows.length / MIN_ROWS_PER_THREAD));
    const size = Math.ceil(rows.length / parts);
    const chunks: Promise<ReadImage[]>[] = [];
    for (let k = 0; k < parts; k++) chunks.push(this.threads.call({ dir, rows: rows.slice(k * size, (k + 1) * size) }));
    return (await Promise.all(chunks)).flat();
  }

  /** Starts the threads now (a server does at start, so that its first pages do not wait for them). */
  warm(): void {
    this.threads.start();
  }

  /** Stops the threads (a later read starts them again). */
  async close(): Promise<void> {
    await this.threads.close();
  }
}

/** The process's reader. */
export const annotationReader = new AnnotationReader();
