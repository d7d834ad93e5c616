/**
 * evaluateRetrievalObjects: query items, gallery items and results given as
 * arrays in memory give the figures of the same files (and so the official
 * figures of the golden fixtures); bad entries get the one-line InputError of a bad file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { InputError } from '../../util/errors.js';
import { evaluateRetrievalFiles, evaluateRetrievalObjects } from './evaluate.js';

const TOLERANCE = 1e-9;
const readArray = (path: string): unknown[] => JSON.parse(readFileSync(path, 'utf8')) as unknown[];
const KEYS = ['top1', 'top5', 'top10', 'top15', 'top20'] as const;

for (const fixture of GOLDEN_FIXTURES) {
  const file = (name: string): string => goldenPath(fixture, 'retrieval', name);
  test(`${fixture}: retrieval from arrays in memory equals the files and the official figures, per attribute too`, async () => {
    const golden = (JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as { retrieval: Record<string, number> }).retrieval;
    const by = [...ATTRIBUTE_NAMES];
    const fromObjects = await evaluateRetrievalObjects(
      readArray(file('query-attributes.json')),
      readArray(file('gallery.json')),
      readArray(file('results.json')),
      {
        by,
      },
    );
    const fromFiles = await evaluateRetrievalFiles(file('query-attributes.json'), file('gallery.json'), file('results.json'), { by });
    for (const key of KEYS) {
      assert.ok(Math.abs(fromObjects[key] - golden[key]!) <= TOLERANCE, `${key}: ${fromObjects[key]} vs the official ${golden[key]}`);
      assert.ok(Math.abs(fromObjects[key] - fromFiles[key]) <= TOLERANCE, `${key} vs the files`);
    }
    assert.deepEqual(fromObjects.by, fromFiles.by);
    assert.deepEqual(fromObjects.outcomes, fromFiles.outcomes);
    assert.deepEqual([fromObjects.queries, fromObjects.missed], [golden.queries, golden.missed]);
  });
}

test('bad entries in memory get the one-line InputError of a bad file, naming the array, the entry and what was expected', async () => {
  const queries = readArray(goldenPath('basic', 'retrieval', 'query.json'));
  const gallery = readArray(goldenPath('basic', 'retrieval', 'gallery.json'));
  const results = readArray(goldenPath('basic', 'retrieval', 'results.json')) as Record<string, unknown>[];
  await assert.rejects(
    evaluateRetrievalObjects(queries, gallery, [...results.slice(0, 2), { ...results[2], query_score: 'high' }], { resultsName: 'run 12' }),
    (err: unknown) => err instanceof InputError && /^run 12: \[2\]\.[\w.]+: expected /.test(err.message),
  );
  await assert.rejects(
    evaluateRetrievalObjects([{ not: 'a query' }], gallery, results),
    (err: unknown) => err instanceof InputError && /^query: \[0\]/.test(err.message),
  );
  await assert.rejects(
    evaluateRetrievalObjects(queries, gallery, results, { by: ['occlusion'] }),
    (err: unknown) => err instanceof InputError && err.message.startsWith('query: '),
  );
});
