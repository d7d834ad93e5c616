/**
 * Error analysis beside the official figures: why a model misses, not just
 * how much. TIDE's error breakdown (tidecv 1.0.1), the detection confusion
 * matrix (Ultralytics), and per-image true / false positives and misses from
 * the official matching.
 */
export { groupByImage, type ImageGroups } from './image-groups.js';
export {
  tideAnalysis,
  tideErrors,
  TIDE_MAIN_ERRORS,
  TIDE_OUTCOME,
  TIDE_OUTCOME_ERROR,
  type TideAnalysis,
  type TideErrors,
  type TideMainError,
  type TideOptions,
  type TideTask,
} from './tide.js';
export {
  confusionAnalysis,
  confusionMatrix,
  confusionCellImages,
  type CellImage,
  type ConfusionAnalysis,
  type ConfusionEntries,
  type ConfusionMatrix,
  type ConfusionOptions,
} from './confusion.js';
export { perImageCounts, perImageRows, type ImageCounts, type ImageCountRow } from './per-image.js';
export { tideReportText, confusionReportText } from './report.js';
