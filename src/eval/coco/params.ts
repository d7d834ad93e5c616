/**
 * Evaluation parameters of the official API (its Params class): ten IoU
 * thresholds .50:.05:.95, 101 recall samples 0:.01:1, detections per image
 * [1, 10, 100] with area ranges all/small/medium/large for boxes and masks,
 * and [20] with all/medium/large for landmarks.
 */
import { linspace } from './numeric.js';

export type CocoTask = 'bbox' | 'segm' | 'keypoints';
export const COCO_TASKS: readonly CocoTask[] = ['bbox', 'segm', 'keypoints'];

/**
 * Checks a task given by a caller the compiler cannot check (plain
 * JavaScript, a parsed option): a TypeError naming the allowed tasks,
 * instead of one deep inside the loader.
 *
 * @example
 * requireCocoTask('boxes'); // TypeError: task: expected one of bbox, segm, keypoints, found "boxes"
 */
export function requireCocoTask(task: unknown): asserts task is CocoTask {
  if (!(COCO_TASKS as readonly unknown[]).includes(task)) {
    throw new TypeError(`task: expected one of ${COCO_TASKS.join(', ')}, found ${typeof task === 'string' ? JSON.stringify(task) : String(task)}`);
  }
}

export interface CocoEvalParams {
  readonly task: CocoTask;
  /** IoU (or OKS) thresholds, T = 10. */
  readonly iouThrs: Float64Array;
  /** Recall sample points, R = 101. */
  readonly recThrs: Float64Array;
  /** Detections kept per image and category, ascending; the last is the cut for matching. */
  readonly maxDets: readonly number[];
  /** [min, max] object area per range, bounds included. */
  readonly areaRanges: ReadonlyArray<readonly [number, number]>;
  readonly areaLabels: readonly string[];
}

const ALL: readonly [number, number] = [0 ** 2, 1e5 ** 2];
const SMALL: readonly [number, number] = [0 ** 2, 32 ** 2];
const MEDIUM: readonly [number, number] = [32 ** 2, 96 ** 2];
const LARGE: readonly [number, number] = [96 ** 2, 1e5 ** 2];

export function paramsFor(task: CocoTask): CocoEvalParams {
  // Same expressions as the official Params: round((0.95 - .5) / .05) + 1 = 10 thresholds.
  const iouThrs = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
  const recThrs = linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1);
  if (task === 'keypoints') {
    return { task, iouThrs, recThrs, maxDets: [20], areaRanges: [ALL, MEDIUM, LARGE], areaLabels: ['all', 'medium', 'large'] };
  }
  return { task, iouThrs, recThrs, maxDets: [1, 10, 100], areaRanges: [ALL, SMALL, MEDIUM, LARGE], areaLabels: ['all', 'small', 'medium', 'large'] };
}

/** Index of an IoU threshold by exact equality, as summarize's np.where(iouThr == p.iouThrs); -1 if absent. */
export function thresholdIndex(params: CocoEvalParams, iou: number): number {
  return params.iouThrs.indexOf(iou);
}
