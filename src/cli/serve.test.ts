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

test('df2 users add --team, rotate (old token dead at once) and revoke', async () => {
  const db = join(await tempDir('df2-users-'), 'df2.sqlite');
  const added = await runCli(['users', 'add', 'carol', '--team', 'Lab A', '--db', db, '--json']);
  assert.equal(added.code, 0, added.stderr);
  const { token, team } = JSON.parse(added.stdout) as { token: string; team: string };
  assert.equal(team, 'Lab A');
  const { openDatabase } = await import('../server/store/sqlite.js');
  const { SqliteStore } = await import('../server/challenge/sqlite-store.js');
  const { hashToken } = await import('../server/challenge/tokens.js');
  const lookup = async (t: string) => {
    const handle = openDatabase(db);
    try {
      return await new SqliteStore(handle).userByTokenHash(hashToken(t));
    } finally {
      handle.close();
    }
  };
  assert.equal((await lookup(token))?.team, 'Lab A');
  const rotated = await runCli(['users', 'rotate', 'CAROL', '--db', db]);
  assert.equal(rotated.code, 0, rotated.stderr);
  const fresh = rotated.stdout.trim();
  assert.match(fresh, /^df2_[\w-]{43}$/);
  assert.equal(await lookup(token), undefined);
  assert.equal((await lookup(fresh))?.name, 'carol');
  const revoked = await runCli(['users', 'revoke', 'carol', '--db', db]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(await lookup(fresh), undefined);
  const list = await runCli(['users', 'list', '--db', db]);
  assert.match(list.stdout, /^carol \(team Lab A, revoked\)\t/);
  const missing = await runCli(['users', 'revoke', 'nobody', '--db', db]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `df2: no user named nobody in ${db}\n`);
  const again = await runCli(['users', 'add', 'Carol', '--db', db]);
  assert.equal(again.code, 1, 'names are unique without regard to case');
});

test('a bad challenge file is one line per mistake, naming the field; no server starts', async () => {
  const dir = await tempDir('df2-serve-cli-');
  await writeFile(join(dir, 'challenge.yaml'), 'title: x\nregistration: maybe\nphases:\n  - name: dev\n    gt: nowhere\n');
  const res = await runCli(['serve', '--challenge', join(dir, 'challenge.yaml'), '--db', join(dir, 'df2.sqlite'), '--port', '0']);
  assert.equal(res.code, 1);
  assert.equal(res.stderr, [
    `df2: ${join(dir, 'challenge.yaml')}: registration: expected open, invite or closed, found "maybe"`,
    `df2: ${join(dir, 'challenge.yaml')}: phases[0].gt: expected an existing directory, found "nowhere"`,
  ].join('\n') + '\n');
  assert.equal(res.stdout, '');
});
