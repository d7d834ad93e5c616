/**
 * Indexes split directories into the DatasetIndex, in the background, one
 * split at a time. The files are listed, stat'ed, read and checked by a
 * worker thread (index-worker.ts); this thread only writes its batches to
 * the index, so requests keep being answered while a split is indexed.
 * Only annotation files whose mtime or size changed since the last run are
 * read again (a restart on an unchanged train split only stats its files).
 * Files that fail the checks of `df2 validate` are recorded as bad files
 * with their message and left out; indexing goes on.
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../../util/errors.js';
import { WorkerClient } from '../../util/worker-client.js';
import type { BadFile, DatasetIndex, SplitInfo } from './types.js';
import type { IndexRequest, IndexWorkerData, ToIndexer } from './index-protocol.js';
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readImageSize } from '../../dataset/index.js';
import { inputProblem, scanSplit } from '../../dataset/internal.js';
import { formatProblemLine } from '../../schema/index.js';
import type { IndexedImage } from './types.js';
import type { IndexingJson } from '../../shared/api-types.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

/** A split's indexing run as GET /api/splits reports it (done/total: files checked; changed: files read again). */
export type IndexProgress = IndexingJson;

/**
 * Images per write: each batch is one transaction (one row per image), a few
 * ms on SQLite, short enough not to hold requests up; fewer commits (each an
 * fsync) than smaller batches.
 */
const BATCH = 1000;
/** Image headers read at once for an images-only split. */
const STAT_CONCURRENCY = 64;
/**
 * Calls out to each worker: it reads this many batches ahead of the ones
 * written, and waits for the next call (sent as a batch is written), so
 * that memory stays bounded when the database writes slower.
 */
const BATCHES_AHEAD = 3;
const WORKER_URL = new URL('./index-worker.js', import.meta.url);

export class Indexer {
  private readonly progress = new Map<string, IndexProgress>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private workers: WorkerClient<IndexRequest, ToIndexer | null>[] = [];

  constructor(
    private readonly index: DatasetIndex,
    private readonly onProgress?: (split: string, progress: IndexProgress) => void,
    /** Threads reading files: two use both cores of a small machine while this thread writes. */
    private readonly workerCount = Math.min(2, availableParallelism()),
  ) {}

  /** Progress of a split's latest indexing run (undefined if never run in this process). */
  status(split: string): IndexProgress | undefined {
    return this.progress.get(split);
  }

  /** Queues (re-)indexing of a split; resolves when that run has finished. */
  enqueue(split: SplitInfo): Promise<void> {
    this.setProgress(split.name, { state: 'queued', done: 0, total: 0, changed: 0 });
    const run = this.chain.then(() => this.run(split));
    this.chain = ignoreRejection(run, 'the caller of enqueue() gets the failure; the next run starts anyway');
    return run;
  }

  /** Resolves when every queued run has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops at the next batch (the index keeps what was written; the next run reads the rest). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    await this.chain;
  }

  private setProgress(split: string, p: IndexProgress): void {
    this.progress.set(split, p);
    this.onProgress?.(split, p);
  }

  private async run(split: SplitInfo): Promise<void> {
    if (this.stopped) return;
    const p: IndexProgress = { state: 'scanning', done: 0, total: 0, changed: 0 };
    try {
      this.setProgress(split.name, p);
      // A split of images only (no annos/) is listed here; any other is listed by the workers, which also
      // report a split that cannot be listed, as any other run does.
      if (!(await stat(join(split.dir, 'annos')).catch(() => undefined))) {
        const listing = await scanSplit(split.dir, { imagesOnly: true }).catch(() => undefined);
        if (listing && !listing.hasAnnosDir) {
          await this.indexImagesOnly(split, p, [...listing.images]);
          return;
        }
      }
      const known = await this.index.fileStates(split.id);
      const data = { dir: split.dir, name: split.name, knownIds: known.ids, knownMtimes: known.mtimeMs, knownSizes: known.size, batchSize: BATCH };
      const bad = await this.runWorkers(split, data, p);
      if (!bad) return;
      await this.index.setBadFiles(split.id, bad);
      await this.index.finishIndexing(split.id);
      // Warm what the first page view needs.
      await this.index.facetCounts(split.id, {});
      p.state = 'ready';
      p.done = p.total;
      this.setProgress(split.name, p);
    } catch (err) {
      // A missing or unreadable split directory is the user's input; anything else is a bug worth its stack.
      p.state = 'failed';
      p.error = err instanceof InputError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
      this.setProgress(split.name, p);
      if (!(err instanceof InputError)) throw err;
    }
  }

  /**
   * A split of images only (the test split): every image is indexed with its
   * size, no items and source 'unknown', so that the explorer lists and shows
   * it. Images are read again only when their file changed.
   */
  private async indexImagesOnly(split: SplitInfo, p: IndexProgress, names: string[]): Promise<void> {
    const states = await this.index.fileStates(split.id);
    const known = new Map<number, { mtimeMs: number; size: number }>();
    states.ids.forEach((id, i) => known.set(id, { mtimeMs: states.mtimeMs[i]!, size: states.size[i]! }));
    const present = new Set(names.map(Number));
    const removed = [...known.keys()].filter((id) => !present.has(id));
    p.state = 'reading';
    p.total = names.length;
    this.onProgress?.(split.name, p);
    const bad: BadFile[] = [];
    let batch: IndexedImage[] = [];
    for (let start = 0; start < names.length; start += STAT_CONCURRENCY) {
      if (this.stopped) return;
      const chunk = names.slice(start, start + STAT_CONCURRENCY);
      const read = await Promise.all(
        chunk.map(async (name): Promise<IndexedImage | BadFile | undefined> => {
          const path = join(split.dir, 'image', `${name}.jpg`);
          const s = await stat(path).catch(() => undefined);
          const before = known.get(Number(name));
          if (s && before && before.mtimeMs === s.mtimeMs && before.size === s.size) return undefined;
          try {
            const { width, height } = await readImageSize(path);
            return {
              imageId: Number(name),
              source: 'unknown',
              pairId: 0,
              width,
              height,
              hasImage: true,
              mtimeMs: s?.mtimeMs ?? -1,
              size: s?.size ?? -1,
              items: [],
            };
          } catch (err) {
            const line = formatProblemLine(inputProblem(err));
            return { file: relative(split.dir, path), message: line.split(split.dir).join(split.name) };
          }
        }),
      );
      for (const result of read) {
        if (!result) continue;
        p.changed++;
        if ('imageId' in result) batch.push(result);
        else bad.push(result);
      }
      p.done = Math.min(start + STAT_CONCURRENCY, names.length);
      this.onProgress?.(split.name, p);
      if (batch.length >= BATCH) {
        await this.index.writeImages(split.id, batch, []);
        batch = [];
      }
    }
    await this.index.writeImages(split.id, batch, removed);
    await this.index.setBadFiles(split.id, bad);
    await this.index.finishIndexing(split.id);
    p.state = 'ready';
    p.done = p.total;
    this.setProgress(split.name, p);
  }

  /**
   * Runs the workers over the split and writes their batches as they come
   * (each started at once, finished in order); resolves with the bad files,
   * or undefined when stopped.
   */
  private runWorkers(split: SplitInfo, data: Omit<IndexWorkerData, 'part' | 'parts'>, p: IndexProgress): Promise<BadFile[] | undefined> {
    const parts = this.workerCount;
    return new Promise((resolve, reject) => {
      const workers = Array.from(
        { length: parts },
        (_, part) =>
          new WorkerClient<IndexRequest, ToIndexer | null>(WORKER_URL, {
            name: 'an index worker',
            workerData: { ...data, part, parts } satisfies IndexWorkerData,
          }),
      );
      this.workers = workers;
      const bad: BadFile[] = [];
      const done = new Array<number>(parts).fill(0);
      const changed = new Array<number>(parts).fill(0);
      const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
      let ended = 0;
      let writes = Promise.resolve();
      let finished = false;
      const finish = (err?: unknown, result?: BadFile[]): void => {
        if (finished) return;
        finished = true;
        this.workers = [];
        for (const w of workers) void w.terminate();
        if (err) reject(err instanceof Error ? err : new Error(`index worker failed: ${JSON.stringify(err)}`));
        else resolve(result);
      };
      const write = (work: () => Promise<void>): void => {
        writes = writes
          .then(async () => {
            if (finished) return;
            if (this.stopped) return finish();
            await work();
          })
          .catch(finish);
      };
      workers.forEach((worker, part) => {
        const ask = (): void => {
          if (finished) return;
          worker.call('next').then(received, (err: unknown) => {
            // Terminated by stop(): the index keeps what was written; the next run reads the rest.
            void writes.then(() => finish(this.stopped ? undefined : err));
          });
        };
        const received = (message: ToIndexer | null): void => {
          if (!message || finished) return;
          if (message.type === 'listed') {
            p.total = message.total;
            this.onProgress?.(split.name, p);
            ask();
          } else if (message.type === 'batch') {
            // Started now, not after the writes before it: an index may overlap them (PostgreSQL commits them in
            // this order). A file that turned bad leaves the index too.
            const written = finished || this.stopped ? undefined : this.index.writeBatch(split.id, message.images, message.badIds);
            if (written) void ignoreRejection(written, 'reported in turn, below');
            write(async () => {
              bad.push(...message.bad);
              await written;
              ask();
              done[part] = message.done;
              changed[part] = message.changed;
              p.done = sum(done);
              p.changed = sum(changed);
              this.onProgress?.(split.name, p);
            });
          } else {
            write(async () => {
              if (message.removed.length > 0) await this.index.writeImages(split.id, [], message.removed);
              changed[part] = message.changed;
              p.changed = sum(changed);
              if (++ended === parts)
                finish(
                  undefined,
                  bad.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0)),
                );
            });
          }
        };
        for (let k = 0; k < BATCHES_AHEAD; k++) ask();
      });
    });
  }
}
