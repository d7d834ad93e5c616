/**
 * Properties of the per-image annotation file (`annos/NNNNNN.json`), held by
 * the three readers that check it: `df2 validate` (validateSplit), the
 * dataset reader (readSplit) and the explorer's indexer (indexAnnotationFile,
 * what each index worker runs per file). Generated files are written to a
 * split of one image and read by all three in-process; a few go through the
 * `df2 validate` command itself.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { readImageSize, readSplit, validateSplit } from '../dataset/index.js';
import { indexAnnotationFile, indexScratch } from '../server/explorer/index-file.js';
import { runCli } from '../testing/cli.js';
import { checkProperty, fuzzTimeout } from '../testing/fuzz.js';
import {
  anyJson,
  byteMutation,
  fileBytes,
  mutate,
  mutation,
  toJsonText,
  validAnnotation,
  type ByteMutation,
  type Mutation,
  type Size,
} from '../testing/json-mutations.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { formatProblemLine, InputError, type Problem } from './index.js';
import { categoryById } from './categories.js';

const IMAGE = goldenPath('basic', 'dataset', 'image', '000001.jpg');

/** What a reader made of a file: accepted, or rejected with one line. */
type Verdict = { accepted: true } | { accepted: false; line: string };

let dir: string;
let annoPath: string;
let size: Size;
const scratch = indexScratch();

before(async () => {
  dir = join(await tempDir('df2-annotation-fuzz-'), 'split');
  await mkdir(join(dir, 'annos'), { recursive: true });
  await mkdir(join(dir, 'image'), { recursive: true });
  await copyFile(IMAGE, join(dir, 'image', '000001.jpg'));
  annoPath = join(dir, 'annos', '000001.json');
  size = await readImageSize(IMAGE);
});

async function validateVerdict(): Promise<{ verdict: Verdict; problems: Problem[] }> {
  const problems: Problem[] = [];
  const summary = await validateSplit(dir, { onProblem: (p) => problems.push(p) });
  const first = problems.find((p) => p.severity === 'error');
  assert.equal(summary.errors > 0, first !== undefined);
  return { verdict: first ? { accepted: false, line: formatProblemLine(first) } : { accepted: true }, problems };
}

async function readerVerdict(): Promise<Verdict> {
  try {
    let records = 0;
    for await (const record of readSplit(dir)) {
      assert.equal(record.id, 1);
      records++;
    }
    assert.equal(records, 1);
    return { accepted: true };
  } catch (err) {
    // Anything but an InputError is a crash: it fails the property as it is.
    if (!(err instanceof InputError)) throw err;
    return { accepted: false, line: err.message };
  }
}

function indexerVerdict(): Verdict {
  const verdict = indexAnnotationFile(dir, 'split', '000001', scratch);
  if ('image' in verdict) return { accepted: true };
  assert.equal(verdict.bad.file, 'annos/000001.json');
  // The indexer names the split, not the server's path.
  return { accepted: false, line: verdict.bad.message.split('split').join(dir) };
}

/** Writes the file, reads it with all three, and checks they agree and each rejection is one line naming the file. */
async function verdicts(bytes: Buffer): Promise<{ verdict: Verdict; problems: Problem[] }> {
  await writeFile(annoPath, bytes);
  const validated = await validateVerdict();
  const reader = await readerVerdict();
  const indexer = indexerVerdict();
  assert.deepEqual(reader, validated.verdict, 'the reader and df2 validate disagree');
  assert.deepEqual(indexer, validated.verdict, 'the indexer and df2 validate disagree');
  for (const problem of validated.problems) {
    const line = formatProblemLine(problem);
    assert.ok(!line.includes('\n') && !line.includes('\r'), `not one line: ${JSON.stringify(line)}`);
    assert.ok(problem.file === annoPath || problem.file.startsWith(join(dir, 'image')), `names another file: ${line}`);
    assert.match(line, /: expected /);
  }
  return validated;
}

const jsonText = (value: unknown, bytes: ByteMutation = { kind: 'none' }): Buffer => fileBytes(toJsonText(value), bytes);

describe('annotation files: validate, the reader and the indexer', { timeout: fuzzTimeout() }, () => {
  test('every generated valid file is accepted by all three', async () => {
    await checkProperty(
      fc.asyncProperty(validAnnotation(size), async (doc) => {
        const { verdict, problems } = await verdicts(jsonText(doc));
        assert.deepEqual(verdict, { accepted: true }, JSON.stringify(problems));
      }),
      100,
    );
  });

  test('any JSON value is accepted or rejected with one line naming the file, the same by all three', async () => {
    await checkProperty(
      fc.asyncProperty(anyJson, byteMutation, async (value, bytes) => {
        await verdicts(jsonText(value, bytes));
      }),
      100,
    );
  });

  test('any mutation of a valid file is accepted or rejected with one line naming the file and entry, the same by all three', async () => {
    await checkProperty(
      fc.asyncProperty(validAnnotation(size), fc.array(mutation, { minLength: 1, maxLength: 3 }), byteMutation, async (doc, mutations: Mutation[], bytes) => {
        await verdicts(jsonText(mutate(doc, mutations), bytes));
      }),
      200,
    );
  });

  test('a landmark visibility other than 0, 1, 2 is rejected, naming that landmark', async () => {
    await checkProperty(
      fc.asyncProperty(
        validAnnotation(size),
        fc.nat(),
        fc.oneof(
          fc.constantFrom(3, -1, 1.5, 4, 255, '2', null),
          fc.integer().filter((v) => v < 0 || v > 2),
        ),
        async (generated, pick, visibility) => {
          // A copy: fast-check hands the same value to the shrinker after this run.
          const doc = structuredClone(generated);
          const item = Object.keys(doc).find((k) => k.startsWith('item'))!;
          const landmarks = (doc[item] as { landmarks: unknown[] }).landmarks;
          const at = 3 * (pick % (landmarks.length / 3)) + 2;
          landmarks[at] = visibility;
          const { verdict } = await verdicts(jsonText(doc));
          assert.equal(verdict.accepted, false);
          assert.ok(!verdict.accepted && verdict.line.startsWith(`${annoPath}: ${item}.landmarks[${at}]: `), !verdict.accepted ? verdict.line : '');
        },
      ),
      100,
    );
  });

  test('a field out of its range is rejected, naming that field', async () => {
    const fields = ['category_id', 'style', 'scale', 'occlusion', 'zoom_in', 'viewpoint', 'bounding_box', 'landmarks', 'segmentation'] as const;
    await checkProperty(
      fc.asyncProperty(
        validAnnotation(size),
        fc.constantFrom(...fields),
        fc.constantFrom(-1, 0, 4, 14, 1.5, '1', null, [], {}),
        async (generated, field, value) => {
          const doc = structuredClone(generated);
          const item = Object.keys(doc).find((k) => k.startsWith('item'))!;
          const record = doc[item] as Record<string, unknown>;
          // The values that are in range there (an empty segmentation is legal: only a warning).
          const legal =
            (field === 'style' && Number.isSafeInteger(value) && (value as number) >= 0) ||
            (field === 'category_id' && categoryById(value as number) !== undefined) ||
            (['scale', 'occlusion', 'zoom_in', 'viewpoint'].includes(field) && value === 1) ||
            (field === 'segmentation' && Array.isArray(value) && value.length === 0);
          fc.pre(!legal);
          record[field] = value;
          const { verdict } = await verdicts(jsonText(doc));
          assert.ok(!verdict.accepted && verdict.line.startsWith(`${annoPath}: ${item}.${field}`), JSON.stringify(verdict));
        },
      ),
      100,
    );
  });

  test('df2 validate, run as a command, exits 0 or 1 with one line per problem and a summary', { timeout: fuzzTimeout(120_000) }, async () => {
    await checkProperty(
      fc.asyncProperty(validAnnotation(size), fc.array(mutation, { maxLength: 2 }), async (doc, mutations) => {
        const bytes = jsonText(mutate(doc, mutations));
        const { verdict } = await verdicts(bytes);
        const run = await runCli(['validate', dir]);
        assert.equal(run.code, verdict.accepted ? 0 : 1, run.stderr);
        assert.equal(run.stderr, '');
        const lines = run.stdout.trimEnd().split('\n');
        assert.match(lines.at(-1)!, verdict.accepted ? /: valid: 1 files/ : /: invalid: 1 files/);
        if (!verdict.accepted) assert.ok(lines.includes(verdict.line), run.stdout);
      }),
      3,
      0.001,
    );
  });
});
