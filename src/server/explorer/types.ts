/**
 * The explorer's index of a split: one row per image and per item with the
 * fields the filters need. Geometry (boxes, polygons, landmarks) is not
 * copied: a page of results reads its few annotation files, so the index
 * stays small and the files stay the one source of truth.
 */
import type { Facet, ImageFilters } from './filters.js';
import type { BadFileJson, SplitStats } from '../../shared/api-types.js';
import type { ImageBatch } from './image-batch.js';

export type { SplitStats };

export interface SplitInfo {
  id: number;
  /** Server-side name used in URLs ("validation"); never a path. */
  name: string;
  /** The directory (server-side only; never sent to clients). */
  dir: string;
  images: number;
  items: number;
  badFiles: number;
  indexedAt: string | null;
}

export interface IndexedItem {
  categoryId: number;
  style: number;
  scale: number;
  occlusion: number;
  zoomIn: number;
  viewpoint: number;
  /** Landmarks with v = 2 and v = 1. */
  visible: number;
  occluded: number;
}

/** An image as the index keeps it: what a page of results shows without reading the annotation file. */
export interface ImageRow {
  imageId: number;
  /** 'unknown' for an image of a split of images only (the test split: no annotation says). */
  source: 'user' | 'shop' | 'unknown';
  pairId: number;
  width: number;
  height: number;
  hasImage: boolean;
  itemCount: number;
}

/** An image as the indexer writes it: the row's fields, its items, and the file state it was read at. */
export interface IndexedImage extends Omit<ImageRow, 'itemCount'> {
  items: IndexedItem[];
  /** The annotation file's mtime (ms) and size when it was read: re-read only when they change. */
  mtimeMs: number;
  size: number;
}

/** A file that could not be indexed, and why. */
export type BadFile = BadFileJson;

/** Indexed files as columns (a Map of 192k small objects costs the event loop hundreds of ms in garbage collection). */
export interface FileStates {
  ids: Int32Array;
  mtimeMs: Float64Array;
  size: Float64Array;
}

export type FacetCounts = Record<Facet, Record<string, number>>;

export interface DatasetIndex {
  /** Registers (or finds) a split by name; the directory of an existing name is updated. */
  registerSplit(name: string, dir: string): Promise<SplitInfo>;
  splits(): Promise<SplitInfo[]>;
  split(name: string): Promise<SplitInfo | undefined>;
  /** The annotation files as indexed: image ids (ascending) with their file's mtime (ms) and size, as columns. */
  fileStates(splitId: number): Promise<FileStates>;
  /** Replaces the rows of these images (and removes `removed`), in one transaction. */
  writeImages(splitId: number, images: IndexedImage[], removed: number[]): Promise<void>;
  /** writeImages with the images as columns (what the index workers send). A write may be asked for before the one before it resolves: they commit in the order asked. */
  writeBatch(splitId: number, batch: ImageBatch, removed: ArrayLike<number>): Promise<void>;
  /** Replaces the list of files that could not be indexed. */
  setBadFiles(splitId: number, bad: BadFile[]): Promise<void>;
  badFiles(splitId: number, limit: number): Promise<BadFile[]>;
  /** Updates image/item/bad-file counts and the indexing time. */
  finishIndexing(splitId: number): Promise<void>;
  queryImages(splitId: number, filters: ImageFilters, offset: number, limit: number): Promise<{ total: number; images: ImageRow[] }>;
  facetCounts(splitId: number, filters: ImageFilters): Promise<FacetCounts>;
  image(splitId: number, imageId: number): Promise<ImageRow | undefined>;
  imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]>;
  stats(splitId: number): Promise<SplitStats>;
}
