/**
 * The COCO-style tasks (bbox, segm, keypoints, keypoints_visible) with the
 * engine of `df2 eval` (src/eval/coco): the files are loaded once, then
 * evaluated as a whole and once per attribute value when the ground truth
 * carries the four attributes (`df2 convert coco --attributes`).
 */
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { loadCocoPair } from '../../eval/index.js';
import { evaluateByAttribute, evaluateLoaded } from '../../eval/index.js';
import { firstMissingAttribute } from '../../eval/index.js';
import { COCO_SUBSET_STAT_NAMES } from './tasks.js';
import type { EvaluationResult, Task } from './types.js';

type CocoTask = Exclude<Task, 'retrieval'>;

export async function evaluateCocoTask(task: CocoTask, gtFile: string, resultsFile: string): Promise<Omit<EvaluationResult, 'statNames' | 'seconds'>> {
  // keypoints_visible is the keypoints evaluation against the visible-only ground truth (coco-visible.json).
  const engineTask = task === 'keypoints_visible' ? 'keypoints' : task;
  const { gt, results } = await loadCocoPair(engineTask, gtFile, resultsFile);
  const whole = evaluateLoaded(engineTask, gt, results, { quiet: true, matches: false });
  const out: Omit<EvaluationResult, 'statNames' | 'seconds'> = {
    task,
    stats: whole.stats,
    perCategoryAp: whole.perCategoryAp.map((c) => ({ categoryId: c.categoryId, ap: c.ap })),
  };
  const hasAttributes = gt.annotations.count > 0 && ATTRIBUTE_NAMES.every((_name, a) => firstMissingAttribute(gt, a) < 0);
  if (hasAttributes) {
    out.subsets = evaluateByAttribute(engineTask, gt, results, ATTRIBUTE_NAMES, { quiet: true });
    out.subsetStatNames = COCO_SUBSET_STAT_NAMES;
  }
  return out;
}
