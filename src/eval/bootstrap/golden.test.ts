/**
 * The bootstrap against the release API (fixtures/golden/{basic,quirks}/bootstrap.json):
 * every list, every task, every figure within 1e-9; the identity list equals golden.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { loadCocoPair } from '../coco/load.js';
import type { CocoTask } from '../coco/params.js';
import { prepareBootstrap } from './prepare.js';
import { ResampleAccumulator, imageRanks } from './resample.js';

const TOLERANCE = 1e-9;

interface GoldenBootstrap {
  image_ids: number[];
  resamples: number[][];
  bbox: number[][];
  segm: number[][];
  keypoints: number[][];
  bbox_shifted: number[][];
  bbox_shifted_results: string;
  resamples_200?: number[][];
  ap_200?: number[];
}

function assertStats(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: number of figures`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= TOLERANCE, `${what} stats[${i}]: ${v} differs from the official ${expected[i]}`));
}

for (const fixture of GOLDEN_FIXTURES) {
  const golden = JSON.parse(readFileSync(goldenPath(fixture, 'bootstrap.json'), 'utf8')) as GoldenBootstrap;
  const plain = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
  const runs: [name: 'bbox' | 'segm' | 'keypoints' | 'bbox_shifted', task: CocoTask, results: string][] = [
    ['bbox', 'bbox', goldenPath(fixture, 'results', 'bbox_results.json')],
    ['segm', 'segm', goldenPath(fixture, 'results', 'segm_results.json')],
    ['keypoints', 'keypoints', goldenPath(fixture, 'results', 'keypoints_results.json')],
    ['bbox_shifted', 'bbox', goldenPath(fixture, golden.bbox_shifted_results)],
  ];
  for (const [name, task, resultsFile] of runs) {
    test(`${fixture}: ${name} of every bootstrap list equals the release API`, async () => {
      const { gt, results } = await loadCocoPair(task, goldenPath(fixture, 'gt', 'coco.json'), resultsFile);
      const prepared = prepareBootstrap(task, gt, results);
      assert.deepEqual(prepared.imageIds, golden.image_ids);
      const accumulator = new ResampleAccumulator(prepared);
      golden.resamples.forEach((list, i) => {
        assertStats(accumulator.figures(imageRanks(prepared.imageIds, list)).stats, golden[name][i]!, `${name} list ${i}`);
      });
      // The last list is the identity: the plain figures.
      assert.deepEqual(golden.resamples.at(-1), golden.image_ids);
      if (name !== 'bbox_shifted') assertStats(accumulator.figures(imageRanks(prepared.imageIds, golden.image_ids)).stats, plain[name]!.stats, `${name} identity`);
      if (name === 'bbox' && golden.resamples_200) {
        golden.resamples_200.forEach((list, i) => {
          const ap = accumulator.figures(imageRanks(prepared.imageIds, list)).stats[0]!;
          assert.ok(Math.abs(ap - golden.ap_200![i]!) <= TOLERANCE, `resamples_200[${i}]: AP ${ap} differs from the official ${golden.ap_200![i]}`);
        });
      }
    });
  }
}
