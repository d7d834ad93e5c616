import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { tempDir } from '../testing/paths.js';

test('df2 users add prints a token once; list shows the user; a second add of the name fails', async () => {
  const db = join(await tempDir('df2-users-'), 'df2.sqlite');
  const added = await runCli(['users', 'add', 'alice', '--admin', '--db', db, '--json']);
  assert.equal(added.code, 0, added.stderr);
  const { name, admin, token } = JSON.parse(added.stdout) as { name: string; admin: boolean; token: string };
  assert.deepEqual([name, admin], ['alice', true]);
  assert.match(token, /^df2_[\w-]{43}$/);
  const list = await runCli(['users', 'list', '--db', db, '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as { name: string }[]).map((u) => u.name), ['alice']);
  assert.ok(!list.stdout.includes(token), 'the token is never shown again');
  const again = await runCli(['users', 'add', 'alice', '--db', db]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^df2: a user named alice exists already/);
});

test('a --db that is not a database is one line of bad input, not a crash', async () => {
  const file = join(await tempDir('df2-users-'), 'notes.txt');
  await writeFile(file, 'not a database\n');
  const res = await runCli(['users', 'list', '--db', file]);
  assert.equal(res.code, 1);
  assert.equal(res.stderr, `df2: ${file}: expected an SQLite database of df2 serve (--db), found file is not a database\n`);
});

test('df2 serve on a port in use says so in one line and exits', async () => {
  const busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  const port = (busy.address() as { port: number }).port;
  try {
    const db = join(await tempDir('df2-serve-cli-'), 'df2.sqlite');
    const res = await runCli(['serve', '--port', String(port), '--db', db]);
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim().split('\n').pop(), `df2: 127.0.0.1:${port}: expected a free port and address to listen on (--host, --port), found in use`);
    assert.equal(res.stdout, '', 'no URL is printed');
  } finally {
    busy.close();
  }
});
