/**
 * Planning one evaluation: which images and categories, ground truth and
 * detections grouped by (category, image) cell, and the ground truth's ignore
 * flags before area ranges. One thread makes the plan and sends it to the
 * other (portablePlan): planning is cheap once V8 has compiled it, but most
 * of a cold start when each thread plans for itself.
 */
import { ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import { type CocoGroundTruth, ImageIndex, missingAttributeError, firstMissingAttribute } from './ground-truth.js';
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

/** The distinct values, ascending (a typed array's sort: numeric, and no comparator to call per comparison in a cold process). */
const uniqueSorted = (values: Iterable<number>): number[] => Array.from(Float64Array.from(new Set(values)).sort());

/** Whether ids are strictly ascending (so each is its own index's rank): how converters write images. */
function strictlyAscending(ids: Float64Array): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) return false;
  return true;
}

/** Rank of each category id among the evaluated ones (-1 for others): a table when the ids are small integers, else a Map. */
class CategoryRanks {
  private readonly table: Int32Array | null = null;
  private readonly map: Map<number, number> | null = null;

  constructor(categoryIds: readonly number[]) {
    const max = categoryIds.length === 0 ? -1 : categoryIds[categoryIds.length - 1]!;
    if (categoryIds.every((id) => Number.isInteger(id) && id >= 0) && max < 1 << 16) {
      this.table = new Int32Array(max + 1).fill(-1);
      categoryIds.forEach((id, k) => (this.table![id] = k));
    } else this.map = new Map(categoryIds.map((id, k) => [id, k]));
  }

  of(id: number): number {
    if (this.table) {
      // Not an index of the table (a fraction, negative, too large): undefined.
      const k = this.table[id];
      return k === undefined ? -1 : k;
    }
    return this.map!.get(id) ?? -1;
  }
}

/** The cell (category rank * nImages + image rank) of each item, or -1 when its category or image is not evaluated. */
function cellsOf(count: number, category: Float64Array, image: Int32Array, ranks: CategoryRanks, imageRank: Int32Array, nImages: number): Int32Array {
  const cells = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = ranks.of(category[i]!);
    const r = imageRank[image[i]!]!;
    cells[i] = k < 0 || r < 0 ? -1 : k * nImages + r;
  }
  return cells;
}

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
  const { imageIds, imageRank, imageIndexOfRank } = rankImages(gt.images.id, options.imageIds);
  const nImages = imageIds.length;
  const categoryIds = uniqueSorted(options.categoryIds ?? gt.categories.id);
  const ranks = new CategoryRanks(categoryIds);

  // Cells (category k, image rank r) -> k * nImages + r; ground truth and
  // detections grouped by cell, file order kept inside a cell.
  const cells = categoryIds.length * nImages;
  const gtGroups = groupByCell(cellsOf(ann.count, ann.category, ann.image, ranks, imageRank, nImages), cells);
  const detGroups = groupByCell(cellsOf(res.count, res.categoryId, res.image, ranks, imageRank, nImages), cells);
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
    imageIndexOfRank,
  };
}

/**
 * The evaluated image ids ascending (those of `only` that the ground truth
 * has, else all of its), each image index's rank among them (-1 if not
 * evaluated), and the index of each rank. An id listed twice in the ground
 * truth counts at its last index.
 */
function rankImages(ids: Float64Array, only: readonly number[] | undefined): { imageIds: number[]; imageRank: Int32Array; imageIndexOfRank: Int32Array } {
  if (only === undefined && strictlyAscending(ids)) {
    // The common case, without a Map of every image: ranks are indices.
    const imageRank = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) imageRank[i] = i;
    return { imageIds: Array.from(ids), imageRank, imageIndexOfRank: imageRank.slice() };
  }
  const index = new ImageIndex(ids);
  const imageIds = uniqueSorted(only ?? ids).filter((id) => index.of(id) >= 0);
  const imageIndexOfRank = Int32Array.from(imageIds, (id) => index.of(id));
  const imageRank = new Int32Array(ids.length).fill(-1);
  imageIndexOfRank.forEach((i, rank) => (imageRank[i] = rank));
  return { imageIds, imageRank, imageIndexOfRank };
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

/** Items grouped by their cell (cellOfItem[i], -1 for none) among `cells`, item order kept inside a cell. */
function groupByCell(cellOfItem: Int32Array, cells: number): Groups {
  const count = cellOfItem.length;
  const start = new Int32Array(cells + 1);
  for (let i = 0; i < count; i++) {
    const c = cellOfItem[i]!;
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
