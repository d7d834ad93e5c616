import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../testing/paths.js';
import { AtomicWriter, withAtomicWriter, writeFileAtomic } from './atomic.js';
import { InputError } from './errors.js';

test('writeFileAtomic creates the parent directories and leaves no temporary file', async () => {
  const dir = await tempDir();
  const target = join(dir, 'a', 'b', 'out.txt');
  await writeFileAtomic(target, 'hello');
  assert.equal(await readFile(target, 'utf8'), 'hello');
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['out.txt']);
});

test('an output under a regular file is an InputError naming the output', async () => {
  const dir = await tempDir();
  const blocker = join(dir, 'file');
  await writeFile(blocker, 'x');
  const target = join(blocker, 'out.txt');
  await assert.rejects(writeFileAtomic(target, 'data'), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, target);
    assert.match(err.message, /expected a writable output path, found E(EXIST|NOTDIR)/);
    return true;
  });
  await assert.rejects(
    withAtomicWriter(target, async (out) => {
      await out.write('data');
    }),
    InputError,
  );
});

test('a temporary file that cannot be opened fails the write or commit, not the process', async () => {
  const dir = await tempDir();
  // The parent exists, but the temporary name (target name plus a suffix) is
  // too long for the file system: opening it fails after open() returned.
  const target = join(dir, 'a'.repeat(250));
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
  await assert.rejects(
    withAtomicWriter(target, async (out) => {
      await settle();
      await out.write('data');
    }),
    (err: unknown) => err instanceof InputError && err.file === target && /ENAMETOOLONG/.test(err.message),
  );
  const out = await AtomicWriter.open(target);
  await settle();
  await assert.rejects(out.commit(), InputError);
  assert.deepEqual(await readdir(dir), []);
});

test('a failing fill removes the temporary file and passes its error through', async () => {
  const dir = await tempDir();
  const target = join(dir, 'out.json');
  const bad = new InputError('in.json', '[0]', 'a number', 'null');
  await assert.rejects(
    withAtomicWriter(target, async (out) => {
      await out.write('partial');
      throw bad;
    }),
    (err: unknown) => err === bad,
  );
  assert.deepEqual(await readdir(dir), []);
});
