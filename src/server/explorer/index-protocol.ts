/** What the indexer (main thread) and its worker threads (index-worker.ts) send each other. */
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

/** The indexer's call: the next message of the run (null after the end). */
export type IndexRequest = 'next';

export type ToIndexer =
  | { type: 'listed'; total: number }
  /** Files read in this batch: images to write, files that failed, and ids of those (they leave the index). `done`: files checked so far. */
  | { type: 'batch'; batch: number; images: ImageBatch; bad: BadFile[]; badIds: number[]; done: number; changed: number }
  /** Ids indexed before whose file is gone (from part 0 only). */
  | { type: 'end'; removed: number[]; total: number; changed: number };
