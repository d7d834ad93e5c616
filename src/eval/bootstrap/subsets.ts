/**
 * Bootstrap intervals of the per-attribute figures (`df2 eval --ci --by`,
 * `df2 report --ci`): for each attribute value, AP, AP50 and AP75 with only
 * the ground truth of that value counted, as `df2 eval --by` gives them,
 * each with its interval over the same resamples of the images as the
 * whole-set figures (the same seed, or the same lists read from a file).
 */
import { ATTRIBUTES, type AttributeName } from '../../schema/index.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import type { CocoTask } from '../coco/params.js';
import type { CocoResults } from '../coco/results.js';
import { attributeSubsets } from '../coco/subsets.js';
import { type FigureInterval, bootstrapPrepared } from './coco.js';
import { prepareBootstrap } from './prepare.js';
import type { ResampleOptions } from './run.js';

/** The figures of a subset with intervals: summarize()'s first three. */
export const SUBSET_INTERVAL_FIGURES = ['ap', 'ap50', 'ap75'] as const;

/** One attribute value's AP, AP50 and AP75 with their intervals. */
export interface SubsetIntervals {
  attribute: AttributeName;
  /** 1..3 */
  value: number;
  /** The value's name, e.g. "heavy". */
  valueName: string;
  /** AP, AP50, AP75 (SUBSET_INTERVAL_FIGURES), each with its interval. */
  figures: FigureInterval[];
}

export interface SubsetIntervalOptions extends Omit<ResampleOptions, 'writeFile' | 'keepFigures' | 'onProgress'> {
  /** Matching, then resampling, of each subset ("occlusion=3"). */
  onProgress?: (stage: string, label: string, done: number, total: number) => void;
}

/**
 * Intervals of AP, AP50 and AP75 of every value of each attribute: each subset matched once
 * (its other ground truth ignored), then accumulated on the resamples of `options`.
 *
 * @example
 * ```ts
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco-attributes.json', 'bbox_results.json');
 * const subsets = await bootstrapSubsets('bbox', gt, results, ['occlusion'], { resamples: 1000, seed: 1 });
 * console.log(subsets[2].valueName, subsets[2].figures[0]); // heavy { value, low, high, defined }
 * ```
 */
export async function bootstrapSubsets(
  task: CocoTask,
  gt: CocoGroundTruth,
  results: CocoResults,
  attributes: readonly AttributeName[],
  options: SubsetIntervalOptions = {},
): Promise<SubsetIntervals[]> {
  const out: SubsetIntervals[] = [];
  for (const subset of attributeSubsets(attributes)) {
    const label = `${subset.attribute}=${subset.value}`;
    const prepared = prepareBootstrap(task, gt, results, { subset, onProgress: (_s, done, total) => options.onProgress?.('matching', label, done, total) });
    const ci = await bootstrapPrepared(prepared, {
      ...options,
      keepFigures: false,
      onProgress: (done, total) => options.onProgress?.('resampling', label, done, total),
    });
    out.push({
      ...subset,
      valueName: ATTRIBUTES[subset.attribute][subset.value - 1]!,
      figures: ci.stats.slice(0, SUBSET_INTERVAL_FIGURES.length),
    });
  }
  return out;
}
