/**
 * A split directory straight to a converted file: the split read in image
 * order (checked as `df2 validate` checks it; the first problem throws
 * InputError) and streamed to the writer, which makes its output appear only
 * when complete. These are what `df2 convert` does, for programs.
 */
import { readSplit, type ReadSplitOptions } from '../dataset/index.js';
import { writeCocoFile, type CocoWriteSummary } from './coco-writer.js';
import type { CocoOptions } from './coco.js';
import { writeRetrievalFiles, type RetrievalWriteSummary } from './retrieval.js';
import { writeYoloDataset, yoloSplitForDir, type YoloWriteOptions, type YoloWriteSummary } from './yolo-writer.js';
import { InputError } from '../util/errors.js';

/** How the split is read: files in flight and a progress callback (files done, files in all). */
export type SplitReadOptions = Pick<ReadSplitOptions, 'concurrency' | 'onProgress'>;

/**
 * Writes the COCO ground truth of the split in `dir` to `out`, entry for
 * entry what the release's deepfashion2_to_coco.py writes (what the COCO
 * evaluation reads). Image sizes come from the JPEG headers, so `image/` must
 * be there.
 *
 * @example
 * ```ts
 * import { convertSplitToCoco } from 'df2/convert';
 * const { images, annotations } = await convertSplitToCoco('data/validation', 'val-coco.json', { attributes: true });
 * ```
 */
export async function convertSplitToCoco(dir: string, out: string, options: CocoOptions & SplitReadOptions = {}): Promise<CocoWriteSummary> {
  const { concurrency, onProgress, ...coco } = options;
  return writeCocoFile(readSplit(dir, { imageSizes: true, concurrency, onProgress }), out, coco);
}

/**
 * Writes the retrieval ground truth of the split in `dir`: every user item as
 * a query, every shop item as a gallery item, in the layout of the release's
 * val_query.json and val_gallery.json. Both files appear only when both are
 * complete.
 *
 * @example
 * ```ts
 * import { convertSplitToRetrieval } from 'df2/convert';
 * const counts = await convertSplitToRetrieval('data/validation', { query: 'query.json', gallery: 'gallery.json' });
 * console.log(`${counts.queries} queries, ${counts.galleryItems} gallery items`);
 * ```
 */
export async function convertSplitToRetrieval(
  dir: string,
  targets: { query: string; gallery: string },
  options: { attributes?: boolean } & SplitReadOptions = {},
): Promise<RetrievalWriteSummary> {
  const { concurrency, onProgress, attributes } = options;
  return writeRetrievalFiles(readSplit(dir, { imageSizes: false, concurrency, onProgress }), targets, { attributes });
}

/**
 * Writes the split in `dir` into an Ultralytics YOLO dataset folder
 * (images/<split>, labels/<split>, data.yaml) for detect, segment or pose.
 * Without `split`, the split's name comes from the folder name (train,
 * validation -> val, test).
 *
 * @example
 * ```ts
 * import { convertSplitToYolo } from 'df2/convert';
 * await convertSplitToYolo('data/train', { outDir: 'df2-yolo', task: 'detect' });
 * ```
 */
export async function convertSplitToYolo(
  dir: string,
  options: Omit<YoloWriteOptions, 'split'> & Partial<Pick<YoloWriteOptions, 'split'>> & { read?: SplitReadOptions },
): Promise<YoloWriteSummary & { split: YoloWriteOptions['split'] }> {
  const { read, ...write } = options;
  const split = write.split ?? yoloSplitForDir(dir);
  if (!split) throw new InputError(dir, '', 'a split folder named train, validation or test (or a split option: train, val or test)', 'another name');
  const summary = await writeYoloDataset(readSplit(dir, { imageSizes: true, ...read }), { ...write, split });
  return { ...summary, split };
}
