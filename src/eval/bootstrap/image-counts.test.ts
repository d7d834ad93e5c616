/**
 * The per-image counts of a prepared evaluation equal those of the
 * evaluation's match records (perImageCounts), image by image, for every
 * task and ground truth of the golden fixtures, and for box results shifted
 * so that some of their true positives turn false.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GOLDEN_COCO_RUNS, GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { evaluateLoaded } from '../coco/evaluate.js';
import { loadCocoPair } from '../coco/load.js';
import type { CocoTask } from '../coco/params.js';
import { perImageCounts } from '../errors/per-image.js';
import { preparedImageCounts } from './image-counts.js';
import { prepareBootstrap } from './prepare.js';

async function assertSameCounts(task: CocoTask, gtFile: string, resultsFile: string, what: string): Promise<void> {
  const { gt, results } = await loadCocoPair(task, gtFile, resultsFile);
  const expected = perImageCounts(evaluateLoaded(task, gt, results, { quiet: true }));
  const actual = preparedImageCounts(prepareBootstrap(task, gt, results));
  assert.deepEqual(Array.from(actual.imageId), Array.from(expected.imageId), `${what}: the evaluated images`);
  for (const key of ['tp', 'fp', 'fn'] as const) {
    const at = actual[key].findIndex((v, i) => v !== expected[key][i]);
    assert.equal(at, -1, `${what}: ${key} of image ${expected.imageId[at]} is ${actual[key][at]}, the match records say ${expected[key][at]}`);
  }
  // The case is not empty: some images have each kind of count.
  for (const key of ['tp', 'fp', 'fn'] as const)
    assert.ok(
      expected[key].some((v) => v > 0),
      `${what}: some ${key}`,
    );
}

for (const fixture of GOLDEN_FIXTURES) {
  for (const [name, task, gtFile] of GOLDEN_COCO_RUNS) {
    test(`${fixture}: ${name} per-image counts from the prepared evaluation equal the match records'`, async () => {
      await assertSameCounts(task, goldenPath(fixture, 'gt', gtFile), goldenPath(fixture, 'results', `${task}_results.json`), `${fixture} ${name}`);
    });
  }
  test(`${fixture}: shifted boxes, per-image counts from the prepared evaluation equal the match records'`, async () => {
    await assertSameCounts('bbox', goldenPath(fixture, 'gt', 'coco.json'), goldenPath(fixture, 'bootstrap-shifted-bbox.json'), `${fixture} shifted`);
  });
}
