/** COCO-style evaluation (bbox, segm, keypoints) with the release's official figures: the library API. */
export { evaluateCocoObjects, evaluateCocoFiles, evaluateCocoFilesByAttribute, type CocoGroundTruthObject, type CocoObjectsEvalOptions } from './api.js';
export { CocoEvaluator, type CocoEvaluatorOptions } from './parallel.js';
export { evaluateLoaded, type CocoEvalResult } from './evaluate.js';
export type { CocoEvalOptions, CocoSubset } from './plan.js';
export { evaluateByAttribute, attributeSubsets } from './subsets.js';
export { requireAttributes } from './ground-truth.js';
export { defaultCacheDir, DEFAULT_CACHE_MAX_BYTES, type SnapshotCacheOptions } from './snapshot.js';
export { loadCocoGroundTruth, loadCocoResults, loadCocoPair, type LoadOptions, type LoadProgress } from './load.js';
export { readCocoGroundTruth, firstMissingAttribute, type CocoGroundTruth, type GroundTruthAnnotations } from './ground-truth.js';
export { readCocoResults, linkResults, UnknownImageIdError, type CocoResults, type CocoResultsData, type ResultKind } from './results.js';
export { cellMatches, matchesOfImage, type CocoMatchRecords, type CellMatches, type DetectionMatch, type GroundTruthMatch } from './matches.js';
export { paramsFor, COCO_TASKS, type CocoTask, type CocoEvalParams } from './params.js';
export { formatSummaryLine, pyFixed, sliceMean, type CocoFigures, type SummaryLine } from './summarize.js';
export { cocoFiguresJson, cocoReportJson, cocoReportText, type AttributeBreakdown, type CocoFiguresJson, type CocoReportJson } from './report.js';
export { maskOf, type MaskStore } from './mask-store.js';
export { recordOf, type RecordBlocks } from './records.js';
export { boxesStandingInForMasks, cocoResultsWarnings } from './warnings.js';
