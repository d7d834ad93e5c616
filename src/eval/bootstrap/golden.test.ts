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
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { bootstrapPrepared, comparePrepared } from './coco.js';
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
  ci95_linear?: [number, number];
}

async function listsFile(lists: number[][]): Promise<string> {
  const file = join(await tempDir('df2-boot-'), 'resamples.json');
  await writeFile(file, JSON.stringify(lists));
  return file;
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
      if (name !== 'bbox_shifted')
        assertStats(accumulator.figures(imageRanks(prepared.imageIds, golden.image_ids)).stats, plain[name]!.stats, `${name} identity`);
      if (name === 'bbox' && golden.resamples_200) {
        golden.resamples_200.forEach((list, i) => {
          const ap = accumulator.figures(imageRanks(prepared.imageIds, list)).stats[0]!;
          assert.ok(Math.abs(ap - golden.ap_200![i]!) <= TOLERANCE, `resamples_200[${i}]: AP ${ap} differs from the official ${golden.ap_200![i]}`);
        });
      }
    });
  }
}

test("basic: the 200 resamples read from a file give the official APs and numpy's 95% interval", async () => {
  const golden = JSON.parse(readFileSync(goldenPath('basic', 'bootstrap.json'), 'utf8')) as GoldenBootstrap;
  const { gt, results } = await loadCocoPair('bbox', goldenPath('basic', 'gt', 'coco.json'), goldenPath('basic', 'results', 'bbox_results.json'));
  const ci = await bootstrapPrepared(prepareBootstrap('bbox', gt, results), { file: await listsFile(golden.resamples_200!) });
  assert.equal(ci.count, 200);
  assert.equal(ci.seed, null);
  ci.figures!.forEach((stats, i) => assert.ok(Math.abs(stats[0]! - golden.ap_200![i]!) <= TOLERANCE, `list ${i}`));
  const [low, high] = golden.ci95_linear!;
  assert.ok(Math.abs(ci.stats[0]!.low - low) <= TOLERANCE, `low ${ci.stats[0]!.low} vs numpy ${low}`);
  assert.ok(Math.abs(ci.stats[0]!.high - high) <= TOLERANCE, `high ${ci.stats[0]!.high} vs numpy ${high}`);
  assert.equal(ci.stats[0]!.defined, 200);
});

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: the paired difference of bbox and bbox_shifted on each list equals the official one`, async () => {
    const golden = JSON.parse(readFileSync(goldenPath(fixture, 'bootstrap.json'), 'utf8')) as GoldenBootstrap;
    const plain = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
    const gtFile = goldenPath(fixture, 'gt', 'coco.json');
    const a = await loadCocoPair('bbox', gtFile, goldenPath(fixture, 'results', 'bbox_results.json'));
    const b = await loadCocoPair('bbox', gtFile, goldenPath(fixture, golden.bbox_shifted_results));
    const cmp = await comparePrepared(prepareBootstrap('bbox', a.gt, a.results), prepareBootstrap('bbox', b.gt, b.results), {
      file: await listsFile(golden.resamples),
    });
    assert.equal(cmp.figures!.length, golden.resamples.length);
    cmp.figures!.forEach(({ a: fa, b: fb }, i) =>
      fa.forEach((v, j) => {
        const expected = golden.bbox[i]![j]! - golden.bbox_shifted[i]![j]!;
        assert.ok(Math.abs(v - fb[j]! - expected) <= TOLERANCE, `list ${i} stats[${j}]: difference ${v - fb[j]!} vs official ${expected}`);
      }),
    );
    const identity = golden.bbox_shifted.at(-1)!;
    cmp.stats.forEach((s, j) => {
      assert.ok(Math.abs(s.difference.value - (plain.bbox!.stats[j]! - identity[j]!)) <= TOLERANCE, `point difference stats[${j}]`);
      // Boxes moved right by 30% of their width lose AP on every list.
      if (j === 0) assert.equal(s.aBeats, 1);
    });
  });
}

test('basic: sharing the resamples with a second thread gives the same figures in the same order', async () => {
  const gtFile = goldenPath('basic', 'gt', 'coco.json');
  const a = await loadCocoPair('bbox', gtFile, goldenPath('basic', 'results', 'bbox_results.json'));
  const b = await loadCocoPair('bbox', gtFile, goldenPath('basic', 'bootstrap-shifted-bbox.json'));
  const pa = prepareBootstrap('bbox', a.gt, a.results);
  const pb = prepareBootstrap('bbox', b.gt, b.results);
  const options = { resamples: 41, seed: 11, keepFigures: true };
  assert.deepEqual(await bootstrapPrepared(pa, { ...options, threads: 2 }), await bootstrapPrepared(pa, { ...options, threads: 1 }));
  assert.deepEqual(await comparePrepared(pa, pb, { ...options, threads: 2 }), await comparePrepared(pa, pb, { ...options, threads: 1 }));
});
