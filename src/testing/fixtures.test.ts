/**
 * The fixtures under `fixtures/` are a copy of the project's shared fixtures (`../shared/golden`
 * and `../shared/reference`). When `../shared` sits beside the clone, every file must be
 * byte-equal, and no file may be missing on either side; a clone alone checks that its copy is whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GOLDEN_DIR, REFERENCE_DIR, SHARED_DIR } from './paths.js';

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

test('the fixture copy holds both golden fixtures, wrap and the reference files', async () => {
  for (const dir of ['basic', 'quirks', 'wrap']) assert.ok(existsSync(join(GOLDEN_DIR, dir, 'golden.json')), dir);
  assert.ok(existsSync(join(REFERENCE_DIR, 'deepfashion2-landmarks.json')));
  assert.ok(existsSync(join(REFERENCE_DIR, 'release-sample', 'annos', '000001.json')));
});

const sharedGolden = join(SHARED_DIR, 'golden');
test('fixtures/golden is byte-equal to ../shared/golden', { skip: !existsSync(sharedGolden) && 'no ../shared beside this clone' }, async () => {
  const [ours, theirs] = await Promise.all([listFiles(GOLDEN_DIR), listFiles(sharedGolden)]);
  assert.deepEqual(ours, theirs, 'the same file list');
  for (const file of ours) {
    const [a, b] = await Promise.all([readFile(join(GOLDEN_DIR, file)), readFile(join(sharedGolden, file))]);
    assert.ok(a.equals(b), `${file} differs from ../shared/golden/${file}`);
  }
});

const sharedReference = join(SHARED_DIR, 'reference');
test('fixtures/reference is byte-equal to ../shared/reference', { skip: !existsSync(sharedReference) && 'no ../shared beside this clone' }, async () => {
  const [ours, theirs] = await Promise.all([listFiles(REFERENCE_DIR), listFiles(sharedReference)]);
  assert.deepEqual(ours, theirs, 'the same file list');
  for (const file of ours) {
    const [a, b] = await Promise.all([readFile(join(REFERENCE_DIR, file)), readFile(join(sharedReference, file))]);
    assert.ok(a.equals(b), `${file} differs from ../shared/reference/${file}`);
  }
});
