import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fuzz = fileURLToPath(new URL('./fuzz.js', import.meta.url));

/** Runs a sync and an async property (half of whose drawn cases fc.pre skips) of 40 cases each through checkProperty, with the environment given; its stderr. */
function run(env: Record<string, string>): { status: number | null; stderr: string } {
  const program = `
    import fc from 'fast-check';
    const { checkProperty } = await import(${JSON.stringify(fuzz)});
    await checkProperty(fc.property(fc.nat(), (n) => n >= 0), 40);
    // Half the drawn cases skipped by fc.pre: they are not counted.
    await checkProperty(fc.asyncProperty(fc.nat(), async (n) => { fc.pre(n % 2 === 0); return n >= 0; }), 40);`;
  const clean = { ...process.env };
  delete clean.DF2_FUZZ_RUNS;
  delete clean.DF2_FUZZ_SEED;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    env: { ...clean, ...env },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  return { status: child.status, stderr: child.stderr };
}

test("a long run writes its progress to stderr at every twentieth of a property's cases; a CI run writes nothing", () => {
  const long = run({ DF2_FUZZ_RUNS: '40', DF2_FUZZ_SEED: '3' });
  assert.equal(long.status, 0, long.stderr);
  const lines = long.stderr.trimEnd().split('\n');
  // Each property, sync and async, counts its own cases (not those skipped): 2, 4, ... 40, twice.
  const counts = lines.map((line) => /^fuzz: (\d+) of 40 cases, \d+ s$/.exec(line)?.[1]);
  const expected = Array.from({ length: 20 }, (_, k) => String(2 * (k + 1)));
  assert.deepEqual(counts, [...expected, ...expected], long.stderr);
  const ci = run({});
  assert.equal(ci.status, 0, ci.stderr);
  assert.equal(ci.stderr, '');
});
