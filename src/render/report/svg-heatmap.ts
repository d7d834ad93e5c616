/**
 * A confusion matrix as an inline SVG heat map: one square per cell with
 * its count written in it, shaded by the cell's share of its column (the
 * ground-truth category, as Ultralytics normalizes its plot), row names on
 * the left (predicted), column names rotated on top (ground truth). Pure
 * function from numbers to SVG text, no scripts.
 */
import { coord, escapeHtml, svgChartOpen } from './html.js';

interface HeatmapOptions {
  title: string;
  /** Names of the rows and columns (the same list: categories then background). */
  labels: readonly string[];
  /** Side of one cell in pixels. */
  cell?: number;
  /** Width reserved for the row names. */
  labelWidth?: number;
  /** Height reserved for the (rotated) column names. */
  headHeight?: number;
  rowTitle?: string;
  columnTitle?: string;
}

const TITLE_HEIGHT = 24;

/** Blue scale from white (0) to dark blue (1). */
function shade(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * t);
  return `rgb(${mix(247, 8)},${mix(251, 48)},${mix(255, 107)})`;
}

/** matrix[row][column]; every cell carries data-row, data-col and data-value. */
export function svgHeatmap(matrix: readonly (readonly number[])[], options: HeatmapOptions): string {
  const n = matrix.length;
  const cell = options.cell ?? 30;
  const labelWidth = options.labelWidth ?? 170;
  const headHeight = options.headHeight ?? 150;
  const width = labelWidth + n * cell + 70; // room for the last rotated column name
  const height = TITLE_HEIGHT + headHeight + n * cell + 24;
  const top = TITLE_HEIGHT + headHeight;
  const columnTotals = Array.from({ length: n }, (_, c) => matrix.reduce((s, row) => s + (row[c] ?? 0), 0));
  const out: string[] = [svgChartOpen(width, height, options.title), `<text x="4" y="15" class="chart-title">${escapeHtml(options.title)}</text>`];
  if (options.columnTitle)
    out.push(
      `<text x="${coord(labelWidth + (n * cell) / 2)}" y="${TITLE_HEIGHT + 4}" class="axis-label" text-anchor="middle">${escapeHtml(options.columnTitle)}</text>`,
    );
  options.labels.forEach((label, i) => {
    const x = labelWidth + i * cell + cell / 2;
    out.push(`<text transform="translate(${coord(x + 4)},${top - 4}) rotate(-60)" class="tick">${escapeHtml(label)}</text>`);
    out.push(`<text x="${labelWidth - 6}" y="${coord(top + i * cell + cell * 0.65)}" class="tick" text-anchor="end">${escapeHtml(label)}</text>`);
  });
  matrix.forEach((row, r) => {
    row.forEach((value, c) => {
      const share = columnTotals[c]! > 0 ? value / columnTotals[c]! : 0;
      const x = labelWidth + c * cell;
      const y = top + r * cell;
      out.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${shade(share)}" stroke="#ddd" data-row="${r}" data-col="${c}" data-value="${value}">` +
          `<title>${escapeHtml(`predicted ${options.labels[r]}, ground truth ${options.labels[c]}: ${value}`)}</title></rect>`,
      );
      if (value > 0) {
        out.push(
          `<text x="${coord(x + cell / 2)}" y="${coord(y + cell * 0.65)}" class="tick" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#222'}" style="fill:${share > 0.5 ? '#fff' : '#222'}">${value}</text>`,
        );
      }
    });
  });
  if (options.rowTitle) out.push(`<text x="4" y="${coord(top + n * cell + 18)}" class="axis-label">${escapeHtml(options.rowTitle)}</text>`);
  out.push('</svg>');
  return out.join('');
}
