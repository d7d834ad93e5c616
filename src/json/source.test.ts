import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../testing/paths.js';
import { InputError } from '../util/errors.js';
import { type JsonSource, jsonSourceName, readJsonElements } from './source.js';

/** Every call the handlers get, in order, and the summary. */
async function calls(source: JsonSource) {
  const seen: unknown[] = [];
  const summary = await readJsonElements(source, {
    onElement: (key, index, value) => seen.push(['element', key, index, value]),
    onValue: (key, value) => seen.push(['value', key, value]),
  });
  return { seen, summary };
}

const documents: unknown[] = [
  { info: { n: 1 }, images: [{ id: 1 }, { id: 2 }], annotations: [7, 'str', null, [[1, 2], []]], empty: [], count: 12 },
  [{ image_id: 1, score: 0.5 }, 3, []],
  [],
  {},
];

test('a value in memory gives the handlers the calls and the summary of the same JSON in a file', async () => {
  const dir = await tempDir('df2-json-source-');
  for (const [i, value] of documents.entries()) {
    const file = join(dir, `${i}.json`);
    await writeFile(file, JSON.stringify(value));
    const fromFile = await calls(file);
    const fromValue = await calls({ name: 'value', value });
    assert.deepEqual(fromValue.seen, fromFile.seen, `document ${i}`);
    assert.deepEqual(fromValue.summary, fromFile.summary, `document ${i}`);
  }
});

test('a hole in an array is an element (JSON writes it as null); a value that is no array or object is refused naming the value', async () => {
  // eslint-disable-next-line no-sparse-arrays
  const { seen } = await calls({ name: 'sparse', value: [1, , 3] });
  assert.deepEqual(seen, [
    ['element', null, 0, 1],
    ['element', null, 1, undefined],
    ['element', null, 2, 3],
  ]);
  for (const value of [42, 'text', null, undefined]) {
    await assert.rejects(
      readJsonElements({ name: 'my results', value }, { onElement: () => {} }),
      (err: unknown) => err instanceof InputError && /^my results: expected a JSON array or object, found /.test(err.message),
    );
  }
  assert.equal(jsonSourceName('a/b.json'), 'a/b.json');
  assert.equal(jsonSourceName({ name: 'x', value: [] }), 'x');
});
