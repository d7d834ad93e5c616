/**
 * Properties of the COCO files an evaluation reads: results of each task
 * (bbox, segm, keypoints) and the ground truth. Any JSON value, and any
 * mutation of a small valid file cut from the golden fixture, is either
 * evaluated or refused with one line naming the file and the entry: never
 * a crash or a hang, in loading or in the evaluation that follows.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { inputVerdict } from '../../testing/input-verdict.js';
import { anyJson, byteMutation, fileBytes, mutate, mutation, toJsonText, type ByteMutation, type Mutation } from '../../testing/json-mutations.js';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { evaluateLoaded } from './evaluate.js';
import { loadCocoPair } from './load.js';
import type { CocoTask } from './params.js';

const TASKS = ['bbox', 'segm', 'keypoints'] as const satisfies readonly CocoTask[];
/** Images of the golden fixture kept in the small files: few, so that a mutation often lands on a field and not in a long vector. */
const IMAGES = new Set([1, 2]);

let dir: string;
let gtFile: string;
let gtText: string;
let smallGt: unknown;
const smallResults = new Map<CocoTask, unknown[]>();

before(async () => {
  dir = await tempDir('df2-coco-fuzz-');
  const gt = JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')) as { images: { id: number }[]; annotations: { image_id: number }[] };
  smallGt = { ...gt, images: gt.images.filter((im) => IMAGES.has(im.id)), annotations: gt.annotations.filter((a) => IMAGES.has(a.image_id)) };
  gtText = JSON.stringify(smallGt);
  gtFile = join(dir, 'gt.json');
  await writeFile(gtFile, gtText);
  for (const task of TASKS) {
    const all = JSON.parse(await readFile(goldenPath('basic', 'results', `${task}_results.json`), 'utf8')) as { image_id: number }[];
    smallResults.set(task, all.filter((r) => IMAGES.has(r.image_id)).slice(0, 4));
    await writeFile(validResultsFile(task), JSON.stringify(smallResults.get(task)));
  }
});

/** Loads a pair in this thread and, when both load, evaluates them. */
async function loadAndEvaluate(task: CocoTask, gt: string, results: string): Promise<void> {
  const loaded = await loadCocoPair(task, gt, results, { useWorker: false });
  evaluateLoaded(task, loaded.gt, loaded.results, { quiet: true });
}

async function checkResults(task: CocoTask, bytes: Buffer): Promise<void> {
  const file = join(dir, `results-${task}.json`);
  await writeFile(file, bytes);
  await inputVerdict(file, () => loadAndEvaluate(task, gtFile, file));
}

/** The small valid results of a task, written once: the ground truth's property reads them beside a changed ground truth. */
const validResultsFile = (task: CocoTask): string => join(dir, `results-valid-${task}.json`);

async function checkGroundTruth(task: CocoTask, bytes: Buffer): Promise<void> {
  const file = join(dir, `gt-${task}-mutated.json`);
  const results = validResultsFile(task);
  await writeFile(file, bytes);
  // The results are valid for the original ground truth: a mutated one may no longer hold their images or categories, which names the results.
  await inputVerdict([file, results], () => loadAndEvaluate(task, file, results));
}

const json = (value: unknown, bytes: ByteMutation = { kind: 'none' }): Buffer => fileBytes(toJsonText(value), bytes);

const GT_SECTIONS = ['images', 'annotations', 'categories'] as const;

type Section = (typeof GT_SECTIONS)[number];

/** The ground truth a case reads: any value, the small file mutated, one of its sections mutated, or an element of one replaced. */
function changedGroundTruth(
  change: { value: unknown } | { mutations: Mutation[] } | { section: Section; mutations: Mutation[] } | { section: Section; index: number; element: unknown },
): unknown {
  if ('value' in change) return change.value;
  if (!('section' in change)) return mutate(smallGt, change.mutations);
  const gt = smallGt as Record<string, unknown[]>;
  if ('mutations' in change) return { ...gt, [change.section]: mutate(gt[change.section], change.mutations) };
  const elements = [...gt[change.section]!];
  elements[change.index % elements.length] = change.element;
  return { ...gt, [change.section]: elements };
}

describe('COCO results and ground truth files', { timeout: fuzzTimeout() }, () => {
  test('the small files cut from the golden fixture load and evaluate, for each task', async () => {
    for (const task of TASKS) {
      const file = join(dir, `results-${task}.json`);
      await writeFile(file, JSON.stringify(smallResults.get(task)));
      await loadAndEvaluate(task, gtFile, file);
    }
  });

  test('regression: a results file with a control character in a top-level key is refused with one line', async () => {
    // Shrunk case of seed 26: ["bbox", {"": {}}, insert [0] at byte 2], i.e. the text {"\u0000":{}} (a SyntaxError escaped the streaming reader).
    await checkResults('bbox', json({ '': {} }, { kind: 'insert', at: 2, bytes: [0] }));
    const file = join(dir, 'results-bbox.json');
    const verdict = await inputVerdict(file, () => loadAndEvaluate('bbox', gtFile, file));
    assert.ok(!verdict.accepted && verdict.message.includes('expected a valid JSON string as a key'), JSON.stringify(verdict));
  });

  test('results: any JSON value is evaluated or refused with one line naming the file and the entry', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...TASKS), anyJson, byteMutation, async (task, value, bytes) => checkResults(task, json(value, bytes))),
      100,
    );
  });

  test('results: any mutation of a valid results file is evaluated or refused with one line naming the file and the entry', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...TASKS), fc.array(mutation, { minLength: 1, maxLength: 3 }), byteMutation, async (task, mutations, bytes) =>
        checkResults(task, json(mutate(smallResults.get(task), mutations), bytes)),
      ),
      150,
    );
  });

  test('ground truth: any JSON value or mutation of a valid file is evaluated or refused with one line naming a file and the entry', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.constantFrom(...TASKS),
        fc.oneof(
          anyJson.map((value) => ({ value })),
          fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => ({ mutations })),
          // Mutations inside one section: a mutation of the whole file lands mostly in the long category and
          // landmark lists, and seldom on the two images (a check of image objects switched off went unseen).
          fc.record({ section: fc.constantFrom(...GT_SECTIONS), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
          // An element of a section replaced whole: by a value of another type more often than anyJson alone would.
          fc.record({ section: fc.constantFrom(...GT_SECTIONS), index: fc.nat(), element: fc.oneof(fc.constantFrom(null, 0, 'image', [], true, {}), anyJson) }),
        ),
        byteMutation,
        async (task, change, bytes) => checkGroundTruth(task, json(changedGroundTruth(change), bytes)),
      ),
      100,
    );
  });
});
