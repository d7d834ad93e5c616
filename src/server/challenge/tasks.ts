/**
 * What each challenge task evaluates against, how its figures are named, and
 * which figure ranks the leaderboard.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult, Task } from './types.js';
import { TASKS } from './types.js';

const BOX_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];
const KEYPOINT_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm', 'ARl'];
export const RETRIEVAL_STAT_NAMES = ['top-1', 'top-5', 'top-10', 'top-15', 'top-20'];
export const COCO_SUBSET_STAT_NAMES = ['AP', 'AP50', 'AP75'];

export const statNames = (task: Task): string[] =>
  task === 'retrieval' ? RETRIEVAL_STAT_NAMES : task.startsWith('keypoints') ? KEYPOINT_STAT_NAMES : BOX_STAT_NAMES;

/** Ground-truth files of each task inside --gt-dir (what `df2 convert` writes). */
export const GT_FILES: Record<Task, string[]> = {
  bbox: ['coco.json'],
  segm: ['coco.json'],
  keypoints: ['coco.json'],
  keypoints_visible: ['coco-visible.json'],
  retrieval: ['query.json', 'gallery.json'],
};

export const TASK_TITLES: Record<Task, string> = {
  bbox: 'Clothes detection (boxes)',
  segm: 'Clothes segmentation (masks)',
  keypoints: 'Landmark estimation (visible + occluded)',
  keypoints_visible: 'Landmark estimation (visible only)',
  retrieval: 'Consumer-to-shop retrieval',
};

/**
 * The leaderboard's order: AP at IoU/OKS .50:.95 for the COCO-style tasks;
 * top-20 accuracy for retrieval (the widest of the release's reported ranks,
 * so that a submission's finding of the item at all counts most).
 */
export function primaryFigure(result: EvaluationResult): number {
  if (result.task === 'retrieval') return result.stats[4] ?? 0;
  return result.stats[0] ?? -1;
}

export const PRIMARY_FIGURE_NAME: Record<Task, string> = {
  bbox: 'AP',
  segm: 'AP',
  keypoints: 'AP',
  keypoints_visible: 'AP',
  retrieval: 'top-20',
};

/** Tasks whose ground-truth files exist in the directory. */
export function availableTasks(gtDir: string | undefined): Task[] {
  if (!gtDir) return [];
  return TASKS.filter((task) => GT_FILES[task].every((f) => existsSync(join(gtDir, f))));
}
