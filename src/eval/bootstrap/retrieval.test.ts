/**
 * Retrieval's bootstrap over query images: the identity list gives the plain
 * figures; any list gives the figures of its queries counted once per draw.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN_FIXTURES, goldenPath, tempDir } from '../../testing/paths.js';
import { evaluateRetrieval, loadRetrievalInputs } from '../retrieval/evaluate.js';
import { TOP_K } from '../retrieval/score.js';
import { bootstrapRetrieval } from './retrieval.js';
import { drawResample } from './resamples.js';

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: retrieval resamples count each drawn query image's queries once per draw`, async () => {
    const inputs = await loadRetrievalInputs(
      goldenPath(fixture, 'retrieval', 'query.json'),
      goldenPath(fixture, 'retrieval', 'gallery.json'),
      goldenPath(fixture, 'retrieval', 'results.json'),
    );
    const result = evaluateRetrieval(inputs);
    const imageIds = [...new Set(inputs.queries.items.map((q) => q.queryImageId))].sort((a, b) => a - b);
    const lists = [imageIds, ...[0, 1, 2].map((i) => Array.from(drawResample(imageIds.length, 9, i), (r) => imageIds[r]!))];
    const file = join(await tempDir('df2-boot-'), 'lists.json');
    await writeFile(file, JSON.stringify(lists));
    const ci = await bootstrapRetrieval(inputs.queries, result.outcomes, { file });
    assert.deepEqual(ci.imageIds, imageIds);
    assert.deepEqual(
      ci.figures.map((f) => f.value),
      [result.top1, result.top5, result.top10, result.top15, result.top20],
    );
    assert.deepEqual(ci.lists![0], [result.top1, result.top5, result.top10, result.top15, result.top20]);
    lists.forEach((list, i) => {
      // Brute force: every query of every drawn image, once per draw.
      let n = 0;
      const hits = TOP_K.map(() => 0);
      for (const id of list) {
        for (const o of result.outcomes) {
          if (inputs.queries.items[o.query]!.queryImageId !== id) continue;
          n++;
          TOP_K.forEach((k, j) => {
            if (o.firstHitRank > 0 && o.firstHitRank <= k) hits[j]!++;
          });
        }
      }
      assert.deepEqual(
        ci.lists![i],
        hits.map((h) => h / n),
        `list ${i}`,
      );
    });
    // Seeded: the same seed, the same intervals.
    const a = await bootstrapRetrieval(inputs.queries, result.outcomes, { resamples: 50, seed: 3 });
    const b = await bootstrapRetrieval(inputs.queries, result.outcomes, { resamples: 50, seed: 3 });
    assert.deepEqual(a.figures, b.figures);
    assert.ok(a.figures.every((f) => f.defined === 50 && f.low <= f.high));
  });
}
