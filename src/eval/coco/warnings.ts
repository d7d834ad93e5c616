/**
 * Results that evaluate, but not as their author likely meant: said as
 * warnings (the figures are still the official ones for the file as it is).
 */
import type { CocoTask } from './params.js';
import { boxStandsInForMask, type CocoResultsData } from './results.js';

/**
 * The results whose box stands in for the mask in a segm evaluation (box results without a segmentation): how
 * many, and the index of the first (-1: none).
 *
 * @example
 * const { count, first } = boxesStandingInForMasks(results); // { count: 0, first: -1 } for mask results
 */
export function boxesStandingInForMasks(results: CocoResultsData): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < results.count; i++) {
    if (!boxStandsInForMask(results, i)) continue;
    if (first < 0) first = i;
    count++;
  }
  return { count, first };
}

/**
 * Warning lines (without a prefix) for a results file evaluated for `task`:
 * an empty file, and for segm the results whose box stands in for the mask
 * (box results without a segmentation, read as the official loader does).
 *
 * @example
 * for (const line of cocoResultsWarnings('segm', results)) process.stderr.write(`df2: warning: ${line}\n`);
 */
export function cocoResultsWarnings(task: CocoTask, results: CocoResultsData): string[] {
  const lines: string[] = [];
  if (results.count === 0) {
    lines.push(`${results.file} holds no result: every figure is 0 (-1 where a category has no ground truth)`);
  }
  if (task === 'segm') {
    const boxes = boxesStandingInForMasks(results).count;
    if (boxes > 0) {
      lines.push(
        `${boxes} of ${results.count} result(s) of ${results.file} have a bbox and no segmentation: ` +
          'their box stands in for the mask, as in the official evaluation (are these box results?)',
      );
    }
  }
  return lines;
}
