/** `df2 serve --results NAME=FILE`: bad values are one line of bad input, before the server starts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

const serve = async (results: string) =>
  runCli(['serve', '--port', '0', '--db', join(await tempDir('df2-serve-results-'), 'df2.sqlite'), '--results', results]);

test('--results without NAME= is refused in one line', async () => {
  const res = await serve('bbox_results.json');
  assert.equal(res.code, 1);
  assert.equal(res.stderr, 'df2: --results: bbox_results.json: expected NAME=FILE with NAME of letters, digits, ".", "_" or "-"\n');
  assert.equal(res.stdout, '');
});

test('--results naming a file that is not a results file is refused in one line', async () => {
  const file = goldenPath('basic', 'gt', 'coco.json');
  const res = await serve(`gt=${file}`);
  assert.equal(res.code, 1);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.equal(res.stderr, `df2: ${file}: expected a JSON array of results, found an object\n`);
  const missing = await serve('x=/nonexistent/results.json');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /^df2: \/nonexistent\/results\.json/);
});
