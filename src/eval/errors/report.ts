/**
 * What `df2 eval --errors / --confusion` print: the TIDE table (dAP per
 * error type) and the confusion matrix (rows: predicted category, columns:
 * ground truth, `bg` = background), or the same as JSON fields.
 */
import type { ConfusionMatrix } from './confusion.js';
import { TIDE_MAIN_ERRORS, type TideErrors } from './tide.js';

const SPECIAL = ['false_pos', 'false_neg'] as const;

/** The TIDE figures as text (four decimals, as fractions). */
export function tideReportText(task: string, errors: TideErrors): string {
  const width = 10;
  const row = (label: string, cells: string[]): string => `  ${label.padEnd(9)}${cells.map((c) => c.padStart(width)).join('')}`;
  return (
    [
      `TIDE errors of ${task} (tidecv rules: foreground IoU .5, background .1; AP50 as TIDE computes it = ${errors.ap50.toFixed(4)}):`,
      row('type', [...TIDE_MAIN_ERRORS]),
      row(
        'dAP',
        TIDE_MAIN_ERRORS.map((e) => errors.main[e].toFixed(4)),
      ),
      row('special', [...SPECIAL]),
      row(
        'dAP',
        SPECIAL.map((e) => errors.special[e].toFixed(4)),
      ),
    ].join('\n') + '\n'
  );
}

/** The matrix as an aligned table with a line naming the categories. */
export function confusionReportText(confusion: ConfusionMatrix, names: ReadonlyMap<number, string>, conf: number, iou: number): string {
  const heads = confusion.labels.map((l) => (l === 'background' ? 'bg' : String(l)));
  const width = Math.max(4, ...confusion.matrix.flat().map((v) => String(v).length + 1));
  const lines = [`Confusion matrix (score > ${conf}, box IoU > ${iou}; rows predicted, columns ground truth, bg = background):`];
  lines.push(`${'pred\\gt'.padEnd(8)}${heads.map((h) => h.padStart(width)).join('')}`);
  confusion.matrix.forEach((row, r) => lines.push(`${heads[r]!.padEnd(8)}${row.map((v) => String(v).padStart(width)).join('')}`));
  lines.push(
    `  ${confusion.labels
      .filter((l): l is number => l !== 'background')
      .map((id) => `${id} ${names.get(id) ?? id}`)
      .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
