/**
 * df2's evaluation library: COCO-style tasks (clothes detection,
 * segmentation, landmark estimation) and consumer-to-shop retrieval, each
 * with the figures of the release's official evaluation. The two are also
 * available whole as the namespaces `coco` and `retrieval`.
 */
export * as coco from './coco/index.js';
export * as retrieval from './retrieval/index.js';
export {
  evaluateCocoFiles,
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
  cocoResultsWarnings,
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
