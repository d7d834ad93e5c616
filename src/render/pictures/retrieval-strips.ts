/**
 * Retrieval strips for chosen consumer images: one strip per query item of
 * the image that counts (style > 0), from the retrieval evaluator's outcome
 * for it (which detection stands for the query and where its first hit is).
 */
import { loadImage, type Canvas, type Image } from '@napi-rs/canvas';
import { join } from 'node:path';
import { MAX_RETRIEVED } from '../../schema/index.js';
import { categoryById } from '../../schema/index.js';
import type { RetrievalInputs, RetrievalResult } from '../../eval/index.js';
import { hitGalleryItem } from '../../eval/internal.js';
import { drawStrip, type StripCell } from './retrieval-strip.js';
import { imageName } from '../../schema/index.js';

/**
 * Whether rank t (0-based) of result row `row` is a hit for query q: a gallery
 * item of the retrieved shop image with the query's pair_id and style and IoU
 * >= 0.5 with the retrieved box (the evaluator's criterion, per rank rather
 * than only the first).
 */
export function isHitAt(inputs: RetrievalInputs, q: number, row: number, t: number): boolean {
  return hitGalleryItem(inputs.queries.items[q]!, inputs.results, row, t, inputs.gallery) >= 0;
}

/** One strip's data: the query, its standing detection and per-rank hits. */
export interface QueryStrip {
  query: number;
  queryImageId: number;
  /** Result row standing for the query, -1 when missed. */
  row: number;
  /** Retrieved (shop image id, corners, hit) in rank order, at most topK. */
  retrieved: { imageId: number; box: [number, number, number, number]; hit: boolean }[];
  firstHitRank: number;
}

export function queryStripsForImage(inputs: RetrievalInputs, result: RetrievalResult, imageId: number, topK: number): QueryStrip[] {
  const { queries, results } = inputs;
  const strips: QueryStrip[] = [];
  for (const outcome of result.outcomes) {
    const query = queries.items[outcome.query]!;
    if (query.queryImageId !== imageId) continue;
    const row = outcome.standing;
    const retrieved: QueryStrip['retrieved'] = [];
    if (row >= 0) {
      const n = Math.min(topK, results.retrievedCounts[row]!);
      for (let t = 0; t < n; t++) {
        const slot = row * MAX_RETRIEVED + t;
        const b = results.galleryBoxes.subarray(slot * 4, slot * 4 + 4);
        retrieved.push({ imageId: results.galleryImageIds[slot]!, box: [b[0]!, b[1]!, b[2]!, b[3]!], hit: isHitAt(inputs, outcome.query, row, t) });
      }
    }
    strips.push({ query: outcome.query, queryImageId: imageId, row, retrieved, firstHitRank: outcome.firstHitRank });
  }
  return strips;
}

/** Decoded images of a split by id, each loaded once; undefined when the file is missing. */
export class SplitImages {
  private readonly cache = new Map<number, Promise<Image | undefined>>();
  constructor(private readonly dir: string) {}

  get(imageId: number): Promise<Image | undefined> {
    let image = this.cache.get(imageId);
    if (!image) {
      image = loadImage(join(this.dir, 'image', `${imageName(imageId)}.jpg`)).catch(() => undefined);
      this.cache.set(imageId, image);
    }
    return image;
  }
}

/** Draws a strip: the query item's crop (its ground-truth box), then the retrieved crops. */
export async function drawQueryStrip(inputs: RetrievalInputs, strip: QueryStrip, images: SplitImages): Promise<Canvas> {
  const query = inputs.queries.items[strip.query]!;
  const category = categoryById(query.cls)?.annotationName ?? `class ${query.cls}`;
  const cells: StripCell[] = [{ image: await images.get(query.queryImageId), box: query.bbox, caption: `query ${imageName(query.queryImageId)}` }];
  for (const [t, r] of strip.retrieved.entries()) {
    cells.push({ image: await images.get(r.imageId), box: r.box, caption: `${t + 1}: ${imageName(r.imageId)}`, outcome: r.hit ? 'hit' : 'miss' });
  }
  const outcome =
    strip.row < 0 ? 'no detection stands for it (missed)' : strip.firstHitRank > 0 ? `first hit at rank ${strip.firstHitRank}` : 'no hit in the top 20';
  return drawStrip(cells, `${category} · pair ${query.pairId} · style ${query.style} · ${outcome}`);
}
