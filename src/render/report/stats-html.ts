/**
 * `df2 stats --html`: one self-contained page (inline CSS and SVG, no
 * scripts, nothing fetched) with Table 1 and the Figure 3 breakdowns of a split.
 */
import type { SplitStats } from '../../dataset/index.js';
import { ATTRIBUTES, ATTRIBUTE_NAMES, type AttributeName } from '../../schema/index.js';
import { categoryColor } from '../pictures/colors.js';
import { escapeHtml, TABLE_PAGE_CSS } from './html.js';
import { formatCount, svgBarChart, svgStackedBarChart, type Bar } from './svg-bar-chart.js';

/** Light to dark: the three values of every attribute (1, 2, 3). */
const LEVEL_COLORS = ['#9ecae1', '#4292c6', '#08519c'] as const;
const SOURCE_COLORS = { user: '#f58518', shop: '#54a24b' } as const;
const VISIBILITY_COLORS = { visible: '#2ca02c', occluded: '#ff7f0e', unlabelled: '#bbbbbb' } as const;

const ATTRIBUTE_TITLES: Record<AttributeName, string> = {
  scale: 'Scale',
  occlusion: 'Occlusion',
  zoom_in: 'Zoom-in',
  viewpoint: 'Viewpoint',
};

const CSS = `${TABLE_PAGE_CSS}.charts { display: flex; flex-wrap: wrap; gap: 16px 24px; margin-bottom: 16px; }
.chart { background: #fff; }
.chart-title { font-size: 13px; font-weight: 600; fill: #222; }
.tick, .legend { font-size: 11px; fill: #444; }
.note { color: #555; font-size: 13px; }
`;

/** Table 1 row and the Figure 3 breakdowns as one HTML page. */
export function statsHtml(stats: SplitStats, options: { title: string }): string {
  const t = stats.table1;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(options.title)}</h1>`);

  parts.push('<h2>Table 1</h2>');
  parts.push(htmlTable(['images', 'bboxes', 'landmarks', 'masks', 'pairs'], [[t.images, t.boxes, t.landmarks, t.masks, t.pairs].map(formatCount)]));
  parts.push(
    '<p class="note">bboxes: items (one box each); landmarks: labelled landmarks (v = 1 or 2); masks: items with a polygon; pairs: positive user–shop item pairs (same pair_id, same style &gt; 0).</p>',
  );

  parts.push('<h2>Source</h2>');
  parts.push(
    htmlTable(
      ['', 'images', 'items'],
      [
        ['user (consumer)', formatCount(stats.source.user.images), formatCount(stats.source.user.items)],
        ['shop (commercial)', formatCount(stats.source.shop.images), formatCount(stats.source.shop.items)],
      ],
    ),
  );
  parts.push(
    htmlTable(
      ['', 'positive pairs', 'query items', 'gallery items', 'pair_ids', 'items with style 0'],
      [
        [
          'pairs',
          formatCount(stats.pairs.positives),
          formatCount(stats.pairs.queryItems),
          formatCount(stats.pairs.galleryItems),
          formatCount(stats.pairs.pairIds),
          formatCount(stats.styles.zero),
        ],
      ],
    ),
  );

  parts.push('<h2>Items per category</h2><div class="charts">');
  parts.push(
    svgBarChart(
      stats.categories.map((c) => ({ label: c.name, value: c.items, color: categoryColor(c.id) })),
      { title: 'Items per category', width: 560 },
    ),
  );
  parts.push(
    svgStackedBarChart(
      stats.categories.map((c) => ({ label: c.name, values: [c.userItems, c.shopItems] })),
      {
        title: 'Items per category by source',
        series: [
          { name: 'user', color: SOURCE_COLORS.user },
          { name: 'shop', color: SOURCE_COLORS.shop },
        ],
        width: 520,
      },
    ),
  );
  parts.push('</div>');

  parts.push('<h2>Variations (Figure 3)</h2><div class="charts">');
  for (const attribute of ATTRIBUTE_NAMES) {
    const bars: Bar[] = ATTRIBUTES[attribute].map((value, i) => ({ label: value, value: stats.attributes[attribute][value] ?? 0, color: LEVEL_COLORS[i] }));
    parts.push(svgBarChart(bars, { title: ATTRIBUTE_TITLES[attribute], width: 360, labelWidth: 90 }));
  }
  parts.push('</div><div class="charts">');
  for (const attribute of ATTRIBUTE_NAMES) {
    parts.push(
      svgStackedBarChart(
        stats.categories.map((c) => ({ label: c.name, values: ATTRIBUTES[attribute].map((v) => c.attributes[attribute][v] ?? 0) })),
        {
          title: `${ATTRIBUTE_TITLES[attribute]} per category (share of items)`,
          series: ATTRIBUTES[attribute].map((name, i) => ({ name, color: LEVEL_COLORS[i]! })),
          normalize: true,
          width: 520,
        },
      ),
    );
  }
  parts.push('</div>');

  parts.push('<h2>Landmarks and images</h2><div class="charts">');
  const lm = stats.landmarks;
  parts.push(
    svgBarChart(
      [
        { label: 'visible (v = 2)', value: lm.visible, color: VISIBILITY_COLORS.visible },
        { label: 'occluded (v = 1)', value: lm.occluded, color: VISIBILITY_COLORS.occluded },
        { label: 'unlabelled (v = 0)', value: lm.unlabelled, color: VISIBILITY_COLORS.unlabelled },
      ],
      { title: 'Landmarks by visibility', width: 440, labelWidth: 120 },
    ),
  );
  parts.push(
    svgBarChart(
      Object.entries(stats.itemsPerImage).map(([count, images]) => ({ label: `${count} item${count === '1' ? '' : 's'}`, value: images })),
      { title: 'Images by number of items', width: 440, labelWidth: 80 },
    ),
  );
  parts.push('</div></body></html>\n');
  return parts.join('\n');
}

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = (tag: string, values: readonly string[]): string => values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join('');
  return `<table><thead><tr>${cells('th', head)}</tr></thead><tbody>${rows.map((r) => `<tr>${cells('td', r)}</tr>`).join('')}</tbody></table>`;
}
