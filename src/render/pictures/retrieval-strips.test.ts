import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goldenPath } from '../../testing/paths.js';
import { evaluateRetrieval, loadRetrievalInputs } from '../../eval/index.js';
import { MAX_RETRIEVED } from '../../schema/index.js';
import { isHitAt, queryStripsForImage } from './retrieval-strips.js';

const file = (name: string): string => goldenPath('basic', 'retrieval', name);

test("per-rank hits agree with the evaluator's first hit for every query", async () => {
  const inputs = await loadRetrievalInputs(file('query.json'), file('gallery.json'), file('results.json'));
  const result = evaluateRetrieval(inputs);
  let hits = 0;
  for (const o of result.outcomes) {
    if (o.standing < 0) continue;
    const ranks = Array.from({ length: inputs.results.retrievedCounts[o.standing]! }, (_, t) => isHitAt(inputs, o.query, o.standing, t));
    const first = ranks.indexOf(true) + 1;
    assert.equal(first, o.firstHitRank, `query ${o.query}`);
    hits += ranks.filter(Boolean).length;
  }
  assert.ok(hits >= result.outcomes.filter((o) => o.firstHitRank > 0).length, 'at least one hit per found query');
});

test('strips of an image: one per counted query, ranks cut to top-k', async () => {
  const inputs = await loadRetrievalInputs(file('query.json'), file('gallery.json'), file('results.json'));
  const result = evaluateRetrieval(inputs);
  const imageId = inputs.queries.items[result.outcomes[0]!.query]!.queryImageId;
  const strips = queryStripsForImage(inputs, result, imageId, 5);
  const counted = inputs.queries.items.filter((q) => q.queryImageId === imageId && q.style > 0);
  assert.equal(strips.length, counted.length);
  for (const s of strips) {
    assert.ok(s.retrieved.length <= 5);
    if (s.row >= 0) {
      assert.equal(s.retrieved.length, Math.min(5, inputs.results.retrievedCounts[s.row]!));
      assert.equal(s.retrieved[0]!.imageId, inputs.results.galleryImageIds[s.row * MAX_RETRIEVED]);
    }
  }
});
