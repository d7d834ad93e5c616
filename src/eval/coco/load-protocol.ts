/** What the loading worker (load-worker.ts) and the thread that started it (load-worker-client.ts) send each other. */
import type { SegmentationBatch } from './gt-masks.js';
import type { CocoTask } from './params.js';

export interface LoadJob {
  kind: 'ground-truth' | 'results';
  file: string;
  tasks: readonly CocoTask[];
  /** Ground truth with segm: the shared claim flags of the segmentation batches (see gt-masks.ts). */
  claims?: Int32Array;
  /** Ground truth: also hash the file's bytes (for the snapshot cache). */
  hashContent?: boolean;
}

/**
 * The calls, in this order: 'data' replies with the data read (ground truth
 * with segm: without masks); 'masks' (ground truth with segm and claims)
 * rasterizes the batches not claimed by then and replies with its MaskPart.
 */
export type LoadRequest = 'data' | 'masks';

/** Reported during the 'data' call. */
export type LoadEvent =
  | { type: 'progress'; done: number; total: number }
  /** A batch of ground-truth segmentations ready to be rasterized (while the file is still being read). */
  | { type: 'segm-batch'; batch: SegmentationBatch };
