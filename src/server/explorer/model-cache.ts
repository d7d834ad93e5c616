/**
 * The in-memory models of the splits (split-model.ts) in front of a
 * database: each loaded once, on first use, in chunks of a few thousand
 * images with the event loop free between them; then kept current by the
 * index's own writes. Writes and chunk loads of a split take turns (a
 * chunk read before a write and applied after it would bring old rows back).
 */
import { SplitModel, type ModelImage } from './split-model.js';
import type { ImageFilters } from './filters.js';
import type { FacetCounts } from './types.js';

/** Reads the images with id > afterId, in id order, at most `limit`, with their items. */
export type LoadImages = (splitId: number, afterId: number, limit: number) => Promise<ModelImage[]>;

const FACET_CACHE_SIZE = 256;
export const LOAD_CHUNK = 4000;

export class SplitModels {
  private readonly ready = new Map<number, Promise<SplitModel>>();
  /** Models being loaded or loaded: writes go to these. */
  private readonly live = new Map<number, SplitModel>();
  private readonly turns = new Map<number, Promise<unknown>>();
  /** Facet counts by split, model version and filters (LRU). */
  private readonly facetCache = new Map<string, FacetCounts>();

  constructor(private readonly load: LoadImages, private readonly chunk = LOAD_CHUNK) {}

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
    const settled = run.catch(() => {});
    this.turns.set(splitId, settled);
    void settled.then(() => {
      if (this.turns.get(splitId) === settled) this.turns.delete(splitId);
    });
    return run;
  }

  /** Applies a committed write to the split's model, if one is loaded or loading (call inside exclusive()). */
  apply(splitId: number, images: readonly ModelImage[], removed: readonly number[]): void {
    this.live.get(splitId)?.apply(images, removed);
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
        const rows = await this.load(splitId, after, this.chunk);
        model.apply(rows);
        if (rows.length > 0) after = rows[rows.length - 1]!.imageId;
        return rows.length < this.chunk;
      });
      if (done) return model;
      // Requests run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** An image row as read for the model: id, source, pair_id, width, height, has_image (0/1 or boolean). */
export type ImageTuple = [number, 'user' | 'shop', number, number, number, number | boolean];
/** An item row: image id, category, style, scale, occlusion, zoom_in, viewpoint, visible, occluded. */
export type ItemTuple = number[];

/** Joins image rows and their item rows (both in image id order) into model images. */
export function assembleImages(images: readonly ImageTuple[], items: readonly ItemTuple[]): ModelImage[] {
  let k = 0;
  return images.map(([imageId, source, pairId, width, height, hasImage]) => {
    const img: ModelImage = { imageId, source, pairId, width, height, hasImage: Boolean(hasImage), items: [] };
    while (k < items.length && items[k]![0]! < imageId) k++;
    for (; k < items.length && items[k]![0] === imageId; k++) {
      const [, categoryId, style, scale, occlusion, zoomIn, viewpoint, visible, occluded] = items[k]!.map(Number) as number[];
      img.items.push({ categoryId: categoryId!, style: style!, scale: scale!, occlusion: occlusion!, zoomIn: zoomIn!, viewpoint: viewpoint!, visible: visible!, occluded: occluded! });
    }
    return img;
  });
}
