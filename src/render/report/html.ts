/** Small helpers for writing HTML and SVG as strings. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A number for SVG coordinates: two decimals at most, no "-0". */
export function coord(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A figure as the report shows it: three decimals, "–" for -1 (no ground truth). */
export function figure(value: number, digits = 3): string {
  return value < 0 ? '–' : value.toFixed(digits);
}

/** A PNG or JPEG as a data: URI, so the report needs no other file. */
export function dataUri(bytes: Uint8Array, mime: 'image/png' | 'image/jpeg'): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The opening tag of an inline SVG chart (class "chart"), labelled for screen readers. */
export function svgChartOpen(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">`;
}

/** The style of the one-table pages (the stats page, the comparison page): plain type, ruled tables, names left and figures right. */
export const TABLE_PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1120px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 4px 12px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
`;
