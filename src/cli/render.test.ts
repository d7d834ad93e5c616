import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile, rm, readdir, writeFile } from 'node:fs/promises';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { readPixels, rgba } from '../render/pictures/pixel-reader.js';
import { HIT_COLOR, MISS_COLOR } from '../render/internal.js';
import { cellX, DEFAULT_STRIP_LAYOUT } from '../render/pictures/retrieval-strip.js';
import { evaluateRetrievalFiles } from '../eval/index.js';
import { readJsonFile } from '../json/stream.js';

const DATASET = goldenPath('basic', 'dataset');
const RETRIEVAL = (name: string): string => goldenPath('basic', 'retrieval', name);

test('df2 render writes one ground-truth picture per image, at the image size', async () => {
  const out = await tempDir('df2-render-cli-');
  try {
    const { code, stdout, stderr } = await runCli(['render', DATASET, '1', '000003', '--out', out]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), [join(out, '000001.png'), join(out, '000003.png')]);
    assert.equal((await readPixels(join(out, '000001.png'))).width, 500);
    assert.equal((await readPixels(join(out, '000003.png'))).width, 750);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('df2 render --format jpeg writes JPEG files', async () => {
  const out = await tempDir('df2-render-cli-');
  try {
    const { code, stderr } = await runCli(['render', DATASET, '2', '--out', out, '--format', 'jpeg', '--quiet']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(await readdir(out), ['000002.jpg']);
    const px = await readPixels(join(out, '000002.jpg'));
    assert.equal(px.width, 500);
    assert.equal(px.height, 624);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('df2 render: an image that is not in the split is one line naming the file, exit 1', async () => {
  const out = await tempDir('df2-render-cli-');
  try {
    const { code, stderr } = await runCli(['render', DATASET, '999', '--out', out]);
    assert.equal(code, 1);
    assert.match(stderr, /^df2: .*annos: 000999\.json: expected an annotation file for image 999, found no such file\n$/);
    assert.deepEqual(await readdir(out), []);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('df2 render: bad --what is refused', async () => {
  const { code, stderr } = await runCli(['render', DATASET, '1', '--what', 'box,halo']);
  assert.equal(code, 1);
  assert.match(stderr, /halo/);
});

test('df2 render retrieval strips frame hits green and misses red, as the evaluator ranks them', async () => {
  const out = await tempDir('df2-render-cli-');
  try {
    const top = 5;
    const { code, stderr } = await runCli([
      'render',
      DATASET,
      '1',
      '--out',
      out,
      '--quiet',
      '--top',
      String(top),
      '--query',
      RETRIEVAL('query.json'),
      '--gallery',
      RETRIEVAL('gallery.json'),
      '--retrieval-results',
      RETRIEVAL('results.json'),
    ]);
    assert.equal(code, 0, stderr);
    const px = await readPixels(join(out, '000001-retrieval.png'));
    const evaluated = await evaluateRetrievalFiles(RETRIEVAL('query.json'), RETRIEVAL('gallery.json'), RETRIEVAL('results.json'));
    // Image 1's queries, in query-file order: one strip each, stacked with 6 px between.
    const queries = (await readJsonFile(RETRIEVAL('query.json'))) as { query_image_id: number }[];
    const outcomes = evaluated.outcomes.filter((o) => queries[o.query]!.query_image_id === 1);
    const stripHeight = 20 + DEFAULT_STRIP_LAYOUT.cellHeight + DEFAULT_STRIP_LAYOUT.captionHeight;
    assert.equal(px.height, outcomes.length * stripHeight + (outcomes.length - 1) * 6);
    let framesChecked = 0;
    outcomes.forEach((o, s) => {
      const y = s * (stripHeight + 6) + 20 + DEFAULT_STRIP_LAYOUT.cellHeight / 2;
      for (let rank = 1; rank <= Math.min(top, o.firstHitRank || top); rank++) {
        const frame = px.at(cellX(rank) + 1, y);
        const expected = rank === o.firstHitRank ? HIT_COLOR : MISS_COLOR;
        assert.deepEqual(frame, rgba(expected), `strip ${s} rank ${rank}`);
        framesChecked++;
      }
    });
    assert.ok(framesChecked >= 5);
    assert.ok(
      outcomes.some((o) => o.firstHitRank >= 1 && o.firstHitRank <= top),
      'a hit is among the frames checked',
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test("df2 render without --gt: a bad result is named by the user's file and its index there", async () => {
  const out = await tempDir('df2-render-cli-');
  try {
    const results = JSON.parse(await readFile(goldenPath('basic', 'results', 'segm_results.json'), 'utf8')) as {
      image_id: number;
      segmentation: { counts: string };
    }[];
    const bad = results.findIndex((r, i) => r.image_id === 2 && results.slice(0, i).some((e) => e.image_id !== 2));
    assert.ok(bad > 0);
    results[bad]!.segmentation.counts = '!!';
    const file = join(out, 'segm-results.json');
    await writeFile(file, JSON.stringify(results));
    const { code, stderr } = await runCli(['render', DATASET, '2', '--results', file, '--out', join(out, 'pictures')]);
    assert.equal(code, 1);
    assert.ok(stderr.startsWith(`df2: ${file}: [${bad}].segmentation: expected`), stderr);
    assert.equal(stderr.split('\n').length, 2, 'one line');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
