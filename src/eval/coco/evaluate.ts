/**
 * One evaluation of loaded ground truth and results: group both by
 * (category, image), match each group at every area range and IoU threshold,
 * accumulate per category, summarize. The same loaded data can be evaluated
 * again with other options (image or category selection, an attribute
 * subset) without reading the files again.
 */
import { ATTRIBUTE_NAMES, type AttributeName } from '../../schema/categories.js';
import { InputError } from '../../util/errors.js';
import { type AccumulatedArrays, type CategoryMatches, accumulateCategory, createAccumulated } from './accumulate.js';
import { type CocoGroundTruth, firstMissingAttribute } from './ground-truth.js';
import { type CellMatch, CellMatcher, createCellMatch } from './match.js';
import { type CocoMatchRecords, MatchRecordWriter, mergeMatchRecords } from './matches.js';
import { stableOrderByDescending } from './numeric.js';
import { type CocoEvalParams, type CocoTask, paramsFor, thresholdIndex } from './params.js';
import type { AttributeBreakdown } from './report.js';
import type { CocoResults } from './results.js';
import { SimilarityComputer } from './similarity.js';
import { type SummaryLine, categoryAp, headlineAp, summarizeStats } from './summarize.js';

export interface CocoSubset {
  attribute: AttributeName;
  /** 1..3 */
  value: number;
}

export interface CocoEvalOptions {
  /** Evaluate only these images (default: every image of the ground truth). */
  imageIds?: readonly number[];
  /** Evaluate only these categories (default: every category of the ground truth). */
  categoryIds?: readonly number[];
  /**
   * Only ground truth with this attribute value counts: other ground truth
   * is ignored (and so is a detection matched to it); unmatched detections
   * stay false positives.
   */
  subset?: CocoSubset;
  /** No progress output (used by the file-level API). */
  quiet?: boolean;
  /** Keep per-image match records (default true; the attribute breakdown skips them). */
  matches?: boolean;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface CocoEvalResult {
  task: CocoTask;
  /** summarize()'s figures: 12 for bbox/segm, 10 for keypoints. */
  stats: number[];
  summary: SummaryLine[];
  /** Per evaluated category: AP at IoU .50:.95, area all, largest maxDets; -1 when it has no ground truth. */
  perCategoryAp: { categoryId: number; name: string; ap: number }[];
  /** [AP, AP50, AP75]. */
  headline: [number, number, number];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
  /** Shapes: precision and scores [T, R, K, A, M], recall [T, K, A, M]. */
  dims: AccumulatedArrays['dims'];
  params: {
    iouThrs: number[];
    recThrs: number[];
    maxDets: number[];
    areaRanges: [number, number][];
    areaLabels: string[];
    imageIds: number[];
    categoryIds: number[];
  };
  subset?: CocoSubset;
  matches: CocoMatchRecords;
}

const uniqueSorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

/**
 * Everything one evaluation needs besides the per-category work: which
 * images and categories, ground truth and detections grouped by (category,
 * image), and the ground truth's ignore flags. Deterministic in its inputs,
 * so every thread that shares a category's work builds the same plan.
 */
export interface EvaluationPlan {
  readonly task: CocoTask;
  readonly params: CocoEvalParams;
  readonly gt: CocoGroundTruth;
  readonly res: CocoResults;
  readonly options: CocoEvalOptions;
  /** Evaluated images, ascending (the official imgIds = sorted(getImgIds())). */
  readonly imageIds: number[];
  readonly categoryIds: number[];
  readonly gtGroups: Groups;
  readonly detGroups: Groups;
  readonly baseIgnore: Uint8Array;
  /** Index into gt.images per image rank. */
  readonly imageIndexOfRank: Int32Array;
}

/** The options that travel to another thread (no callbacks). */
export function portableOptions(options: CocoEvalOptions): CocoEvalOptions {
  const { imageIds, categoryIds, subset, matches } = options;
  return { imageIds, categoryIds, subset, matches };
}

export function planEvaluation(task: CocoTask, gt: CocoGroundTruth, res: CocoResults, options: CocoEvalOptions = {}): EvaluationPlan {
  if (!gt.tasks.includes(task)) throw new Error(`evaluate: the ground truth was loaded without ${task}`);
  if (!res.tasks.includes(task)) throw new Error(`evaluate: the results were loaded without ${task}`);
  const ann = gt.annotations;
  const imageById = new Map<number, number>();
  for (let i = 0; i < gt.images.id.length; i++) imageById.set(gt.images.id[i]!, i);
  const imageIds = uniqueSorted(options.imageIds ?? gt.images.id).filter((id) => imageById.has(id));
  const nImages = imageIds.length;
  const imageRank = new Int32Array(gt.images.id.length).fill(-1);
  imageIds.forEach((id, rank) => (imageRank[imageById.get(id)!] = rank));
  const categoryIds = uniqueSorted(options.categoryIds ?? gt.categories.id);
  const categoryRank = new Map(categoryIds.map((id, k) => [id, k]));

  // Cells (category k, image rank r) -> k * nImages + r; ground truth and
  // detections grouped by cell, file order kept inside a cell.
  const cellOfGt = (i: number): number => {
    const k = categoryRank.get(ann.category[i]!);
    const r = imageRank[ann.image[i]!]!;
    return k === undefined || r < 0 ? -1 : k * nImages + r;
  };
  const cellOfDet = (i: number): number => {
    const k = categoryRank.get(res.categoryId[i]!);
    const r = imageRank[res.image[i]!]!;
    return k === undefined || r < 0 ? -1 : k * nImages + r;
  };
  const gtGroups = groupByCell(ann.count, categoryIds.length * nImages, cellOfGt);
  const detGroups = groupByCell(res.count, categoryIds.length * nImages, cellOfDet);
  return {
    task,
    params: paramsFor(task),
    gt,
    res,
    options,
    imageIds,
    categoryIds,
    gtGroups,
    detGroups,
    baseIgnore: groundTruthIgnore(task, gt, options.subset, gtGroups.items),
    imageIndexOfRank: Int32Array.from(imageIds, (id) => imageById.get(id)!),
  };
}

/** A rough cost per category (its detections and ground truth), to share categories between threads. */
export function categoryWork(plan: EvaluationPlan): number[] {
  const nImages = plan.imageIds.length;
  return plan.categoryIds.map((_, k) => {
    const lo = k * nImages;
    const hi = lo + nImages;
    return plan.gtGroups.start[hi]! - plan.gtGroups.start[lo]! + 2 * (plan.detGroups.start[hi]! - plan.detGroups.start[lo]!);
  });
}

/** The evaluation of some categories (ranks into plan.categoryIds): precision etc. filled for those only. */
export interface EvaluationPart {
  categories: number[];
  acc: AccumulatedArrays;
  matches: CocoMatchRecords | null;
}

export function evaluateCategories(plan: EvaluationPlan, categories: readonly number[], onCategory?: () => void): EvaluationPart {
  const { task, params, gt, res, imageIds, categoryIds } = plan;
  const nImages = imageIds.length;
  const acc = createAccumulated(params, categoryIds.length);
  const records = plan.options.matches === false ? null : new MatchRecordWriter();
  const evaluator = new CellEvaluator(task, params, gt, res, plan.baseIgnore, records, similarityCache(task, gt, res));
  const categoryPosition = new Map(gt.categories.id.map((id, i) => [id, i]));
  const ks = [...categories].sort((a, b) => a - b);
  for (const k of ks) {
    const cacheBase = (categoryPosition.get(categoryIds[k]!) ?? -1) * gt.images.id.length;
    const cacheKey = (r: number): number => (cacheBase < 0 ? -1 : cacheBase + plan.imageIndexOfRank[r]!);
    const matches = evaluator.category(k, categoryIds[k]!, nImages, imageIds, plan.gtGroups, plan.detGroups, cacheKey);
    accumulateCategory(params, acc, k, matches);
    onCategory?.();
  }
  return { categories: ks, acc, matches: records?.finish() ?? null };
}

/** The result from parts that together cover every category of the plan. */
export function combineParts(plan: EvaluationPlan, parts: readonly EvaluationPart[]): CocoEvalResult {
  const { task, params, gt, categoryIds, imageIds } = plan;
  let acc: AccumulatedArrays;
  if (parts.length === 1) acc = parts[0]!.acc;
  else {
    acc = createAccumulated(params, categoryIds.length);
    for (const part of parts) for (const k of part.categories) copyCategory(part.acc, acc, k);
  }
  const owner = new Map<number, CocoMatchRecords | null>();
  for (const part of parts) for (const k of part.categories) owner.set(categoryIds[k]!, part.matches);
  const matches = parts.length === 1 && parts[0]!.matches
    ? parts[0]!.matches
    : mergeMatchRecords(categoryIds.map((id) => ({ categoryId: id, records: owner.get(id) ?? null })));

  const names = new Map(gt.categories.id.map((id, i) => [id, gt.categories.name[i]!]));
  const summary = summarizeStats(params, acc);
  return {
    task,
    stats: summary.map((line) => line.value),
    summary,
    perCategoryAp: categoryIds.map((id, k) => ({ categoryId: id, name: names.get(id) ?? String(id), ap: categoryAp(params, acc, k) })),
    headline: headlineAp(params, acc),
    precision: acc.precision,
    recall: acc.recall,
    scores: acc.scores,
    dims: acc.dims,
    params: {
      iouThrs: [...params.iouThrs],
      recThrs: [...params.recThrs],
      maxDets: [...params.maxDets],
      areaRanges: params.areaRanges.map(([lo, hi]) => [lo, hi]),
      areaLabels: [...params.areaLabels],
      imageIds,
      categoryIds,
    },
    subset: plan.options.subset,
    matches,
  };
}

/** Copies category k's precision, recall and scores from one accumulation to another. */
function copyCategory(from: AccumulatedArrays, to: AccumulatedArrays, k: number): void {
  const { T, R, K, A, M } = to.dims;
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        const at = ((t * K + k) * A + a) * M + m;
        to.recall[at] = from.recall[at]!;
        for (let r = 0; r < R; r++) {
          const p = (((t * R + r) * K + k) * A + a) * M + m;
          to.precision[p] = from.precision[p]!;
          to.scores[p] = from.scores[p]!;
        }
      }
    }
  }
}

/** Evaluates in this thread (see CocoEvaluator for both cores). */
export function evaluateLoaded(task: CocoTask, gt: CocoGroundTruth, res: CocoResults, options: CocoEvalOptions = {}): CocoEvalResult {
  const plan = planEvaluation(task, gt, res, options);
  let done = 0;
  const K = plan.categoryIds.length;
  const part = evaluateCategories(plan, plan.categoryIds.map((_, k) => k), () => options.onProgress?.('evaluating', ++done, K));
  return combineParts(plan, [part]);
}

/**
 * Similarity matrices per (category, image) of one results set against one
 * ground truth: they do not depend on the options (subsets, selections), so
 * evaluating the same loaded data again (e.g. per attribute) reuses them.
 */
type SimilarityCache = Map<number, Float64Array>;
const similarityCaches = new WeakMap<CocoResults, { gt: CocoGroundTruth; task: CocoTask; cells: SimilarityCache }>();

function similarityCache(task: CocoTask, gt: CocoGroundTruth, res: CocoResults): SimilarityCache {
  const cached = similarityCaches.get(res);
  if (cached && cached.gt === gt && cached.task === task) return cached.cells;
  const cells: SimilarityCache = new Map();
  similarityCaches.set(res, { gt, task, cells });
  return cells;
}

/**
 * The subsets of a per-attribute breakdown, in report order: values 1..3 of
 * each attribute. Each one's headline goes into attributeBreakdown.
 */
export function attributeSubsets(attributes: readonly AttributeName[]): CocoSubset[] {
  return attributes.flatMap((attribute) => {
    if (!ATTRIBUTE_NAMES.includes(attribute)) throw new RangeError(`unknown attribute ${attribute}`);
    return ([1, 2, 3] as const).map((value) => ({ attribute, value }));
  });
}

/** The breakdown from the headline [AP, AP50, AP75] of each subset of attributeSubsets. */
export function attributeBreakdown(subsets: readonly CocoSubset[], headlines: readonly [number, number, number][]): AttributeBreakdown {
  const out: AttributeBreakdown = {};
  subsets.forEach(({ attribute, value }, i) => {
    const values = (out[attribute] ??= {} as Record<'1' | '2' | '3', [number, number, number]>);
    values[String(value) as '1' | '2' | '3'] = headlines[i]!;
  });
  return out;
}

/**
 * Per attribute and value 1..3: [AP, AP50, AP75] over the ground truth with
 * that value (see CocoEvalOptions.subset), in this thread. CocoEvaluator's
 * evaluateByAttribute does the same on both cores.
 */
export function evaluateByAttribute(
  task: CocoTask, gt: CocoGroundTruth, res: CocoResults, attributes: readonly AttributeName[], options: CocoEvalOptions = {},
): AttributeBreakdown {
  const subsets = attributeSubsets(attributes);
  return attributeBreakdown(subsets, subsets.map((subset) => evaluateLoaded(task, gt, res, { ...options, matches: false, subset }).headline));
}

/** Items grouped by cell: items[start[c] .. start[c + 1]) in ascending item order. */
export interface Groups {
  start: Int32Array;
  items: Int32Array;
}

function groupByCell(count: number, cells: number, cellOf: (i: number) => number): Groups {
  const cellOfItem = new Int32Array(count);
  const start = new Int32Array(cells + 1);
  for (let i = 0; i < count; i++) {
    const c = cellOf(i);
    cellOfItem[i] = c;
    if (c >= 0) start[c + 1]!++;
  }
  for (let c = 0; c < cells; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, cells);
  const items = new Int32Array(start[cells]!);
  for (let i = 0; i < count; i++) {
    const c = cellOfItem[i]!;
    if (c >= 0) items[fill[c]!++] = i;
  }
  return { start, items };
}

/**
 * The ignore flag of each annotation before area ranges: crowd regions;
 * for keypoints also ground truth with num_keypoints == 0; with a subset,
 * ground truth whose attribute has another value. Every evaluated
 * annotation must carry the subset's attribute.
 */
function groundTruthIgnore(task: CocoTask, gt: CocoGroundTruth, subset: CocoSubset | undefined, evaluated: Int32Array): Uint8Array {
  const ann = gt.annotations;
  const ignore = new Uint8Array(ann.count);
  for (let i = 0; i < ann.count; i++) {
    ignore[i] = ann.iscrowd[i]! || (task === 'keypoints' && ann.numKeypoints[i] === 0) ? 1 : 0;
  }
  if (subset) {
    const a = ATTRIBUTE_NAMES.indexOf(subset.attribute);
    if (a < 0) throw new RangeError(`unknown attribute ${subset.attribute}`);
    const missing = firstMissingAttribute(gt, a, evaluated);
    if (missing >= 0) throw missingAttributeError(gt, subset.attribute, missing);
    for (const i of evaluated) {
      if (ann.attributes[i * ATTRIBUTE_NAMES.length + a] !== subset.value) ignore[i] = 1;
    }
  }
  return ignore;
}

/** The error for ground truth without the attribute a breakdown needs (annotation i is the first without it). */
export function missingAttributeError(gt: CocoGroundTruth, attribute: AttributeName, i: number): InputError {
  const value = gt.annotations.attributes[i * ATTRIBUTE_NAMES.length + ATTRIBUTE_NAMES.indexOf(attribute)];
  return new InputError(
    gt.file, `annotations[${i}].${attribute}`,
    `"${attribute}" (1..3) on every annotation to evaluate by it (write the ground truth with \`df2 convert coco --attributes\`)`,
    value === 0 ? 'no such field' : 'a value outside 1..3',
  );
}

/** Throws missingAttributeError unless every annotation carries each attribute. */
export function requireAttributes(gt: CocoGroundTruth, attributes: readonly AttributeName[]): void {
  for (const attribute of attributes) {
    const missing = firstMissingAttribute(gt, ATTRIBUTE_NAMES.indexOf(attribute));
    if (missing >= 0) throw missingAttributeError(gt, attribute, missing);
  }
}

function sameFlags(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Evaluates the cells of one category at a time; buffers are reused across cells. */
class CellEvaluator {
  private readonly similarity: SimilarityComputer;
  private readonly matcher: CellMatcher;
  private readonly t50: number;
  private readonly t75: number;
  private readonly maxDet: number;
  private dets = new Int32Array(256);
  private detScores = new Float64Array(256);
  private order = new Int32Array(256);
  /** Per area range: the ground truth's ignore flags, and which range's matching applies. */
  private gtIgnore: Uint8Array[];
  private readonly cellMatches: CellMatch[];
  private readonly matchOf: Int32Array;
  private gtCrowd = new Uint8Array(64);
  private gtIds = new Float64Array(64);
  private dtOut = new Uint8Array(256);

  constructor(
    task: CocoTask,
    private readonly params: CocoEvalParams,
    private readonly gt: CocoGroundTruth,
    private readonly res: CocoResults,
    private readonly baseIgnore: Uint8Array,
    private readonly records: MatchRecordWriter | null,
    private readonly similarities: SimilarityCache,
  ) {
    this.similarity = new SimilarityComputer(task, gt, res);
    this.matcher = new CellMatcher(params.iouThrs);
    this.t50 = thresholdIndex(params, 0.5);
    this.t75 = thresholdIndex(params, 0.75);
    this.maxDet = params.maxDets[params.maxDets.length - 1]!;
    this.gtIgnore = params.areaRanges.map(() => new Uint8Array(64));
    this.cellMatches = params.areaRanges.map(() => createCellMatch());
    this.matchOf = new Int32Array(params.areaRanges.length);
  }

  /** cacheKey(r): the similarity-cache key of the cell of image rank r (-1: do not cache). */
  category(
    k: number, categoryId: number, nImages: number, imageIds: readonly number[], gtGroups: Groups, detGroups: Groups,
    cacheKey: (r: number) => number,
  ): CategoryMatches {
    const T = this.params.iouThrs.length;
    const A = this.params.areaRanges.length;
    // Sizes first, so that the category's arrays are allocated once.
    let cells = 0;
    let kept = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const nGt = gtGroups.start[c + 1]! - gtGroups.start[c]!;
      const nDet = detGroups.start[c + 1]! - detGroups.start[c]!;
      if (nGt === 0 && nDet === 0) continue;
      cells++;
      kept += Math.min(nDet, this.maxDet);
    }
    const out: CategoryMatches = {
      cells,
      count: kept,
      score: new Float64Array(kept),
      rank: new Int32Array(kept),
      matched: new Uint8Array(A * T * kept),
      ignored: new Uint8Array(A * T * kept),
      regularGt: new Int32Array(A),
    };
    let at = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const gStart = gtGroups.start[c]!;
      const nGt = gtGroups.start[c + 1]! - gStart;
      const dStart = detGroups.start[c]!;
      const nAll = detGroups.start[c + 1]! - dStart;
      if (nGt === 0 && nAll === 0) continue;
      const gts = gtGroups.items.subarray(gStart, gStart + nGt);
      const nDet = this.sortDetections(detGroups.items, dStart, nAll);
      this.cell(imageIds[r]!, categoryId, gts, nGt, nDet, out, at, cacheKey(r));
      at += nDet;
    }
    return out;
  }

  /** Fills this.dets with the cell's detections in stable score order, cut to maxDets; returns their number. */
  private sortDetections(items: Int32Array, start: number, n: number): number {
    if (this.dets.length < n) {
      this.dets = new Int32Array(n * 2);
      this.detScores = new Float64Array(n * 2);
      this.order = new Int32Array(n * 2);
    }
    const scores = this.detScores;
    for (let i = 0; i < n; i++) scores[i] = this.res.score[items[start + i]!]!;
    const order = stableOrderByDescending(scores, n, this.order);
    const kept = Math.min(n, this.maxDet);
    for (let i = 0; i < kept; i++) this.dets[i] = items[start + order[i]!]!;
    return kept;
  }

  private cell(imageId: number, categoryId: number, gts: Int32Array, nGt: number, nDet: number, out: CategoryMatches, at: number, key: number): void {
    const { params, gt, res } = this;
    const ann = gt.annotations;
    const T = params.iouThrs.length;
    const A = params.areaRanges.length;
    const dets = this.dets;
    let ious = key < 0 ? undefined : this.similarities.get(key);
    if (!ious) {
      ious = this.similarity.compute(dets, nDet, gts, nGt);
      if (key >= 0) this.similarities.set(key, ious);
    }
    if (this.gtCrowd.length < nGt) {
      this.gtCrowd = new Uint8Array(nGt * 2);
      this.gtIds = new Float64Array(nGt * 2);
      this.gtIgnore = Array.from({ length: A }, () => new Uint8Array(nGt * 2));
    }
    if (this.dtOut.length < nDet) this.dtOut = new Uint8Array(nDet * 2);
    const gtCrowd = this.gtCrowd, gtIds = this.gtIds, dtOut = this.dtOut;
    for (let g = 0; g < nGt; g++) {
      gtCrowd[g] = ann.iscrowd[gts[g]!]!;
      gtIds[g] = ann.id[gts[g]!]!;
    }
    for (let d = 0; d < nDet; d++) {
      out.score[at + d] = res.score[dets[d]!]!;
      out.rank[at + d] = d;
    }

    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRanges[a]!;
      const gtIgnore = this.gtIgnore[a]!;
      let regular = 0;
      for (let g = 0; g < nGt; g++) {
        const area = ann.area[gts[g]!]!;
        gtIgnore[g] = this.baseIgnore[gts[g]!] || area < lo || area > hi ? 1 : 0;
        if (!gtIgnore[g]) regular++;
      }
      out.regularGt[a]! += regular;
      // The matching depends on the ignore flags only: area ranges with the
      // same flags as an earlier one share its matching.
      let same = -1;
      for (let b = 0; b < a && same < 0; b++) if (sameFlags(this.gtIgnore[b]!, gtIgnore, nGt)) same = b;
      if (same < 0) {
        this.matcher.match(ious, nDet, nGt, gtIgnore, gtCrowd, gtIds, this.cellMatches[a]!);
        this.matchOf[a] = a;
      } else {
        this.matchOf[a] = this.matchOf[same]!;
      }
      const m = this.cellMatches[this.matchOf[a]!]!;
      for (let d = 0; d < nDet; d++) {
        const area = res.area[dets[d]!]!;
        dtOut[d] = area < lo || area > hi ? 1 : 0;
      }
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * out.count + at;
        for (let d = 0; d < nDet; d++) {
          const matched = m.dtGtId[t * nDet + d] !== 0;
          out.matched[base + d] = matched ? 1 : 0;
          // An unmatched detection outside the area range is ignored.
          out.ignored[base + d] = m.dtIgnored[t * nDet + d]! || (!matched && dtOut[d]!) ? 1 : 0;
        }
      }
      if (a === 0 && this.records) this.record(imageId, categoryId, gts, nGt, nDet, ious, m, gtIgnore, dtOut);
    }
  }

  private record(
    imageId: number, categoryId: number, gts: Int32Array, nGt: number, nDet: number, ious: Float64Array, m: CellMatch,
    gtIgnore: Uint8Array, dtOut: Uint8Array,
  ): void {
    const rec = this.records!;
    const { t50, t75 } = this;
    const ignoredAt = (t: number, d: number): number => (m.dtIgnored[t * nDet + d] || (m.dtGtId[t * nDet + d] === 0 && dtOut[d]) ? 1 : 0);
    rec.openCell(imageId, categoryId);
    for (let d = 0; d < nDet; d++) {
      rec.detResultIndex.push(this.dets[d]!);
      rec.detScore.push(this.res.score[this.dets[d]!]!);
      rec.detGtId50.push(t50 < 0 ? 0 : m.dtGtId[t50 * nDet + d]!);
      rec.detGtId75.push(t75 < 0 ? 0 : m.dtGtId[t75 * nDet + d]!);
      rec.detIgnored50.push(t50 < 0 ? 0 : ignoredAt(t50, d));
      rec.detIgnored75.push(t75 < 0 ? 0 : ignoredAt(t75, d));
      let best = 0;
      for (let g = 0; g < nGt && ious.length > 0; g++) best = Math.max(best, ious[d * nGt + g]!);
      rec.detBestIou.push(best);
    }
    for (let g = 0; g < nGt; g++) {
      rec.gtAnnotationIndex.push(gts[g]!);
      rec.gtId.push(this.gt.annotations.id[gts[g]!]!);
      rec.gtMatched50.push(t50 < 0 ? 0 : m.gtMatched[t50 * nGt + g]!);
      rec.gtMatched75.push(t75 < 0 ? 0 : m.gtMatched[t75 * nGt + g]!);
      rec.gtIgnored.push(gtIgnore[g]!);
    }
  }

}
