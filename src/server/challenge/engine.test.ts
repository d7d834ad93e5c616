import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { InputError } from '../../util/errors.js';
import { reportPage } from '../../render/index.js';
import { bootstrapCoco, bootstrapRetrieval, evaluateRetrieval, loadCocoPair, loadRetrievalInputs } from '../../eval/index.js';
import { goldenGtDir } from '../test-support.js';
import { evaluateSubmission } from './engine.js';
import type { Task } from './types.js';

type GoldenCoco = { stats: number[]; per_category_ap: { category_id: number; ap: number }[] };
const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, GoldenCoco> & {
  retrieval: { top1: number; top5: number; top10: number; top15: number; top20: number; queries: number; missed: number };
};
const subsets = JSON.parse(await readFile(goldenPath('basic', 'subsets.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
const gtDir = await goldenGtDir();

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} vs ${expected}`);
/** The page without its creation time (the only part that differs between two makings). */
const timeless = (html: string): string => html.replace(/Made by df2 on [^ ]+ /, 'Made by df2 on <time> ');

const resultsOf = (task: Task): string =>
  task === 'retrieval'
    ? goldenPath('basic', 'retrieval', 'results.json')
    : goldenPath('basic', 'results', `${task === 'keypoints_visible' ? 'keypoints' : task}_results.json`);
const displayName = (results: string) => (path: string) => (path === results ? 'mine.json' : `<ground truth>/${basename(path)}`);

for (const task of ['bbox', 'segm', 'keypoints', 'keypoints_visible'] as const) {
  test(`${task}: one evaluation gives the golden figures and the same report as df2 report`, async () => {
    const results = resultsOf(task);
    const evaluation = await evaluateSubmission(task, gtDir, results);
    const expected = golden[task]!;
    evaluation.result.stats.forEach((v, k) => close(v, expected.stats[k]!, `${task} stats[${k}]`));
    assert.equal(evaluation.result.perCategoryAp!.length, expected.per_category_ap.length);
    evaluation.result.perCategoryAp!.forEach((c, k) => {
      assert.equal(c.category_id, expected.per_category_ap[k]!.category_id);
      close(c.ap, expected.per_category_ap[k]!.ap, `${task} AP of category ${c.category_id}`);
    });
    if (task !== 'keypoints_visible') {
      for (const [attribute, values] of Object.entries(subsets[task]!)) {
        for (const [value, figures] of Object.entries(values)) {
          (figures as number[]).forEach((v, k) => close(evaluation.result.subsets![attribute]![value]![k]!, v, `${task} ${attribute}=${value} [${k}]`));
        }
      }
    }
    const title = `df2 submission 1 (${task})`;
    const gtFile = join(gtDir, task === 'keypoints_visible' ? 'coco-visible.json' : 'coco.json');
    const page = evaluation.reportPage({ title, displayName: displayName(results) });
    const reference = await reportPage({
      gtFile,
      title,
      displayName: displayName(results),
      tasks: [{ task: task === 'keypoints_visible' ? 'keypoints' : task, resultsFile: results }],
    });
    assert.ok(page.includes('mine.json') && !page.includes(gtDir), 'the page names files as displayName says');
    assert.equal(timeless(page), timeless(reference));
  });
}

test('retrieval: one evaluation gives the golden figures and the same report as df2 report', async () => {
  const results = resultsOf('retrieval');
  const evaluation = await evaluateSubmission('retrieval', gtDir, results);
  const g = golden.retrieval;
  evaluation.result.stats.forEach((v, k) => close(v, [g.top1, g.top5, g.top10, g.top15, g.top20][k]!, `top-k ${k}`));
  assert.equal(evaluation.result.queries, g.queries);
  assert.equal(evaluation.result.missed, g.missed);
  const zoom = subsets.retrieval!.zoom_in!['1'] as { top1: number; top20: number };
  close(evaluation.result.subsets!.zoom_in!['1']![0]!, zoom.top1, 'zoom_in=1 top-1');
  close(evaluation.result.subsets!.zoom_in!['1']![4]!, zoom.top20, 'zoom_in=1 top-20');
  const page = evaluation.reportPage({ title: 'r', displayName: displayName(results) });
  const reference = await reportPage({
    gtFile: '',
    tasks: [],
    title: 'r',
    displayName: displayName(results),
    retrieval: { query: join(gtDir, 'query.json'), gallery: join(gtDir, 'gallery.json'), results },
  });
  assert.equal(timeless(page), timeless(reference));
});

test("a phase's intervals: the figures stay golden, AP on each of the phase's resample lists is df2 eval --ci's", async () => {
  const intervals = { resamples: 100, level: 0.9, seed: 11 };
  const results = resultsOf('bbox');
  const evaluation = await evaluateSubmission('bbox', gtDir, results, { intervals });
  evaluation.result.stats.forEach((v, k) => close(v, golden.bbox!.stats[k]!, `bbox stats[${k}]`));
  const { gt, results: loaded } = await loadCocoPair('bbox', join(gtDir, 'coco.json'), results);
  const reference = await bootstrapCoco('bbox', gt, loaded, { ...intervals, keepFigures: true, threads: 1 });
  assert.deepEqual(
    evaluation.resampleFigures,
    Float64Array.from(reference.figures!, (f) => f[0]!),
  );
  const { low, high, defined } = reference.stats[0]!;
  assert.deepEqual(evaluation.result.interval, { figure: 'AP', low, high, level: 0.9, resamples: 100, defined, seed: 11 });
  assert.ok(low < evaluation.result.stats[0]! && evaluation.result.stats[0]! < high);
  // Every figure's interval and each category's AP's, for the submission's page: df2 eval --ci's.
  // A category without ground truth has no interval (null bounds: JSON has no NaN).
  const bounds = (f: { low: number; high: number; defined: number }) =>
    f.defined > 0 ? { low: f.low, high: f.high, defined: f.defined } : { low: null, high: null, defined: 0 };
  assert.deepEqual(evaluation.result.statIntervals, reference.stats.map(bounds));
  assert.deepEqual(evaluation.result.perCategoryApIntervals, reference.perCategory.map(bounds));
  assert.ok(evaluation.result.perCategoryApIntervals!.some((f) => f.defined === 0 && f.low === null));
  // Another seed draws other lists.
  const other = await evaluateSubmission('bbox', gtDir, results, { intervals: { ...intervals, seed: 12 } });
  assert.notDeepEqual(other.resampleFigures, evaluation.resampleFigures);
  // Without intervals, none.
  assert.equal((await evaluateSubmission('bbox', gtDir, results)).resampleFigures, undefined);
});

test("a phase's intervals on retrieval: top-20 on each resample list of query images", async () => {
  const intervals = { resamples: 100, level: 0.95, seed: 2 };
  const results = resultsOf('retrieval');
  const evaluation = await evaluateSubmission('retrieval', gtDir, results, { intervals });
  close(evaluation.result.stats[4]!, golden.retrieval.top20, 'top-20');
  const inputs = await loadRetrievalInputs(join(gtDir, 'query.json'), join(gtDir, 'gallery.json'), results);
  const reference = await bootstrapRetrieval(inputs.queries, evaluateRetrieval(inputs).outcomes, { ...intervals, keepFigures: true });
  assert.deepEqual(
    evaluation.resampleFigures,
    Float64Array.from(reference.lists!, (l) => l[4]!),
  );
  assert.deepEqual(
    [evaluation.result.interval?.figure, evaluation.result.interval?.low, evaluation.result.interval?.high],
    ['top-20', reference.figures[4]!.low, reference.figures[4]!.high],
  );
  assert.deepEqual(
    evaluation.result.statIntervals,
    reference.figures.map((f) => ({ low: f.low, high: f.high, defined: f.defined })),
  );
  assert.equal(evaluation.result.perCategoryApIntervals, undefined);
});

test('segm: results with a bbox and no segmentation are refused with one line (df2 eval warns; a leaderboard of masks would rank rectangles)', async () => {
  const dir = await tempDir('df2-boxes-as-masks-');
  const boxes = join(dir, 'boxes.json');
  const golden = JSON.parse(await readFile(resultsOf('segm'), 'utf8')) as Record<string, unknown>[];
  // The golden segm results with boxes, the second without its mask: one box standing in for a mask is enough to refuse.
  await writeFile(boxes, JSON.stringify(golden.map((r, k) => ({ ...r, bbox: [1, 2, 30, 40], ...(k === 1 && { segmentation: undefined }) }))));
  await assert.rejects(evaluateSubmission('segm', gtDir, boxes), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.equal(
      err.message,
      `${boxes}: [1].segmentation: expected a mask (an RLE): 1 of ${golden.length} result(s) have a bbox and no segmentation, ` +
        'which a segm evaluation would score as rectangles (are these bbox results?), found none',
    );
    return true;
  });
  // The same results with their masks (and boxes, as detectron2 writes them) are evaluated.
  const both = join(dir, 'both.json');
  await writeFile(both, JSON.stringify(golden.map((r) => ({ bbox: [1, 2, 30, 40], ...r }))));
  const evaluation = await evaluateSubmission('segm', gtDir, both);
  assert.equal(evaluation.result.stats.length, 12);
});
