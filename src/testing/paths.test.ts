import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

test('a test process removes the temporary directories it made when it exits, also after a failure', () => {
  const paths = fileURLToPath(new URL('./paths.js', import.meta.url));
  for (const exitCode of [0, 1]) {
    const program = `
      import { writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      const { tempDir } = await import(${JSON.stringify(paths)});
      const dir = await tempDir('df2-cleanup-');
      writeFileSync(join(dir, 'x.txt'), 'x');
      console.log(dir);
      process.exitCode = ${exitCode};`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
    assert.equal(run.status, exitCode, run.stderr);
    const dir = run.stdout.trim();
    assert.match(dir, /df2-cleanup-/);
    assert.equal(existsSync(dir), false, `${dir} removed`);
  }
});
