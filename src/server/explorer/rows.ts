/** Rows of the explorer's tables as both databases return them, and their conversion. */
import type { ImageRow, SplitInfo } from './types.js';

export interface SplitRow {
  id: number;
  name: string;
  dir: string;
  images: number;
  items: number;
  bad_files: number;
  indexed_at: string | null;
}
/** has_image: 0/1 in SQLite, a boolean in PostgreSQL. */
export interface ImageDbRow {
  image_id: number;
  source: 'user' | 'shop';
  pair_id: number;
  width: number;
  height: number;
  has_image: number | boolean;
  n_items: number;
}

export const IMAGE_COLUMNS = 'image_id, source, pair_id, width, height, has_image, n_items';

export const toSplit = (r: SplitRow): SplitInfo => ({
  id: r.id,
  name: r.name,
  dir: r.dir,
  images: r.images,
  items: r.items,
  badFiles: r.bad_files,
  indexedAt: r.indexed_at,
});

export const toImage = (r: ImageDbRow): ImageRow => ({
  imageId: r.image_id,
  source: r.source,
  pairId: r.pair_id,
  width: r.width,
  height: r.height,
  hasImage: Boolean(r.has_image),
  itemCount: r.n_items,
});
