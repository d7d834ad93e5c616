/**
 * The report's per-attribute intervals (df2 report --ci): each attribute
 * row of a task and of retrieval carries the intervals of the evaluation
 * library's subset bootstrap for the same draws, and the page shows each one
 * after its figure, exact in data-low and data-high; a figure no resample
 * defined reads "[undefined]".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goldenPath } from '../../testing/paths.js';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { bootstrapRetrievalSubsets, bootstrapSubsets, evaluateRetrieval, loadCocoPair, loadRetrievalInputs } from '../../eval/index.js';
import { buildReportData } from './report-data.js';
import { reportHtml } from './report-html.js';

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
