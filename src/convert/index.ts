/**
 * A split in the formats that evaluation and training tools read: COCO
 * ground truth (as the release's converter writes it), the retrieval query
 * and gallery files, and Ultralytics YOLO datasets. The `convertSplitTo*`
 * functions take a split directory; the `write*` functions take any stream
 * of records (e.g. `readSplit` filtered); the pure per-record functions
 * (`cocoAnnotation`, `retrievalQuery`, `yoloLabelText`, ...) build one entry.
 *
 * @example
 * ```ts
 * import { readSplit } from 'df2/dataset';
 * import { writeCocoFile } from 'df2/convert';
 * async function* shopOnly(dir: string) {
 *   for await (const record of readSplit(dir)) if (record.source === 'shop') yield record;
 * }
 * await writeCocoFile(shopOnly('data/validation'), 'val-shop-coco.json', { landmarks: 'visible' });
 * ```
 */
export { convertSplitToCoco, convertSplitToRetrieval, convertSplitToYolo, type SplitReadOptions } from './from-split.js';
export { writeCocoFile, type CocoWriteSummary } from './coco-writer.js';
export {
  cocoAnnotation,
  cocoCategories,
  cocoImage,
  keypointVector,
  type CocoAnnotation,
  type CocoCategory,
  type CocoImage,
  type CocoOptions,
  type LandmarkSelection,
} from './coco.js';
export {
  retrievalGalleryItem,
  retrievalQuery,
  writeRetrievalFiles,
  type RetrievalGalleryItem,
  type RetrievalQuery,
  type RetrievalWriteSummary,
} from './retrieval.js';
export { YOLO_SPLITS, writeYoloDataset, yoloSplitForDir, type YoloSplit, type YoloWriteOptions, type YoloWriteSummary } from './yolo-writer.js';
export { YOLO_TASKS, yoloClassNames, yoloFlipIndex, yoloLabelText, type YoloTask } from './yolo.js';
