/**
 * Inline SVG charts for the report: a line chart (precision-recall curves) and
 * a grouped histogram (scores of true and false positives). Pure functions
 * from numbers to SVG text; no scripts, no external resources.
 */
import { coord, escapeHtml, svgChartOpen } from './html.js';

export interface LineSeries {
  name: string;
  color: string;
  /** y for each x in `xs` (same length); points with y < 0 are left out (no data). */
  ys: readonly number[];
  /** Thicker line, drawn last (e.g. the mean over categories). */
  emphasis?: boolean;
  /** Written as data-series on the path, for tests and styling. */
  key?: string;
}

interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: readonly number[];
  series: readonly LineSeries[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 44, right: 12, top: 26, bottom: 36 };

/** A chart of series over x in [0, 1] and y in [0, 1], with a legend to the right. */
export function lineChartSvg(options: LineChartOptions): string {
  const legendWidth = 150;
  const width = options.width ?? 460;
  const height = options.height ?? 300;
  const plotW = width - legendWidth - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (v: number): number => MARGIN.left + v * plotW;
  const y = (v: number): number => MARGIN.top + (1 - v) * plotH;
  const out: string[] = [];
  out.push(svgChartOpen(width, height, options.title));
  out.push(`<text x="${MARGIN.left}" y="16" class="chart-title">${escapeHtml(options.title)}</text>`);
  out.push(...unitAxes(x, y, plotW, plotH, options.xLabel, options.yLabel));
  const ordered = [...options.series.filter((s) => !s.emphasis), ...options.series.filter((s) => s.emphasis)];
  for (const s of ordered) {
    const d = pathData(options.xs, s.ys, x, y);
    if (!d) continue;
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.emphasis ? 3 : 1.5}"${s.key ? ` data-series="${escapeHtml(s.key)}"` : ''}><title>${escapeHtml(s.name)}</title></path>`,
    );
  }
  const legendX = width - legendWidth + 4;
  options.series.forEach((s, i) => {
    const ly = MARGIN.top + 4 + i * 15;
    out.push(`<line x1="${legendX}" y1="${ly}" x2="${legendX + 16}" y2="${ly}" stroke="${s.color}" stroke-width="${s.emphasis ? 3 : 2}"/>`);
    out.push(`<text x="${legendX + 20}" y="${ly + 4}" class="legend">${escapeHtml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** Path through the points with y >= 0; a gap in the data starts a new subpath. */
function pathData(xs: readonly number[], ys: readonly number[], x: (v: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let pen = false;
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const v = ys[i]!;
    if (!(v >= 0)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${coord(x(xs[i]!))} ${coord(y(v))}`);
    pen = true;
  }
  return parts.join('');
}

function unitAxes(x: (v: number) => number, y: (v: number) => number, plotW: number, plotH: number, xLabel: string, yLabel: string): string[] {
  const out: string[] = [];
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    out.push(`<line x1="${coord(x(v))}" y1="${coord(y(0))}" x2="${coord(x(v))}" y2="${coord(y(1))}" class="grid"/>`);
    out.push(`<line x1="${coord(x(0))}" y1="${coord(y(v))}" x2="${coord(x(1))}" y2="${coord(y(v))}" class="grid"/>`);
    out.push(`<text x="${coord(x(v))}" y="${coord(y(0) + 13)}" class="tick" text-anchor="middle">${v.toFixed(1)}</text>`);
    out.push(`<text x="${coord(x(0) - 4)}" y="${coord(y(v) + 4)}" class="tick" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  out.push(`<rect x="${coord(x(0))}" y="${coord(y(1))}" width="${coord(plotW)}" height="${coord(plotH)}" class="frame"/>`);
  out.push(`<text x="${coord(x(0.5))}" y="${coord(y(0) + 29)}" class="axis-label" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  out.push(`<text transform="translate(12 ${coord(y(0.5))}) rotate(-90)" class="axis-label" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  return out;
}

interface HistogramSeries {
  name: string;
  color: string;
  /** Count per bin. */
  counts: readonly number[];
  key?: string;
}

interface HistogramOptions {
  title: string;
  xLabel: string;
  /** Bin edges, one more than the counts of each series. */
  edges: readonly number[];
  series: readonly HistogramSeries[];
  width?: number;
  height?: number;
}

/** Bars of each series side by side within each bin; y is the count. */
export function histogramSvg(options: HistogramOptions): string {
  const width = options.width ?? 460;
  const height = options.height ?? 300;
  const legendWidth = 150;
  const plotW = width - legendWidth - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const bins = options.edges.length - 1;
  const maxCount = Math.max(1, ...options.series.flatMap((s) => s.counts));
  const top = niceCeiling(maxCount);
  const binW = plotW / bins;
  const barW = (binW - 2) / Math.max(1, options.series.length);
  const y = (count: number): number => MARGIN.top + (1 - count / top) * plotH;
  const out: string[] = [];
  out.push(svgChartOpen(width, height, options.title));
  out.push(`<text x="${MARGIN.left}" y="16" class="chart-title">${escapeHtml(options.title)}</text>`);
  // Whole-number ticks: top is 1, 2, 2.5 or 5 x 10^k, so one of these divides it.
  const divisions = [4, 5, 2].find((d) => Number.isInteger(top / d)) ?? 1;
  for (let t = 0; t <= divisions; t++) {
    const c = (top * t) / divisions;
    out.push(`<line x1="${MARGIN.left}" y1="${coord(y(c))}" x2="${coord(MARGIN.left + plotW)}" y2="${coord(y(c))}" class="grid"/>`);
    out.push(`<text x="${MARGIN.left - 4}" y="${coord(y(c) + 4)}" class="tick" text-anchor="end">${Number.isInteger(c) ? c : c.toFixed(1)}</text>`);
  }
  for (let b = 0; b <= bins; b += Math.max(1, Math.round(bins / 5))) {
    out.push(
      `<text x="${coord(MARGIN.left + b * binW)}" y="${coord(MARGIN.top + plotH + 13)}" class="tick" text-anchor="middle">${options.edges[b]!.toFixed(1)}</text>`,
    );
  }
  options.series.forEach((s, si) => {
    s.counts.forEach((count, b) => {
      if (count <= 0) return;
      const bx = MARGIN.left + b * binW + 1 + si * barW;
      out.push(
        `<rect x="${coord(bx)}" y="${coord(y(count))}" width="${coord(barW)}" height="${coord(MARGIN.top + plotH - y(count))}" fill="${s.color}"${s.key ? ` data-series="${escapeHtml(s.key)}"` : ''} data-bin="${b}" data-count="${count}"><title>${escapeHtml(`${s.name}: ${count} in [${options.edges[b]!.toFixed(2)}, ${options.edges[b + 1]!.toFixed(2)})`)}</title></rect>`,
      );
    });
  });
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${coord(plotW)}" height="${coord(plotH)}" class="frame"/>`);
  out.push(
    `<text x="${coord(MARGIN.left + plotW / 2)}" y="${coord(MARGIN.top + plotH + 29)}" class="axis-label" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
  );
  const legendX = width - legendWidth + 4;
  options.series.forEach((s, i) => {
    const ly = MARGIN.top + 4 + i * 15;
    out.push(`<rect x="${legendX}" y="${ly - 5}" width="12" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${legendX + 18}" y="${ly + 4}" class="legend">${escapeHtml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** The smallest of 1, 2, 2.5, 5 x 10^k at or above n, for round axis ticks. */
export function niceCeiling(n: number): number {
  if (n <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

/** Counts of values per bin of [edges[i], edges[i+1]); values outside the edges go to the first or last bin. */
export function binCounts(values: Iterable<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 2;
  for (const v of values) {
    let b = 0;
    while (b < last && v >= edges[b + 1]!) b++;
    counts[b]!++;
  }
  return counts;
}
