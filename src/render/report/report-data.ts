/**
 * Builds the report's numbers from the evaluation engine (the same calls as
 * `df2 eval`): summary figures, per-category AP, precision-recall curves
 * read from the engine's precision array, per-attribute figures when the
 * ground truth carries attributes, score histograms and the worst images
 * from its per-image match records, and for bbox and segm the error
 * analysis of df2 eval --errors --confusion (TIDE, confusion matrix).
 * Nothing here matches or scores anew.
 */
import { ATTRIBUTE_NAMES, ATTRIBUTES, categoryById, type AttributeName } from '../../schema/index.js';
import { loadCocoGroundTruth, loadCocoResults } from '../../eval/index.js';
import { evaluateByAttribute, evaluateLoaded, type CocoAttributeBreakdown as AttributeBreakdown, type CocoEvalResult } from '../../eval/index.js';
import { type CocoGroundTruth } from '../../eval/index.js';
import { firstMissingAttribute } from '../../eval/internal.js';
import { type CocoTask } from '../../eval/index.js';
import { paramsFor } from '../../eval/internal.js';
import { sliceMean } from '../../eval/internal.js';
import { cocoResultsWarnings } from '../../eval/index.js';
import type { SummaryLine } from '../../eval/internal.js';
import type { CocoResults } from '../../eval/index.js';
import { landmarkErrorSection } from './landmark-errors.js';
import { confusionMatrix, perImageCounts, tideAnalysis } from '../../eval/index.js';
import { groupByImage } from '../../eval/internal.js';
import { evaluateRetrieval, loadRetrievalInputs, type RetrievalInputs, type RetrievalResult } from '../../eval/index.js';
import { TOP_K } from '../../eval/internal.js';
import { binCounts } from './svg-chart.js';
import { MATCH_THRESHOLD } from '../pictures/match-verdicts.js';
import { addCocoIntervals, addRetrievalIntervals, setCocoIntervals, type ReportIntervalOptions } from './report-intervals.js';
import type { CocoBootstrap } from '../../eval/index.js';
import type {
  AttributeTable,
  CategoryRow,
  CocoTaskSection,
  ErrorAnalysis,
  ImageErrorRow,
  PrCurves,
  ReportModel,
  RetrievalSection,
  ScoreHistogram,
  SummaryFigure,
} from './report-model.js';

export interface ReportRequest {
  gtFile: string;
  tasks: { task: CocoTask; resultsFile: string }[];
  retrieval?: { query: string; gallery: string; results: string };
  /**
   * The page's title.
   * @default 'DeepFashion2 evaluation report'
   */
  title?: string;
  /** Bootstrap intervals of every figure (df2 report --ci), drawn as df2 eval --ci draws them. */
  intervals?: ReportIntervalOptions;
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Called with each warning about the inputs (box results standing in for masks, an empty results file). */
  onWarning?: (line: string) => void;
}

/** What the pictures of a task section need besides the model: the engine's result. */
interface EvaluatedTask {
  section: CocoTaskSection;
  result: CocoEvalResult;
}

export interface ReportData {
  model: ReportModel;
  evaluated: EvaluatedTask[];
  retrieval?: { inputs: RetrievalInputs; result: RetrievalResult };
  /** What the evaluation of the results files warns of (cocoResultsWarnings), for the command to print. */
  warnings: string[];
}

const SCORE_BINS = 20;
/** Rows of the table of images with the most errors. */
const ERROR_IMAGES = 10;

export async function buildReportData(request: ReportRequest): Promise<ReportData> {
  const tasks = [...new Set(request.tasks.map((t) => t.task))];
  const evaluated: EvaluatedTask[] = [];
  const warnings: string[] = [];
  if (request.tasks.length > 0) {
    // The confusion matrix of segm results reads boxes: load them with the masks.
    const withBoxes = (list: readonly CocoTask[]): CocoTask[] => (list.includes('segm') && !list.includes('bbox') ? [...list, 'bbox'] : [...list]);
    const gt = await loadCocoGroundTruth(request.gtFile, withBoxes(tasks), { onProgress: request.onProgress });
    for (const { task, resultsFile } of request.tasks) {
      const results = await loadCocoResults(resultsFile, gt, withBoxes([task]), { onProgress: request.onProgress });
      warnings.push(...cocoResultsWarnings(task, results));
      const result = evaluateLoaded(task, gt, results, { quiet: true, onProgress: request.onProgress });
      const byAttribute = hasAttributes(gt)
        ? evaluateByAttribute(task, gt, results, ATTRIBUTE_NAMES, { quiet: true, ...(request.onProgress ? { onProgress: request.onProgress } : {}) })
        : undefined;
      const section = cocoReportSection({ task, gtFile: request.gtFile, resultsFile, gt, results, result, byAttribute });
      if (request.intervals)
        await addCocoIntervals(section, task, gt, results, request.intervals, (done, total) => request.onProgress?.(`resampling ${task}`, done, total));
      evaluated.push({ section, result });
    }
  }
  const model = reportModel(
    request.title,
    evaluated.map((e) => e.section),
  );
  if (!request.retrieval) return { model, evaluated, warnings };
  const retrieval = await evaluateRetrievalForReport(request.retrieval);
  model.retrieval = retrievalReportSection(request.retrieval, retrieval.result);
  if (request.intervals)
    await addRetrievalIntervals(model.retrieval, retrieval.inputs, retrieval.result, request.intervals, (done, total) =>
      request.onProgress?.('resampling retrieval', done, total),
    );
  return { model, evaluated, retrieval, warnings };
}

/** The page's model around its sections (the retrieval section is set by the caller). */
export function reportModel(title: string | undefined, tasks: CocoTaskSection[]): ReportModel {
  return { title: title ?? 'DeepFashion2 evaluation report', createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), tasks };
}

/**
 * One COCO-style task evaluated by the caller (the challenge server evaluates a submission
 * once and makes both its figures and its report from that): the loaded files, the engine's
 * result with its match records (evaluateLoaded without `matches: false`), and the
 * per-attribute breakdown when the ground truth carries attributes. For segm, the files must
 * have been loaded with boxes too (`extraTasks: ['bbox']`): the confusion matrix reads them.
 */
export interface EvaluatedCocoTask {
  task: CocoTask;
  gtFile: string;
  resultsFile: string;
  gt: CocoGroundTruth;
  results: CocoResults;
  result: CocoEvalResult;
  byAttribute?: AttributeBreakdown | undefined;
  /**
   * A bootstrap of this same evaluation the caller drew (bootstrapPrepared or bootstrapCoco): the summary figures and
   * AP per category show its intervals as `df2 report --ci` shows them, without drawing again. The per-attribute
   * rows get none (they take a bootstrap of each attribute value, which `df2 report --ci` draws).
   */
  intervals?: CocoBootstrap | undefined;
}

/**
 * The report's section of an evaluated task: figures, curves, attribute tables and (bbox,
 * segm) the error analysis. Matches or scores nothing anew except TIDE and the confusion matrix.
 *
 * @example
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const result = evaluateLoaded('bbox', gt, results, { quiet: true });
 * const section = cocoReportSection({ task: 'bbox', gtFile: 'val-coco.json', resultsFile: 'bbox_results.json', gt, results, result });
 */
export function cocoReportSection(e: EvaluatedCocoTask): CocoTaskSection {
  const attributes = e.byAttribute ? attributeTables(e.byAttribute) : [];
  const section = taskSection(e.task, e.gtFile, e.resultsFile, e.result, attributes);
  if (e.task !== 'keypoints') section.errors = errorAnalysis(e.task, e.gt, e.results, e.result);
  else section.landmarkErrors = landmarkErrorSection(e.gt, e.results);
  if (e.intervals) setCocoIntervals(section, e.intervals);
  return section;
}

/** Whether every annotation carries the four attributes (a file written with `df2 convert coco --attributes`). */
function hasAttributes(gt: CocoGroundTruth): boolean {
  return gt.annotations.count > 0 && ATTRIBUTE_NAMES.every((_, a) => firstMissingAttribute(gt, a) === -1);
}

/** AP, AP50, AP75 per attribute value: the engine's breakdown, as `df2 eval --by` prints it. */
function attributeTables(by: AttributeBreakdown): AttributeTable[] {
  return ATTRIBUTE_NAMES.map((attribute) => ({
    attribute,
    rows: ATTRIBUTES[attribute].map((valueName, i) => {
      const [ap, ap50, ap75] = by[attribute]![String(i + 1) as '1' | '2' | '3'];
      return { value: i + 1, valueName, ap, ap50, ap75 };
    }),
  }));
}

const SHORT_NAMES = { AP: 'AP', AR: 'AR' } as const;

function summaryFigures(summary: readonly SummaryLine[]): SummaryFigure[] {
  return summary.map((line) => {
    const iou = line.iouThr === null ? '0.50:0.95' : line.iouThr.toFixed(2);
    const short =
      SHORT_NAMES[line.kind] +
      (line.iouThr === null ? '' : String(Math.round(line.iouThr * 100))) +
      (line.areaRng === 'all' ? '' : ` ${line.areaRng}`) +
      (line.kind === 'AR' && line.iouThr === null && line.areaRng === 'all' ? String(line.maxDets) : '');
    return { name: `${line.kind} @[IoU=${iou} | area=${line.areaRng} | maxDets=${line.maxDets}]`, short, value: line.value };
  });
}

function taskSection(task: CocoTask, gtFile: string, resultsFile: string, result: CocoEvalResult, attributes: AttributeTable[]): CocoTaskSection {
  const params = paramsFor(task);
  const acc = { precision: result.precision, recall: result.recall, scores: result.scores, dims: result.dims };
  const maxDets = params.maxDets[params.maxDets.length - 1]!;
  const counts = matchCounts(result);
  const perCategory: CategoryRow[] = result.perCategoryAp.map((c, k) => ({
    categoryId: c.categoryId,
    name: categoryById(c.categoryId)?.annotationName ?? c.name,
    ap: c.ap,
    ap50: sliceMean(params, acc, { ap: true, iouThr: 0.5, maxDets }, [k]),
    ap75: sliceMean(params, acc, { ap: true, iouThr: 0.75, maxDets }, [k]),
    groundTruth: counts.groundTruth.get(c.categoryId) ?? 0,
    detections: counts.detections.get(c.categoryId) ?? 0,
  }));
  return {
    task,
    gtFile,
    resultsFile,
    summary: summaryFigures(result.summary),
    perCategory,
    curves: [0.5, 0.75].map((threshold) => prCurves(result, threshold)),
    attributes,
    scores: scoreHistogram(result),
    matchThreshold: MATCH_THRESHOLD,
    worst: [],
  };
}

/** Precision at the 101 recall points, area all, largest maxDets, per category with ground truth, and their mean. */
export function prCurves(result: CocoEvalResult, threshold: number): PrCurves {
  const { T, R, K, A, M } = result.dims;
  const t = result.params.iouThrs.indexOf(threshold);
  if (t < 0 || t >= T) throw new RangeError(`no IoU threshold ${threshold} in the evaluation`);
  const a = 0,
    m = M - 1;
  const at = (r: number, k: number): number => result.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
  const perCategory: PrCurves['perCategory'] = [];
  for (let k = 0; k < K; k++) {
    const precision = Array.from({ length: R }, (_, r) => at(r, k));
    if (precision.every((p) => p < 0)) continue; // no ground truth
    perCategory.push({ categoryId: result.params.categoryIds[k]!, precision });
  }
  const overall = Array.from({ length: R }, (_, r) => {
    const valid = perCategory.map((c) => c.precision[r]!).filter((p) => p > -1);
    return valid.length === 0 ? -1 : valid.reduce((s, p) => s + p, 0) / valid.length;
  });
  return { threshold, recall: result.params.recThrs, perCategory, overall };
}

interface Counts {
  groundTruth: Map<number, number>;
  detections: Map<number, number>;
}

/** Regular (not ignored) ground truth and kept detections per category, from the match records. */
function matchCounts(result: CocoEvalResult): Counts {
  const m = result.matches;
  const groundTruth = new Map<number, number>();
  const detections = new Map<number, number>();
  for (let c = 0; c < m.cellImageId.length; c++) {
    const category = m.cellCategoryId[c]!;
    let gt = 0;
    for (let i = m.cellGtStart[c]!; i < m.cellGtStart[c + 1]!; i++) if (!m.gtIgnored[i]) gt++;
    groundTruth.set(category, (groundTruth.get(category) ?? 0) + gt);
    detections.set(category, (detections.get(category) ?? 0) + m.cellDetStart[c + 1]! - m.cellDetStart[c]!);
  }
  return { groundTruth, detections };
}

/** Scores of detections that count (not ignored) at IoU .50, split into true and false positives. */
export function scoreHistogram(result: CocoEvalResult): ScoreHistogram {
  const m = result.matches;
  const tp: number[] = [];
  const fp: number[] = [];
  for (let i = 0; i < m.detScore.length; i++) {
    if (m.detIgnored50[i]) continue;
    (m.detGtId50[i] !== 0 ? tp : fp).push(m.detScore[i]!);
  }
  const edges = Array.from({ length: SCORE_BINS + 1 }, (_, i) => i / SCORE_BINS);
  return { edges, truePositives: binCounts(tp, edges), falsePositives: binCounts(fp, edges) };
}

/**
 * The error analysis of a bbox or segm section: TIDE and the confusion
 * matrix with their default settings (as df2 eval --errors --confusion), and
 * the images with the most errors.
 *
 * @example
 * const section = taskSection('bbox', gtFile, resultsFile, result, []);
 * section.errors = errorAnalysis('bbox', gt, results, result);
 */
function errorAnalysis(task: 'bbox' | 'segm', gt: CocoGroundTruth, results: CocoResults, result: CocoEvalResult): ErrorAnalysis {
  const groups = groupByImage(gt, results);
  const tide = tideAnalysis(task, gt, results, { groups });
  const conf = 0.25;
  const iou = 0.45;
  const confusion = confusionMatrix(gt, results, { groups, conf, iou });
  const categoryIds = confusion.labels.filter((l): l is number => l !== 'background');
  const labels = confusion.labels.map((l) => (l === 'background' ? 'background' : (categoryById(l)?.annotationName ?? String(l))));
  return {
    tide: tide.errors,
    tideCounts: tide.counts,
    confusion: { conf, iou, labels, categoryIds, matrix: confusion.matrix },
    images: imagesByErrors(result, ERROR_IMAGES),
  };
}

/** Images by false positives plus missed ground truth at IoU (OKS) .50, most first, ties by image id; only images with some. */
function imagesByErrors(result: CocoEvalResult, count: number): ImageErrorRow[] {
  const counts = perImageCounts(result);
  const rows: ImageErrorRow[] = [];
  for (let i = 0; i < counts.imageId.length; i++) {
    const errors = counts.fp[i]! + counts.fn[i]!;
    if (errors > 0) rows.push({ imageId: counts.imageId[i]!, tp: counts.tp[i]!, fp: counts.fp[i]!, fn: counts.fn[i]! });
  }
  return rows.sort((a, b) => b.fp + b.fn - (a.fp + a.fn) || a.imageId - b.imageId).slice(0, count);
}

interface ImageErrors {
  imageId: number;
  missed: number;
  falsePositives: number;
}

/** Images ordered by missed ground truth plus false positives at IoU .50 (most first; ties by image id). */
export function worstImages(result: CocoEvalResult, count: number): ImageErrors[] {
  return imagesByErrors(result, count).map((r) => ({ imageId: r.imageId, missed: r.fn, falsePositives: r.fp }));
}

/** Retrieval figures, broken down by every attribute that all counted queries carry. */
async function evaluateRetrievalForReport(files: {
  query: string;
  gallery: string;
  results: string;
}): Promise<{ inputs: RetrievalInputs; result: RetrievalResult }> {
  const inputs = await loadRetrievalInputs(files.query, files.gallery, files.results);
  return { inputs, result: evaluateRetrieval(inputs, { by: retrievalReportAttributes(inputs) }) };
}

/** The attributes the report breaks retrieval down by: those that every counted query carries. */
export function retrievalReportAttributes(inputs: RetrievalInputs): AttributeName[] {
  const counted = inputs.queries.items.filter((q) => q.style > 0);
  return counted.length > 0 ? ATTRIBUTE_NAMES.filter((a) => counted.every((q) => q.attributes[a] !== undefined)) : [];
}

export function retrievalReportSection(files: { query: string; gallery: string; results: string }, result: RetrievalResult): RetrievalSection {
  const by = ATTRIBUTE_NAMES.filter((a) => result.by[a] !== undefined);
  const accuracy = (t: { top1: number; top5: number; top10: number; top15: number; top20: number }): number[] => [t.top1, t.top5, t.top10, t.top15, t.top20];
  return {
    queryFile: files.query,
    galleryFile: files.gallery,
    resultsFile: files.results,
    topK: TOP_K.map((k, i) => ({ k, accuracy: accuracy(result)[i]! })),
    queries: result.queries,
    missed: result.missed,
    attributes: by.map((attribute) => ({
      attribute,
      rows: ATTRIBUTES[attribute].map((valueName, i) => {
        const figures = result.by[attribute]![String(i + 1)]!;
        return { value: i + 1, valueName, queries: figures.queries, topK: accuracy(figures) };
      }),
    })),
    strips: [],
  };
}
