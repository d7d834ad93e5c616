/**
 * Top-k accuracy of the standing detections. A retrieved (shop image, box) is
 * a hit for a query when it has IoU >= 0.5 with a gallery item of that image
 * with the query's pair_id and style; a query's outcome is the rank of its
 * first hit. Top-k counts queries whose first hit is within rank k, over all
 * queries with style > 0, detected or not.
 */
import { MAX_RETRIEVED, type QueryItem } from '../../schema/index.js';
import type { GalleryIndex } from './ground-truth.js';
import { HIT_IOU, releaseBoxIou } from './iou.js';
import type { ResultTable } from './results.js';

export const TOP_K = [1, 5, 10, 15, 20] as const;

export interface TopKAccuracy {
  top1: number;
  top5: number;
  top10: number;
  top15: number;
  top20: number;
  /** Queries counted: style > 0 (and, in a breakdown, the attribute value). */
  queries: number;
  /** Counted queries that no detection stands for. */
  missed: number;
}

/** What happened to one query with style > 0; the data of a retrieval strip. */
export interface QueryOutcome {
  /** Index of the query in the query ground-truth file. */
  query: number;
  /** Result row standing for it, -1 when missed. */
  standing: number;
  /** 1-based rank of the first hit among the standing result's retrieved items, 0 when none. */
  firstHitRank: number;
}

/**
 * The gallery item that makes rank t (0-based) of result row `row` a hit for
 * `query`: the first item of the retrieved shop image with the query's
 * pair_id and style whose box has IoU >= 0.5 with the retrieved box; -1 when
 * there is none (the rank is not a hit).
 */
export function hitGalleryItem(query: QueryItem, results: ResultTable, row: number, t: number, gallery: GalleryIndex): number {
  const slot = row * MAX_RETRIEVED + t;
  const inImage = gallery.byImage.get(results.galleryImageIds[slot]!);
  if (!inImage) return -1;
  for (const g of inImage) {
    const item = gallery.items[g]!;
    if (item.pairId !== query.pairId || item.style !== query.style) continue;
    if (releaseBoxIou(results.galleryBoxes, slot * 4, gallery.boxes, g * 4) >= HIT_IOU) return g;
  }
  return -1;
}

/** Rank (1-based) of the first retrieved item of result row `row` that is a hit for `query`, or 0. */
export function firstHitRank(query: QueryItem, results: ResultTable, row: number, gallery: GalleryIndex): number {
  const n = results.retrievedCounts[row]!;
  for (let t = 0; t < n; t++) if (hitGalleryItem(query, results, row, t, gallery) >= 0) return t + 1;
  return 0;
}

/** Top-k accuracy over the given outcomes; -1 for every fraction when there are none. */
export function topKAccuracy(outcomes: readonly QueryOutcome[]): TopKAccuracy {
  const hits = TOP_K.map(() => 0);
  let missed = 0;
  for (const o of outcomes) {
    if (o.standing < 0) missed++;
    if (o.firstHitRank === 0) continue;
    TOP_K.forEach((k, i) => {
      if (o.firstHitRank <= k) hits[i]!++;
    });
  }
  const n = outcomes.length;
  const fraction = (i: number): number => (n === 0 ? -1 : hits[i]! / n);
  return { top1: fraction(0), top5: fraction(1), top10: fraction(2), top15: fraction(3), top20: fraction(4), queries: n, missed };
}
