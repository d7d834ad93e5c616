/**
 * df2's evaluation library: COCO-style tasks (clothes detection,
 * segmentation, landmark estimation) and consumer-to-shop retrieval, each
 * with the figures of the release's official evaluation, and error analysis
 * (TIDE, confusion matrix, per-image counts, landmark errors), and bootstrap
 * intervals. Loading this module needs neither the canvas library nor SQLite.
 * (What other df2 modules share beyond this is in `internal.ts`, not part of
 * the package's API.)
 *
 * @example
 * ```ts
 * import { evaluateCocoFiles, evaluateRetrievalFiles } from 'df2/eval';
 * const keypoints = await evaluateCocoFiles('keypoints', 'val-coco.json', 'keypoints_results.json');
 * const retrieval = await evaluateRetrievalFiles('val_query.json', 'val_gallery.json', 'retrieval.json', { by: ['zoom_in'] });
 * console.log(keypoints.stats[0], retrieval.top1, retrieval.top20, retrieval.by.zoom_in);
 * ```
 */
export {
  prepareBootstrap,
  preparedImageCounts,
  bootstrapCoco,
  bootstrapPrepared,
  bootstrapRetrieval,
  bootstrapSubsets,
  bootstrapRetrievalSubsets,
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
  type SubsetIntervals,
  type RetrievalSubsetIntervals,
} from './bootstrap/index.js';
export {
  evaluateCocoObjects,
  evaluateCocoFiles,
  evaluateCocoFilesByAttribute,
  CocoEvaluator,
  evaluateLoaded,
  evaluateByAttribute,
  loadCocoGroundTruth,
  loadCocoResults,
  loadCocoPair,
  defaultCacheDir,
  DEFAULT_CACHE_MAX_BYTES,
  cellMatches,
  matchesOfImage,
  COCO_TASKS,
  cocoReportJson,
  cocoReportText,
  cocoResultsWarnings,
  type AttributeBreakdown as CocoAttributeBreakdown,
  type CellMatches,
  type CocoEvalOptions,
  type CocoEvalResult,
  type CocoEvaluatorOptions,
  type CocoFigures,
  type CocoGroundTruth,
  type CocoGroundTruthObject,
  type CocoMatchRecords,
  type CocoObjectsEvalOptions,
  type CocoReportJson,
  type CocoResults,
  type CocoTask,
  type LoadOptions,
  type SnapshotCacheOptions,
} from './coco/index.js';
export {
  evaluateRetrieval,
  evaluateRetrievalFiles,
  evaluateRetrievalObjects,
  loadRetrievalInputs,
  explainQuery,
  retrievalJson,
  retrievalText,
  type QueryExplanation,
  type RetrievalFileOptions,
  type RetrievalInputs,
  type RetrievalJson,
  type RetrievalObjectsOptions,
  type RetrievalOptions,
  type RetrievalResult,
} from './retrieval/index.js';
export {
  tideAnalysis,
  tideErrors,
  tideReportText,
  TIDE_MAIN_ERRORS,
  confusionAnalysis,
  confusionMatrix,
  confusionReportText,
  perImageCounts,
  perImageRows,
  keypointErrorAnalysis,
  keypointErrorsJson,
  keypointErrorsText,
  KEYPOINT_ERROR_OKS,
  KEYPOINT_ERROR_STEPS,
  LANDMARK_KINDS,
  type CategoryLandmarkErrors,
  type ConfusionAnalysis,
  type ConfusionMatrix,
  type ConfusionOptions,
  type DetectionLandmarkErrors,
  type ImageCountRow,
  type ImageCounts,
  type KeypointErrorAnalysis,
  type KeypointErrorOptions,
  type KeypointErrorStep,
  type KeypointErrorsJson,
  type KindCounts,
  type LandmarkKind,
  type TideAnalysis,
  type TideErrors,
  type TideMainError,
  type TideOptions,
  type TideTask,
} from './errors/index.js';
