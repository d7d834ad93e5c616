/**
 * Parity with the official retrieval figures of the golden fixtures:
 * golden.json's "retrieval" entry and subsets.json's per-attribute entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { evaluateRetrieval, evaluateRetrievalFiles, loadRetrievalInputs } from './evaluate.js';
import type { TopKAccuracy } from './score.js';

const TOLERANCE = 1e-9;

/** golden.json and subsets.json write retrieval figures with the TopKAccuracy keys. */
type Figures = TopKAccuracy;

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

function assertFigures(actual: TopKAccuracy, expected: Figures, where: string): void {
  for (const key of ['top1', 'top5', 'top10', 'top15', 'top20'] as const) {
    assert.ok(Math.abs(actual[key] - expected[key]) <= TOLERANCE, `${where} ${key}: ${actual[key]} vs ${expected[key]}`);
  }
  assert.equal(actual.queries, expected.queries, `${where} queries`);
  assert.equal(actual.missed, expected.missed, `${where} missed`);
}

for (const fixture of GOLDEN_FIXTURES) {
  const file = (name: string): string => goldenPath(fixture, 'retrieval', name);

  test(`${fixture}: overall top-k equals golden.json`, async () => {
    const golden = (await readJson(goldenPath(fixture, 'golden.json'))) as { retrieval: Figures };
    const result = await evaluateRetrievalFiles(file('query.json'), file('gallery.json'), file('results.json'));
    assertFigures(result, golden.retrieval, fixture);
    assert.equal(result.outcomes.length, golden.retrieval.queries);
    assert.equal(result.outcomes.filter((o) => o.standing < 0).length, golden.retrieval.missed);
    assert.deepEqual(result.warnings, { resultsWithoutQueryImage: 0, unknownGalleryImages: 0, queriesWithoutGalleryMatch: 0 });
  });

  test(`${fixture}: per-attribute top-k equals subsets.json, overall unchanged`, async () => {
    const golden = (await readJson(goldenPath(fixture, 'golden.json'))) as { retrieval: Figures };
    const subsets = (await readJson(goldenPath(fixture, 'subsets.json'))) as {
      retrieval: Record<string, Record<string, Figures>>;
    };
    const inputs = await loadRetrievalInputs(file('query-attributes.json'), file('gallery.json'), file('results.json'));
    const result = evaluateRetrieval(inputs, { by: ATTRIBUTE_NAMES });
    assertFigures(result, golden.retrieval, `${fixture} overall`);
    assert.deepEqual(Object.keys(subsets.retrieval).sort(), [...ATTRIBUTE_NAMES].sort());
    for (const name of ATTRIBUTE_NAMES) {
      const expected = subsets.retrieval[name]!;
      const actual = result.by[name]!;
      assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${fixture} ${name} values`);
      for (const value of Object.keys(expected)) assertFigures(actual[value]!, expected[value]!, `${fixture} ${name}=${value}`);
    }
  });
}
