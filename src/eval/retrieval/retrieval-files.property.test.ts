/**
 * Properties of the three files of a retrieval evaluation (query, gallery,
 * results): any JSON value, and any mutation of small valid files cut from
 * the golden fixture, is either evaluated or refused with one line naming
 * the file and the entry; never a crash or a hang.
 */
import { before, describe, test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { inputVerdict } from '../../testing/input-verdict.js';
import { anyJson, byteMutation, fileBytes, mutate, mutation, toJsonText } from '../../testing/json-mutations.js';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { evaluateRetrievalFiles } from './evaluate.js';

const KINDS = ['query', 'gallery', 'results'] as const;
type Kind = (typeof KINDS)[number];

let dir: string;
const valid = new Map<Kind, unknown[]>();
/** The three valid files, written once; a case writes only the file it changes, beside them. */
const validFiles = (): Record<Kind, string> => ({ query: join(dir, 'query.json'), gallery: join(dir, 'gallery.json'), results: join(dir, 'results.json') });

before(async () => {
  dir = await tempDir('df2-retrieval-fuzz-');
  const read = async (name: string): Promise<Record<string, unknown>[]> =>
    JSON.parse(await readFile(goldenPath('basic', 'retrieval', name), 'utf8')) as Record<string, unknown>[];
  // Small files: the results of two query images, their queries, the gallery items of the same pairs.
  const results = (await read('results.json')).slice(0, 3);
  const queryImages = new Set(results.map((r) => r.query_image_id));
  const queries = (await read('query.json')).filter((q) => queryImages.has(q.query_image_id));
  const pairs = new Set(queries.map((q) => q.pair_id));
  const gallery = (await read('gallery.json')).filter((g) => pairs.has(g.pair_id));
  valid.set('query', queries);
  valid.set('gallery', gallery);
  valid.set('results', results);
  for (const k of KINDS) await writeFile(validFiles()[k], JSON.stringify(valid.get(k)));
});

/** Evaluates `kind` with these bytes and the other two valid files. */
async function check(kind: Kind, bytes: Buffer): Promise<void> {
  const paths = { ...validFiles(), [kind]: join(dir, `${kind}-changed.json`) };
  await writeFile(paths[kind], bytes);
  // A changed ground truth may leave the results pointing at what it no longer holds: the refusal may name any of the three.
  await inputVerdict(Object.values(paths), () => evaluateRetrievalFiles(paths.query, paths.gallery, paths.results, { by: [] }));
}

describe('retrieval query, gallery and results files', { timeout: fuzzTimeout() }, () => {
  test('the small files cut from the golden fixture evaluate', async () => {
    const paths = validFiles();
    await evaluateRetrievalFiles(paths.query, paths.gallery, paths.results);
  });

  test('any JSON value in place of one of the three is evaluated or refused with one line naming the file and the entry', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...KINDS), anyJson, byteMutation, async (kind, value, bytes) => check(kind, fileBytes(toJsonText(value), bytes))),
      100,
    );
  });

  test('any mutation of one of the three is evaluated or refused with one line naming the file and the entry', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...KINDS), fc.array(mutation, { minLength: 1, maxLength: 3 }), byteMutation, async (kind, mutations, bytes) =>
        check(kind, fileBytes(toJsonText(mutate(valid.get(kind), mutations)), bytes)),
      ),
      200,
    );
  });
});
