/**
 * What `df2 eval bbox|segm|keypoints` prints: pycocotools' summary lines,
 * per-category AP with the COCO category names, and per-attribute tables
 * laid out like the DeepFashion2 README's (rows AP / AP50 / AP75, a column
 * per attribute value, and the overall figures); or the same as JSON.
 */
import { ATTRIBUTES, type AttributeName } from '../../schema/index.js';
import type { CocoEvalResult } from './evaluate.js';
import { paramsFor } from './params.js';
import { type CocoFigures, formatSummaryLine, pyFixed } from './summarize.js';

/** Per attribute, per value 1..3: [AP, AP50, AP75]. */
export type AttributeBreakdown = Partial<Record<AttributeName, Record<'1' | '2' | '3', [number, number, number]>>>;

/** {@link CocoFigures} under the snake_case names of df2's JSON: `ap`, `ap50`, `ap75`, `ap_small`, ..., `ar_large`. */
export type CocoFiguresJson = Record<string, number>;

/**
 * The figures by their JSON names: `apSmall` is `ap_small`, `ar100` stays `ar100`. Every other key
 * df2's command-line JSON writes is snake_case (`per_category_ap`, `category_id`), as the release's.
 *
 * @example
 * cocoFiguresJson({ ap: 0.5, ap50: 0.7, ap75: 0.4, apSmall: 0.2, apMedium: 0.4, apLarge: 0.6 });
 * // { ap: 0.5, ap50: 0.7, ap75: 0.4, ap_small: 0.2, ap_medium: 0.4, ap_large: 0.6 }
 */
export function cocoFiguresJson(figures: CocoFigures): CocoFiguresJson {
  return Object.fromEntries(Object.entries(figures).map(([name, value]) => [name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value as number]));
}

export interface CocoReportJson {
  task: string;
  stats: number[];
  /** `stats` by name: ap, ap50, ap75, ap_small, ... (see {@link cocoFiguresJson}). */
  figures: CocoFiguresJson;
  per_category_ap: { category_id: number; ap: number }[];
  by?: Partial<Record<AttributeName, Record<string, { ap: number; ap50: number; ap75: number }>>>;
}

export function cocoReportJson(result: CocoEvalResult, by?: AttributeBreakdown): CocoReportJson {
  const out: CocoReportJson = {
    task: result.task,
    stats: result.stats,
    figures: cocoFiguresJson(result.figures),
    per_category_ap: result.perCategoryAp.map((c) => ({ category_id: c.categoryId, ap: c.ap })),
  };
  if (by) {
    out.by = {};
    for (const [attribute, values] of Object.entries(by) as [AttributeName, Record<string, [number, number, number]>][]) {
      out.by[attribute] = Object.fromEntries(Object.entries(values).map(([v, [ap, ap50, ap75]]) => [v, { ap, ap50, ap75 }]));
    }
  }
  return out;
}

export function cocoReportText(result: CocoEvalResult, by?: AttributeBreakdown): string {
  const params = paramsFor(result.task);
  const lines: string[] = [];
  for (const line of result.summary) lines.push(formatSummaryLine(params, line));
  lines.push('');
  const maxDets = params.maxDets[params.maxDets.length - 1]!;
  lines.push(`Per-category AP @[ IoU=0.50:0.95 | area=   all | maxDets=${String(maxDets).padStart(3)} ]:`);
  const nameWidth = Math.max(...result.perCategoryAp.map((c) => c.name.length), 8);
  for (const c of result.perCategoryAp) {
    const value = pyFixed(c.ap, 3).padStart(6);
    lines.push(`  ${String(c.categoryId).padStart(2)}  ${c.name.padEnd(nameWidth)}  ${value}${c.ap === -1 ? '  (no ground truth)' : ''}`);
  }
  if (by && Object.keys(by).length > 0) {
    lines.push('');
    lines.push(...attributeTable(result, by));
  }
  return `${lines.join('\n')}\n`;
}

/** One table: a column group per attribute (its three value names), then "overall". */
function attributeTable(result: CocoEvalResult, by: AttributeBreakdown): string[] {
  interface Column {
    group: string;
    head: string;
    values: [number, number, number];
  }
  const columns: Column[] = [];
  for (const [attribute, values] of Object.entries(by) as [AttributeName, Record<string, [number, number, number]>][]) {
    ATTRIBUTES[attribute].forEach((head, i) => columns.push({ group: i === 0 ? attribute : '', head, values: values[String(i + 1)]! }));
  }
  columns.push({ group: 'overall', head: '', values: result.headline });
  const widths = columns.map((c) => Math.max(c.head.length, 6));
  // A group name may be longer than its first column: let it run into the next ones.
  const cells = (texts: string[]): string =>
    texts
      .map((t, i) => t.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const groupLine = (): string => {
    let line = '';
    let at = 0;
    columns.forEach((c, i) => {
      if (c.group) line = line.padEnd(at) + (line.length > at ? ' ' : '') + c.group;
      at += widths[i]! + 2;
    });
    return line;
  };
  const label = 6;
  const similarity = result.task === 'keypoints' ? 'OKS' : 'IoU';
  const out = [`${result.task} by attribute (AP at ${similarity} .50:.95, .50 and .75):`];
  out.push(' '.repeat(label + 2) + groupLine());
  out.push(' '.repeat(label + 2) + cells(columns.map((c) => c.head)));
  (['AP', 'AP50', 'AP75'] as const).forEach((row, r) => {
    out.push(`${row.padEnd(label)}  ${cells(columns.map((c) => pyFixed(c.values[r]!, 3)))}`);
  });
  return out;
}
