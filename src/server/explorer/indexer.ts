/**
 * Indexes split directories into the DatasetIndex, in the background, one
 * split at a time. Only annotation files whose mtime or size changed since
 * the last run are read again (a restart on an unchanged train split only
 * stats its files). Files that fail the checks of `df2 validate` are
 * recorded as bad files with their message and left out; indexing goes on.
 */
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ImageRecord } from '../../schema/annotation.js';
import { checkSplitFiles, inputProblem, scanSplit } from '../../dataset/read-split.js';
import { readImageSize } from '../../dataset/image-size.js';
import { formatProblemLine } from '../../schema/validate-annotation.js';
import { InputError } from '../../util/errors.js';
import type { BadFile, DatasetIndex, IndexedImage, SplitInfo } from './types.js';
import type { IndexingJson } from '../../shared/api-types.js';

/** A split's indexing run as GET /api/splits reports it (done/total: files in the current phase; changed: files read again). */
export type IndexProgress = IndexingJson;
export type IndexState = IndexingJson['state'];

const BATCH = 2000;
const STAT_CONCURRENCY = 64;

export function indexedImage(record: ImageRecord, mtimeMs: number, size: number): IndexedImage {
  return {
    imageId: record.id,
    source: record.source,
    pairId: record.pairId,
    width: record.width,
    height: record.height,
    hasImage: record.imagePath !== undefined,
    mtimeMs,
    size,
    items: record.items.map((item) => {
      let visible = 0, occluded = 0;
      for (let k = 2; k < item.landmarks.length; k += 3) {
        if (item.landmarks[k] === 2) visible++;
        else if (item.landmarks[k] === 1) occluded++;
      }
      return {
        categoryId: item.categoryId, style: item.style, scale: item.scale, occlusion: item.occlusion,
        zoomIn: item.zoomIn, viewpoint: item.viewpoint, visible, occluded,
      };
    }),
  };
}

export class Indexer {
  private readonly progress = new Map<string, IndexProgress>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly index: DatasetIndex,
    private readonly onProgress?: (split: string, progress: IndexProgress) => void,
  ) {}

  /** Progress of a split's latest indexing run (undefined if never run in this process). */
  status(split: string): IndexProgress | undefined {
    return this.progress.get(split);
  }

  /** Queues (re-)indexing of a split; resolves when that run has finished. */
  enqueue(split: SplitInfo): Promise<void> {
    this.setProgress(split.name, { state: 'queued', done: 0, total: 0, changed: 0 });
    const run = this.chain.then(() => this.run(split));
    this.chain = run.catch(() => {});
    return run;
  }

  /** Resolves when every queued run has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops at the next batch (the index keeps what was written; the next run reads the rest). */
  async stop(): Promise<void> {
    this.stopped = true;
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
      const listing = await scanSplit(split.dir, { imagesOnly: true });
      if (!listing.hasAnnosDir) {
        await this.indexImagesOnly(split, p, [...listing.images].sort());
        return;
      }
      p.total = listing.names.length;
      const known = await this.index.fileStates(split.id);
      const changed: string[] = [];
      const fileStat = new Map<string, { mtimeMs: number; size: number }>();
      for (let start = 0; start < listing.names.length; start += STAT_CONCURRENCY) {
        if (this.stopped) return;
        const names = listing.names.slice(start, start + STAT_CONCURRENCY);
        const stats = await Promise.all(names.map((n) => stat(join(split.dir, 'annos', `${n}.json`)).catch(() => undefined)));
        names.forEach((name, k) => {
          const s = stats[k];
          const state = s ? { mtimeMs: s.mtimeMs, size: s.size } : { mtimeMs: -1, size: -1 };
          fileStat.set(name, state);
          const before = known.get(Number(name));
          if (!before || before.mtimeMs !== state.mtimeMs || before.size !== state.size) changed.push(name);
        });
        p.done = Math.min(start + STAT_CONCURRENCY, listing.names.length);
        this.onProgress?.(split.name, p);
      }
      const present = new Set(listing.names.map(Number));
      const removed = [...known.keys()].filter((id) => !present.has(id));

      p.state = 'reading';
      p.done = 0;
      p.total = changed.length;
      p.changed = changed.length;
      this.onProgress?.(split.name, p);
      const bad: BadFile[] = [];
      let batch: IndexedImage[] = [];
      const badIds: number[] = [];
      for await (const file of checkSplitFiles(split.dir, { names: changed, images: listing.images }, {
        onProgress: (done) => {
          p.done = done;
          if (done % 500 === 0) this.onProgress?.(split.name, p);
        },
      })) {
        const firstError = file.problems.find((problem) => problem.severity === 'error');
        if (firstError || !file.record) {
          const line = firstError ? formatProblemLine(firstError) : 'unreadable';
          bad.push({ file: relative(split.dir, file.annoPath), message: line.split(split.dir).join(split.name) });
          badIds.push(Number(file.name));
          continue;
        }
        const s = fileStat.get(file.name)!;
        batch.push(indexedImage(file.record, s.mtimeMs, s.size));
        if (batch.length >= BATCH) {
          if (this.stopped) return;
          await this.index.writeImages(split.id, batch, []);
          batch = [];
        }
      }
      if (this.stopped) return;
      // A file that turned bad leaves the index too.
      await this.index.writeImages(split.id, batch, [...removed, ...badIds.filter((id) => known.has(id))]);
      await this.index.setBadFiles(split.id, bad);
      await this.index.finishIndexing(split.id);
      // Warm the caches that the first page view needs (a second or two on the train split).
      await this.index.facetCounts(split.id, {});
      await this.index.stats(split.id);
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
    const known = await this.index.fileStates(split.id);
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
      const read = await Promise.all(chunk.map(async (name): Promise<IndexedImage | BadFile | undefined> => {
        const path = join(split.dir, 'image', `${name}.jpg`);
        const s = await stat(path).catch(() => undefined);
        const before = known.get(Number(name));
        if (s && before && before.mtimeMs === s.mtimeMs && before.size === s.size) return undefined;
        try {
          const { width, height } = await readImageSize(path);
          return { imageId: Number(name), source: 'unknown', pairId: 0, width, height, hasImage: true, mtimeMs: s?.mtimeMs ?? -1, size: s?.size ?? -1, items: [] };
        } catch (err) {
          const line = formatProblemLine(inputProblem(err));
          return { file: relative(split.dir, path), message: line.split(split.dir).join(split.name) };
        }
      }));
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
}
