/**
 * Planning one evaluation: which images and categories, ground truth and
 * detections grouped by (category, image) cell, and the ground truth's ignore
 * flags before area ranges. One thread makes the plan and sends it to the
 * other (portablePlan): planning is cheap once V8 has compiled it, but most
 * of a cold start when each thread plans for itself.
 */
import { ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import { type CocoGroundTruth, missingAttributeError, firstMissingAttribute } from './ground-truth.js';
import { type CocoEvalParams, type CocoTask, paramsFor } from './params.js';
import type { CocoResults } from './results.js';

export interface CocoSubset {
  attribute: AttributeName;
  /** 1..3 */
  value: number;
}

export interface CocoEvalOptions {
  /**
   * Evaluate only these images.
   * @default every image of the ground truth
   */
  imageIds?: readonly number[];
  /**
   * Evaluate only these categories.
   * @default every category of the ground truth
   */
  categoryIds?: readonly number[];
  /**
   * Only ground truth with this attribute value counts: other ground truth
   * is ignored (and so is a detection matched to it); unmatched detections
   * stay false positives.
   */
  subset?: CocoSubset;
  /**
   * No progress output (used by the file-level API).
   * @default false
   */
  quiet?: boolean;
  /**
   * Keep per-image match records (the attribute breakdown skips them).
   * @default true
   */
  matches?: boolean;
  onProgress?: (stage: string, done: number, total: number) => void;
}

const uniqueSorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

/**
 * Everything one evaluation needs besides the per-category work: which
 * images and categories, ground truth and detections grouped by (category,
 * image), and the ground truth's ignore flags.
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
function portableOptions(options: CocoEvalOptions): CocoEvalOptions {
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

/** The parts of a plan another thread needs besides the data it holds (typed arrays and plain lists: cheap to copy). */
export type PortablePlan = Pick<EvaluationPlan, 'imageIds' | 'categoryIds' | 'gtGroups' | 'detGroups' | 'baseIgnore' | 'imageIndexOfRank'> & {
  options: CocoEvalOptions;
};

/** What to send another thread so that it evaluates the same plan without making it again (planEvaluation is most of a cold start). */
export function portablePlan(plan: EvaluationPlan): PortablePlan {
  const { imageIds, categoryIds, gtGroups, detGroups, baseIgnore, imageIndexOfRank, options } = plan;
  return { imageIds, categoryIds, gtGroups, detGroups, baseIgnore, imageIndexOfRank, options: portableOptions(options) };
}

/** The plan sent by portablePlan, over this thread's copy of the same ground truth and results. */
export function receivePlan(task: CocoTask, gt: CocoGroundTruth, res: CocoResults, sent: PortablePlan): EvaluationPlan {
  return { ...sent, task, params: paramsFor(task), gt, res };
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
