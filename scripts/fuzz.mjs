// The property suite's long mode:
//
//   npm run fuzz -- --runs 100000 --seed 7 [--only annotation]
//
// builds dist/ (tsc), then runs the compiled *.property.test.js files with
// DF2_FUZZ_RUNS and DF2_FUZZ_SEED set (src/testing/fuzz.ts reads them), one
// file at a time so that each has the machine's cores to itself. `--only`
// keeps the files whose path contains the word. Without --runs or --seed
// the suite runs as `npm test` runs it (CI's count and seed). Prints the
// time each file took; exits with the test runner's code.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const usage = 'usage: npm run fuzz -- [--runs N] [--seed S] [--only WORD]';
const env = { ...process.env };
let only = '';
const args = process.argv.slice(2);
for (let k = 0; k < args.length; k += 2) {
  const [flag, value] = [args[k], args[k + 1]];
  if (value === undefined || !['--runs', '--seed', '--only'].includes(flag)) fail(`${usage}\nunexpected ${JSON.stringify(flag)}`);
  if (flag === '--only') only = value;
  else if (!/^-?\d+$/.test(value) || (flag === '--runs' && Number(value) < 1))
    fail(`${flag}: expected an integer${flag === '--runs' ? ' >= 1' : ''}, found ${JSON.stringify(value)}`);
  else env[flag === '--runs' ? 'DF2_FUZZ_RUNS' : 'DF2_FUZZ_SEED'] = value;
}

const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = findPropertyTests(join(root, 'dist')).filter((f) => f.includes(only));
if (files.length === 0) fail(`no *.property.test.js under dist/${only ? ` with ${JSON.stringify(only)} in its path` : ''}`);
process.stdout.write(`fuzz: runs ${env.DF2_FUZZ_RUNS ?? '(CI default)'}, seed ${env.DF2_FUZZ_SEED ?? '(CI default)'}\n`);
let status = 0;
for (const file of files) {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--test', '--test-timeout=0', file], { stdio: 'inherit', cwd: root, env });
  process.stdout.write(`fuzz: ${relative(root, file)}: ${run.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (run.status !== 0) status = run.status ?? 1;
}
process.exit(status);

function findPropertyTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findPropertyTests(path));
    else if (entry.name.endsWith('.property.test.js')) found.push(path);
  }
  return found.sort();
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
