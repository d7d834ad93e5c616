/**
 * `node dist/bench/import.js`: `df2 import` against `unzip -P` on the same
 * ZipCrypto archive, run alternately (df2, unzip, df2, unzip, ...) so that
 * both see the same load; prints each run, then the best and the median of
 * each tool's wall time, CPU time and peak memory (all from /usr/bin/time),
 * and the load average. Prints figures; it is not a test.
 *
 * The archive is made once in bench-data/ (gitignored):
 * `df2 synth --out DIR/validation --images 16000 --seed 3` (293 MB: 16,000
 * JPEGs and annotations), then `zip -q -r -P pw big-zc.zip validation`
 * (183 MB, 32,000 entries).
 *
 *   node dist/bench/import.js              # 3 runs of each
 *   node dist/bench/import.js --repeat 5 --images 4000
 */
import { BenchUsageError, benchArguments, optionValue } from './arguments.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/paths.js';
import { DF2_BIN } from './case.js';

const PASSWORD = 'pw';

const USAGE = 'usage: node dist/bench/import.js [--images N] [--repeat N]';

function parseArgs(argv: string[]): { images: number; repeat: number } {
  const args = { images: 16_000, repeat: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--images') args.images = Number(optionValue(argv, ++i));
    else if (a === '--repeat') args.repeat = Number(optionValue(argv, ++i));
    else throw new BenchUsageError(`unknown argument ${a} (expected --images N, --repeat N)`);
  }
  if (!(Number.isInteger(args.images) && args.images > 0)) throw new BenchUsageError('--images expects a positive integer');
  if (!(Number.isInteger(args.repeat) && args.repeat > 0)) throw new BenchUsageError('--repeat expects a positive integer');
  return args;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const done = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], ...options });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${done.status})`);
}

/** Makes (once) the synthetic split and its ZipCrypto archive; returns the archive's path. */
function ensureArchive(images: number): string {
  const dir = join(REPO_ROOT, 'bench-data', `import-${images}`);
  const archive = join(dir, 'big-zc.zip');
  if (existsSync(archive)) return archive;
  process.stderr.write(`making the archive in ${dir} (once; a few minutes)\n`);
  run(process.execPath, [DF2_BIN, 'synth', '--out', join(dir, 'validation'), '--images', String(images), '--seed', '3', '--force', '--json']);
  run('zip', ['-q', '-r', '-P', PASSWORD, 'big-zc.zip.tmp', 'validation'], { cwd: dir });
  run('mv', ['big-zc.zip.tmp', archive]);
  return archive;
}

interface Measured {
  wall: number;
  cpu: number;
  rssMb: number;
  load: number;
}

/** One run under /usr/bin/time, extracting into a fresh directory that is removed after. */
function timed(command: string[], outDir: string, env: NodeJS.ProcessEnv): Measured {
  const load = loadavg()[0]!;
  const usage = join(outDir, '..', 'usage.txt');
  run('/usr/bin/time', ['-f', '%e %U %S %M', '-o', usage, ...command], { env: { ...process.env, ...env } });
  const [wall, user, sys, rssKb] = readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
  rmSync(outDir, { recursive: true, force: true });
  return { wall, cpu: user + sys, rssMb: rssKb / 1024, load };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const args = benchArguments('import bench', USAGE, parseArgs);
if (!args) process.exit();
const archive = ensureArchive(args.images);
const work = mkdtempSync(join(REPO_ROOT, 'bench-data', 'import-run-'));
const runs: Record<'df2 import' | 'unzip -P', Measured[]> = { 'df2 import': [], 'unzip -P': [] };
try {
  for (let i = 0; i < args.repeat; i++) {
    const out = join(work, 'out');
    const df2 = timed([process.execPath, DF2_BIN, 'import', archive, '--out', out, '--json'], out, { DF2_ZIP_PASSWORD: PASSWORD });
    runs['df2 import'].push(df2);
    const unzip = timed(['unzip', '-q', '-P', PASSWORD, archive, '-d', out], out, {});
    runs['unzip -P'].push(unzip);
    for (const [name, m] of [
      ['df2 import', df2],
      ['unzip -P', unzip],
    ] as const) {
      console.log(
        `run ${i + 1} ${name.padEnd(10)} ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMb.toFixed(0)} MB peak (load ${m.load.toFixed(1)})`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `\n${archive}: ${args.repeat} runs each, alternately; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const [name, ms] of Object.entries(runs)) {
  const walls = ms.map((m) => m.wall);
  console.log(
    `${name.padEnd(10)} wall best ${Math.min(...walls).toFixed(2)} s, median ${median(walls).toFixed(2)} s; CPU median ${median(ms.map((m) => m.cpu)).toFixed(2)} s; peak ${median(ms.map((m) => m.rssMb)).toFixed(0)} MB`,
  );
}
