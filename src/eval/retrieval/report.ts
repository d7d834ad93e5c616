/**
 * What `df2 eval retrieval` prints: a JSON object (--json) or a small table,
 * laid out like the release README's retrieval table when broken down by
 * attribute (rows top-1..top-20, a column per attribute value).
 */
import { ATTRIBUTES, ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import type { RetrievalResult } from './evaluate.js';
import { TOP_K, type TopKAccuracy } from './score.js';

/** Field names match golden.json's "retrieval" entry; per-value figures have the same keys. */
export interface RetrievalJson extends TopKAccuracy {
  results: number;
  short_lists: number;
  warnings: {
    results_without_query_image: number;
    unknown_gallery_images: number;
    queries_without_gallery_match: number;
  };
  by?: Partial<Record<AttributeName, Record<string, TopKAccuracy>>>;
}

const topKJson = ({ top1, top5, top10, top15, top20, queries, missed }: TopKAccuracy): TopKAccuracy => ({
  top1,
  top5,
  top10,
  top15,
  top20,
  queries,
  missed,
});

/** The --json document: golden.json's "retrieval" keys plus counts, warnings and the breakdown. */
export function retrievalJson(result: RetrievalResult): RetrievalJson {
  const json: RetrievalJson = {
    ...topKJson(result),
    results: result.resultCount,
    short_lists: result.shortLists,
    warnings: {
      results_without_query_image: result.warnings.resultsWithoutQueryImage,
      unknown_gallery_images: result.warnings.unknownGalleryImages,
      queries_without_gallery_match: result.warnings.queriesWithoutGalleryMatch,
    },
  };
  const names = ATTRIBUTE_NAMES.filter((n) => result.by[n]);
  if (names.length > 0) {
    json.by = {};
    for (const name of names) {
      const perValue = result.by[name]!;
      json.by[name] = Object.fromEntries(Object.entries(perValue).map(([v, a]) => [v, topKJson(a)]));
    }
  }
  return json;
}

/** One stderr line per non-zero warning. */
export function warningLines(result: RetrievalResult): string[] {
  const w = result.warnings;
  const lines: string[] = [];
  if (w.resultsWithoutQueryImage > 0) {
    lines.push(`${w.resultsWithoutQueryImage} result(s) name an image that has no query in the query file; they were not evaluated`);
  }
  if (w.unknownGalleryImages > 0) {
    lines.push(`${w.unknownGalleryImages} retrieved item(s) name a shop image that is not in the gallery file; none can be a hit`);
  }
  if (w.queriesWithoutGalleryMatch > 0) {
    lines.push(`${w.queriesWithoutGalleryMatch} query item(s) have no gallery item with the same pair_id and style; none can be found`);
  }
  return lines;
}

interface Column {
  group: string;
  head: string;
  accuracy: TopKAccuracy;
}

const fraction = (x: number): string => (x < 0 ? 'n/a' : x.toFixed(4));

function renderTable(columns: readonly Column[]): string {
  const rowLabels = [...TOP_K.map((k) => `top-${k}`), 'queries', 'missed'];
  const cells = (a: TopKAccuracy): string[] => [
    fraction(a.top1),
    fraction(a.top5),
    fraction(a.top10),
    fraction(a.top15),
    fraction(a.top20),
    String(a.queries),
    String(a.missed),
  ];
  const labelWidth = Math.max(...rowLabels.map((l) => l.length));
  const widths = columns.map((c) => Math.max(c.head.length, ...cells(c.accuracy).map((s) => s.length)));
  // Group names sit over the first column of their group, like the README's tables.
  const groupLine = columns.map((c, i) => (i === 0 || columns[i - 1]!.group !== c.group ? c.group : '').padEnd(widths[i]!));
  const headLine = columns.map((c, i) => c.head.padStart(widths[i]!));
  const lines: string[] = [];
  const groups = [' '.repeat(labelWidth), ...groupLine].join('  ').trimEnd();
  if (groups.trim()) lines.push(groups);
  lines.push([' '.repeat(labelWidth), ...headLine].join('  '));
  const columnCells = columns.map((c) => cells(c.accuracy));
  rowLabels.forEach((label, row) => {
    lines.push([label.padEnd(labelWidth), ...columnCells.map((col, i) => col[row]!.padStart(widths[i]!))].join('  '));
  });
  return lines.join('\n');
}

/** The text report: a summary line and the table. */
export function retrievalText(result: RetrievalResult): string {
  const columns: Column[] = [];
  for (const name of ATTRIBUTE_NAMES) {
    const perValue = result.by[name];
    if (!perValue) continue;
    ATTRIBUTES[name].forEach((label, i) => {
      columns.push({ group: name, head: label, accuracy: perValue[String(i + 1)]! });
    });
  }
  columns.push({ group: columns.length > 0 ? 'overall' : '', head: 'accuracy', accuracy: result });
  const summary =
    `consumer-to-shop retrieval: ${result.queries} queries (style > 0), ${result.missed} missed, ` +
    `${result.resultCount} results` +
    (result.shortLists > 0 ? ` (${result.shortLists} with fewer than 20 retrieved)` : '');
  return `${summary}\n\n${renderTable(columns)}\n`;
}
