import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { makeCopyDir, removeOrphanCopies } from './upload-copies.js';

/** The id of a process that has ended (started and waited for). */
async function endedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('copies of processes that ended are removed; those of running processes, and other files, stay', async () => {
  const root = await tempDir('df2-copies-');
  const dead = await endedPid();
  const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    const mine = await makeCopyDir(root);
    assert.match(mine, new RegExp(`df2-upload-${process.pid}-`));
    await writeFile(join(mine, 'results.json'), '[]');
    for (const name of [`df2-upload-${dead}-aaaaaa`, `df2-upload-${alive.pid}-bbbbbb`, 'df2-upload-cccccc', 'other']) {
      await mkdir(join(root, name));
      await writeFile(join(root, name, 'results.json'), '[]');
    }

    assert.equal(await removeOrphanCopies(root), 1);
    const left = (await readdir(root)).sort();
    assert.deepEqual(left, [`df2-upload-${alive.pid}-bbbbbb`, 'df2-upload-cccccc', mine.slice(root.length + 1), 'other'].sort());
    assert.equal(await removeOrphanCopies(join(root, 'missing')), 0, 'a missing root is nothing to do');
  } finally {
    alive.kill();
  }
});
