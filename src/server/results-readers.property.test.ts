/**
 * Properties of a results file read by its three readers: `df2 eval` (the
 * command's loading and evaluator), the server's evaluation of a submission
 * (evaluateSubmission, what the worker's child runs) and the explorer's
 * layer (loadCocoLayer / loadRetrievalLayer, on the split converted as
 * `df2 serve --results` converts it). The ground truth is read as each
 * reads it when warm: the command from its snapshot, the server's process
 * from its memory, the layer from its converted split. For any JSON value and any mutation
 * of a valid results file of each task, the three give the same verdict:
 * all evaluate it, to the same figures, or all refuse it with one line
 * naming the file and the entry.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { CocoEvaluator, evaluateRetrieval, loadCocoPair, loadRetrievalInputs } from '../eval/index.js';
import { checkProperty, fuzzTimeout } from '../testing/fuzz.js';
import { inputVerdict, type InputVerdict } from '../testing/input-verdict.js';
import { anyJson, byteMutation, fileBytes, mutate, mutation, toJsonText } from '../testing/json-mutations.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { evaluateSubmission } from './challenge/engine.js';
import { GroundTruthMemory } from './challenge/ground-truth-memory.js';
import { loadCocoLayer } from './layers/coco-layer.js';
import { loadRetrievalLayer } from './layers/retrieval-layer.js';
import { splitTruth, type SplitTruth } from './layers/split-truth.js';
import { GOLDEN_SPLIT, goldenGtDir } from './test-support.js';

const TASKS = ['bbox', 'segm', 'keypoints', 'retrieval'] as const;
type ReadTask = (typeof TASKS)[number];
/** Results of two images only: a mutation then often lands on a field, not deep in a long vector. */
const IMAGES = new Set([1, 2]);

let dir: string;
let gtDir: string;
const truths = new Map<'coco' | 'retrieval', SplitTruth>();
const valid = new Map<ReadTask, unknown[]>();

before(async () => {
  dir = await tempDir('df2-readers-fuzz-');
  gtDir = await goldenGtDir({ attributes: false });
  // The layers' ground truth: the golden split converted, as the explorer converts a split (equal to the fixture's files).
  const split = { id: 1, name: 'basic', dir: GOLDEN_SPLIT, images: 120, items: 0, badFiles: 0, indexedAt: 'fuzz' };
  truths.set('coco', await splitTruth(join(dir, 'layers'), split, 'coco'));
  truths.set('retrieval', await splitTruth(join(dir, 'layers'), split, 'retrieval'));
  for (const task of TASKS) {
    const name = task === 'retrieval' ? join('retrieval', 'results.json') : join('results', `${task}_results.json`);
    const all = JSON.parse(await readFile(goldenPath('basic', name), 'utf8')) as Record<string, unknown>[];
    const imageOf = (r: Record<string, unknown>): unknown => (task === 'retrieval' ? r.query_image_id : r.image_id);
    valid.set(task, all.filter((r) => IMAGES.has(imageOf(r) as number)).slice(0, 4));
  }
});

/** What one reader made of the file: its verdict, and the figures when it evaluated it. */
interface Reading {
  verdict: InputVerdict;
  stats?: number[];
}

async function reading(file: string, read: () => Promise<number[]>): Promise<Reading> {
  let stats: number[] | undefined;
  const verdict = await inputVerdict(file, async () => {
    stats = await read();
  });
  return verdict.accepted ? { verdict, stats } : { verdict };
}

/** `df2 eval TASK`: the command's loading and evaluation, without its printing. */
async function commandReader(task: ReadTask, file: string): Promise<number[]> {
  if (task === 'retrieval') {
    const inputs = await loadRetrievalInputs(join(gtDir, 'query.json'), join(gtDir, 'gallery.json'), file, { by: [] });
    const r = evaluateRetrieval(inputs, { by: [] });
    return [r.top1, r.top5, r.top10, r.top15, r.top20];
  }
  // As the command reads it by default: from the ground truth's snapshot in its cache folder (made on the first read).
  const { gt, results } = await loadCocoPair(task, join(gtDir, 'coco.json'), file, { cache: { dir: join(dir, 'cache') } });
  const evaluator = CocoEvaluator.create(task, gt, results);
  try {
    return (await evaluator.evaluate({ quiet: true })).stats;
  } finally {
    await evaluator.close();
  }
}

/** A long-lived evaluation process of the server keeps the ground truth it read (first case: read from the JSON). */
const memory = new GroundTruthMemory(256 << 20);

async function serverReader(task: ReadTask, file: string): Promise<number[]> {
  return (await evaluateSubmission(task, gtDir, file, { memory })).result.stats;
}

async function layerReader(task: ReadTask, file: string): Promise<number[]> {
  if (task === 'retrieval') return (await loadRetrievalLayer(file, truths.get('retrieval')!)).stats;
  return (await loadCocoLayer(task, file, truths.get('coco')!, { snapshotDir: join(dir, 'layers', 'snapshots') })).stats;
}

/** Writes the file and reads it three ways: the same verdict, the same figures. */
async function check(task: ReadTask, bytes: Buffer): Promise<void> {
  const file = join(dir, `results-${task}.json`);
  await writeFile(file, bytes);
  const [command, server, layer] = [
    await reading(file, () => commandReader(task, file)),
    await reading(file, () => serverReader(task, file)),
    await reading(file, () => layerReader(task, file)),
  ];
  const verdicts = (r: Reading): string => (r.verdict.accepted ? 'accepted' : `refused: ${r.verdict.message}`);
  assert.equal(server.verdict.accepted, command.verdict.accepted, `df2 eval ${verdicts(command)}; the server ${verdicts(server)}`);
  assert.equal(layer.verdict.accepted, command.verdict.accepted, `df2 eval ${verdicts(command)}; the explorer's layer ${verdicts(layer)}`);
  if (command.stats) {
    assert.deepEqual(server.stats, command.stats, 'the server evaluated other figures');
    assert.deepEqual(layer.stats, command.stats, "the explorer's layer evaluated other figures");
  }
}

describe('results files read by df2 eval, the server and the explorer', { timeout: fuzzTimeout() }, () => {
  test('the small valid results of each task evaluate to the same figures by all three', async () => {
    for (const task of TASKS) await check(task, Buffer.from(JSON.stringify(valid.get(task))));
  });

  test('any JSON value: the same verdict from the three readers', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...TASKS), anyJson, byteMutation, async (task, value, bytes) => check(task, fileBytes(toJsonText(value), bytes))),
      25,
    );
  });

  test('any mutation of a valid results file: the same verdict and figures from the three readers', async () => {
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...TASKS), fc.array(mutation, { minLength: 1, maxLength: 3 }), byteMutation, async (task, mutations, bytes) =>
        check(task, fileBytes(toJsonText(mutate(valid.get(task), mutations)), bytes)),
      ),
      40,
    );
  });
});
