/**
 * `df2 compare --by`: the paired difference of each attribute subset, on a
 * case made so that exactly one subset differs: model B is model A plus a
 * perfect box for every heavily occluded garment A found nowhere, so only
 * the occlusion-3 subset can see B's extra detections (in the others they
 * match ignored ground truth and are ignored).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

const GT = goldenPath('basic', 'gt', 'coco-attributes.json');
const A = goldenPath('basic', 'results', 'bbox_results.json');

type Box = [number, number, number, number];
interface Detection {
  image_id: number;
  category_id: number;
  bbox: Box;
  score: number;
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
}

/** A's results plus a score-1 copy of the box of each occlusion-3 garment no detection of A overlaps at IoU .5. */
function resultsB(): { detections: Detection[]; added: number } {
  const gt = JSON.parse(readFileSync(GT, 'utf8')) as {
    annotations: { image_id: number; category_id: number; bbox: Box; occlusion: number; iscrowd: number }[];
  };
  const a = JSON.parse(readFileSync(A, 'utf8')) as Detection[];
  const added = gt.annotations
    .filter((g) => g.occlusion === 3 && !g.iscrowd)
    .filter((g) => !a.some((d) => d.image_id === g.image_id && d.category_id === g.category_id && iou(d.bbox, g.bbox) >= 0.5))
    .map((g) => ({ image_id: g.image_id, category_id: g.category_id, bbox: g.bbox, score: 1 }));
  return { detections: [...a, ...added], added: added.length };
}

interface Paired {
  a: { value: number };
  b: { value: number };
  difference: { value: number; low: number | null; high: number | null; defined: number };
  a_beats: number;
}

test('compare --by: the difference of each subset; only the subset that differs shows one', async () => {
  const dir = await tempDir('df2-compare-');
  const b = resultsB();
  assert.ok(b.added >= 3, `the fixture has missed heavily occluded garments (${b.added})`);
  const fileB = join(dir, 'b.json');
  writeFileSync(fileB, JSON.stringify(b.detections));

  // df2 eval --by gives each model's subset figures: the case is what it is meant to be.
  const byOf = async (file: string): Promise<Record<string, Record<string, { ap: number; ap50: number; ap75: number }>>> => {
    const run = await runCli(['eval', 'bbox', '--gt', GT, '--results', file, '--by', 'occlusion', '--json']);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { by: Record<string, Record<string, { ap: number; ap50: number; ap75: number }>> }).by;
  };
  const evalA = (await byOf(A)).occlusion!;
  const golden = (JSON.parse(readFileSync(goldenPath('basic', 'subsets.json'), 'utf8')) as { bbox: { occlusion: Record<string, number[]> } }).bbox.occlusion;
  for (const v of ['1', '2', '3'])
    ['ap', 'ap50', 'ap75'].forEach((key, j) =>
      assert.ok(Math.abs(evalA[v]![key as 'ap']! - golden[v]![j]!) <= 1e-9, `occlusion ${v} ${key}: the official figure`),
    );
  const evalB = (await byOf(fileB)).occlusion!;
  for (const v of ['1', '2']) assert.deepEqual(evalB[v], evalA[v], `occlusion ${v}: B's extra boxes are not seen`);
  assert.ok(evalB['3']!.ap > evalA['3']!.ap + 0.01, 'occlusion 3: B is better');

  const page = join(dir, 'compare.html');
  const run = await runCli([
    'compare',
    A,
    fileB,
    '--gt',
    GT,
    '--by',
    'occlusion',
    '--resamples',
    '200',
    '--seed',
    '3',
    '--json',
    '--out',
    page,
    '--images',
    '0',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { by: Record<string, Record<string, Record<string, Paired | string>>> };
  const occlusion = json.by.occlusion!;
  assert.deepEqual(Object.keys(occlusion), ['1', '2', '3']);
  assert.equal(occlusion['3']!.value_name, 'heavy');
  for (const v of ['1', '2', '3']) {
    for (const key of ['ap', 'ap50', 'ap75'] as const) {
      const f = occlusion[v]![key] as Paired;
      const [ea, eb] = [evalA[v]![key], evalB[v]![key]];
      assert.ok(Math.abs(f.a.value - ea) <= 1e-9 && Math.abs(f.b.value - eb) <= 1e-9, `occlusion ${v} ${key}: A and B as df2 eval --by`);
      assert.ok(Math.abs(f.difference.value - (ea - eb)) <= 1e-9, `occlusion ${v} ${key}: the difference`);
      if (v === '3') continue;
      // The same detections count in every resample: no difference in any of them.
      assert.deepEqual([f.difference.value, f.difference.low, f.difference.high], [0, 0, 0], `occlusion ${v} ${key}: no difference`);
      assert.equal(f.a_beats, 0);
    }
  }
  const heavy = occlusion['3']!.ap as Paired;
  assert.ok(heavy.difference.high! < 0, `occlusion 3: B is above A in the interval (${heavy.difference.low}, ${heavy.difference.high})`);
  assert.equal(heavy.a_beats, 0);

  // The text table and the page show the same rows.
  const text = await runCli(['compare', A, fileB, '--gt', GT, '--by', 'occlusion', '--resamples', '200', '--seed', '3', '--images', '0']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /By attribute \(only ground truth with the value counts, as df2 eval --by\):/);
  assert.match(text.stdout, /occlusion slight: AP {5}\d\.\d{3} {3}\d\.\d{3} {3}\+0\.000 {2}\[\+0\.000, \+0\.000\]/);
  assert.match(text.stdout, /occlusion heavy: AP .* -0\.\d{3} {2}\[-\d\.\d{3}, -\d\.\d{3}\] .* \*/);
  const html = readFileSync(page, 'utf8');
  assert.match(html, /<h2>By attribute<\/h2>/);
  assert.equal((html.match(/<tr><td>occlusion (slight|medium|heavy): AP(50|75)?<\/td>/g) ?? []).length, 9);
  assert.match(html, /<tr><td>occlusion heavy: AP<\/td><td>[\d.]+<\/td><td>[\d.]+<\/td><td class="down">-0\.\d{3}<\/td>/);
});

test('compare --by: ground truth without the attribute is refused in one line, before any work', async () => {
  const run = await runCli(['compare', A, A, '--gt', goldenPath('basic', 'gt', 'coco.json'), '--by', 'scale']);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.trim().split('\n').length, 1);
  assert.match(run.stderr, /coco\.json: annotations\[0\]\.scale: expected "scale" \(1\.\.3\) on every annotation/);
});
