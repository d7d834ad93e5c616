import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../testing/cli.js';

// An address where nothing listens: the checks must answer before any connection is tried.
const DB = 'postgres://df2@127.0.0.1:1/df2';

test('df2 worker --help says that exactly one of --challenge and --gt-dir is required', async () => {
  const help = await runCli(['worker', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: df2 worker --db <url> \(--challenge <file> \| --gt-dir <dir>\) \[options\]$/m);
  assert.match(help.stdout, /^Exactly one of --challenge and --gt-dir is required/m);
});

for (const [what, args] of [
  ['neither', []],
  ['both', ['--challenge', 'challenge.yaml', '--gt-dir', 'gt']],
] as const) {
  test(`df2 worker with ${what} of --challenge and --gt-dir: one line, exit 1`, async () => {
    const res = await runCli(['worker', '--db', DB, ...args]);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, `df2: worker: --challenge/--gt-dir: expected exactly one of --challenge FILE and --gt-dir DIR (the servers'), found ${what}\n`);
    assert.equal(res.stdout, '');
  });
}
