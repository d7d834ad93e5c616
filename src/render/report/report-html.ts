/**
 * The evaluation report as ONE self-contained HTML file: inline CSS, inline
 * SVG charts, pictures as data: URIs, no scripts and no external URL, so it
 * opens offline and can be mailed or attached as it is. Every figure carries
 * its exact value in a data-value attribute (the text shows three decimals).
 */
import { categoryColor, STATE_COLORS } from '../pictures/colors.js';
import { escapeHtml, figure } from './html.js';
import { histogramSvg, lineChartSvg, type LineSeries } from './svg-chart.js';
import { svgBarChart } from './svg-bar-chart.js';
import { svgHeatmap } from './svg-heatmap.js';
import { landmarkErrorHtml } from './landmark-errors.js';
import type { CocoTaskSection, ErrorAnalysis, FigureRange, ReportModel, Resampling, RetrievalSection } from './report-model.js';
import { TIDE_MAIN_ERRORS } from '../../eval/index.js';
import { imageName } from '../../schema/index.js';

const TASK_TITLES = { bbox: 'Clothes detection (bbox)', segm: 'Clothes segmentation (segm)', keypoints: 'Landmark estimation (keypoints)' } as const;

const CHART_WIDTH = 570;

const CSS = `
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;color:#1d1d1f;margin:0;background:#f6f6f7}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}
.meta{color:#666;font-size:12px}.files{color:#666;font-size:12px;font-family:"DejaVu Sans Mono",monospace}
table{border-collapse:collapse;background:#fff;margin:6px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f0f0f2}
td.name,th.name{text-align:left}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:middle;border-radius:2px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:90px}
.card .v{font-size:22px;font-weight:bold}.card .k{font-size:11px;color:#666}.card .i{font-size:11px;color:#444}
td.ci{color:#555;white-space:nowrap}
.charts,.row{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:flex-start}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px}
.chart .grid{stroke:#eee}.chart .frame{fill:none;stroke:#999}
.chart .tick{font-size:10px;fill:#666}.chart .axis-label{font-size:11px;fill:#333}
.chart .chart-title{font-size:12px;font-weight:bold;fill:#222}.chart .legend{font-size:10px;fill:#333}
.thumbs{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:10px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px}
figure img{width:100%;height:auto;display:block}figcaption{font-size:12px;color:#444;margin-top:4px}
.strips img{max-width:100%;display:block;margin:6px 0}
.note{color:#555;font-size:12px;max-width:900px}
nav a{margin-right:12px}
`;

export function reportHtml(model: ReportModel): string {
  const sections = model.tasks.map(taskSection);
  if (model.retrieval) sections.push(retrievalSection(model.retrieval));
  const nav = [
    ...model.tasks.map((t) => `<a href="#${t.task}">${escapeHtml(TASK_TITLES[t.task])}</a>`),
    ...(model.retrieval ? ['<a href="#retrieval">Retrieval</a>'] : []),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body><main>',
    `<h1>${escapeHtml(model.title)}</h1>`,
    `<p class="meta">Made by df2 on ${escapeHtml(model.createdAt)} with the same engine as <code>df2 eval</code>; figures equal <code>df2 eval --json</code>.</p>`,
    `<nav>${nav.join('')}</nav>`,
    ...sections,
    '</main></body></html>',
    '',
  ].join('\n');
}

function taskSection(s: CocoTaskSection): string {
  const out: string[] = [];
  out.push(`<section id="${s.task}" data-task="${s.task}">`);
  out.push(`<h2>${escapeHtml(TASK_TITLES[s.task])}</h2>`);
  out.push(`<p class="files">ground truth ${escapeHtml(s.gtFile)}<br>results ${escapeHtml(s.resultsFile)}</p>`);
  out.push('<div class="cards">');
  for (const f of s.summary.slice(0, 3))
    out.push(
      `<div class="card"><div class="v">${figure(f.value)}</div>${f.interval ? `<div class="i">${intervalText(f.interval)}</div>` : ''}<div class="k">${escapeHtml(f.short)}</div></div>`,
    );
  out.push('</div>');
  if (s.resampling) out.push(resamplingNote(s.resampling, 'images'));
  out.push('<div class="row"><div>');
  out.push('<h3>Summary</h3>');
  const ci = s.resampling ? `<th>${levelText(s.resampling.level)} interval</th>` : '';
  out.push(`<table class="summary" data-task="${s.task}"><tr><th class="name">figure</th><th>value</th>${ci}</tr>`);
  s.summary.forEach((f, i) =>
    out.push(
      `<tr><td class="name">${escapeHtml(f.name)}</td><td data-stat="${i}" data-value="${f.value}">${figure(f.value)}</td>${s.resampling ? intervalCell(f.interval) : ''}</tr>`,
    ),
  );
  out.push('</table></div><div>');

  out.push('<h3>Per category</h3>');
  out.push(
    `<table class="per-category" data-task="${s.task}"><tr><th class="name">category</th><th>AP</th>${ci}<th>AP50</th><th>AP75</th><th>ground truth</th><th>detections</th></tr>`,
  );
  for (const c of s.perCategory) {
    out.push(
      `<tr data-category="${c.categoryId}"><td class="name"><span class="swatch" style="background:${categoryColor(c.categoryId)}"></span>${escapeHtml(c.name)}</td>` +
        figureCell('ap', c.ap) +
        (s.resampling ? intervalCell(c.apInterval) : '') +
        figureCell('ap50', c.ap50) +
        figureCell('ap75', c.ap75) +
        `<td>${c.groundTruth}</td><td>${c.detections}</td></tr>`,
    );
  }
  out.push('</table>');
  out.push('<p class="note">AP over IoU .50:.95 (OKS for keypoints), area all, largest maxDets; – where the category has no ground truth.</p>');
  out.push('</div></div>');

  const metric = s.task === 'keypoints' ? 'OKS' : 'IoU';
  out.push('<h3>Precision and recall</h3><div class="charts">');
  for (const c of s.curves) {
    const series: LineSeries[] = c.perCategory.map((p) => ({
      name: categoryName(s, p.categoryId),
      color: categoryColor(p.categoryId),
      ys: p.precision,
      key: `category-${p.categoryId}`,
    }));
    series.push({ name: 'all categories (mean)', color: '#111111', ys: c.overall, emphasis: true, key: 'overall' });
    out.push(
      `<div data-curves="${c.threshold}">${lineChartSvg({ title: `Precision-recall at ${metric} ${c.threshold.toFixed(2)}`, xLabel: 'recall', yLabel: 'precision', xs: c.recall, series, width: CHART_WIDTH, height: 340 })}</div>`,
    );
  }
  out.push(
    `<div data-histogram="scores">${histogramSvg({
      title: `Scores of true and false positives (${metric} ${s.matchThreshold.toFixed(2)})`,
      width: CHART_WIDTH,
      xLabel: 'score',
      edges: s.scores.edges,
      series: [
        { name: 'true positives', color: STATE_COLORS.matched, counts: s.scores.truePositives, key: 'true-positives' },
        { name: 'false positives', color: STATE_COLORS['false-positive'], counts: s.scores.falsePositives, key: 'false-positives' },
      ],
    })}</div>`,
  );
  const bars = s.perCategory.filter((c) => c.ap >= 0).map((c) => ({ label: c.name, value: c.ap, color: categoryColor(c.categoryId) }));
  out.push(
    `<div data-chart="category-ap">${svgBarChart(bars, { title: `AP per category (${metric} .50:.95)`, width: CHART_WIDTH, valueText: (bar) => figure(bar.value) })}</div>`,
  );
  out.push('</div>');

  if (s.attributes.length > 0) {
    out.push('<h3>Per attribute</h3>');
    out.push(
      '<p class="note">Only ground-truth items with the attribute value count (others are ignored, and so are detections matched to them); unmatched detections stay false positives.</p>',
    );
    // With intervals, each figure is followed by its interval's column (as in the summary); none when the rows have
    // none (the challenge server's report keeps the intervals of the stored figures, which have no per-attribute ones).
    const rowIntervals = s.resampling !== undefined && s.attributes.some((a) => a.rows.some((r) => r.intervals !== undefined));
    const heads = ['AP', 'AP50', 'AP75'].map((name) => `<th>${name}</th>${rowIntervals ? ci : ''}`).join('');
    out.push(`<table class="attributes" data-task="${s.task}"><tr><th class="name">attribute</th><th class="name">value</th>${heads}</tr>`);
    for (const a of s.attributes) {
      for (const r of a.rows) {
        const withInterval = (key: 'ap' | 'ap50' | 'ap75'): string => figureCell(key, r[key]) + (rowIntervals ? intervalCell(r.intervals?.[key], key) : '');
        out.push(
          `<tr data-attribute="${a.attribute}" data-attribute-value="${r.value}"><td class="name">${a.attribute}</td><td class="name">${escapeHtml(r.valueName)}</td>` +
            withInterval('ap') +
            withInterval('ap50') +
            withInterval('ap75') +
            '</tr>',
        );
      }
    }
    out.push('</table>');
  }

  if (s.errors) out.push(errorSection(s.task, s.errors));
  if (s.landmarkErrors) out.push(landmarkErrorHtml(s.landmarkErrors));

  if (s.worst.length > 0) {
    out.push(`<h3>The ${s.worst.length} worst images</h3>`);
    out.push(
      `<p class="note">Most missed ground-truth items plus false positives at ${metric} ${s.matchThreshold.toFixed(2)}; left ground truth, right predictions.</p>`,
    );
    out.push('<div class="thumbs">');
    for (const w of s.worst) {
      out.push(
        `<figure data-image="${w.imageId}"><img alt="image ${w.imageId}" src="${w.picture}"><figcaption>${imageName(w.imageId)}: ${w.missed} missed, ${w.falsePositives} false positives</figcaption></figure>`,
      );
    }
    out.push('</div>');
  }
  out.push('</section>');
  return out.join('\n');
}

const TIDE_NAMES = {
  cls: 'classification',
  loc: 'localization',
  both: 'cls + loc (both)',
  dupe: 'duplicate',
  bkg: 'background',
  miss: 'missed',
} as const;
const TIDE_COLORS = { cls: '#e45756', loc: '#f58518', both: '#b279a2', dupe: '#54a24b', bkg: '#4c78a8', miss: '#9d755d' } as const;

/** TIDE bars, the confusion heat map and the images with the most errors (bbox, segm). */
function errorSection(task: string, e: ErrorAnalysis): string {
  const out: string[] = [];
  out.push(`<div class="errors" data-errors="${task}">`);
  out.push('<h3>Why the AP is what it is: error analysis</h3>');
  out.push(
    '<p class="note">TIDE (tidecv 1.0.1 rules): dAP is how much AP50 (as TIDE computes it: 101 recall points, no area ranges, up to 100 detections per image) ' +
      'would rise if every error of that type were fixed. Special errors: perfect precision (false positives) and perfect recall (false negatives). ' +
      `Confusion matrix as Ultralytics builds it: detections scored above ${e.confusion.conf}, box IoU above ${e.confusion.iou}, any category; ` +
      'rows what was predicted, columns the ground truth, shaded by the share of each ground-truth column. See docs/errors.md.</p>',
  );
  out.push(
    `<table class="tide" data-task="${task}"><tr><th class="name">TIDE</th><th>AP50</th>${TIDE_MAIN_ERRORS.map((k) => `<th>${k}</th>`).join('')}<th>false_pos</th><th>false_neg</th></tr>`,
  );
  out.push(
    `<tr><td class="name">dAP</td>${figureCell('ap50', e.tide.ap50)}${TIDE_MAIN_ERRORS.map((k) => figureCell(k, e.tide.main[k])).join('')}` +
      `${figureCell('false_pos', e.tide.special.false_pos)}${figureCell('false_neg', e.tide.special.false_neg)}</tr>`,
  );
  out.push(
    `<tr><td class="name">errors</td><td></td>${TIDE_MAIN_ERRORS.map((k) => `<td data-count="${k}">${e.tideCounts[k]}</td>`).join('')}<td></td><td></td></tr></table>`,
  );
  out.push('<div class="charts">');
  const main = TIDE_MAIN_ERRORS.map((k) => ({ label: TIDE_NAMES[k], value: e.tide.main[k], color: TIDE_COLORS[k] }));
  const special = [
    { label: 'false positives', value: e.tide.special.false_pos, color: '#72b7b2' },
    { label: 'false negatives', value: e.tide.special.false_neg, color: '#eeca3b' },
  ];
  const dap = (bar: { value: number }): string => `dAP ${figure(bar.value)}`;
  out.push('<div>');
  out.push(`<div data-chart="tide-main">${svgBarChart(main, { title: 'TIDE: dAP50 of fixing each error type', width: CHART_WIDTH, valueText: dap })}</div>`);
  out.push(`<div data-chart="tide-special">${svgBarChart(special, { title: 'TIDE special errors: dAP50', width: CHART_WIDTH, valueText: dap })}</div>`);
  out.push('</div>');
  out.push(
    `<div data-chart="confusion">${svgHeatmap(e.confusion.matrix, {
      title: 'Confusion matrix (counts)',
      labels: e.confusion.labels,
      rowTitle: 'rows: predicted',
      columnTitle: 'columns: ground truth',
    })}</div>`,
  );
  out.push('</div>');
  if (e.images.length > 0) {
    const metric = task === 'keypoints' ? 'OKS' : 'IoU';
    out.push(
      `<h3>Images with the most errors</h3><p class="note">False positives plus missed ground truth in the official matching at ${metric} .50 (area all), as <code>df2 eval --per-image</code> writes them.</p>`,
    );
    out.push(
      `<table class="error-images" data-task="${task}"><tr><th class="name">image</th><th>true positives</th><th>false positives</th><th>missed</th></tr>`,
    );
    for (const r of e.images)
      out.push(
        `<tr data-image="${r.imageId}"><td class="name">${imageName(r.imageId)}</td><td data-key="tp">${r.tp}</td><td data-key="fp">${r.fp}</td><td data-key="fn">${r.fn}</td></tr>`,
      );
    out.push('</table>');
  }
  out.push('</div>');
  return out.join('\n');
}

/** "95%" for 0.95. */
function levelText(level: number): string {
  return `${+(level * 100).toFixed(6)}%`;
}

/** "[0.412, 0.468]"; "[undefined]" when no resample had the figure. */
function intervalText(f: FigureRange): string {
  return f.defined > 0 ? `[${f.low.toFixed(3)}, ${f.high.toFixed(3)}]` : '[undefined]';
}

/** A figure's interval cell: the bounds shown to three decimals, exact in data-low and data-high; `key`: the figure's data-key, where a row has several. */
function intervalCell(f: FigureRange | undefined, key?: string): string {
  const of = key === undefined ? '' : ` data-key="${key}"`;
  if (!f) return `<td class="ci"${of}></td>`;
  const bounds = f.defined > 0 ? ` data-low="${f.low}" data-high="${f.high}"` : '';
  return `<td class="ci"${of} data-defined="${f.defined}"${bounds}>${intervalText(f)}</td>`;
}

/** What the intervals of a section are, and what they are not. */
function resamplingNote(r: Resampling, what: string): string {
  const source = r.seed === null ? 'read from a file' : `seed ${r.seed}`;
  return (
    `<p class="note" data-resampling="${r.count}">Intervals: ${levelText(r.level)} percentile intervals over ${r.count} bootstrap resamples of the ${what} (${source}), as <code>df2 eval --ci</code>. ` +
    'They say how much a figure would move on another sample of test images like these; not how much another training run would move it. See docs/evaluation.md.</p>'
  );
}

/** A figure's table cell: three decimals shown, the exact value in data-value. */
function figureCell(key: string, value: number): string {
  return `<td data-key="${key}" data-value="${value}">${figure(value)}</td>`;
}

function categoryName(s: CocoTaskSection, id: number): string {
  return s.perCategory.find((c) => c.categoryId === id)?.name ?? `category ${id}`;
}

function retrievalSection(r: RetrievalSection): string {
  const out: string[] = [];
  out.push('<section id="retrieval" data-task="retrieval">');
  out.push('<h2>Consumer-to-shop retrieval</h2>');
  out.push(`<p class="files">queries ${escapeHtml(r.queryFile)}<br>gallery ${escapeHtml(r.galleryFile)}<br>results ${escapeHtml(r.resultsFile)}</p>`);
  out.push('<div class="cards">');
  for (const t of r.topK)
    out.push(
      `<div class="card"><div class="v">${figure(t.accuracy)}</div>${t.interval ? `<div class="i">${intervalText(t.interval)}</div>` : ''}<div class="k">top-${t.k}</div></div>`,
    );
  out.push('</div>');
  if (r.resampling) out.push(resamplingNote(r.resampling, 'query images'));
  const ci = r.resampling ? `<th>${levelText(r.resampling.level)} interval</th>` : '';
  const blank = r.resampling ? '<td></td>' : '';
  out.push(`<table class="retrieval" data-task="retrieval"><tr><th class="name">figure</th><th>value</th>${ci}</tr>`);
  for (const t of r.topK)
    out.push(`<tr><td class="name">top-${t.k} accuracy</td>${figureCell(`top${t.k}`, t.accuracy)}${r.resampling ? intervalCell(t.interval) : ''}</tr>`);
  out.push(`<tr><td class="name">queries (style &gt; 0)</td><td data-key="queries" data-value="${r.queries}">${r.queries}</td>${blank}</tr>`);
  out.push(`<tr><td class="name">missed (no detection stands for the query)</td><td data-key="missed" data-value="${r.missed}">${r.missed}</td>${blank}</tr>`);
  out.push('</table>');
  if (r.attributes.length > 0) {
    const ks = r.topK.map((t) => t.k);
    // As a task's: interval columns only when the rows carry intervals.
    const rowIntervals = r.resampling !== undefined && r.attributes.some((a) => a.rows.some((row) => row.topKIntervals !== undefined));
    out.push('<h3>Per attribute</h3>');
    out.push(
      `<table class="attributes" data-task="retrieval"><tr><th class="name">attribute</th><th class="name">value</th><th>queries</th>${ks.map((k) => `<th>top-${k}</th>${rowIntervals ? ci : ''}`).join('')}</tr>`,
    );
    for (const a of r.attributes) {
      for (const row of a.rows) {
        out.push(
          `<tr data-attribute="${a.attribute}" data-attribute-value="${row.value}"><td class="name">${a.attribute}</td><td class="name">${escapeHtml(row.valueName)}</td><td>${row.queries}</td>` +
            row.topK.map((v, i) => figureCell(`top${ks[i]}`, v) + (rowIntervals ? intervalCell(row.topKIntervals?.[i], `top${ks[i]}`) : '')).join('') +
            '</tr>',
        );
      }
    }
    out.push('</table>');
  }
  if (r.strips.length > 0) {
    out.push('<h3>Examples</h3><p class="note">Query crop, then the retrieved shop items best first: green a hit, red not.</p><div class="strips">');
    for (const s of r.strips) out.push(`<img alt="${escapeHtml(s.title)}" src="${s.picture}">`);
    out.push('</div>');
  }
  out.push('</section>');
  return out.join('\n');
}
