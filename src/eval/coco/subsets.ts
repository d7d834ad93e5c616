/**
 * Per-attribute evaluation (the release README's Tables 3, 5 and 7): for each
 * attribute and value 1..3, only ground truth with that value counts; the
 * headline [AP, AP50, AP75] of each subset.
 */
import { ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import { evaluateLoaded } from './evaluate.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { CocoEvalOptions, CocoSubset } from './plan.js';
import type { AttributeBreakdown } from './report.js';
import type { CocoResults } from './results.js';

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
  task: CocoTask,
  gt: CocoGroundTruth,
  res: CocoResults,
  attributes: readonly AttributeName[],
  options: CocoEvalOptions = {},
): AttributeBreakdown {
  const subsets = attributeSubsets(attributes);
  return attributeBreakdown(
    subsets,
    subsets.map((subset) => evaluateLoaded(task, gt, res, { ...options, matches: false, subset }).headline),
  );
}
