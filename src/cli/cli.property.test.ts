/**
 * Properties of the command line: any command that reads files (not serve,
 * worker or users, which run until stopped or need a database), with
 * generated arguments (real and missing paths, options with good and bad
 * values, in any order), exits 0 or 1, never 2 (a bug) and never with a
 * stack trace; a failure says what was wrong first.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkProperty, fuzzTimeout } from '../testing/fuzz.js';
import { GOLDEN_DIR, REPO_ROOT, goldenPath, tempDir } from '../testing/paths.js';

const COMMANDS = [
  ['validate'],
  ['pairs'],
  ['stats'],
  ['convert', 'coco'],
  ['convert', 'retrieval'],
  ['convert', 'yolo'],
  ['eval', 'bbox'],
  ['eval', 'segm'],
  ['eval', 'keypoints'],
  ['eval', 'retrieval'],
  ['render'],
  ['report'],
  ['import'],
];

const OPTIONS = [
  '--gt',
  '--results',
  '--out',
  '--json',
  '--by',
  '--concurrency',
  '--query',
  '--gallery',
  '--negatives',
  '--seed',
  '--conf',
  '--iou',
  '--errors',
  '--confusion',
  '--task',
  '--quiet',
];

let dir: string;
let values: string[];

before(async () => {
  dir = await tempDir('df2-cli-fuzz-');
  await writeFile(join(dir, 'not-json.json'), '{"source": ');
  await writeFile(join(dir, 'empty.zip'), '');
  values = [
    goldenPath('basic', 'dataset'),
    goldenPath('basic', 'gt', 'coco.json'),
    goldenPath('basic', 'results', 'bbox_results.json'),
    goldenPath('basic', 'retrieval', 'query.json'),
    goldenPath('basic', 'retrieval', 'results.json'),
    GOLDEN_DIR,
    join(dir, 'not-json.json'),
    join(dir, 'empty.zip'),
    join(dir, 'missing'),
    join(dir, 'out', 'deeper', 'x.json'),
    join(dir, 'out.json'),
    '1',
    '0',
    '-1',
    'NaN',
    '1e400',
    'all',
    'occlusion',
    '',
    '--',
    '\u0000',
  ];
});

/** Runs df2 with a time limit; a run that passes it fails the property as a hang. */
function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), ...args], {
      cwd: dir,
      env: { ...process.env, CI: '1', DF2_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the command line', { timeout: fuzzTimeout() }, () => {
  test('any file-reading command with generated arguments exits 0 or 1, never 2, never a stack trace', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        fc.array(
          fc.oneof(
            fc.nat().map((k) => values[k % values.length]!),
            fc.tuple(fc.constantFrom(...OPTIONS), fc.nat()).map(([option, k]) => `${option}=${values[k % values.length]}`),
            fc.constantFrom(...OPTIONS),
          ),
          { maxLength: 6 },
        ),
        async (command, args) => {
          // NUL cannot be passed in an argument at all: the operating system refuses it before df2 runs.
          fc.pre(!args.some((a) => a.includes('\u0000')));
          const result = await run([...command, ...args]);
          assert.equal(result.signal, null, `killed: no end within 90 s`);
          assert.ok(result.code === 0 || result.code === 1, `exit code ${result.code}: ${result.stderr}`);
          assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace');
          if (result.code === 1) assert.ok(result.stderr.trim().length > 0, 'exit 1 without a word');
        },
      ),
      8,
      0.002,
    );
  });
});
