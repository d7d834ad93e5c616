/**
 * evaluateCocoObjects: ground truth and results given as objects in memory give the
 * figures of the same JSON read from files (and so the official figures of the
 * golden fixtures), and bad values get the one-line InputError of a bad file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { InputError } from '../../util/errors.js';
import { GOLDEN_COCO_RUNS, GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { type CocoGroundTruthObject, evaluateCocoObjects, evaluateCocoFiles } from './api.js';

const TOLERANCE = 1e-9;
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

for (const fixture of GOLDEN_FIXTURES) {
  const golden = readJson(goldenPath(fixture, 'golden.json')) as Record<string, { stats: number[]; per_category_ap: { ap: number }[] }>;
  for (const [name, task, gtFile] of GOLDEN_COCO_RUNS) {
    test(`${fixture}: ${name} from objects in memory equals the file path and the official figures`, async () => {
      const gtPath = goldenPath(fixture, 'gt', gtFile);
      const resultsPath = goldenPath(fixture, 'results', `${task}_results.json`);
      const fromObjects = await evaluateCocoObjects(task, readJson(gtPath) as CocoGroundTruthObject, readJson(resultsPath) as unknown[]);
      const fromFiles = await evaluateCocoFiles(task, gtPath, resultsPath);
      const expected = golden[name]!;
      assert.equal(fromObjects.stats.length, expected.stats.length);
      fromObjects.stats.forEach((v, i) => {
        assert.ok(Math.abs(v - expected.stats[i]!) <= TOLERANCE, `stats[${i}]: ${v} vs the official ${expected.stats[i]}`);
        assert.ok(Math.abs(v - fromFiles.stats[i]!) <= TOLERANCE, `stats[${i}]: ${v} vs ${fromFiles.stats[i]} from the files`);
      });
      assert.deepEqual(fromObjects.figures, fromFiles.figures);
      fromObjects.perCategoryAp.forEach((c, i) => assert.ok(Math.abs(c.ap - expected.per_category_ap[i]!.ap) <= TOLERANCE, `AP of ${c.categoryId}`));
      // The per-image match records too: the same matching, not only the same means.
      assert.deepEqual(fromObjects.matches, fromFiles.matches);
    });
  }
}

test('bad values in memory get the one-line InputError of a bad file, naming the value, the entry and what was expected', async () => {
  const gt = readJson(goldenPath('basic', 'gt', 'coco.json')) as CocoGroundTruthObject;
  const results = readJson(goldenPath('basic', 'results', 'bbox_results.json')) as Record<string, unknown>[];
  const broken = results.map((r, i) => (i === 3 ? { ...r, score: 'high' } : r));
  await assert.rejects(
    evaluateCocoObjects('bbox', gt, broken, { resultsName: 'my detections' }),
    (err: unknown) => err instanceof InputError && err.message === 'my detections: [3].score: expected a finite number, found "high"',
  );
  const noImages = { annotations: gt.annotations, categories: gt.categories } as unknown as CocoGroundTruthObject;
  await assert.rejects(
    evaluateCocoObjects('bbox', noImages, results),
    (err: unknown) => err instanceof InputError && /^ground truth: images: /.test(err.message),
  );
  await assert.rejects(
    evaluateCocoObjects('segm', gt, [{ image_id: -5, category_id: 1, score: 1, bbox: [0, 0, 4, 4] }]),
    (err: unknown) => err instanceof InputError && err.message.startsWith('results: [0].image_id: '),
  );
});
