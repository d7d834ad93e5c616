/**
 * Per-attribute intervals (bootstrapSubsets) against the spec taken
 * literally: each resample list's ground truth and results written out
 * (image j a copy of the drawn image with id j, fresh annotation ids, the
 * attributes kept) and evaluated by attribute from scratch; the interval of
 * each subset figure is the percentile interval of those figures, and its
 * value is the official per-attribute figure (golden subsets.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { loadCocoPair } from '../coco/load.js';
import { evaluateByAttribute } from '../coco/subsets.js';
import { percentileInterval } from './percentile.js';
import { drawResample } from './resamples.js';
import { bootstrapSubsets } from './subsets.js';

const GT = goldenPath('basic', 'gt', 'coco-attributes.json');
const RESULTS = goldenPath('basic', 'results', 'bbox_results.json');
const LISTS = 7;
const LEVEL = 0.8;

interface Json {
  images: { id: number }[];
  annotations: { id: number; image_id: number }[];
}

test('AP, AP50 and AP75 of each attribute value: the official value, and the interval of the resampled files evaluated from scratch', async () => {
  const gtJson = JSON.parse(readFileSync(GT, 'utf8')) as Json & Record<string, unknown>;
  const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as { image_id: number }[];
  const imageIds = gtJson.images.map((i) => i.id).sort((a, b) => a - b);
  const lists = Array.from({ length: LISTS }, (_, i) => Array.from(drawResample(imageIds.length, 9, i), (r) => imageIds[r]!));
  const dir = await tempDir('df2-subsets-');
  const listsFile = join(dir, 'lists.json');
  await writeFile(listsFile, JSON.stringify(lists));

  // The spec, literally: per list, AP/AP50/AP75 of occlusion 1..3 on the resampled files.
  const literal: Record<string, number[][]> = { '1': [], '2': [], '3': [] };
  for (const [i, list] of lists.entries()) {
    const images = list.map((id, j) => ({ ...gtJson.images.find((im) => im.id === id)!, id: j + 1 }));
    const annotations = list.flatMap((id, j) => gtJson.annotations.filter((a) => a.image_id === id).map((a) => ({ ...a, image_id: j + 1 })));
    annotations.forEach((a, k) => (a.id = k + 1));
    const resampled = list.flatMap((id, j) => results.filter((r) => r.image_id === id).map((r) => ({ ...r, image_id: j + 1 })));
    const [gtFile, resultsFile] = [join(dir, `gt-${i}.json`), join(dir, `results-${i}.json`)];
    await writeFile(gtFile, JSON.stringify({ ...gtJson, images, annotations }));
    await writeFile(resultsFile, JSON.stringify(resampled));
    const { gt, results: loaded } = await loadCocoPair('bbox', gtFile, resultsFile);
    const by = evaluateByAttribute('bbox', gt, loaded, ['occlusion'], { quiet: true });
    for (const v of ['1', '2', '3'] as const) literal[v]!.push([...by.occlusion![v]]);
  }

  const { gt, results: loaded } = await loadCocoPair('bbox', GT, RESULTS);
  const subsets = await bootstrapSubsets('bbox', gt, loaded, ['occlusion'], { file: listsFile, level: LEVEL });
  const golden = (JSON.parse(readFileSync(goldenPath('basic', 'subsets.json'), 'utf8')) as { bbox: { occlusion: Record<string, number[]> } }).bbox.occlusion;
  assert.deepEqual(
    subsets.map((s) => [s.attribute, s.value, s.valueName]),
    [
      ['occlusion', 1, 'slight'],
      ['occlusion', 2, 'medium'],
      ['occlusion', 3, 'heavy'],
    ],
  );
  for (const s of subsets) {
    const v = String(s.value);
    s.figures.forEach((f, j) => {
      const what = `occlusion ${v} figure ${j}`;
      assert.ok(Math.abs(f.value - golden[v]![j]!) <= 1e-9, `${what}: ${f.value} is not the official ${golden[v]![j]}`);
      const expected = percentileInterval(
        literal[v]!.map((row) => row[j]!),
        LEVEL,
      );
      assert.equal(f.defined, expected.defined, `${what}: resamples defined`);
      assert.ok(
        Math.abs(f.low - expected.low) <= 1e-9 && Math.abs(f.high - expected.high) <= 1e-9,
        `${what}: [${f.low}, ${f.high}] vs [${expected.low}, ${expected.high}]`,
      );
      assert.ok(f.low < f.high, `${what}: the lists differ`);
    });
  }
});
