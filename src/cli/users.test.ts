/** `df2 users`: the commands that read or change users refuse a database that does not exist instead of making an empty one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { tempDir } from '../testing/paths.js';

test('users list, revoke and rotate refuse a missing database in one line and make nothing; users add makes it', async () => {
  const root = await tempDir('df2-users-');
  const db = join(root, 'nowhere', 'db.sqlite');
  for (const args of [['list'], ['revoke', 'alice'], ['rotate', 'alice']]) {
    const run = await runCli(['users', ...args, '--db', db]);
    assert.equal(run.code, 1, args.join(' '));
    assert.equal(run.stderr, `df2: ${db}: expected the database of df2 serve (--db; \`df2 serve\` or \`df2 users add\` makes it), found no such file\n`);
    assert.ok(!existsSync(join(root, 'nowhere')), `${args[0]!}: nothing was made`);
  }
  const add = await runCli(['users', 'add', 'alice', '--db', db, '--json']);
  assert.equal(add.code, 0, add.stderr);
  assert.match((await runCli(['users', 'list', '--db', db])).stdout, /^alice\t/);
});
