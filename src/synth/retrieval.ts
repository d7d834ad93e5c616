/**
 * Imitation consumer-to-shop retrieval results: for every detection in a
 * user image, a ranked list of up to 20 shop items (image id and box). When
 * the detection stands for a true item with a style, its match (a shop item
 * of the same pair_id and style) is usually somewhere in the list, more often
 * near the top, with a box close to the true one; the rest are look-alikes
 * (same category), items of the same pair group and random shop items.
 */
import type { Corners } from '../schema/index.js';
import { Random, STREAM } from '../util/random.js';
import { round } from './predictions.js';

export interface GalleryItem {
  imageId: number;
  box: Corners;
  categoryId: number;
  pairId: number;
  style: number;
}

export interface QueryDetection {
  imageId: number;
  /** [x1, y1, x2, y2] */
  box: readonly number[];
  categoryId: number;
  score: number;
  quality: number;
  /** Pair id and style of the true item it stands for; style 0 when none (or a background detection). */
  pairId: number;
  style: number;
}

export interface RetrievalResult {
  queryImageId: number;
  queryBox: number[];
  queryClass: number;
  queryScore: number;
  galleryImageIds: number[];
  galleryBoxes: number[][];
}

const TOP_K = 20;
/** Where the true match lands: rank 1 often, then fewer and fewer further down. */
const RANK_WEIGHTS = Array.from({ length: TOP_K }, (_, i) => (i === 0 ? 20 : 5 * 0.88 ** i));

export class RetrievalGuesser {
  private readonly byCategory = new Map<number, number[]>();
  private readonly byPair = new Map<number, number[]>();
  private readonly byPairStyle = new Map<string, number[]>();

  constructor(
    private readonly seed: number,
    private readonly gallery: readonly GalleryItem[],
  ) {
    gallery.forEach((item, index) => {
      push(this.byCategory, item.categoryId, index);
      push(this.byPair, item.pairId, index);
      if (item.style > 0) push(this.byPairStyle, `${item.pairId}:${item.style}`, index);
    });
  }

  /** The ranked guesses for the `index`-th query detection. */
  guess(query: QueryDetection, index: number): RetrievalResult {
    const rng = Random.from(this.seed, STREAM.retrieval, index);
    const matches = query.style > 0 ? (this.byPairStyle.get(`${query.pairId}:${query.style}`) ?? []) : [];
    const isMatch = new Set(matches);
    const length = Math.min(TOP_K, this.gallery.length);
    const ranked: Array<{ item: number; jitter: number }> = [];
    const used = new Set<number>();

    let matchRank = -1;
    if (matches.length > 0 && rng.chance(0.55 + 0.4 * query.quality)) matchRank = Math.min(length - 1, rng.weighted(RANK_WEIGHTS));
    const sameCategory = this.byCategory.get(query.categoryId) ?? [];
    const samePair = this.byPair.get(query.pairId) ?? [];
    for (let tries = 0; ranked.length < length && tries < 8 * TOP_K; tries++) {
      if (ranked.length === matchRank) {
        const item = rng.pick(matches);
        // Mostly a close box (a hit); now and then one too far off to count.
        ranked.push({ item, jitter: rng.chance(0.9) ? 0.04 : 0.5 });
        used.add(item);
        continue;
      }
      const pool = rng.chance(0.6) ? sameCategory : rng.chance(0.25) ? samePair : undefined;
      const item = pool && pool.length > 0 ? rng.pick(pool) : rng.int(0, this.gallery.length - 1);
      if (used.has(item) || isMatch.has(item)) continue;
      used.add(item);
      ranked.push({ item, jitter: rng.chance(0.3) ? 0.05 : 0 });
    }

    const galleryBoxes = ranked.map(({ item, jitter }) => {
      const box = this.gallery[item]!.box;
      if (jitter === 0) return [...box];
      const w = box[2] - box[0];
      const h = box[3] - box[1];
      return [
        round(box[0] + rng.normal(jitter * w), 3),
        round(box[1] + rng.normal(jitter * h), 3),
        round(box[2] + rng.normal(jitter * w), 3),
        round(box[3] + rng.normal(jitter * h), 3),
      ];
    });
    return {
      queryImageId: query.imageId,
      queryBox: query.box.map((v) => round(v, 3)),
      queryClass: query.categoryId,
      queryScore: query.score,
      galleryImageIds: ranked.map(({ item }) => this.gallery[item]!.imageId),
      galleryBoxes,
    };
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
