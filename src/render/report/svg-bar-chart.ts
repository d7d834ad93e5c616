/**
 * Horizontal bar charts as inline SVG: one bar per label (counts per
 * category, per attribute value, ...) or stacked bars (a category's items
 * split by an attribute). Pure functions from numbers to SVG text, no
 * scripts or external resources, so a page that embeds them stands alone.
 * Styling comes from the page's CSS classes: chart, chart-title, tick, legend.
 */
import { coord, escapeHtml, svgChartOpen } from './html.js';

export interface Bar {
  label: string;
  value: number;
  /** Fill colour; the chart's default otherwise. */
  color?: string;
}

interface BarChartOptions {
  title: string;
  width?: number;
  /** Height of one bar row in pixels. */
  rowHeight?: number;
  /** Width reserved for the labels on the left. */
  labelWidth?: number;
  color?: string;
  /** Text after each bar; default: the value with thousands separators and its share of the total. */
  valueText?: (bar: Bar, total: number) => string;
}

const TITLE_HEIGHT = 24;
const VALUE_WIDTH = 110;

/** Thousands separators: 636624 -> "636,624". */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

const defaultValueText = (bar: Bar, total: number): string =>
  total > 0 ? `${formatCount(bar.value)} (${((100 * bar.value) / total).toFixed(1)}%)` : formatCount(bar.value);

/** One bar per entry, longest = widest; labels left, values right of each bar. */
export function svgBarChart(bars: readonly Bar[], options: BarChartOptions): string {
  const width = options.width ?? 520;
  const rowHeight = options.rowHeight ?? 20;
  const labelWidth = options.labelWidth ?? 150;
  const plotWidth = Math.max(40, width - labelWidth - VALUE_WIDTH);
  const height = TITLE_HEIGHT + bars.length * rowHeight + 6;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const valueText = options.valueText ?? defaultValueText;
  const out: string[] = [svgOpen(width, height, options.title)];
  bars.forEach((bar, i) => {
    const y = TITLE_HEIGHT + i * rowHeight;
    const w = max > 0 ? (bar.value / max) * plotWidth : 0;
    out.push(`<text x="${labelWidth - 6}" y="${coord(y + rowHeight * 0.68)}" class="tick" text-anchor="end">${escapeHtml(bar.label)}</text>`);
    out.push(
      `<rect x="${labelWidth}" y="${coord(y + 2)}" width="${coord(w)}" height="${coord(rowHeight - 4)}" fill="${bar.color ?? options.color ?? '#4c78a8'}" data-label="${escapeHtml(bar.label)}" data-value="${bar.value}"><title>${escapeHtml(`${bar.label}: ${valueText(bar, total)}`)}</title></rect>`,
    );
    out.push(`<text x="${coord(labelWidth + w + 4)}" y="${coord(y + rowHeight * 0.68)}" class="tick">${escapeHtml(valueText(bar, total))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

interface StackedBar {
  label: string;
  /** One value per series, in the order of the series. */
  values: readonly number[];
}

interface StackedBarChartOptions {
  title: string;
  series: readonly { name: string; color: string }[];
  width?: number;
  rowHeight?: number;
  labelWidth?: number;
  /** Bars as shares of their own total (every bar full width) rather than counts. */
  normalize?: boolean;
}

/** Bars split into coloured parts, one per series, with a legend under the title. */
export function svgStackedBarChart(bars: readonly StackedBar[], options: StackedBarChartOptions): string {
  const width = options.width ?? 520;
  const rowHeight = options.rowHeight ?? 20;
  const labelWidth = options.labelWidth ?? 150;
  const legendHeight = 18;
  const plotWidth = Math.max(40, width - labelWidth - 70);
  const height = TITLE_HEIGHT + legendHeight + bars.length * rowHeight + 6;
  const totals = bars.map((b) => b.values.reduce((s, v) => s + v, 0));
  const max = Math.max(0, ...totals);
  const out: string[] = [svgOpen(width, height, options.title)];
  let lx = labelWidth;
  for (const s of options.series) {
    out.push(`<rect x="${lx}" y="${TITLE_HEIGHT - 6}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 14}" y="${TITLE_HEIGHT + 3}" class="legend">${escapeHtml(s.name)}</text>`);
    lx += 24 + 7 * s.name.length;
  }
  bars.forEach((bar, i) => {
    const y = TITLE_HEIGHT + legendHeight + i * rowHeight;
    const total = totals[i]!;
    const scale = options.normalize ? (total > 0 ? plotWidth / total : 0) : max > 0 ? plotWidth / max : 0;
    out.push(`<text x="${labelWidth - 6}" y="${coord(y + rowHeight * 0.68)}" class="tick" text-anchor="end">${escapeHtml(bar.label)}</text>`);
    let x = labelWidth;
    bar.values.forEach((v, si) => {
      const series = options.series[si];
      if (!series || v <= 0) return;
      const w = v * scale;
      const share = total > 0 ? ` (${((100 * v) / total).toFixed(1)}%)` : '';
      out.push(
        `<rect x="${coord(x)}" y="${coord(y + 2)}" width="${coord(w)}" height="${coord(rowHeight - 4)}" fill="${series.color}" data-label="${escapeHtml(bar.label)}" data-series="${escapeHtml(series.name)}" data-value="${v}"><title>${escapeHtml(`${bar.label}, ${series.name}: ${formatCount(v)}${share}`)}</title></rect>`,
      );
      x += w;
    });
    out.push(`<text x="${coord(x + 4)}" y="${coord(y + rowHeight * 0.68)}" class="tick">${formatCount(total)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

function svgOpen(width: number, height: number, title: string): string {
  return svgChartOpen(width, height, title) + `<text x="4" y="15" class="chart-title">${escapeHtml(title)}</text>`;
}
