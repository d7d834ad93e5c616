/**
 * The landmark error analysis against the golden reference runs of
 * coco-analyze's algorithm (kp-errors.json in each fixture): every count
 * equal, every AP within 1e-9; and hand-made cases for each kind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { categoryById } from '../../schema/index.js';
import { GOLDEN_FIXTURES, goldenPath, tempDir } from '../../testing/paths.js';
import { loadCocoPair } from '../coco/load.js';
import { cocoGt, keypointVector, writeJson } from '../coco/tiny-cases.js';
import { keypointErrorAnalysis } from './keypoint-errors.js';
import { keypointErrorsJson, keypointErrorsText } from './keypoint-errors-report.js';

const TOLERANCE = 1e-9;

interface GoldenKpErrors {
  counts: { overall: Record<string, number>; by_category: Record<string, Record<string, number>> };
  matched_detections: number;
  matched_detections_zero_kpt_gt: number;
  unclassified_labelled_landmarks: number;
  ap_oks50: Record<string, number>;
  ap_oks50_false_negatives_coco_analyze_label: number;
  ap_50_95_baseline: number;
  ap_by_oks: Record<string, Record<string, number>>;
  num_false_pos_dts: Record<string, number>;
  num_false_neg_gts: Record<string, number>;
  params: { teamMaxDets: number[] };
  per_detection: { id: number; image_id: number; category_id: number; gt_id: number; oks: number; counts: Record<string, number> }[];
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} differs from the reference ${expected}`);
}

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: landmark error analysis equals the coco-analyze reference run`, async () => {
    const golden = JSON.parse(readFileSync(goldenPath(fixture, 'kp-errors.json'), 'utf8')) as GoldenKpErrors;
    const official = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<
      string,
      { stats: number[]; per_category_ap: { category_id: number; ap: number }[] }
    >;
    const { gt, results } = await loadCocoPair('keypoints', goldenPath(fixture, 'gt', 'coco.json'), goldenPath(fixture, 'results', 'keypoints_results.json'));
    const analysis = keypointErrorAnalysis(gt, results);
    const json = keypointErrorsJson(analysis);

    assert.deepEqual(json.counts.overall, golden.counts.overall);
    assert.deepEqual(json.counts.by_category, golden.counts.by_category);
    assert.equal(json.matched_detections, golden.matched_detections);
    assert.equal(json.matched_detections_zero_kpt_gt, golden.matched_detections_zero_kpt_gt);
    assert.equal(json.unclassified_labelled_landmarks, golden.unclassified_labelled_landmarks);
    assert.deepEqual(json.params.teamMaxDets, golden.params.teamMaxDets);
    assert.deepEqual(json.num_false_pos_dts, golden.num_false_pos_dts);
    assert.deepEqual(json.num_false_neg_gts, golden.num_false_neg_gts);

    assert.deepEqual(Object.keys(json.ap_oks50).sort(), Object.keys(golden.ap_oks50).sort());
    for (const [step, value] of Object.entries(golden.ap_oks50)) assertClose(json.ap_oks50[step as keyof typeof json.ap_oks50], value, `ap_oks50.${step}`);
    assertClose(json.ap_oks50_false_negatives_coco_analyze_label, golden.ap_oks50_false_negatives_coco_analyze_label, 'ap_oks50 false negatives (label)');
    assertClose(json.ap_50_95_baseline, golden.ap_50_95_baseline, 'ap_50_95_baseline');
    // The baseline is the release's own figure.
    assertClose(json.ap_50_95_baseline, official.keypoints!.stats[0]!, 'baseline = golden.json keypoints stats[0]');
    assertClose(json.ap_oks50.baseline, official.keypoints!.stats[1]!, 'baseline at .50 = golden.json keypoints stats[1]');
    for (const { category_id, ap } of official.keypoints!.per_category_ap) {
      const curve = Object.values(json.ap_by_category[String(category_id)]!.baseline);
      const mean = curve.every((v) => v === -1) ? -1 : curve.reduce((s, v) => s + v, 0) / curve.length;
      assertClose(mean, ap, `category ${category_id} baseline AP .50:.95`);
    }

    assert.deepEqual(Object.keys(json.ap_by_oks).sort(), Object.keys(golden.ap_by_oks).sort());
    for (const [curve, values] of Object.entries(golden.ap_by_oks)) {
      assert.deepEqual(Object.keys(json.ap_by_oks[curve]!), Object.keys(values), `${curve}: thresholds`);
      for (const [t, value] of Object.entries(values)) assertClose(json.ap_by_oks[curve]![t]!, value, `ap_by_oks.${curve}[${t}]`);
    }

    assert.equal(json.per_detection.length, golden.per_detection.length);
    const mine = new Map(json.per_detection.map((d) => [d.id, d]));
    for (const expected of golden.per_detection) {
      const d = mine.get(expected.id);
      assert.ok(d, `detection ${expected.id} analysed`);
      assert.equal(d.image_id, expected.image_id, `detection ${expected.id}: image`);
      assert.equal(d.category_id, expected.category_id, `detection ${expected.id}: category`);
      assert.equal(d.gt_id, expected.gt_id, `detection ${expected.id}: matched ground truth`);
      assertClose(d.oks, expected.oks, `detection ${expected.id}: oks`);
      assert.deepEqual(d.counts, expected.counts, `detection ${expected.id}: counts`);
    }

    // Per-landmark counts add up to the category's counts.
    for (const c of analysis.byCategory) {
      for (const kind of ['good', 'jitter', 'inversion', 'swap', 'miss'] as const) {
        assert.equal(
          c.landmarks.reduce((s, l) => s + l[kind], 0),
          c.counts[kind],
          `category ${c.categoryId} ${kind}: landmarks sum to the category`,
        );
      }
    }
    const text = keypointErrorsText(analysis);
    assert.match(text, new RegExp(`original\\s+${(100 * json.ap_oks50.baseline).toFixed(1)}`));
  });
}

/**
 * One image, two short-sleeved shirts (category 1) side by side; the
 * detection for the first copies its landmarks, with landmark 2 put on the
 * first shirt's landmark 6 (its flip partner: an inversion), landmark 3 on
 * the second shirt's landmark 3 (a swap), landmark 4 far away (a miss) and
 * landmark 5 a little off (jitter).
 */
test('each kind on a hand-made detection, and its correction', async () => {
  const cat = categoryById(1)!;
  const shirt = (x0: number): [number, number, number][] => Array.from({ length: cat.landmarks }, (_, i) => [x0 + 7 * (i % 5), 10 + 9 * Math.floor(i / 5), 2]);
  const first = shirt(10);
  const second = shirt(60);
  const predicted = first.map((p) => [...p] as [number, number, number]);
  predicted[1] = [...first[5]!];
  predicted[2] = [...second[2]!];
  predicted[3] = [first[3]![0], first[3]![1] - 40, 2];
  predicted[4] = [first[4]![0] + 1.5, first[4]![1], 2];
  const dir = await tempDir('df2-kp-errors-');
  const annotation = (x: number, points: [number, number, number][]) => ({
    image_id: 1,
    category_id: 1,
    bbox: [x, 5, 40, 50],
    num_keypoints: points.length,
    keypoints: keypointVector(1, points),
  });
  const gtFile = await writeJson(cocoGt([{ id: 1 }], [annotation(5, first), annotation(55, second)]), 'gt.json', dir);
  const resultsFile = await writeJson([{ image_id: 1, category_id: 1, score: 0.9, keypoints: keypointVector(1, predicted) }], 'results.json', dir);
  const { gt, results } = await loadCocoPair('keypoints', gtFile, resultsFile);
  const analysis = keypointErrorAnalysis(gt, results);
  const landmarks = analysis.byCategory[0]!.landmarks;
  assert.equal(landmarks[1]!.inversion, 1, 'landmark 2 on its flip partner is an inversion');
  assert.equal(landmarks[2]!.swap, 1, "landmark 3 on the other shirt's landmark 3 is a swap");
  assert.equal(landmarks[3]!.miss, 1, 'landmark 4 far off is a miss');
  assert.equal(landmarks[4]!.jitter, 1, 'landmark 5 a little off is jitter');
  assert.deepEqual(analysis.counts, { good: cat.landmarks - 4, jitter: 1, inversion: 1, swap: 1, miss: 1 });
  // Each correction can only raise the detection's OKS, so AP never falls along the landmark steps.
  for (let t = 0; t < analysis.oksThresholds.length; t++) {
    const steps = [analysis.ap.baseline, analysis.ap.miss, analysis.ap.swap, analysis.ap.inversion, analysis.ap.jitter].map((curve) => curve[t]!);
    for (let s = 1; s < steps.length; s++) assert.ok(steps[s]! >= steps[s - 1]!, `threshold ${t}: step ${s} does not lower AP`);
  }
  assert.equal(analysis.perDetection.length, 1);
  assert.equal(analysis.perDetection[0]!.gtId, 1);
  // Corrected, the miss lands at ks .5^(1/4) and jitter at .85^(1/4): with the rest exact, the OKS passes .95.
  // (The second shirt has no detection: AP stays about a half.)
  assert.ok(analysis.ap.baseline[9]! < analysis.ap.baseline[0]!, 'the original detection misses OKS .95');
  assert.equal(analysis.ap.jitter[9], analysis.ap.jitter[0], 'the corrected detection matches at OKS .95 as at .50');
});
