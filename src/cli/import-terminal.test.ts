/**
 * `df2 import`'s password prompt on a real terminal: the command runs on a
 * pseudo-terminal made by util-linux's `script` (Debian's bsdutils, an
 * essential package), and the password is typed into it once the prompt is
 * shown, as a user would. What the terminal shows is captured whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, goldenPath, tempDir } from '../testing/paths.js';

const PASSWORD = 'typed-Pa55 word';
const PROMPT = 'Password for the zip archives: ';

const work = await tempDir('df2-import-terminal-');
await cp(goldenPath('basic', 'dataset'), join(work, 'src', 'validation'), { recursive: true });
const ARCHIVE = join(work, 'validation.zip');
execFileSync('zip', ['-q', '-r', '-P', PASSWORD, ARCHIVE, 'validation'], { cwd: join(work, 'src'), stdio: 'ignore' });

/** Runs `df2 import` on a terminal, types `typed` and Enter once the prompt is shown; returns the exit code and what the terminal showed. */
function importOnTerminal(out: string, typed: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, join(REPO_ROOT, 'bin', 'df2.js'), 'import', ARCHIVE, '--out', out].map((a) => `'${a}'`).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'dumb' };
  delete env.DF2_ZIP_PASSWORD;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let typedYet = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    screen += text;
    // Typed only once the prompt is up: by then df2 has turned the echo off.
    if (!typedYet && screen.includes(PROMPT)) {
      typedYet = true;
      child.stdin.write(`${typed}\r`);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (screen += text));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, screen });
    });
  });
}

test('on a terminal, df2 import asks for the password without echoing it, and imports', async () => {
  const out = join(work, 'right');
  const { code, screen } = await importOnTerminal(out, PASSWORD);
  assert.equal(code, 0, screen);
  assert.ok(screen.includes(PROMPT), screen);
  assert.ok(!screen.includes(PASSWORD), 'the typed password was echoed');
  assert.match(screen, /validation: valid: 120 files, 255 items, 0 errors/);
  const names = await readdir(join(out, 'validation', 'annos'));
  assert.equal(names.length, 120);
  assert.ok((await readFile(join(out, 'validation', 'annos', names[0]!))).equals(await readFile(join(work, 'src', 'validation', 'annos', names[0]!))));
});

test('a wrong password typed at the prompt: one line, exit 1, nothing written, nothing echoed', async () => {
  const parent = await tempDir('df2-import-terminal-out-');
  const { code, screen } = await importOnTerminal(join(parent, 'data'), 'wrong-typed');
  assert.equal(code, 1, screen);
  assert.ok(!screen.includes('wrong-typed'), 'the typed password was echoed');
  // After the prompt (the progress bar, cleared, may come before it), the terminal shows one line.
  const lines = screen
    .slice(screen.lastIndexOf(PROMPT) + PROMPT.length)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, screen);
  assert.match(lines[0]!, /^df2: \S+validation\.zip: validation\/\S+: expected the right password, found a wrong one; nothing was written$/);
  assert.deepEqual(await readdir(parent), []);
});
