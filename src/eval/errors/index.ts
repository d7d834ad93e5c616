/**
 * Error analysis beside the official figures: why a model misses, not just
 * how much. TIDE's error breakdown (tidecv 1.0.1), the detection confusion
 * matrix (Ultralytics), per-image true / false positives and misses from
 * the official matching, and the landmark error analysis (coco-analyze:
 * good / jitter / inversion / swap / miss, AP after each correction).
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
export {
  keypointErrorAnalysis,
  KEYPOINT_ERROR_OKS,
  KEYPOINT_ERROR_STEPS,
  type CategoryLandmarkErrors,
  type DetectionLandmarkErrors,
  type KeypointErrorAnalysis,
  type KeypointErrorOptions,
  type KeypointErrorStep,
  type KindCounts,
} from './keypoint-errors.js';
export {
  keypointErrorsJson,
  keypointErrorsText,
  landmarkRows,
  perImageLandmarkRows,
  type DetectionKindRow,
  type KeypointErrorsJson,
  type LandmarkErrorRow,
} from './keypoint-errors-report.js';
export { LANDMARK_KINDS, FLIP_PERMUTATION, type LandmarkKind } from './landmark-kinds.js';
export { meanLandmarkLayout, type LandmarkLayout } from './landmark-layout.js';
