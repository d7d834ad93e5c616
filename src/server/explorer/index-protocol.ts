/** Messages between the indexer (main thread) and its worker thread (index-worker.ts). */
import type { BadFile } from './types.js';
import type { ImageBatch } from './image-batch.js';

export interface IndexWorkerData {
  /** The split directory and its name (bad-file messages name the split, not the server's path). */
  dir: string;
  name: string;
  /** Files as indexed before: image ids and their annotation file's mtime (ms) and size. */
  knownIds: Int32Array;
  knownMtimes: Float64Array;
  knownSizes: Float64Array;
  /** Images (and bad files) per batch. */
  batchSize: number;
  /** This worker's part of `parts` (workers split the files between them). */
  part: number;
  parts: number;
}

export type ToWorker = { type: 'ack'; batch: number };

export type ToIndexer =
  | { type: 'listed'; total: number }
  /** Files read in this batch: images to write, files that failed, and ids of those (they leave the index). `done`: files checked so far. */
  | { type: 'batch'; batch: number; images: ImageBatch; bad: BadFile[]; badIds: number[]; done: number; changed: number }
  /** Ids indexed before whose file is gone (from part 0 only). */
  | { type: 'end'; removed: number[]; total: number; changed: number }
  | { type: 'error'; input: boolean; message: string };
