import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { goldenPath } from '../../testing/paths.js';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { evaluateCocoFiles } from '../../eval/index.js';
import { buildReportData, prCurves, scoreHistogram, worstImages } from './report-data.js';
import type { CocoTask } from '../../eval/index.js';

const TASKS: CocoTask[] = ['bbox', 'segm', 'keypoints'];
const results = (task: CocoTask): string => goldenPath('basic', 'results', `${task}_results.json`);

interface Golden {
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
}
const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} vs ${expected}`);

test('report figures equal the official figures of the golden fixture, attributes included', async () => {
  const golden = await readJson<Record<CocoTask, Golden>>(goldenPath('basic', 'golden.json'));
  const subsets = await readJson<Record<string, Record<string, Record<string, number[] | Record<string, number>>>>>(goldenPath('basic', 'subsets.json'));
  const data = await buildReportData({
    gtFile: goldenPath('basic', 'gt', 'coco-attributes.json'),
    tasks: TASKS.map((task) => ({ task, resultsFile: results(task) })),
    retrieval: {
      query: goldenPath('basic', 'retrieval', 'query-attributes.json'),
      gallery: goldenPath('basic', 'retrieval', 'gallery.json'),
      results: goldenPath('basic', 'retrieval', 'results.json'),
    },
  });
  assert.deepEqual(
    data.model.tasks.map((t) => t.task),
    TASKS,
  );
  for (const section of data.model.tasks) {
    const g = golden[section.task];
    assert.equal(section.summary.length, g.stats.length);
    section.summary.forEach((f, i) => close(f.value, g.stats[i]!, `${section.task} stat ${i}`));
    for (const c of g.per_category_ap)
      close(section.perCategory.find((r) => r.categoryId === c.category_id)!.ap, c.ap, `${section.task} category ${c.category_id}`);
    assert.equal(section.attributes.length, ATTRIBUTE_NAMES.length);
    for (const a of section.attributes) {
      for (const row of a.rows) {
        const expected = subsets[section.task]![a.attribute]![String(row.value)] as number[];
        close(row.ap, expected[0]!, `${section.task} ${a.attribute}=${row.value} AP`);
        close(row.ap50, expected[1]!, `${section.task} ${a.attribute}=${row.value} AP50`);
        close(row.ap75, expected[2]!, `${section.task} ${a.attribute}=${row.value} AP75`);
      }
    }
  }
  const r = data.model.retrieval!;
  const goldenRetrieval = (await readJson<{ retrieval: Record<string, number> }>(goldenPath('basic', 'golden.json'))).retrieval;
  for (const t of r.topK) close(t.accuracy, goldenRetrieval[`top${t.k}`]!, `retrieval top-${t.k}`);
  assert.equal(r.queries, goldenRetrieval.queries);
  assert.equal(r.missed, goldenRetrieval.missed);
  for (const a of r.attributes) {
    for (const row of a.rows) {
      const expected = subsets.retrieval![a.attribute]![String(row.value)] as Record<string, number>;
      assert.equal(row.queries, expected.queries);
      row.topK.forEach((v, i) => close(v, expected[`top${r.topK[i]!.k}`]!, `retrieval ${a.attribute}=${row.value} top-${r.topK[i]!.k}`));
    }
  }
});

test('without attributes in the ground truth there are no attribute tables', async () => {
  const data = await buildReportData({ gtFile: goldenPath('basic', 'gt', 'coco.json'), tasks: [{ task: 'bbox', resultsFile: results('bbox') }] });
  assert.deepEqual(data.model.tasks[0]!.attributes, []);
});

test('curves, per-category AP50/75, histograms and worst images agree with the engine', async () => {
  const result = await evaluateCocoFiles('bbox', goldenPath('basic', 'gt', 'coco.json'), results('bbox'));
  const data = await buildReportData({ gtFile: goldenPath('basic', 'gt', 'coco.json'), tasks: [{ task: 'bbox', resultsFile: results('bbox') }] });
  const section = data.model.tasks[0]!;
  // AP50 and AP75 of a category are the means of its curves at .50 and .75 (101 recall points).
  for (const [i, threshold] of [0.5, 0.75].entries()) {
    const curves = prCurves(result, threshold);
    assert.deepEqual(section.curves[i]!.overall, curves.overall);
    for (const c of curves.perCategory) {
      const row = section.perCategory.find((r) => r.categoryId === c.categoryId)!;
      const mean = c.precision.reduce((s, p) => s + p, 0) / c.precision.length;
      close(threshold === 0.5 ? row.ap50 : row.ap75, mean, `category ${c.categoryId} at ${threshold}`);
    }
    // One curve per category with ground truth, none for the others.
    assert.deepEqual(
      curves.perCategory.map((c) => c.categoryId),
      section.perCategory.filter((r) => r.groundTruth > 0).map((r) => r.categoryId),
    );
  }
  close(section.summary[1]!.value, section.curves[0]!.overall.reduce((s, p) => s + p, 0) / 101, 'AP50 = mean of the overall curve at .50');

  // Every counted detection is in the histogram once; true positives are the matched ones.
  const hist = scoreHistogram(result);
  const m = result.matches;
  let tp = 0,
    fp = 0;
  for (let i = 0; i < m.detScore.length; i++) {
    if (m.detIgnored50[i]) continue;
    if (m.detGtId50[i] !== 0) tp++;
    else fp++;
  }
  assert.equal(
    hist.truePositives.reduce((a, b) => a + b, 0),
    tp,
  );
  assert.equal(
    hist.falsePositives.reduce((a, b) => a + b, 0),
    fp,
  );
  assert.ok(tp > 0 && fp > 0);
  // True positives at .50 are the ground truth found: the recall at .50 (area all, maxDets 100) times the ground truth.
  const gtTotal = section.perCategory.reduce((s, c) => s + c.groundTruth, 0);
  const matchedGt = section.perCategory.reduce((s, c) => s + c.groundTruth, 0) - worstImages(result, Infinity).reduce((s, w) => s + w.missed, 0);
  assert.equal(matchedGt, tp);
  assert.ok(gtTotal > tp);

  const worst = worstImages(result, 24);
  assert.equal(worst.length, 24);
  for (let i = 1; i < worst.length; i++) {
    const errors = (w: (typeof worst)[number]): number => w.missed + w.falsePositives;
    assert.ok(errors(worst[i - 1]!) >= errors(worst[i]!), 'most errors first');
  }
});
