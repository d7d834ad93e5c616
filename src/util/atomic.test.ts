import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
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
    assert.equal(err.message, `${target}: expected a writable output path, found ${blocker}, a file where a folder is needed`);
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

test('a symbolic link is written through: its target gets the data, the link stays a link', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'real'));
  const link = join(dir, 'link.json');
  await symlink(join('real', 'out.json'), link); // dangling until the first write
  await writeFileAtomic(link, 'first');
  await withAtomicWriter(link, async (out) => {
    await out.write('second');
  });
  assert.ok((await lstat(link)).isSymbolicLink());
  assert.equal(await readlink(link), join('real', 'out.json'));
  assert.equal(await readFile(join(dir, 'real', 'out.json'), 'utf8'), 'second');
  assert.deepEqual(await readdir(join(dir, 'real')), ['out.json']);
  assert.deepEqual((await readdir(dir)).sort(), ['link.json', 'real']);
});

test('a FIFO, a device or a folder is refused as an output (also through a link) and stays what it was', async () => {
  const dir = await tempDir();
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  await symlink(fifo, join(dir, 'to-fifo'));
  await mkdir(join(dir, 'folder'));
  const cases: [string, RegExp][] = [
    [fifo, /found a FIFO \(named pipe\)$/],
    [join(dir, 'to-fifo'), /found a FIFO \(named pipe\) \(through the link to .*fifo\)$/],
    ['/dev/null', /found a character device$/],
    [join(dir, 'folder'), /found a folder$/],
  ];
  for (const [target, found] of cases) {
    for (const write of [() => writeFileAtomic(target, 'x'), () => withAtomicWriter(target, async (out) => out.write('x'))]) {
      await assert.rejects(write(), (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.equal(err.file, target);
        assert.match(err.message, found);
        return true;
      });
    }
  }
  assert.ok((await lstat(fifo)).isFIFO());
  assert.ok((await lstat('/dev/null')).isCharacterDevice());
  assert.deepEqual((await readdir(dir)).sort(), ['fifo', 'folder', 'to-fifo']);
});
