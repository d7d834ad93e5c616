import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, type CliResult } from '../testing/cli.js';
import { GOLDEN_FIXTURES, RELEASE_SAMPLE_DIR, goldenPath, tempDir } from '../testing/paths.js';
import { listSplit, readSplit } from '../dataset/index.js';
import { checkSplitFiles } from '../dataset/internal.js';
import { runValidate } from './validate.js';
import { InputError } from '../util/errors.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

const STACK_LINE = /^\s+at /m;

function assertNoStack(result: CliResult): void {
  assert.doesNotMatch(result.stderr, STACK_LINE, result.stderr);
  assert.doesNotMatch(result.stdout, STACK_LINE);
}

test('the golden splits and the release sample validate clean (exit 0, one summary line)', async () => {
  const dirs = [RELEASE_SAMPLE_DIR, ...GOLDEN_FIXTURES.map((f) => goldenPath(f, 'dataset'))];
  const results = await Promise.all(dirs.map((dir) => runCli(['validate', dir])));
  const expected = [
    [1, 2],
    [120, 255],
    [80, 173],
  ];
  results.forEach((result, i) => {
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assertNoStack(result);
    const lines = result.stdout.trimEnd().split('\n');
    const [files, items] = expected[i]!;
    assert.match(lines.at(-1)!, new RegExp(`: valid: ${files} files, ${items} items, 0 errors, \\d+ warnings?$`));
    // Everything before the summary is a warning.
    for (const line of lines.slice(0, -1)) assert.match(line, /^warning: /);
  });
  assert.equal(results[0]!.stdout.split('\n').length, 2, 'the release sample has no warning');
});

const SAMPLE_TEXT = await readFile(join(RELEASE_SAMPLE_DIR, 'annos', '000001.json'), 'utf8');

/** Returned by a change that wrote (or removed) the annotation file itself. */
const KEEP = Symbol('keep');
type Change = (dir: string, name: string, sample: Record<string, any>) => Promise<Record<string, any> | typeof KEEP | void>;

/** Adds the real release file and its 468x624 image stand-in as `name`, changed on purpose by `change`. */
async function addFile(dir: string, name: string, change: Change = async () => {}): Promise<void> {
  await copyFile(join(RELEASE_SAMPLE_DIR, 'image', '000001.jpg'), join(dir, 'image', `${name}.jpg`));
  const sample = JSON.parse(SAMPLE_TEXT);
  const changed = (await change(dir, name, sample)) ?? sample;
  if (changed !== KEEP) await writeFile(join(dir, 'annos', `${name}.json`), JSON.stringify(changed));
}

/** A temp split holding golden basic 000002 as a clean neighbour, and the release file as 000001 changed by `change`. */
async function brokenSplit(change: Change): Promise<string> {
  const dir = await tempDir('df2-validate-');
  await mkdir(join(dir, 'annos'));
  await mkdir(join(dir, 'image'));
  await copyFile(goldenPath('basic', 'dataset', 'annos', '000002.json'), join(dir, 'annos', '000002.json'));
  await copyFile(goldenPath('basic', 'dataset', 'image', '000002.jpg'), join(dir, 'image', '000002.jpg'));
  await addFile(dir, '000001', change);
  return dir;
}

interface Case {
  what: string;
  change: Change;
  /** The file named in the line, relative to the split, for the broken file `name`. */
  file: (name: string) => string;
  /** JSON path ('' for the whole file). */
  path: string;
  /** Start of the expectation. */
  expected: string;
}

const edit =
  (f: (s: Record<string, any>) => void): Change =>
  async (_dir, _name, s) => {
    f(s);
  };
const anno = (name: string): string => `annos/${name}.json`;
const image = (name: string): string => `image/${name}.jpg`;

const ERROR_CASES: Case[] = [
  {
    what: 'unreadable file',
    change: async (dir, name) => {
      await mkdir(join(dir, anno(name)));
      return KEEP;
    },
    file: anno,
    path: '',
    expected: 'a readable file',
  },
  {
    what: 'not JSON',
    change: async (dir, name) => {
      await writeFile(join(dir, anno(name)), '{"source": "user",');
      return KEEP;
    },
    file: anno,
    path: '',
    expected: 'valid JSON',
  },
  { what: 'missing field', change: edit((s) => delete s.item1.category_id), file: anno, path: 'item1.category_id', expected: 'an integer 1..13' },
  {
    what: 'mistyped field',
    change: edit((s) => (s.item2.bounding_box = '249,423,466,623')),
    file: anno,
    path: 'item2.bounding_box',
    expected: '[x1, y1, x2, y2]',
  },
  { what: 'category_id outside 1..13', change: edit((s) => (s.item1.category_id = 0)), file: anno, path: 'item1.category_id', expected: 'an integer 1..13' },
  {
    what: 'category_name not matching',
    change: edit((s) => (s.item2.category_name = 'shorts')),
    file: anno,
    path: 'item2.category_name',
    expected: '"trousers"',
  },
  { what: 'landmark vector length', change: edit((s) => s.item2.landmarks.push(0, 0, 0)), file: anno, path: 'item2.landmarks', expected: '3 x 14 numbers' },
  {
    what: 'visibility not 0/1/2',
    change: edit((s) => (s.item2.landmarks[14] = 3)),
    file: anno,
    path: 'item2.landmarks[14]',
    expected: 'a visibility 0, 1 or 2',
  },
  { what: 'v = 0 with coordinates', change: edit((s) => (s.item2.landmarks[13] = 12)), file: anno, path: 'item2.landmarks[12]', expected: 'x = y = 0' },
  { what: 'box x2 < x1', change: edit((s) => (s.item1.bounding_box = [400, 29, 100, 622])), file: anno, path: 'item1.bounding_box', expected: 'x2 >= x1' },
  { what: 'box y2 < y1', change: edit((s) => (s.item1.bounding_box = [0, 622, 466, 29])), file: anno, path: 'item1.bounding_box', expected: 'y2 >= y1' },
  {
    what: 'box outside the image (size from the header)',
    change: edit((s) => (s.item2.bounding_box[3] = 700)),
    file: anno,
    path: 'item2.bounding_box[3]',
    expected: 'y2 <= 624 (the image height)',
  },
  {
    what: 'polygon with an odd number of values',
    change: edit((s) => s.item1.segmentation[2].push(5)),
    file: anno,
    path: 'item1.segmentation[2]',
    expected: 'an even number of values',
  },
  {
    what: 'polygon of fewer than 2 points',
    change: edit((s) => (s.item2.segmentation[1] = [3, 4])),
    file: anno,
    path: 'item2.segmentation[1]',
    expected: 'a polygon of at least 3 points',
  },
  { what: 'scale outside 1..3', change: edit((s) => (s.item1.scale = 4)), file: anno, path: 'item1.scale', expected: 'an integer 1..3' },
  { what: 'occlusion outside 1..3', change: edit((s) => (s.item1.occlusion = 0)), file: anno, path: 'item1.occlusion', expected: 'an integer 1..3' },
  { what: 'zoom_in outside 1..3', change: edit((s) => (s.item2.zoom_in = -1)), file: anno, path: 'item2.zoom_in', expected: 'an integer 1..3' },
  { what: 'viewpoint outside 1..3', change: edit((s) => (s.item2.viewpoint = 2.5)), file: anno, path: 'item2.viewpoint', expected: 'an integer 1..3' },
  { what: 'style negative', change: edit((s) => (s.item1.style = -2)), file: anno, path: 'item1.style', expected: 'an integer from 0 to 2^53 - 1' },
  { what: 'style not an integer', change: edit((s) => (s.item1.style = 0.5)), file: anno, path: 'item1.style', expected: 'an integer from 0 to 2^53 - 1' },
  { what: 'style beyond 2^53', change: edit((s) => (s.item1.style = 2 ** 53 + 2)), file: anno, path: 'item1.style', expected: 'an integer from 0 to 2^53 - 1' },
  { what: 'pair_id not an integer', change: edit((s) => (s.pair_id = '1')), file: anno, path: 'pair_id', expected: 'an integer' },
  { what: 'pair_id beyond 2^53', change: edit((s) => (s.pair_id = 1e20)), file: anno, path: 'pair_id', expected: 'an integer (at most 2^53 - 1)' },
  { what: 'source not user/shop', change: edit((s) => (s.source = 'consumer')), file: anno, path: 'source', expected: '"user" or "shop"' },
  {
    what: 'annotation without image',
    change: async (dir, name) => {
      await rm(join(dir, image(name)));
    },
    file: anno,
    path: '',
    expected: 'an image ',
  },
  { what: 'image without annotation', change: async () => KEEP, file: image, path: '', expected: 'an annotation ' },
  {
    what: 'annotation file name not six digits',
    change: async (dir, name, s) => {
      await writeFile(join(dir, 'annos', `${Number(name)}.json`), JSON.stringify(s));
      await rm(join(dir, image(name)));
      return KEEP;
    },
    file: (name) => `annos/${Number(name)}.json`,
    path: '',
    expected: 'a six-digit file name like 000001.json',
  },
  {
    what: 'image file name not six digits',
    change: async (dir, name) => {
      await rename(join(dir, image(name)), join(dir, 'image', `${name}0.jpg`));
      await ignoreRejection(rm(join(dir, anno(name))), 'the file may be gone already');
      return KEEP;
    },
    file: (name) => `image/${name}0.jpg`,
    path: '',
    expected: 'a six-digit file name like 000001.jpg',
  },
  {
    what: 'no items',
    change: edit((s) => {
      delete s.item1;
      delete s.item2;
    }),
    file: anno,
    path: '',
    expected: 'at least one item',
  },
  {
    what: 'unreadable image',
    change: async (dir, name) => {
      await writeFile(join(dir, image(name)), 'not a jpeg');
    },
    file: image,
    path: '',
    expected: 'a readable JPEG or PNG image',
  },
];

const WARNING_CASES: Case[] = [
  {
    what: 'segmentation with no polygon',
    change: edit((s) => (s.item1.segmentation = [])),
    file: anno,
    path: 'item1.segmentation',
    expected: 'at least one polygon',
  },
  {
    what: 'box of zero area',
    change: edit((s) => (s.item1.bounding_box = [0, 29, 0, 622])),
    file: anno,
    path: 'item1.bounding_box',
    expected: 'a box of non-zero area',
  },
  {
    what: 'two-point polygon',
    change: edit((s) => (s.item1.segmentation[1] = [1, 176, 0, 332])),
    file: anno,
    path: 'item1.segmentation[1]',
    expected: 'a polygon of at least 3 points',
  },
];

function lineFor(dir: string, name: string, c: Case): string {
  return `${join(dir, c.file(name))}: ${c.path ? `${c.path}: ` : ''}expected ${c.expected}`;
}

/** `df2 validate DIR` in-process: exit code and stdout. */
async function validateInProcess(dir: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runValidate(dir, {}, (text) => (stdout += text));
  return { code, stdout };
}

test('each kind of error alone: exit 1 and a line naming file, JSON path and expectation', async () => {
  for (const c of ERROR_CASES) {
    const dir = await brokenSplit(c.change);
    const { code, stdout } = await validateInProcess(dir);
    assert.equal(code, 1, `${c.what}: ${stdout}`);
    const line = stdout.split('\n').find((l) => l.startsWith(lineFor(dir, '000001', c)));
    assert.ok(line, `${c.what}: no line starting ${lineFor(dir, '000001', c)} in\n${stdout}`);
    assert.match(line, /, found .+$/, c.what);
    assert.match(stdout, /: invalid: \d+ files, \d+ items, [1-9]\d* errors?, \d+ warnings?\n$/, c.what);
  }
});

test('df2 validate on a split with every kind of error: exit 1, every line, no stack trace', async () => {
  const dir = await tempDir('df2-validate-all-');
  await mkdir(join(dir, 'annos'));
  await mkdir(join(dir, 'image'));
  const nameOf = (i: number): string => String(i + 1).padStart(6, '0');
  for (const [i, c] of ERROR_CASES.entries()) await addFile(dir, nameOf(i), c.change);
  const result = await runCli(['validate', dir]);
  assert.equal(result.code, 1, result.stderr);
  assertNoStack(result);
  const lines = result.stdout.split('\n');
  for (const [i, c] of ERROR_CASES.entries()) {
    assert.ok(
      lines.some((l) => l.startsWith(lineFor(dir, nameOf(i), c))),
      `${c.what}: no line starting ${lineFor(dir, nameOf(i), c)}`,
    );
  }
});

test('warnings are prefixed, counted, and do not fail', async () => {
  for (const c of WARNING_CASES) {
    const dir = await brokenSplit(c.change);
    const { code, stdout } = await validateInProcess(dir);
    assert.equal(code, 0, `${c.what}: ${stdout}`);
    assert.ok(stdout.includes(`warning: ${lineFor(dir, '000001', c)}`), `${c.what}:\n${stdout}`);
    assert.match(stdout, /: valid: 2 files, 7 items, 0 errors, 1 warning\n$/, c.what);
  }
  const dir = await brokenSplit(WARNING_CASES[0]!.change);
  await addFile(dir, '000003', WARNING_CASES[1]!.change);
  const result = await runCli(['validate', dir]);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  assert.match(result.stdout, /^warning: .*\nwarning: .*\n.*: valid: 3 files, 9 items, 0 errors, 2 warnings\n$/);
});

test('every problem is reported, in file order, not just the first', async () => {
  const dir = await brokenSplit(async (d, _name, s) => {
    s.item1.scale = 7;
    s.item2.landmarks[14] = 9;
    await copyFile(join(d, 'image', '000001.jpg'), join(d, 'image', '000000.jpg'));
    const other = JSON.parse(await readFile(join(d, 'annos', '000002.json'), 'utf8'));
    other.source = 'both';
    await writeFile(join(d, 'annos', '000002.json'), JSON.stringify(other));
  });
  const result = await validateInProcess(dir);
  assert.equal(result.code, 1);
  const lines = result.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.slice(0, -1).map((l) => l.slice(0, l.indexOf(': expected'))),
    [
      join(dir, 'image', '000000.jpg'),
      `${join(dir, 'annos', '000001.json')}: item2.landmarks[14]`,
      `${join(dir, 'annos', '000001.json')}: item1.scale`,
      `${join(dir, 'annos', '000002.json')}: source`,
    ],
  );
  assert.match(lines.at(-1)!, /invalid: 2 files, \d+ items, 4 errors, 0 warnings$/);
});

test('--json prints the counts and every problem, nothing on stderr', async () => {
  const dir = await brokenSplit(
    edit((s) => {
      s.item2.landmarks[14] = 3;
      s.item1.segmentation = [];
    }),
  );
  const result = await runCli(['validate', dir, '--json']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '');
  const report = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(report), ['files', 'items', 'errors', 'warnings', 'problems']);
  assert.deepEqual([report.files, report.errors, report.warnings], [2, 1, 1]);
  assert.equal(report.items, 2 + 5);
  assert.deepEqual(report.problems, [
    { file: join(dir, 'annos', '000001.json'), path: 'item2.landmarks[14]', expected: 'a visibility 0, 1 or 2 (landmark 5)', found: '3', severity: 'error' },
    { file: join(dir, 'annos', '000001.json'), path: 'item1.segmentation', expected: 'at least one polygon', found: 'an empty list', severity: 'warning' },
  ]);
  const clean = await runCli(['validate', goldenPath('basic', 'dataset'), '--json']);
  assert.equal(clean.code, 0);
  const cleanReport = JSON.parse(clean.stdout);
  assert.deepEqual([cleanReport.files, cleanReport.items, cleanReport.errors], [120, 255, 0]);
  assert.equal(cleanReport.warnings, cleanReport.problems.length);
});

test('readSplit throws the same line that df2 validate prints for the first error', async () => {
  const dir = await brokenSplit(edit((s) => (s.item1.bounding_box[2] = 500)));
  const result = await validateInProcess(dir);
  const firstLine = result.stdout.split('\n')[0];
  await assert.rejects(
    async () => {
      for await (const _ of readSplit(dir)) {
        /* read on */
      }
    },
    (err: unknown) => err instanceof InputError && err.message === firstLine,
  );
});

test('a directory that is not a split: one line on stderr, exit 1, no stack', async () => {
  const dir = await tempDir();
  const result = await runCli(['validate', join(dir, 'missing')]);
  assert.equal(result.code, 1);
  assertNoStack(result);
  assert.equal(result.stderr, `df2: ${join(dir, 'missing')}: expected a split directory with annos/ and image/, found nothing there\n`);
  const help = await runCli(['validate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--json/);
  assert.match(help.stdout, /Examples:\n\s+\$ df2 validate /);
});

test('dot files in annos/ and image/ (.DS_Store, ._000001.json) are not part of the split', async () => {
  const dir = await brokenSplit(async () => {});
  await writeFile(join(dir, 'annos', '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
  await writeFile(join(dir, 'annos', '._000001.json'), Buffer.from([0, 5, 0x16, 7]));
  await writeFile(join(dir, 'image', '.DS_Store'), 'x');
  const result = await runCli(['validate', dir]);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /: valid: 2 files, 7 items, 0 errors, 0 warnings\n$/);
  const coco = await runCli(['convert', 'coco', dir, '--out', join(dir, 'coco.json'), '--json']);
  assert.equal(coco.code, 0, coco.stderr);
  assert.equal(JSON.parse(coco.stdout).images, 2);
});

test('a gzip-compressed annotation file is named as such', async () => {
  const dir = await brokenSplit(async (d, name, s) => {
    await writeFile(join(d, 'annos', `${name}.json`), gzipSync(JSON.stringify(s)));
    return KEEP;
  });
  const { code, stdout } = await validateInProcess(dir);
  assert.equal(code, 1);
  assert.ok(
    stdout.includes(`${join(dir, 'annos', '000001.json')}: expected a JSON file, found gzip-compressed data (decompress it first, e.g. with gunzip)\n`),
    stdout,
  );
});

test("df2's own synthetic splits validate with zero warnings (items without labelled landmarks included)", async () => {
  const out = join(await tempDir('df2-validate-synth-'), 'synth');
  const made = await runCli(['synth', '--out', out, '--images', '300', '--seed', '11', '--json']);
  assert.equal(made.code, 0, made.stderr);
  const annotations = await Promise.all(
    (await readdir(join(out, 'annos'))).map(async (f) => JSON.parse(await readFile(join(out, 'annos', f), 'utf8')) as Record<string, any>),
  );
  const unlabelled = annotations
    .flatMap((a) =>
      Object.keys(a)
        .filter((k) => k.startsWith('item'))
        .map((k) => a[k]),
    )
    .filter((item) => item.landmarks.every((v: number) => v === 0));
  assert.ok(unlabelled.length > 0, 'the split holds items without a labelled landmark, as the release does');
  const result = await runCli(['validate', out]);
  assert.equal(result.code, 0, result.stdout);
  assert.equal(result.stdout, `${out}: valid: 300 files, ${JSON.parse(made.stdout).items} items, 0 errors, 0 warnings\n`);
});

test('a split read within a byte budget smaller than any file still reads every file, in order, problems included', async () => {
  const dir = await brokenSplit(async () => {});
  await addFile(dir, '000003');
  await mkdir(join(dir, 'annos', '000004.json')); // unreadable: a directory
  await addFile(dir, '000005');
  const files = [];
  for await (const file of checkSplitFiles(dir, await listSplit(dir), { maxBytesInFlight: 1, concurrency: 8 })) files.push(file);
  assert.deepEqual(
    files.map((f) => f.name),
    ['000001', '000002', '000003', '000004', '000005'],
  );
  assert.deepEqual(
    files.map((f) => f.problems.filter((p) => p.severity === 'error').length),
    [0, 0, 0, 1, 0],
  );
  assert.equal(files[3]!.problems[0]!.found, 'a directory');
});
