/**
 * Query and gallery ground truth, indexed the way the evaluation asks for
 * them: queries by consumer image (the candidates a detection is assigned
 * among), gallery items by shop image (where a retrieved box is looked up).
 */
import { parseGalleryItem, parseQueryItem, type GalleryItem, type QueryItem } from '../../schema/index.js';
import { type JsonSource, jsonSourceName } from '../../json/source.js';
import { readArrayFile, type ReadArrayOptions } from './read-array.js';

export interface QuerySet {
  file: string;
  items: QueryItem[];
  /** Corners of item i at [4i, 4i+4). */
  boxes: Float64Array;
  /** Query indices per consumer image, in file order: the release breaks IoU ties by this order. */
  byImage: Map<number, number[]>;
}

export interface GalleryIndex {
  file: string;
  items: GalleryItem[];
  /** Corners of item i at [4i, 4i+4). */
  boxes: Float64Array;
  /** Gallery item indices per shop image. */
  byImage: Map<number, number[]>;
  /** `pairStyleKey(pair_id, style)` of every gallery item with style > 0. */
  pairStyles: Set<string>;
}

export const pairStyleKey = (pairId: number, style: number): string => `${pairId}:${style}`;

function cornersOf(items: ReadonlyArray<{ bbox: readonly number[] }>): Float64Array {
  const boxes = new Float64Array(items.length * 4);
  items.forEach((item, i) => boxes.set(item.bbox, i * 4));
  return boxes;
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

export function indexQueries(items: QueryItem[], file = '(queries)'): QuerySet {
  return { file, items, boxes: cornersOf(items), byImage: groupBy(items, (q) => q.queryImageId) };
}

export function indexGallery(items: GalleryItem[], file = '(gallery)'): GalleryIndex {
  const pairStyles = new Set<string>();
  for (const g of items) if (g.style > 0) pairStyles.add(pairStyleKey(g.pairId, g.style));
  return { file, items, boxes: cornersOf(items), byImage: groupBy(items, (g) => g.galleryImageId), pairStyles };
}

export async function loadQueries(source: JsonSource, options: ReadArrayOptions = {}): Promise<QuerySet> {
  const items: QueryItem[] = [];
  await readArrayFile(source, 'query items', parseQueryItem, (item) => items.push(item), options);
  return indexQueries(items, jsonSourceName(source));
}

export async function loadGallery(source: JsonSource, options: ReadArrayOptions = {}): Promise<GalleryIndex> {
  const items: GalleryItem[] = [];
  await readArrayFile(source, 'gallery items', parseGalleryItem, (item) => items.push(item), options);
  return indexGallery(items, jsonSourceName(source));
}
