/**
 * The report's per-attribute intervals (df2 report --ci): each attribute
 * row of a task and of retrieval carries the intervals of the evaluation
 * library's subset bootstrap for the same draws, and the page shows each one
 * after its figure, exact in data-low and data-high; a figure no resample
 * defined reads "[undefined]". A report of an evaluation and a bootstrap the
 * caller made (the challenge server's) shows that bootstrap's intervals, the
 * page df2 report --ci makes but for the per-attribute intervals, whose
 * columns it leaves out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goldenPath } from '../../testing/paths.js';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import {
  bootstrapCoco,
  bootstrapRetrieval,
  bootstrapRetrievalSubsets,
  bootstrapSubsets,
  evaluateByAttribute,
  evaluateLoaded,
  evaluateRetrieval,
  loadCocoPair,
  loadRetrievalInputs,
} from '../../eval/index.js';
import { buildReportData, retrievalReportAttributes } from './report-data.js';
import { reportHtml } from './report-html.js';
import { evaluatedReportPage } from './report.js';

const GT = goldenPath('basic', 'gt', 'coco-attributes.json');
const BBOX = goldenPath('basic', 'results', 'bbox_results.json');
const RETRIEVAL = {
  query: goldenPath('basic', 'retrieval', 'query-attributes.json'),
  gallery: goldenPath('basic', 'retrieval', 'gallery.json'),
  results: goldenPath('basic', 'retrieval', 'results.json'),
};
const DRAWS = { resamples: 40, seed: 6, level: 0.8 };
const range = (f: { low: number; high: number; defined: number }) => ({ low: f.low, high: f.high, defined: f.defined });

test('per-attribute rows carry the subset intervals of the same draws, shown after each figure', async () => {
  const data = await buildReportData({ gtFile: GT, tasks: [{ task: 'bbox', resultsFile: BBOX }], retrieval: RETRIEVAL, intervals: DRAWS });
  const section = data.model.tasks[0]!;
  const { gt, results } = await loadCocoPair('bbox', GT, BBOX);
  const subsets = await bootstrapSubsets('bbox', gt, results, ATTRIBUTE_NAMES, DRAWS);
  assert.equal(section.attributes.length, ATTRIBUTE_NAMES.length);
  for (const table of section.attributes)
    for (const row of table.rows) {
      const s = subsets.find((x) => x.attribute === table.attribute && x.value === row.value)!;
      assert.deepEqual(row.intervals, { ap: range(s.figures[0]!), ap50: range(s.figures[1]!), ap75: range(s.figures[2]!) }, `${table.attribute} ${row.value}`);
      assert.equal(row.ap, s.figures[0]!.value, `${table.attribute} ${row.value}: the row's AP is the bootstrap's point figure`);
    }

  const inputs = await loadRetrievalInputs(RETRIEVAL.query, RETRIEVAL.gallery, RETRIEVAL.results);
  const outcomes = evaluateRetrieval(inputs).outcomes;
  const top = await bootstrapRetrievalSubsets(inputs.queries, outcomes, ATTRIBUTE_NAMES, DRAWS);
  const retrieval = data.model.retrieval!;
  assert.equal(retrieval.attributes.length, ATTRIBUTE_NAMES.length);
  for (const table of retrieval.attributes)
    for (const row of table.rows) {
      const s = top.find((x) => x.attribute === table.attribute && x.value === row.value)!;
      assert.deepEqual(row.topKIntervals, s.figures.map(range), `retrieval ${table.attribute} ${row.value}`);
      assert.deepEqual(
        row.topK,
        s.figures.map((f) => f.value),
      );
    }

  // The page: after each figure its interval; an undefined one in words.
  const first = section.attributes[0]!.rows[0]!;
  first.intervals!.ap75 = { low: Number.NaN, high: Number.NaN, defined: 0 };
  const html = reportHtml(data.model);
  const row = html.match(new RegExp(`<tr data-attribute="${section.attributes[0]!.attribute}" data-attribute-value="1">.*?</tr>`))![0];
  assert.match(
    row,
    new RegExp(
      `<td data-key="ap" data-value="${first.ap}">[\\d.]+</td><td class="ci" data-key="ap" data-defined="40" data-low="${first.intervals!.ap.low}" data-high="${first.intervals!.ap.high}">\\[${first.intervals!.ap.low.toFixed(3)}, ${first.intervals!.ap.high.toFixed(3)}\\]</td>`,
    ),
  );
  assert.match(row, /<td class="ci" data-key="ap75" data-defined="0">\[undefined\]<\/td><\/tr>$/);
  assert.equal((html.match(/<th>AP50<\/th><th>80% interval<\/th>/g) ?? []).length, 1);
  assert.equal((html.match(/<th>top-20<\/th><th>80% interval<\/th>/g) ?? []).length, 1);
});

test("a caller's bootstrap: its intervals on the figures, per category and top-k; the per-attribute tables without interval columns", async () => {
  const { gt, results } = await loadCocoPair('bbox', GT, BBOX);
  const result = evaluateLoaded('bbox', gt, results, { quiet: true });
  const byAttribute = evaluateByAttribute('bbox', gt, results, ATTRIBUTE_NAMES, { quiet: true });
  const intervals = await bootstrapCoco('bbox', gt, results, DRAWS);
  const inputs = await loadRetrievalInputs(RETRIEVAL.query, RETRIEVAL.gallery, RETRIEVAL.results);
  const retrievalResult = evaluateRetrieval(inputs, { by: retrievalReportAttributes(inputs) });
  const topK = await bootstrapRetrieval(inputs.queries, retrievalResult.outcomes, DRAWS);
  const page = evaluatedReportPage({
    tasks: [{ task: 'bbox', gtFile: GT, resultsFile: BBOX, gt, results, result, byAttribute, intervals }],
    retrieval: { files: RETRIEVAL, result: retrievalResult, intervals: topK },
  });
  // The same cells as the page df2 report --ci makes with the same draws, up to the per-attribute tables.
  const cli = reportHtml((await buildReportData({ gtFile: GT, tasks: [{ task: 'bbox', resultsFile: BBOX }], retrieval: RETRIEVAL, intervals: DRAWS })).model);
  const cells = (html: string): string[] => html.replace(/<table class="attributes"[\s\S]*?<\/table>/g, '').match(/<td class="ci"[^>]*>[^<]*<\/td>/g) ?? [];
  assert.equal(cells(page).length, intervals.stats.length + intervals.perCategory.length + topK.figures.length);
  assert.deepEqual(cells(page), cells(cli));
  assert.match(page, new RegExp(`<td class="ci" data-defined="40" data-low="${intervals.stats[0]!.low}" data-high="${intervals.stats[0]!.high}">`));
  // Per attribute: the figures without interval columns (df2 report --ci has them: a bootstrap per attribute value).
  const attributes = page.match(/<table class="attributes"[\s\S]*?<\/table>/g)!;
  assert.equal(attributes.length, 2);
  for (const t of attributes) assert.doesNotMatch(t, /interval|class="ci"/);
  assert.equal((cli.match(/<table class="attributes"[\s\S]*?<\/table>/g) ?? []).filter((t) => t.includes('class="ci"')).length, 2);
  // A bootstrap of another task is refused rather than shown on this one.
  const segm = { ...intervals, task: 'segm' as const };
  assert.throws(() => evaluatedReportPage({ tasks: [{ task: 'bbox', gtFile: GT, resultsFile: BBOX, gt, results, result, intervals: segm }] }), RangeError);
});
