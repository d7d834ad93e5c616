/**
 * df2's evaluation library: COCO-style tasks (clothes detection,
 * segmentation, landmark estimation) and consumer-to-shop retrieval, each
 * with the figures of the release's official evaluation. The two are also
 * available whole as the namespaces `coco` and `retrieval`. Loading this
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
  cellMatches,
  matchesOfImage,
  paramsFor,
  COCO_TASKS,
  cocoReportJson,
  cocoReportText,
  type AttributeBreakdown as CocoAttributeBreakdown,
  type CocoEvalOptions,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoResults,
  type CocoMatchRecords,
  type CellMatches,
  type CocoTask,
} from './coco/index.js';
export {
  evaluateRetrieval,
  evaluateRetrievalFiles,
  loadRetrievalInputs,
  type RetrievalResult,
  type RetrievalOptions,
  type RetrievalFileOptions,
} from './retrieval/index.js';
