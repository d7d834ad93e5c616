/**
 * `df2 convert`, `df2 pairs` and `df2 stats` end to end: golden output through
 * the command line, and bad input: exit 1 with df2 validate's message and
 * no output file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

/** A copy of a golden split (annotations copied, images linked) under the name `validation`. */
async function copySplit(fixture: 'basic' | 'quirks'): Promise<{ root: string; split: string }> {
  const root = await tempDir();
  const split = join(root, 'validation');
  const source = goldenPath(fixture, 'dataset');
  await mkdir(join(split, 'annos'), { recursive: true });
  await mkdir(join(split, 'image'), { recursive: true });
  for (const f of await readdir(join(source, 'annos'))) await copyFile(join(source, 'annos', f), join(split, 'annos', f));
  for (const f of await readdir(join(source, 'image'))) await symlink(join(source, 'image', f), join(split, 'image', f));
  return { root, split };
}

test('convert coco through the CLI equals gt/coco-visible.json; --json gives the counts', async () => {
  const out = join(await tempDir(), 'gt.json');
  const run = await runCli(['convert', 'coco', goldenPath('quirks', 'dataset'), '--out', out, '--landmarks', 'visible', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const golden = JSON.parse(await readFile(goldenPath('quirks', 'gt', 'coco-visible.json'), 'utf8'));
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), golden);
  assert.deepEqual(JSON.parse(run.stdout), { out, images: golden.images.length, annotations: golden.annotations.length });
});

test('convert retrieval and pairs and stats through the CLI', async () => {
  const dir = await tempDir();
  const dataset = goldenPath('basic', 'dataset');
  const retrieval = await runCli(['convert', 'retrieval', dataset, '--query', join(dir, 'q.json'), '--gallery', join(dir, 'g.json'), '--attributes']);
  assert.equal(retrieval.code, 0, retrieval.stderr);
  assert.deepEqual(
    JSON.parse(await readFile(join(dir, 'q.json'), 'utf8')),
    JSON.parse(await readFile(goldenPath('basic', 'retrieval', 'query-attributes.json'), 'utf8')),
  );
  assert.match(retrieval.stdout, /q\.json: \d+ queries from \d+ user images/);

  const stats = await runCli(['stats', dataset, '--json', '--html', join(dir, 'stats.html')]);
  assert.equal(stats.code, 0, stats.stderr);
  const table1 = JSON.parse(stats.stdout).table1;
  const pairs = await runCli(['pairs', dataset, '--out', join(dir, 'pairs.jsonl'), '--negatives', '2', '--seed', '5', '--json']);
  assert.equal(pairs.code, 0, pairs.stderr);
  const counts = JSON.parse(pairs.stdout);
  assert.equal(counts.positives, table1.pairs, 'pairs and stats agree');
  assert.equal(counts.negatives, 2 * counts.positives);
  const lines = (await readFile(join(dir, 'pairs.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, counts.positives + counts.negatives);
  assert.ok((await readFile(join(dir, 'stats.html'), 'utf8')).includes('<svg'));

  const text = await runCli(['stats', dataset]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`${table1.images}\\s+${table1.boxes}\\s+[\\d,]+\\s+${table1.masks}\\s+${table1.pairs}`));
});

test('convert yolo through the CLI takes the split name from the folder', async () => {
  const { root, split } = await copySplit('quirks');
  const out = join(root, 'yolo');
  const run = await runCli(['convert', 'yolo', split, '--out', out, '--task', 'segment', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).split, 'val');
  assert.equal((await readdir(join(out, 'labels', 'val'))).length, (await readdir(join(split, 'annos'))).length);
  const unnamed = await runCli(['convert', 'yolo', goldenPath('quirks', 'dataset'), '--out', out, '--task', 'detect']);
  assert.equal(unnamed.code, 1);
  assert.match(unnamed.stderr, /^df2: .*dataset: expected a split folder named train, validation or test \(or --split train\|val\|test\)/);
});

test('bad input midway: exit 1 with the message of df2 validate, and no output at all', async () => {
  const { root, split } = await copySplit('basic');
  const broken = join(split, 'annos', '000060.json');
  const json = JSON.parse(await readFile(broken, 'utf8'));
  json.item1.category_id = 99;
  await writeFile(broken, JSON.stringify(json));
  const validate = await runCli(['validate', split]);
  assert.equal(validate.code, 1);
  const firstError = validate.stdout.split('\n').find((l) => l.includes('000060.json'))!;
  assert.ok(firstError, validate.stdout);

  const out = join(root, 'out');
  await mkdir(out);
  const runs = [
    ['convert', 'coco', split, '--out', join(out, 'coco.json')],
    ['convert', 'retrieval', split, '--query', join(out, 'q.json'), '--gallery', join(out, 'g.json')],
    ['convert', 'yolo', split, '--out', join(out, 'yolo'), '--task', 'pose'],
    ['pairs', split, '--out', join(out, 'pairs.jsonl')],
    ['stats', split, '--html', join(out, 'stats.html')],
  ];
  for (const args of runs) {
    const run = await runCli(args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr, `df2: ${firstError}\n`, args.join(' '));
    assert.equal(run.stdout, '');
  }
  assert.deepEqual(await readdir(out), [], 'not even the YOLO folder');
});

test('a truncated file midway leaves no COCO file', async () => {
  const { root, split } = await copySplit('basic');
  await writeFile(join(split, 'annos', '000090.json'), '{"source": "user", "pair_id": 3, "item1": {"segmentation": [[1, 2');
  const out = join(root, 'coco.json');
  const run = await runCli(['convert', 'coco', split, '--out', out]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^df2: .*000090\.json: expected valid JSON/);
  assert.deepEqual((await readdir(root)).sort(), ['validation']);
});

test('every command has help with an example', async () => {
  for (const args of [['convert', 'coco'], ['convert', 'retrieval'], ['convert', 'yolo'], ['pairs'], ['stats']]) {
    const run = await runCli([...args, '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Examples:\n\s+\$ df2 /, args.join(' '));
  }
});

test('pairs --negatives beyond the shop items caps at what exists and says so', async () => {
  const dir = await tempDir();
  const dataset = goldenPath('basic', 'dataset');
  const annotations = await Promise.all(
    (await readdir(join(dataset, 'annos'))).map(async (f) => JSON.parse(await readFile(join(dataset, 'annos', f), 'utf8')) as Record<string, unknown>),
  );
  const shopItems = annotations.filter((a) => a.source === 'shop').reduce((n, a) => n + Object.keys(a).filter((k) => /^item\d+$/.test(k)).length, 0);
  assert.ok(shopItems > 0);
  const started = performance.now();
  const run = await runCli(['pairs', dataset, '--out', join(dir, 'pairs.jsonl'), '--negatives', '100000000', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(performance.now() - started < 60_000, 'done in reasonable time');
  assert.equal(run.stderr, `df2 pairs: --negatives 100000000 is more than the split's ${shopItems} shop items: drew at most ${shopItems} per positive\n`);
  const counts = JSON.parse(run.stdout) as { positives: number; negatives: number; negativesPerPositive: number; negativesShort: number };
  assert.equal(counts.negativesPerPositive, shopItems);
  assert.equal(counts.negatives + counts.negativesShort, counts.positives * shopItems);
  // Every shop item that is not a match is drawn once per positive.
  const lines = (await readFile(join(dir, 'pairs.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { label: number });
  assert.equal(lines.filter((l) => l.label === 0).length, counts.negatives);
});

test('outputs that are inputs are refused before any work: one line, exit 1, nothing written', async () => {
  const { root, split } = await copySplit('basic');
  const anno = join(split, 'annos', '000001.json');
  const before = await readFile(anno, 'utf8');
  const same = join(root, 'same.json');
  const results = join(root, 'bbox_results.json');
  await copyFile(goldenPath('basic', 'results', 'bbox_results.json'), results);
  await symlink(results, join(root, 'link-to-results.json'));
  const cases: [args: string[], line: string][] = [
    [
      ['convert', 'retrieval', split, '--query', same, '--gallery', same],
      `df2: convert retrieval: --gallery: expected another path than every other output, found ${same}, the path of --query too`,
    ],
    [
      ['convert', 'coco', split, '--out', anno],
      `df2: convert coco: --out: expected an output that is not one of the inputs, found ${anno}, inside the split's annos/`,
    ],
    [
      ['convert', 'yolo', split, '--out', join(split, 'image', 'yolo'), '--task', 'detect'],
      `df2: convert yolo: --out: expected an output that is not one of the inputs, found ${join(split, 'image', 'yolo')}, inside the split's image/`,
    ],
    [
      ['pairs', split, '--out', join(split, 'annos', 'pairs.jsonl')],
      `df2: pairs: --out: expected an output that is not one of the inputs, found ${join(split, 'annos', 'pairs.jsonl')}, inside the split's annos/`,
    ],
    [
      ['report', '--gt', goldenPath('basic', 'gt', 'coco.json'), '--results', results, '--out', join(root, 'link-to-results.json')],
      `df2: report: --out: expected an output that is not one of the inputs, found ${join(root, 'link-to-results.json')}, an input file`,
    ],
  ];
  for (const [args, line] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr, `${line}\n`);
  }
  assert.equal(await readFile(anno, 'utf8'), before, 'the annotation is untouched');
  assert.deepEqual((await readdir(root)).sort(), ['bbox_results.json', 'link-to-results.json', 'validation']);
  assert.deepEqual(
    (await readdir(join(split, 'image'))).filter((f) => !f.endsWith('.jpg')),
    [],
  );
});
