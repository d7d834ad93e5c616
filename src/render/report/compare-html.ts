/**
 * `df2 compare --out page.html`: one self-contained page (inline CSS and
 * SVG) with the paired bootstrap of two models: each figure of A and B,
 * their difference with its interval drawn against zero, the share of
 * resamples A wins, the same per category and per attribute subset, and
 * the images where the two differ most.
 */
import { escapeHtml, figure, TABLE_PAGE_CSS } from './html.js';

export interface CompareFigureRow {
  label: string;
  a: number;
  b: number;
  difference: number;
  low: number | null;
  high: number | null;
  aBeats: number;
}

export interface CompareImageRow {
  imageId: number;
  a: { tp: number; fp: number; fn: number };
  b: { tp: number; fp: number; fn: number };
}

export interface CompareModel {
  title: string;
  fileA: string;
  fileB: string;
  /** E.g. "1000 bootstrap resamples of the images (seed 0), 95% percentile intervals". */
  resampling: string;
  figures: CompareFigureRow[];
  categories: CompareFigureRow[];
  /** Per attribute subset (df2 compare --by): AP, AP50, AP75 of each value; none without --by. */
  subsets?: CompareFigureRow[];
  images: CompareImageRow[];
  /** What the image counts are (threshold, area). */
  imageNote: string;
}

const CSS = `${TABLE_PAGE_CSS}.note { color: #555; font-size: 13px; }
.up { color: #1a7f37; } .down { color: #b42318; }
.ci line.zero { stroke: #999; } .ci line.span { stroke: #2f5fb3; stroke-width: 3; } .ci circle { fill: #2f5fb3; }
`;

const BAR_WIDTH = 180;

/** The interval as a horizontal bar, on a scale symmetric around zero. */
function intervalBar(row: CompareFigureRow, scale: number): string {
  if (row.low === null || row.high === null || !Number.isFinite(row.difference)) return '';
  const x = (v: number): number => Math.round((BAR_WIDTH / 2 + (v / scale) * (BAR_WIDTH / 2 - 6)) * 100) / 100;
  return (
    `<svg class="ci" width="${BAR_WIDTH}" height="14" viewBox="0 0 ${BAR_WIDTH} 14" role="img" aria-label="difference ${figure(row.difference)}, interval ${row.low.toFixed(3)} to ${row.high.toFixed(3)}">` +
    `<line class="zero" x1="${BAR_WIDTH / 2}" y1="0" x2="${BAR_WIDTH / 2}" y2="14"/>` +
    `<line class="span" x1="${x(row.low)}" y1="7" x2="${x(row.high)}" y2="7"/>` +
    `<circle cx="${x(row.difference)}" cy="7" r="3.5"/></svg>`
  );
}

function signed(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value > 0 ? '+' : ''}${value.toFixed(3)}`;
}

function figureTable(rows: readonly CompareFigureRow[], first: string): string {
  const scale = Math.max(1e-6, ...rows.flatMap((r) => [Math.abs(r.low ?? 0), Math.abs(r.high ?? 0)]));
  const body = rows
    .map((r) => {
      const significant = r.low !== null && r.high !== null && (r.low > 0 || r.high < 0);
      const cls = significant ? (r.difference > 0 ? ' class="up"' : ' class="down"') : '';
      const interval = r.low === null || r.high === null ? '–' : `[${signed(r.low)}, ${signed(r.high)}]`;
      return (
        `<tr><td>${escapeHtml(r.label)}</td><td>${figure(r.a)}</td><td>${figure(r.b)}</td><td${cls}>${signed(r.difference)}</td>` +
        `<td>${interval}</td><td>${intervalBar(r, scale)}</td><td>${Number.isFinite(r.aBeats) ? `${(100 * r.aBeats).toFixed(1)}%` : '–'}</td></tr>`
      );
    })
    .join('');
  return `<table><thead><tr><th>${first}</th><th>A</th><th>B</th><th>A − B</th><th>interval</th><th></th><th>A above B</th></tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * The page.
 *
 * @example
 * ```ts
 * const html = compareHtml({ title: 'bbox: A vs B', fileA: 'a.json', fileB: 'b.json', resampling: '...', figures, categories, images, imageNote: '' });
 * ```
 */
export function compareHtml(model: CompareModel): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(model.title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(model.title)}</h1>`);
  parts.push(`<p>A: <code>${escapeHtml(model.fileA)}</code><br>B: <code>${escapeHtml(model.fileB)}</code></p>`);
  parts.push(
    `<p class="note">${escapeHtml(model.resampling)}. Both models are evaluated on the same resamples; a coloured difference has an interval that excludes zero. The intervals describe the image sample, not training noise.</p>`,
  );
  parts.push(`<h2>Figures</h2>${figureTable(model.figures, 'figure')}`);
  parts.push(`<h2>AP per category</h2>${figureTable(model.categories, 'category')}`);
  if (model.subsets && model.subsets.length > 0)
    parts.push(
      '<h2>By attribute</h2><p class="note">Only ground truth with the attribute value counts (others are ignored, and so are detections matched to them), as <code>df2 eval --by</code>; the same resamples as above.</p>' +
        figureTable(model.subsets, 'subset'),
    );
  if (model.images.length > 0) {
    const rows = model.images
      .map((r) => `<tr><td>${r.imageId}</td><td>${r.a.tp}</td><td>${r.a.fp}</td><td>${r.a.fn}</td><td>${r.b.tp}</td><td>${r.b.fp}</td><td>${r.b.fn}</td></tr>`)
      .join('');
    parts.push(`<h2>Images where the two differ most</h2><p class="note">${escapeHtml(model.imageNote)}</p>`);
    parts.push(
      `<table><thead><tr><th>image</th><th>A tp</th><th>A fp</th><th>A fn</th><th>B tp</th><th>B fp</th><th>B fn</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
  parts.push('</body></html>\n');
  return parts.join('');
}
