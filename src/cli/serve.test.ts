import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
import { goldenGtDir } from '../server/test-support.js';

test('df2 users add prints a token once; list shows the user; a second add of the name fails', async () => {
  const db = join(await tempDir('df2-users-'), 'df2.sqlite');
  const added = await runCli(['users', 'add', 'alice', '--admin', '--db', db, '--json']);
  assert.equal(added.code, 0, added.stderr);
  const { name, admin, token } = JSON.parse(added.stdout) as { name: string; admin: boolean; token: string };
  assert.deepEqual([name, admin], ['alice', true]);
  assert.match(token, /^df2_[\w-]{43}$/);
  const list = await runCli(['users', 'list', '--db', db, '--json']);
  assert.deepEqual(
    (JSON.parse(list.stdout) as { name: string }[]).map((u) => u.name),
    ['alice'],
  );
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

test('df2 serve checks its options before any work: port, host, --data, --gt-dir (missing, empty, corrupt)', async () => {
  const root = await tempDir('df2-serve-check-');
  const db = join(root, 'db', 'df2.sqlite');
  const emptyGt = join(root, 'gt-empty');
  await mkdir(emptyGt);
  const corruptGt = join(root, 'gt-corrupt');
  await mkdir(corruptGt);
  const coco = JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')) as { annotations: { bbox: unknown }[] };
  coco.annotations[5]!.bbox = [1, 2, 3];
  await writeFile(join(corruptGt, 'coco.json'), JSON.stringify(coco));
  const cases: [args: string[], line: RegExp][] = [
    [['--port', '70000'], /^df2: serve: option '--port <n>' argument '70000' is invalid\. expected a port from 0 to 65535 \(see df2 serve --help\)$/],
    [['--host', '999.1.1.1'], /^df2: 999\.1\.1\.1: expected an IP address or host name of this machine \(--host\), found not a valid address$/],
    [['--data', join(root, 'no-such-split')], /^df2: .*no-such-split: expected a split folder holding annos\/ and image\/ \(--data\), found no such folder$/],
    [['--data', root], /^df2: .*: expected a split folder holding annos\/ and image\/ \(--data\), found no annos\/ folder$/],
    [
      ['--data', join(corruptGt, 'coco.json')],
      /^df2: .*coco\.json: expected a split folder holding annos\/ and image\/ \(--data\), found a file, not a folder$/,
    ],
    [
      ['--gt-dir', join(root, 'no-such-gt')],
      /^df2: .*no-such-gt: expected a folder of challenge ground truth \(coco\.json, .*\) \(--gt-dir\), found no such folder$/,
    ],
    [['--gt-dir', emptyGt], /^df2: .*gt-empty: expected a folder of challenge ground truth .*, found none of these files$/],
    [['--gt-dir', corruptGt], /^df2: .*gt-corrupt\/coco\.json: annotations\[5\]\.bbox: expected .*$/],
  ];
  for (const [args, line] of cases) {
    const res = await runCli(['serve', '--db', db, '--port', '0', ...args]);
    assert.equal(res.code, 1, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr.split('\n')[0]!, line, args.join(' '));
    assert.equal(res.stdout, '', 'no URL is printed');
    assert.ok(!existsSync(db), `${args.join(' ')}: no database was made (nothing registered)`);
  }
});

test('df2 serve with a good --gt-dir and --data serves all five tasks; Ctrl-C stops it cleanly', async () => {
  const gtDir = await goldenGtDir();
  const db = join(await tempDir('df2-serve-cli-'), 'df2.sqlite');
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'df2.js'), 'serve', '--db', db, '--port', '0', '--gt-dir', gtDir, '--data', goldenPath('basic', 'dataset')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('close', () => reject(new Error(`serve ended: ${stderr}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(stderr, /phase dev: bbox, segm, keypoints, keypoints_visible, retrieval/);
  child.kill('SIGINT');
  assert.equal(await closed, 0, stderr);
  assert.match(stderr, /df2 serve: stopping/);
});

test('df2 users add --team, rotate (old token dead at once) and revoke', async () => {
  const db = join(await tempDir('df2-users-'), 'df2.sqlite');
  const added = await runCli(['users', 'add', 'carol', '--team', 'Lab A', '--db', db, '--json']);
  assert.equal(added.code, 0, added.stderr);
  const { token, team } = JSON.parse(added.stdout) as { token: string; team: string };
  assert.equal(team, 'Lab A');
  const { openDatabase } = await import('../server/store/sqlite.js');
  const { SqlStore } = await import('../server/challenge/sql-store.js');
  const { sqliteDriver } = await import('../server/store/sqlite-driver.js');
  const { hashToken } = await import('../server/challenge/tokens.js');
  const lookup = async (t: string) => {
    const handle = openDatabase(db);
    try {
      return await (await SqlStore.open(sqliteDriver(handle))).userByTokenHash(hashToken(t));
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
  assert.equal(
    res.stderr,
    [
      `df2: ${join(dir, 'challenge.yaml')}: registration: expected open, invite or closed, found "maybe"`,
      `df2: ${join(dir, 'challenge.yaml')}: phases[0].gt: expected an existing directory, found "nowhere"`,
    ].join('\n') + '\n',
  );
  assert.equal(res.stdout, '');
});
