/**
 * What other df2 modules (the CLI, the server, the report) use from eval/
 * beyond its public index. Not in the package's `exports`: users rely on
 * `index.ts` only, and these may change in any release. The import-boundary
 * rule (eslint.config.js) lets other modules import this file and no other
 * file behind the index.
 */
export { firstMissingAttribute } from './coco/ground-truth.js';
export { readCocoResults, UnknownImageIdError, type CocoResultsData } from './coco/results.js';
export { boxesStandingInForMasks } from './coco/warnings.js';
export { statIdentity, sameIdentity } from './coco/snapshot.js';
export type { FileIdentity } from './coco/snapshot-format.js';
export { pairedDifference, SUBSET_INTERVAL_FIGURES } from './bootstrap/index.js';
export { recordOf } from './coco/records.js';
export { landmarksOf } from './coco/landmark-windows.js';
export { attributeSubsets } from './coco/subsets.js';
export { prestartHelperThread } from './coco/helper-thread.js';
export { requireAttributes as requireCocoAttributes } from './coco/index.js';
export { paramsFor, pyFixed, sliceMean, formatSummaryLine, type SummaryLine } from './coco/index.js';
export { assignResults, loadGallery, loadQueries, topKAccuracy, TOP_K, type Assignment, type TopKAccuracy } from './retrieval/index.js';
export { warningLines } from './retrieval/report.js';
export { hitGalleryItem } from './retrieval/score.js';
export {
  groupByImage,
  confusionCellImages,
  landmarkRows,
  perImageLandmarkRows,
  meanLandmarkLayout,
  type CellImage,
  type ConfusionEntries,
  type DetectionKindRow,
  type ImageGroups,
  type LandmarkErrorRow,
  type LandmarkLayout,
} from './errors/index.js';
