/** The splits table's rows as both databases return them, and their conversion. */
import type { SplitInfo } from './types.js';

export interface SplitRow {
  id: number;
  name: string;
  dir: string;
  images: number;
  items: number;
  bad_files: number;
  indexed_at: string | null;
}
export const toSplit = (r: SplitRow): SplitInfo => ({
  id: r.id,
  name: r.name,
  dir: r.dir,
  images: r.images,
  items: r.items,
  badFiles: r.bad_files,
  indexedAt: r.indexed_at,
});
