/**
 * df2's evaluation library: COCO-style tasks (clothes detection,
 * segmentation, landmark estimation) and consumer-to-shop retrieval, each
 * with the figures of the release's official evaluation, and error analysis
 * (TIDE, confusion matrix, per-image counts, landmark errors). Each part is also available
 * whole as the namespaces `coco`, `retrieval` and `errors`. Loading this
 * module needs neither the canvas library nor SQLite.
 *
 * @example
 * ```ts
 * import { evaluateCocoFiles, evaluateRetrievalFiles } from 'df2/eval';
 * const keypoints = await evaluateCocoFiles('keypoints', 'val-coco.json', 'keypoints_results.json');
 * const retrieval = await evaluateRetrievalFiles('val_query.json', 'val_gallery.json', 'retrieval.json', { by: ['zoom_in'] });
 * console.log(keypoints.stats[0], retrieval.top1, retrieval.top20, retrieval.by.zoom_in);
 * ```
 */
export * as coco from './coco/index.js';
export * as retrieval from './retrieval/index.js';
export * as errors from './errors/index.js';
export * as bootstrap from './bootstrap/index.js';
export {
  prepareBootstrap,
  bootstrapCoco,
  bootstrapPrepared,
  bootstrapRetrieval,
  comparePrepared,
  resampleFigures,
  percentileInterval,
  type CocoBootstrap,
  type CocoComparison,
  type FigureInterval,
  type PairedFigure,
  type PreparedEvaluation,
  type ResampleOptions,
  type RetrievalBootstrap,
} from './bootstrap/index.js';
export {
  evaluateCocoFiles,
  evaluateCocoFilesByAttribute,
  CocoEvaluator,
  evaluateLoaded,
  evaluateByAttribute,
  requireAttributes as requireCocoAttributes,
  loadCocoGroundTruth,
  loadCocoResults,
  loadCocoPair,
  defaultCacheDir,
  DEFAULT_CACHE_MAX_BYTES,
  type SnapshotCacheOptions,
  cellMatches,
  matchesOfImage,
  paramsFor,
  COCO_TASKS,
  cocoReportJson,
  cocoReportText,
  cocoResultsWarnings,
  boxesStandingInForMasks,
  UnknownImageIdError,
  type AttributeBreakdown as CocoAttributeBreakdown,
  type CocoEvalOptions,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoResults,
  type CocoResultsData,
  type CocoMatchRecords,
  type CellMatches,
  type CocoTask,
} from './coco/index.js';
export {
  evaluateRetrieval,
  evaluateRetrievalFiles,
  loadRetrievalInputs,
  explainQuery,
  assignResults,
  type QueryExplanation,
  type RetrievalInputs,
  type RetrievalResult,
  type RetrievalOptions,
  type RetrievalFileOptions,
} from './retrieval/index.js';
export {
  groupByImage,
  tideAnalysis,
  tideErrors,
  TIDE_MAIN_ERRORS,
  TIDE_OUTCOME,
  TIDE_OUTCOME_ERROR,
  confusionAnalysis,
  confusionMatrix,
  confusionCellImages,
  perImageCounts,
  perImageRows,
  tideReportText,
  confusionReportText,
  keypointErrorAnalysis,
  keypointErrorsJson,
  keypointErrorsText,
  landmarkRows,
  perImageLandmarkRows,
  meanLandmarkLayout,
  type LandmarkLayout,
  KEYPOINT_ERROR_OKS,
  KEYPOINT_ERROR_STEPS,
  LANDMARK_KINDS,
  type KeypointErrorAnalysis,
  type KeypointErrorOptions,
  type KeypointErrorStep,
  type DetectionLandmarkErrors,
  type CategoryLandmarkErrors,
  type KindCounts,
  type LandmarkKind,
  type LandmarkErrorRow,
  type KeypointErrorsJson,
  type DetectionKindRow,
  type ImageGroups,
  type TideAnalysis,
  type TideErrors,
  type TideMainError,
  type TideOptions,
  type TideTask,
  type CellImage,
  type ConfusionAnalysis,
  type ConfusionEntries,
  type ConfusionMatrix,
  type ConfusionOptions,
  type ImageCounts,
  type ImageCountRow,
} from './errors/index.js';

// Used by other modules (imported through this index).
export { firstMissingAttribute } from './coco/ground-truth.js';
export { type SummaryLine, sliceMean, formatSummaryLine } from './coco/summarize.js';
export { type Assignment, type TopKAccuracy, topKAccuracy } from './retrieval/index.js';
export { retrievalJson, retrievalText, warningLines } from './retrieval/report.js';
export { TOP_K, hitGalleryItem } from './retrieval/score.js';
