/**
 * `df2 eval ... --ci` and `df2 compare` end to end: the figures of each list
 * of a resample file equal the release API's, written resamples read back
 * give the same intervals, a seed decides everything, bad input is one line.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

const golden = JSON.parse(readFileSync(goldenPath('quirks', 'bootstrap.json'), 'utf8')) as {
  resamples: number[][];
  segm: number[][];
  bbox: number[][];
  bbox_shifted: number[][];
};
const GT = goldenPath('quirks', 'gt', 'coco.json');
const BBOX = goldenPath('quirks', 'results', 'bbox_results.json');
const SHIFTED = goldenPath('quirks', 'bootstrap-shifted-bbox.json');

interface Intervals {
  resamples: number;
  seed: number | null;
  level: number;
  stats: { value: number; low: number | null; high: number | null; defined: number }[];
  figures?: number[][];
}

test('eval segm --resample-file: the figures of each list are the official ones', async () => {
  const file = join(await tempDir('df2-ci-'), 'lists.json');
  writeFileSync(file, JSON.stringify(golden.resamples));
  const run = await runCli(['eval', 'segm', '--gt', GT, '--results', goldenPath('quirks', 'results', 'segm_results.json'), '--resample-file', file, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const intervals = (JSON.parse(run.stdout) as { intervals: Intervals }).intervals;
  assert.equal(intervals.seed, null);
  assert.equal(intervals.resamples, golden.resamples.length);
  intervals.figures!.forEach((stats, i) => stats.forEach((v, j) => assert.ok(Math.abs(v - golden.segm[i]![j]!) <= 1e-9, `list ${i} stats[${j}]`)));
});

test('eval bbox --ci: a seed decides the intervals, and written resamples read back give them again', async () => {
  const dir = await tempDir('df2-ci-');
  const lists = join(dir, 'lists.json');
  const base = ['eval', 'bbox', '--gt', GT, '--results', BBOX, '--json', '--ci', '--resamples', '40', '--level', '0.9'];
  const first = await runCli([...base, '--seed', '5', '--write-resamples', lists]);
  assert.equal(first.code, 0, first.stderr);
  const again = await runCli([...base, '--seed', '5']);
  const other = await runCli([...base, '--seed', '6']);
  const a = (JSON.parse(first.stdout) as { intervals: Intervals }).intervals;
  assert.deepEqual((JSON.parse(again.stdout) as { intervals: Intervals }).intervals, a);
  assert.notDeepEqual((JSON.parse(other.stdout) as { intervals: Intervals }).intervals.stats, a.stats);
  assert.equal(a.seed, 5);
  assert.equal(a.level, 0.9);
  const written = JSON.parse(readFileSync(lists, 'utf8')) as number[][];
  assert.equal(written.length, 40);
  assert.ok(written.every((list) => list.length === 80));
  assert.deepEqual(readdirSync(dir), ['lists.json']); // no temporary file left
  const back = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--json', '--resample-file', lists, '--level', '0.9']);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual((JSON.parse(back.stdout) as { intervals: Intervals }).intervals.stats, a.stats);
  // The text table gives each figure with its interval.
  const text = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--ci', '--resamples', '40', '--seed', '5', '--level', '0.9']);
  assert.match(text.stdout, /40 bootstrap resamples of the images \(seed 5\), 90% percentile intervals:/);
  assert.match(text.stdout, /maxDets=100 \] = \d\.\d{3} {2}\[\d\.\d{3}, \d\.\d{3}\]/);
});

test('bad resample input: one line naming the file and entry, exit 1', async () => {
  const dir = await tempDir('df2-ci-');
  const lists = join(dir, 'lists.json');
  writeFileSync(
    lists,
    JSON.stringify([
      [1, 2, 3],
      [1, 99999],
    ]),
  );
  const run = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--resample-file', lists]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.trim(), `df2: ${lists}: [1][1]: expected an image id of the ground truth, found 99999`);
  const both = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--resample-file', lists, '--write-resamples', join(dir, 'x.json')]);
  assert.equal(both.code, 1);
  assert.equal(both.stderr.trim().split('\n').length, 1);
  assert.match(both.stderr, /--write-resamples/);
  const level = await runCli(['eval', 'bbox', '--gt', GT, '--results', BBOX, '--ci', '--level', '95']);
  assert.notEqual(level.code, 0);
  assert.match(level.stderr, /between 0 and 1/);
});

test('compare: the paired differences of each list are those of the official figures', async () => {
  const file = join(await tempDir('df2-ci-'), 'lists.json');
  writeFileSync(file, JSON.stringify(golden.resamples));
  const page = join(await tempDir('df2-ci-'), 'compare.html');
  const run = await runCli(['compare', BBOX, SHIFTED, '--gt', GT, '--resample-file', file, '--json', '--out', page, '--images', '3']);
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as {
    stats: { figure: string; a_beats: number; difference: { value: number } }[];
    figures: { a: number[]; b: number[] }[];
    images: { image_id: number; a: { tp: number; fp: number; fn: number }; b: { tp: number; fp: number; fn: number } }[];
  };
  json.figures.forEach(({ a, b }, i) =>
    a.forEach((v, j) => assert.ok(Math.abs(v - b[j]! - (golden.bbox[i]![j]! - golden.bbox_shifted[i]![j]!)) <= 1e-9, `list ${i} stats[${j}]`)),
  );
  assert.equal(json.stats[0]!.figure, 'AP');
  assert.equal(json.images.length, 3);
  assert.ok(json.images.every((i) => i.a.tp !== i.b.tp || i.a.fp !== i.b.fp || i.a.fn !== i.b.fn));
  const html = readFileSync(page, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /Images where the two differ most/);
  assert.doesNotMatch(html, /<script|<link|src="http/); // self-contained
});

test('compare: the images listed carry the counts of df2 eval --per-image; the ground truth is read from its snapshot', async () => {
  const dir = await tempDir('df2-ci-');
  const cache = join(dir, 'cache');
  const perImage = async (file: string): Promise<Map<number, { tp: number; fp: number; fn: number }>> => {
    const out = join(dir, 'per-image.json');
    const run = await runCli(['eval', 'bbox', '--gt', GT, '--results', file, '--per-image', out, '--json', '--no-cache']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(readFileSync(out, 'utf8')) as { image_id: number; tp: number; fp: number; fn: number }[];
    return new Map(rows.map((r) => [r.image_id, { tp: r.tp, fp: r.fp, fn: r.fn }]));
  };
  const [a, b] = [await perImage(BBOX), await perImage(SHIFTED)];
  const args = ['compare', BBOX, SHIFTED, '--gt', GT, '--resamples', '50', '--json', '--images', '1000', '--cache', cache];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(
    readdirSync(cache).some((f) => f.endsWith('.df2snap')),
    'the first run writes a snapshot',
  );
  const json = JSON.parse(first.stdout) as {
    images: { image_id: number; a: { tp: number; fp: number; fn: number }; b: { tp: number; fp: number; fn: number } }[];
  };
  const differing = [...a.keys()].filter((id) => JSON.stringify(a.get(id)) !== JSON.stringify(b.get(id)));
  assert.ok(differing.length > 0);
  assert.deepEqual(
    json.images.map((i) => i.image_id).sort((x, y) => x - y),
    differing,
    'every image whose counts differ, and no other',
  );
  for (const i of json.images) assert.deepEqual([i.a, i.b], [a.get(i.image_id), b.get(i.image_id)], `image ${i.image_id}`);
  // From the snapshot: the same output; without a cache: the same again.
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  const uncached = await runCli([...args.slice(0, -2), '--no-cache']);
  assert.equal(uncached.stdout, first.stdout);
});

test('eval bbox --ci --by: AP, AP50 and AP75 of each attribute value with intervals, on the resamples of the whole', async () => {
  const gt = goldenPath('basic', 'gt', 'coco-attributes.json');
  const results = goldenPath('basic', 'results', 'bbox_results.json');
  const dir = await tempDir('df2-ci-');
  const lists = join(dir, 'lists.json');
  const base = ['eval', 'bbox', '--gt', gt, '--results', results, '--by', 'occlusion', '--by', 'scale', '--json', '--level', '0.9'];
  const drawn = await runCli([...base, '--ci', '--resamples', '60', '--seed', '4', '--write-resamples', lists]);
  assert.equal(drawn.code, 0, drawn.stderr);
  type Bounds = { value: number; low: number | null; high: number | null; defined: number };
  const json = JSON.parse(drawn.stdout) as {
    by: Record<string, Record<string, { ap: number; ap50: number; ap75: number }>>;
    intervals: { by: Record<string, Record<string, { value_name: string; ap: Bounds; ap50: Bounds; ap75: Bounds }>> };
  };
  assert.deepEqual(Object.keys(json.intervals.by), ['occlusion', 'scale']);
  for (const [attribute, values] of Object.entries(json.intervals.by)) {
    assert.deepEqual(Object.keys(values), ['1', '2', '3']);
    for (const [v, figures] of Object.entries(values))
      for (const key of ['ap', 'ap50', 'ap75'] as const) {
        const f = figures[key];
        assert.equal(f.value, json.by[attribute]![v]![key], `${attribute} ${v} ${key}: the figure of --by`);
        assert.equal(f.defined, 60);
        assert.ok(f.low! < f.high!, `${attribute} ${v} ${key}: an interval`);
      }
  }
  assert.equal(json.intervals.by.occlusion!['3']!.value_name, 'heavy');
  // The lists written for the whole, read back: the same subset intervals (the subsets were drawn on them too).
  const back = await runCli([...base, '--resample-file', lists]);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual((JSON.parse(back.stdout) as typeof json).intervals.by, json.intervals.by);
  // The text gives one line per value.
  const text = await runCli([...base.filter((a) => a !== '--json'), '--resample-file', lists]);
  assert.match(text.stdout, /By attribute, with intervals \(only ground truth with the value counts, as --by\):/);
  assert.match(
    text.stdout,
    /\n {2}occlusion heavy {3}AP \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] +AP50 \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] +AP75 \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]\n/,
  );
  assert.equal((text.stdout.match(/^ {2}(occlusion|scale) \w+ +AP /gm) ?? []).length, 6);
});
