/**
 * The in-memory models of the splits (split-model.ts) in front of a
 * database: each loaded once, on first use, in chunks of a few thousand
 * images with the event loop free between them; then kept current by the
 * index's own writes. Writes and chunk loads of a split take turns (a
 * chunk read before a write and applied after it would bring old rows back).
 */
import { SplitModel, type ImageTuple } from './split-model.js';
import type { ImageBatch } from './image-batch.js';
import { grow } from '../../util/grow.js';
import type { ImageFilters } from './filters.js';
import type { FacetCounts, FileStates } from './types.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

/** Reads the images with id > afterId, in id order, at most `limit`, each with its packed items. */
type LoadImages = (splitId: number, afterId: number, limit: number) => Promise<ImageTuple[]>;

const FACET_CACHE_SIZE = 256;
const LOAD_CHUNK = 4000;

export class SplitModels {
  private readonly ready = new Map<number, Promise<SplitModel>>();
  /** Models being loaded or loaded: writes go to these. */
  private readonly live = new Map<number, SplitModel>();
  private readonly turns = new Map<number, Promise<unknown>>();
  /** Facet counts by split, model version and filters (LRU). */
  private readonly facetCache = new Map<string, FacetCounts>();

  constructor(
    private readonly load: LoadImages,
    private readonly chunk = LOAD_CHUNK,
  ) {}

  /** The split's model, loading it first if needed. */
  get(splitId: number): Promise<SplitModel> {
    let model = this.ready.get(splitId);
    if (!model) {
      model = this.loadModel(splitId);
      this.ready.set(splitId, model);
      model.catch(() => {
        this.ready.delete(splitId);
        this.live.delete(splitId);
      });
    }
    return model;
  }

  /** Runs `work` when the split's earlier writes and chunk loads are done, and before later ones. */
  exclusive<T>(splitId: number, work: () => Promise<T> | T): Promise<T> {
    const before = this.turns.get(splitId) ?? Promise.resolve();
    const run = before.then(work);
    const settled = ignoreRejection(run, 'the caller of exclusive() gets the failure; the next turn runs anyway');
    this.turns.set(splitId, settled);
    void settled.then(() => {
      if (this.turns.get(splitId) === settled) this.turns.delete(splitId);
    });
    return run;
  }

  /** Applies a committed write to the split's model, if one is loaded or loading (call inside exclusive()). */
  apply(splitId: number, batch: ImageBatch, removed: ArrayLike<number>): void {
    this.live.get(splitId)?.applyBatch(batch, removed);
  }

  /** Forgets a split's model (the next get() loads it again). */
  drop(splitId: number): void {
    this.ready.delete(splitId);
    this.live.delete(splitId);
  }

  async facets(splitId: number, filters: ImageFilters): Promise<FacetCounts> {
    const model = await this.get(splitId);
    const key = `${splitId}:${model.version}:${JSON.stringify(filters)}`;
    const cached = this.facetCache.get(key);
    if (cached) {
      // Refresh its place in the LRU order.
      this.facetCache.delete(key);
      this.facetCache.set(key, cached);
      return cached;
    }
    const counts = model.facets(filters);
    this.facetCache.set(key, counts);
    if (this.facetCache.size > FACET_CACHE_SIZE) this.facetCache.delete(this.facetCache.keys().next().value!);
    return counts;
  }

  private async loadModel(splitId: number): Promise<SplitModel> {
    const model = new SplitModel();
    this.live.set(splitId, model);
    let after = -1;
    for (;;) {
      const done = await this.exclusive(splitId, async () => {
        const images = await this.load(splitId, after, this.chunk);
        model.loadRows(images);
        if (images.length > 0) after = images[images.length - 1]![0];
        return images.length < this.chunk;
      });
      if (done) return model;
      // Requests run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Collects file states chunk by chunk into columns. */
export class FileStatesBuilder {
  private readonly states: FileStates = { ids: new Int32Array(1024), mtimeMs: new Float64Array(1024), size: new Float64Array(1024) };
  private length = 0;

  add(id: number, mtimeMs: number, size: number): void {
    const n = this.length + 1;
    const s = this.states;
    s.ids = grow(s.ids, n);
    s.mtimeMs = grow(s.mtimeMs, n);
    s.size = grow(s.size, n);
    s.ids[this.length] = id;
    s.mtimeMs[this.length] = mtimeMs;
    s.size[this.length++] = size;
  }

  result(): FileStates {
    const { ids, mtimeMs, size } = this.states;
    return { ids: ids.slice(0, this.length), mtimeMs: mtimeMs.slice(0, this.length), size: size.slice(0, this.length) };
  }
}
