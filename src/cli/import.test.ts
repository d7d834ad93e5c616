/**
 * `df2 import` wiring: what is not a zip archive is refused in one line naming
 * it, before anything is written. (The archives themselves are tested in
 * dataset/zip-import/import.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { tempDir } from '../testing/paths.js';

test('a folder given as an archive: one line naming it, exit 1, nothing written', async () => {
  const folder = await tempDir('df2-import-folder-');
  const result = await runCli(['import', folder, '--out', join(folder, 'data')], { env: { DF2_ZIP_PASSWORD: 'unused' } });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, `df2: ${folder}: expected a readable zip archive, found a directory\n`);
  assert.deepEqual(await readdir(folder), []);
});
