import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile, readdir, rm } from 'node:fs/promises';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { evaluateCocoFiles } from '../eval/index.js';
import { readPixels } from '../render/pictures/pixel-reader.js';

const GT = goldenPath('basic', 'gt', 'coco.json');
const GT_ATTRIBUTES = goldenPath('basic', 'gt', 'coco-attributes.json');
const BBOX = goldenPath('basic', 'results', 'bbox_results.json');
const RETRIEVAL = (name: string): string => goldenPath('basic', 'retrieval', name);

/** Attribute values of every element matching `<tag ... attr="...">` in a section of the page. */
const attributeValues = (html: string, attr: string): string[] => [...html.matchAll(new RegExp(`\\s${attr}="([^"]*)"`, 'g'))].map((m) => m[1]!);

/** The HTML between the opening tag carrying `marker` and the end of that element (no nesting of the same tag inside). */
function element(html: string, tag: string, marker: string): string {
  const start = html.indexOf(marker);
  assert.ok(start >= 0, `${marker} in the page`);
  const open = html.lastIndexOf(`<${tag}`, start);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(open, end + tag.length + 3);
}

interface EvalJson {
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
  by: Record<string, Record<string, { ap: number; ap50: number; ap75: number }>>;
}

test('df2 report: one self-contained page whose figures equal df2 eval --json', async () => {
  const out = await tempDir('df2-report-');
  try {
    const file = join(out, 'report.html');
    const { code, stdout, stderr } = await runCli([
      'report',
      '--gt',
      GT_ATTRIBUTES,
      '--results',
      BBOX,
      '--data',
      goldenPath('basic', 'dataset'),
      '--query',
      RETRIEVAL('query.json'),
      '--gallery',
      RETRIEVAL('gallery.json'),
      '--retrieval-results',
      RETRIEVAL('results.json'),
      '--out',
      file,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /report\.html \(\d+ KB\)/);
    assert.deepEqual(await readdir(out), ['report.html'], 'no temporary file left');
    const html = await readFile(file, 'utf8');

    // Self-contained: no scripts, no stylesheets or fonts fetched, pictures inline.
    assert.doesNotMatch(html, /<script|<link|<iframe|@import|url\(/i);
    const sources = attributeValues(html, 'src');
    assert.ok(sources.length > 0);
    for (const src of sources) assert.match(src, /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/);
    for (const href of attributeValues(html, 'href')) assert.match(href, /^#/);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    assert.ok(
      urls.every((u) => u === 'http://www.w3.org/2000/svg'),
      `only SVG namespaces, found ${urls.filter((u) => !u.includes('w3.org'))}`,
    );

    // Summary, per-category and per-attribute figures are df2 eval's, exactly.
    const evalRun = await runCli(['eval', 'bbox', '--gt', GT_ATTRIBUTES, '--results', BBOX, '--by', 'all', '--json']);
    assert.equal(evalRun.code, 0, evalRun.stderr);
    const evaluated = JSON.parse(evalRun.stdout) as EvalJson;
    const summary = element(html, 'table', 'class="summary" data-task="bbox"');
    assert.deepEqual(attributeValues(summary, 'data-value').map(Number), evaluated.stats);
    const perCategory = element(html, 'table', 'class="per-category" data-task="bbox"');
    const apCells = [...perCategory.matchAll(/<tr data-category="(\d+)">.*?data-key="ap" data-value="([^"]*)"/g)].map((m) => ({
      category_id: Number(m[1]),
      ap: Number(m[2]),
    }));
    assert.deepEqual(apCells, evaluated.per_category_ap);
    const attributes = element(html, 'table', 'class="attributes" data-task="bbox"');
    const attributeRows = [
      ...attributes.matchAll(
        /<tr data-attribute="(\w+)" data-attribute-value="(\d)">.*?data-key="ap" data-value="([^"]*)".*?data-key="ap50" data-value="([^"]*)".*?data-key="ap75" data-value="([^"]*)"/g,
      ),
    ];
    assert.equal(attributeRows.length, 12);
    for (const [, attribute, value, ap, ap50, ap75] of attributeRows) {
      assert.deepEqual({ ap: Number(ap), ap50: Number(ap50), ap75: Number(ap75) }, evaluated.by[attribute!]![value!], `${attribute}=${value}`);
    }
    const result = await evaluateCocoFiles('bbox', GT, BBOX);

    // One curve per category with ground truth (and the mean), at both thresholds.
    const rows = [...perCategory.matchAll(/<tr data-category="(\d+)">.*?<td>(\d+)<\/td><td>\d+<\/td><\/tr>/g)];
    const withGt = rows.filter((r) => Number(r[2]) > 0).map((r) => `category-${r[1]}`);
    assert.ok(withGt.length >= 10 && withGt.length < 13, 'the fixture has a category without ground truth');
    for (const threshold of ['0.5', '0.75']) {
      const chart = element(html, 'div', `data-curves="${threshold}"`);
      const series = [...chart.matchAll(/<path [^>]*data-series="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(series.filter((s) => s !== 'overall').sort(), [...withGt].sort());
      assert.equal(series.filter((s) => s === 'overall').length, 1);
    }

    // The histogram counts every counted detection once.
    const histogram = element(html, 'div', 'data-histogram="scores"');
    const counted = [...histogram.matchAll(/data-count="(\d+)"/g)].reduce((s, m) => s + Number(m[1]), 0);
    const m = result.matches;
    let detections = 0;
    for (let i = 0; i < m.detIgnored50.length; i++) if (!m.detIgnored50[i]) detections++;
    assert.equal(counted, detections);

    // The 24 worst images, drawn by render (two panels side by side), embedded.
    const figures = [...html.matchAll(/<figure data-image="(\d+)"><img alt="[^"]*" src="(data:image\/jpeg;base64,[^"]+)">/g)];
    assert.equal(figures.length, 24);
    const first = await readPixels(Buffer.from(figures[0]![2]!.split(',')[1]!, 'base64'));
    assert.equal(first.width, 560);

    // Retrieval: the evaluator's figures and example strips.
    const retrieval = element(html, 'table', 'class="retrieval"');
    assert.ok(retrieval.includes('data-key="top1" data-value="0.09302325581395349"'));
    assert.equal([...html.matchAll(/<div class="strips">/g)].length, 1);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('df2 report: a --data that is not a split is refused in one line before any work', async () => {
  const root = await tempDir('df2-report-data-');
  const out = join(root, 'report.html');
  const args = ['report', '--gt', goldenPath('basic', 'gt', 'coco.json'), '--results', goldenPath('basic', 'results', 'bbox_results.json'), '--out', out];
  for (const [data, found] of [
    [join(root, 'nowhere'), 'no such folder'],
    [goldenPath('basic', 'gt'), 'no annos/ folder'],
  ] as const) {
    const { code, stderr } = await runCli([...args, '--data', data]);
    assert.equal(code, 1);
    assert.equal(stderr, `df2: ${data}: expected a split folder holding annos/ and image/ (--data), found ${found}\n`);
  }
  assert.deepEqual(await readdir(root), []);
});

test('df2 report: results without ground truth are refused in one line', async () => {
  const { code, stderr } = await runCli(['report', '--results', BBOX, '--out', '/nonexistent/report.html']);
  assert.equal(code, 1);
  assert.equal(stderr, 'df2: report: --gt: expected a COCO ground-truth file for the --results, found none\n');
});

test('df2 report: a bad results file names the file and entry, and writes nothing', async () => {
  const out = await tempDir('df2-report-');
  try {
    const { code, stderr } = await runCli(['report', '--gt', GT, '--results', GT, '--out', join(out, 'r.html')]);
    assert.equal(code, 1);
    assert.match(stderr, /^df2: .*coco\.json: .*expected /);
    assert.deepEqual(await readdir(out), []);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

interface IntervalJson {
  value: number;
  low: number | null;
  high: number | null;
  defined: number;
}

/** The interval cells of a table: [data-low, data-high, data-defined] per row that has one. */
function intervalCells(table: string): { low: number | null; high: number | null; defined: number }[] {
  return [...table.matchAll(/<td class="ci" data-defined="(\d+)"(?: data-low="([^"]*)" data-high="([^"]*)")?>/g)].map((m) => ({
    defined: Number(m[1]),
    low: m[2] === undefined ? null : Number(m[2]),
    high: m[3] === undefined ? null : Number(m[3]),
  }));
}

/** The HTML of `df2 report --ci` (bbox and retrieval) written into `out`. */
async function ciReport(out: string, gt: string, retrieval: string[], draws: string[]): Promise<string> {
  const file = join(out, 'report.html');
  const made = await runCli([
    'report',
    '--gt',
    gt,
    '--results',
    BBOX,
    ...retrieval,
    '--retrieval-results',
    RETRIEVAL('results.json'),
    '--ci',
    ...draws,
    '--out',
    file,
  ]);
  assert.equal(made.code, 0, made.stderr);
  return readFile(file, 'utf8');
}

test('df2 report --ci: every summary figure, per-category AP and top-k shows the interval df2 eval --ci gives for the same draws', async () => {
  const out = await tempDir('df2-report-ci-');
  try {
    const draws = ['--resamples', '60', '--seed', '5', '--level', '0.9'];
    const retrieval = ['--query', RETRIEVAL('query.json'), '--gallery', RETRIEVAL('gallery.json')];
    const html = await ciReport(out, GT, retrieval, draws);

    const bbox = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--ci', ...draws, '--json']);
    assert.equal(bbox.code, 0, bbox.stderr);
    const ci = (JSON.parse(bbox.stdout) as { intervals: { stats: IntervalJson[]; per_category_ap: (IntervalJson & { category_id: number })[] } }).intervals;
    const bounds = (f: IntervalJson): { low: number | null; high: number | null; defined: number } => ({ low: f.low, high: f.high, defined: f.defined });
    assert.match(html, /data-resampling="60">Intervals: 90% percentile intervals over 60 bootstrap resamples of the images \(seed 5\)/);
    assert.deepEqual(intervalCells(element(html, 'table', 'class="summary" data-task="bbox"')), ci.stats.map(bounds));
    const perCategory = element(html, 'table', 'class="per-category" data-task="bbox"');
    assert.deepEqual(intervalCells(perCategory), ci.per_category_ap.map(bounds));
    assert.ok(
      ci.stats.some((f) => f.defined > 0 && f.low! < f.value && f.value < f.high!),
      'the fixture gives intervals of some width',
    );

    const top = await runCli(['eval', 'retrieval', ...retrieval, '--results', RETRIEVAL('results.json'), '--ci', ...draws, '--json']);
    assert.equal(top.code, 0, top.stderr);
    const topCi = (JSON.parse(top.stdout) as { intervals: Record<string, IntervalJson> }).intervals;
    assert.deepEqual(
      intervalCells(element(html, 'table', 'class="retrieval" data-task="retrieval"')),
      ['top1', 'top5', 'top10', 'top15', 'top20'].map((k) => bounds(topCi[k]!)),
    );
    assert.match(html, /over 60 bootstrap resamples of the query images/);

    // Without --ci, no interval anywhere.
    const file = join(out, 'report.html');
    const plain = await runCli(['report', '--gt', GT, '--results', BBOX, '--out', file, '--quiet']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(await readFile(file, 'utf8'), /class="ci"|data-resampling/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

/** Per row of an attributes table: its attribute, value, and the interval cell after each figure, by the figure's key. */
function attributeIntervalRows(
  table: string,
): { attribute: string; value: string; cells: Record<string, { low: number | null; high: number | null; defined: number }> }[] {
  return [...table.matchAll(/<tr data-attribute="(\w+)" data-attribute-value="(\d)">(.*?)<\/tr>/g)].map((row) => ({
    attribute: row[1]!,
    value: row[2]!,
    cells: Object.fromEntries(
      [...row[3]!.matchAll(/<td class="ci" data-key="(\w+)" data-defined="(\d+)"(?: data-low="([^"]*)" data-high="([^"]*)")?>/g)].map((m) => [
        m[1]!,
        { low: m[3] === undefined ? null : Number(m[3]), high: m[4] === undefined ? null : Number(m[4]), defined: Number(m[2]) },
      ]),
    ),
  }));
}

test('df2 report --ci: the per-attribute tables carry the intervals df2 eval --ci --by gives for the same draws', async () => {
  const out = await tempDir('df2-report-ci-by-');
  try {
    const draws = ['--resamples', '50', '--seed', '8', '--level', '0.9'];
    const retrieval = ['--query', RETRIEVAL('query-attributes.json'), '--gallery', RETRIEVAL('gallery.json')];
    const html = await ciReport(out, GT_ATTRIBUTES, retrieval, draws);
    const bounds = (f: IntervalJson): { low: number | null; high: number | null; defined: number } => ({ low: f.low, high: f.high, defined: f.defined });

    const bbox = await runCli(['eval', 'bbox', '--gt', GT_ATTRIBUTES, '--results', BBOX, '--by', 'all', '--ci', ...draws, '--json']);
    assert.equal(bbox.code, 0, bbox.stderr);
    const byCoco = (JSON.parse(bbox.stdout) as { intervals: { by: Record<string, Record<string, Record<string, IntervalJson>>> } }).intervals.by;
    const cocoRows = attributeIntervalRows(element(html, 'table', 'class="attributes" data-task="bbox"'));
    assert.equal(cocoRows.length, 12);
    for (const row of cocoRows)
      for (const key of ['ap', 'ap50', 'ap75'])
        assert.deepEqual(row.cells[key], bounds(byCoco[row.attribute]![row.value]![key]!), `bbox ${row.attribute} ${row.value} ${key}`);
    assert.ok(
      cocoRows.some((r) => r.cells.ap!.low! < r.cells.ap!.high!),
      'intervals of some width',
    );

    const top = await runCli(['eval', 'retrieval', ...retrieval, '--results', RETRIEVAL('results.json'), '--by', 'all', '--ci', ...draws, '--json']);
    assert.equal(top.code, 0, top.stderr);
    const topJson = JSON.parse(top.stdout) as {
      by: Record<string, Record<string, { top1: number; top20: number }>>;
      intervals: { by: Record<string, Record<string, Record<string, IntervalJson>>> };
    };
    const retrievalRows = attributeIntervalRows(element(html, 'table', 'class="attributes" data-task="retrieval"'));
    assert.equal(retrievalRows.length, 12);
    for (const row of retrievalRows)
      for (const key of ['top1', 'top5', 'top10', 'top15', 'top20']) {
        const f = topJson.intervals.by[row.attribute]![row.value]![key]!;
        assert.deepEqual(row.cells[key], bounds(f), `retrieval ${row.attribute} ${row.value} ${key}`);
        if (key === 'top1' || key === 'top20')
          assert.equal(f.value, topJson.by[row.attribute]![row.value]![key], `${row.attribute} ${row.value} ${key}: the figure of --by`);
      }

    // Without --ci: the same tables, no interval column.
    const file = join(out, 'report.html');
    const plain = await runCli(['report', '--gt', GT_ATTRIBUTES, '--results', BBOX, '--out', file, '--quiet']);
    assert.equal(plain.code, 0, plain.stderr);
    const plainTable = element(await readFile(file, 'utf8'), 'table', 'class="attributes" data-task="bbox"');
    assert.doesNotMatch(plainTable, /class="ci"|interval/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
