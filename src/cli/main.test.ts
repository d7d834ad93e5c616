/**
 * The command line as a whole: help marks required options, documents
 * DF2_DEBUG and exit codes; option conflicts are one line with one prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { runCli } from '../testing/cli.js';
import { buildProgram } from './main.js';

function* allCommands(command: Command, path: string[] = []): Generator<[string[], Command]> {
  for (const sub of command.commands) {
    const subPath = [...path, sub.name()];
    yield [subPath, sub];
    yield* allCommands(sub, subPath);
  }
}

test('--help of every command marks exactly its required options "(required)"', async () => {
  let required = 0;
  for (const [path, command] of allCommands(await buildProgram())) {
    const help = command.helpInformation();
    for (const option of command.options) {
      const line = help.split('\n').find((l) => l.trimStart().startsWith(option.flags));
      assert.ok(line, `${path.join(' ')}: ${option.flags} in the help`);
      assert.equal(line.includes('(required)'), option.mandatory, `${path.join(' ')}: ${line}`);
      if (option.mandatory) required++;
    }
  }
  assert.ok(required >= 10, `only ${required} required options found`);
});

test('a command line that names a command builds that command alone; any other builds them all', async () => {
  const all = (await buildProgram()).commands.map((c) => c.name());
  assert.deepEqual(all, ['import', 'validate', 'convert', 'pairs', 'stats', 'eval', 'compare', 'render', 'report', 'synth', 'serve', 'worker', 'users']);
  assert.deepEqual(
    (await buildProgram(['node', 'df2', 'eval', 'bbox'])).commands.map((c) => c.name()),
    ['eval'],
  );
  assert.deepEqual(
    (await buildProgram(['node', 'df2', '--help'])).commands.map((c) => c.name()),
    all,
  );
  assert.deepEqual(
    (await buildProgram(['node', 'df2', 'evl'])).commands.map((c) => c.name()),
    all,
    "a typo gets commander's suggestion",
  );
});

test('df2 --help documents exit codes and DF2_DEBUG', async () => {
  const run = await runCli(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Exit code 2 is a bug in df2: set DF2_DEBUG=1 to print its stack trace/);
  assert.match(run.stdout, /exit code 1/);
});

test('an option conflict is one line with the prefix of every error: "df2: render: ..."', async () => {
  const run = await runCli(['render', 'some-split', '1', '--query', 'q.json']);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, 'df2: render: --query/--gallery/--retrieval-results: expected all three retrieval files together, found only some\n');
});

test("commander's usage errors are one line with the df2: prefix, naming the command", async () => {
  const cases: [string[], string][] = [
    [['import', 'x.zip'], "df2: import: required option '--out <dir>' not specified (see df2 import --help)\n"],
    [['users', 'list', '--bogus'], "df2: users list: unknown option '--bogus' (see df2 users list --help)\n"],
    [
      ['eval', 'bbox', '--gt', 'g.json', '--results', 'r.json', '--jsn'],
      "df2: eval bbox: unknown option '--jsn' (Did you mean --json?) (see df2 eval bbox --help)\n",
    ],
    [['evl'], "df2: unknown command 'evl' (Did you mean eval?) (see df2 --help)\n"],
  ];
  for (const [args, line] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 1, args.join(' '));
    assert.equal(run.stderr, line);
  }
});
