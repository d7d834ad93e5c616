/** Consumer-to-shop retrieval evaluation: the library API. */
export {
  evaluateRetrieval,
  evaluateRetrievalFiles,
  evaluateRetrievalObjects,
  loadRetrievalInputs,
  requireAttributes,
  type AttributeBreakdown,
  type RetrievalFileOptions,
  type RetrievalInputs,
  type RetrievalObjectsOptions,
  type RetrievalOptions,
  type RetrievalResult,
  type RetrievalWarnings,
} from './evaluate.js';
export { assignResults, type Assignment } from './assign.js';
export { firstHitRank, hitGalleryItem, topKAccuracy, TOP_K, type QueryOutcome, type TopKAccuracy } from './score.js';
export { indexGallery, indexQueries, loadGallery, loadQueries, type GalleryIndex, type QuerySet } from './ground-truth.js';
export { buildResultTable, loadResults, resultRecord, ResultTableBuilder, type ResultTable } from './results.js';
export { releaseBoxIou, HIT_IOU } from './iou.js';
export { retrievalJson, retrievalText, warningLines, type RetrievalJson } from './report.js';
export { explainQuery, type QueryExplanation, type QueryVerdict, type CandidateDetection, type RetrievedItem } from './explain.js';
