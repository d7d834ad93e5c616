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
import { Worker } from 'node:worker_threads';
import type { ImageRow } from './types.js';

/** What the reader sends a thread: a split directory and the rows to read. */
export interface ReaderRequest {
  id: number;
  dir: string;
  rows: ImageRow[];
}

/** An image read: its ImageJson as text, and its items' keys and styles (what pairs link by). */
export interface ReadImage {
  json: string;
  styles: [key: string, style: number][];
}

export type ReaderResponse = { id: number; results: ReadImage[] } | { id: number; error: string };

const WORKER_URL = new URL('./annotation-reader-worker.js', import.meta.url);
/** Fewer rows than this are not shared between threads (a message costs more than a file). */
const MIN_ROWS_PER_THREAD = 8;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (r: ReadImage[]) => void; reject: (e: Error) => void }>;
}

export class AnnotationReader {
  private readonly threads: (Thread | undefined)[];
  private nextId = 0;
  private turn = 0;

  constructor(threadCount = Math.min(2, availableParallelism())) {
    this.threads = new Array<Thread | undefined>(Math.max(1, threadCount)).fill(undefined);
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
    const parts = Math.min(this.threads.length, Math.ceil(rows.length / MIN_ROWS_PER_THREAD));
    const size = Math.ceil(rows.length / parts);
    const first = this.turn++;
    const chunks: Promise<ReadImage[]>[] = [];
    for (let k = 0; k < parts; k++) chunks.push(this.ask((first + k) % this.threads.length, dir, rows.slice(k * size, (k + 1) * size)));
    return (await Promise.all(chunks)).flat();
  }

  /** Starts the threads now (a server does at start, so that its first pages do not wait for them). */
  warm(): void {
    for (let k = 0; k < this.threads.length; k++) this.thread(k);
  }

  /** Stops the threads (a later read starts them again). */
  async close(): Promise<void> {
    const running = this.threads.splice(0, this.threads.length, ...this.threads.map(() => undefined));
    await Promise.all(running.flatMap((t) => (t ? [t.worker.terminate()] : [])));
  }

  private ask(slot: number, dir: string, rows: ImageRow[]): Promise<ReadImage[]> {
    const thread = this.thread(slot);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      // Held while it has work: an idle reader does not keep the process alive.
      if (thread.pending.size === 1) thread.worker.ref();
      thread.worker.postMessage({ id, dir, rows } satisfies ReaderRequest);
    });
  }

  private thread(slot: number): Thread {
    const existing = this.threads[slot];
    if (existing) return existing;
    const thread: Thread = { worker: new Worker(WORKER_URL), pending: new Map() };
    const failAll = (err: Error): void => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
    };
    thread.worker.on('message', (m: ReaderResponse) => {
      const p = thread.pending.get(m.id);
      if (!p) return;
      thread.pending.delete(m.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if ('error' in m) p.reject(new Error(`annotation reader: ${m.error}`));
      else p.resolve(m.results);
    });
    thread.worker.on('error', failAll);
    thread.worker.on('exit', (code) => failAll(new Error(`annotation reader exited with code ${code}`)));
    // After the listeners: adding a 'message' listener holds the worker's port again.
    thread.worker.unref();
    this.threads[slot] = thread;
    return thread;
  }
}

/** The process's reader. */
export const annotationReader = new AnnotationReader();
