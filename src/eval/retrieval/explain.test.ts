/**
 * The per-query explanation against the official figures: aggregated over
 * every query, its ranks of first hit give golden.json's top-k, its verdicts
 * give the missed count, and each step agrees with the evaluator's outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { assignResults } from './assign.js';
import { evaluateRetrieval, loadRetrievalInputs } from './evaluate.js';
import { explainQuery } from './explain.js';
import { topKAccuracy, type TopKAccuracy } from './score.js';

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: explanations aggregate to golden.json's retrieval figures`, async () => {
    const file = (name: string): string => goldenPath(fixture, 'retrieval', name);
    const golden = (JSON.parse(await readFile(goldenPath(fixture, 'golden.json'), 'utf8')) as { retrieval: TopKAccuracy }).retrieval;
    const inputs = await loadRetrievalInputs(file('query.json'), file('gallery.json'), file('results.json'));
    const assignment = assignResults(inputs.queries, inputs.results);
    const explained = inputs.queries.items.map((_q, i) => explainQuery(inputs, i, assignment));
    const counted = explained.filter((e) => e.verdict !== 'not-counted');
    const figures = topKAccuracy(counted.map((e) => ({ query: e.query, standing: e.standing, firstHitRank: e.firstHitRank })));
    for (const key of ['top1', 'top5', 'top10', 'top15', 'top20'] as const) {
      assert.ok(Math.abs(figures[key] - golden[key]) <= 1e-9, `${key}: ${figures[key]} vs ${golden[key]}`);
    }
    assert.equal(figures.queries, golden.queries);
    assert.equal(counted.filter((e) => e.verdict === 'no-detection').length, golden.missed);
    // Each explanation agrees with the evaluator's own outcome for the query.
    const outcomes = new Map(evaluateRetrieval(inputs).outcomes.map((o) => [o.query, o]));
    const verdicts = new Set<string>();
    for (const e of explained) {
      verdicts.add(e.verdict);
      const o = outcomes.get(e.query);
      if (e.verdict === 'not-counted') {
        assert.equal(o, undefined);
        assert.equal(e.retrieved.length, 0);
        continue;
      }
      assert.equal(e.standing, o!.standing, `query ${e.query} standing`);
      assert.equal(e.firstHitRank, o!.firstHitRank, `query ${e.query} rank`);
      // The first hit is the first rank marked as a hit; the chosen candidate is the standing row.
      const firstMarked = e.retrieved.find((r) => r.hitGalleryItem >= 0)?.rank ?? 0;
      assert.equal(firstMarked, e.firstHitRank);
      assert.deepEqual(
        e.candidates.filter((c) => c.verdict === 'chosen').map((c) => c.row),
        e.standing >= 0 ? [e.standing] : [],
      );
      // A hit names a ground-truth gallery item of the query.
      for (const r of e.retrieved) {
        if (r.hitGalleryItem >= 0) assert.ok(e.groundTruthGallery.some((g) => g.index === r.hitGalleryItem));
        assert.equal(
          r.groundTruthImage,
          e.groundTruthGallery.some((g) => g.item.galleryImageId === r.galleryImageId),
        );
        if (r.hitGalleryItem >= 0) assert.ok(r.groundTruthImage);
      }
      // A chosen detection has the query's class and the highest score among those assigned here with that class.
      const eligible = e.candidates.filter((c) => c.assignedQuery === e.query && c.cls === e.item.cls);
      if (e.standing >= 0) assert.equal(Math.max(...eligible.map((c) => c.score)), e.candidates.find((c) => c.verdict === 'chosen')!.score);
      else assert.equal(eligible.length, 0);
    }
    assert.ok(verdicts.has('hit') && verdicts.has('no-hit'), `fixture exercises hits and misses: ${[...verdicts].join(', ')}`);
  });
}

test('an out-of-range query index is refused', async () => {
  const file = (name: string): string => goldenPath('basic', 'retrieval', name);
  const inputs = await loadRetrievalInputs(file('query.json'), file('gallery.json'), file('results.json'));
  assert.throws(() => explainQuery(inputs, inputs.queries.items.length), /no query/);
});
