/**
 * `npm run bench:server`: the challenge server's throughput and latency. A
 * web server takes S uploads of the same results file of the synthetic case
 * at once; workers evaluate them (figures and report, as in production).
 * Printed per setup: submissions evaluated per minute (from the first upload
 * to the last result) and upload-to-done latency (median, max).
 *
 * Setups: SQLite with `df2 serve --workers N` (N evaluations in the web
 * process's children), and PostgreSQL with `df2 serve --workers 0` plus N
 * `df2 worker` processes; N = 1, 2, 4. PostgreSQL needs DF2_TEST_PG_URL (a
 * role that may create databases; scripts/ci-postgres.sh sets one up): each
 * setup gets a fresh database, dropped afterwards.
 *
 *   npm run bench:server                                   # validation size (33,669 images), bbox, 8 submissions
 *   node dist/bench/server.js --images 2000 --submissions 12 --workers 1,2 --task segm
 */
import { BenchUsageError, benchArguments, optionValue } from './arguments.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { ensureCase, DF2_BIN } from './case.js';
import { tempDir } from '../testing/paths.js';
import { createTestDatabase } from '../testing/postgres.js';
import { startServer, type RunningServer } from '../server/server.js';
import { hashToken, newToken } from '../server/challenge/tokens.js';
import type { SubmissionJson } from '../shared/api-types.js';

interface Args {
  images: number;
  submissions: number;
  workers: number[];
  task: 'bbox' | 'segm' | 'keypoints';
  backends: string[];
}

const USAGE = 'usage: node dist/bench/server.js [--images N] [--submissions N] [--workers 1,2,4] [--task bbox|segm|keypoints] [--backends sqlite,postgres]';

function parseArgs(argv: string[]): Args {
  const args: Args = { images: 33_669, submissions: 8, workers: [1, 2, 4], task: 'bbox', backends: ['sqlite', 'postgres'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--images') args.images = Number(optionValue(argv, ++i));
    else if (a === '--submissions') args.submissions = Number(optionValue(argv, ++i));
    else if (a === '--workers') args.workers = optionValue(argv, ++i).split(',').map(Number);
    else if (a === '--task') args.task = optionValue(argv, ++i) as Args['task'];
    else if (a === '--backends') args.backends = optionValue(argv, ++i).split(',');
    else
      throw new BenchUsageError(
        `unknown argument ${a} (expected --images N, --submissions N, --workers 1,2,4, --task bbox|segm|keypoints, --backends sqlite,postgres)`,
      );
  }
  return args;
}

interface Measured {
  perMinute: number;
  medianLatency: number;
  maxLatency: number;
  seconds: number;
}

async function gtDirOf(caseDir: string): Promise<string> {
  const dir = join(await tempDir('df2-bench-gt-'), 'gt');
  await mkdir(dir, { recursive: true });
  // The attribute-carrying ground truth: what a challenge would use (per-attribute tables in each result).
  await copyFile(join(caseDir, 'gt', 'coco-attributes.json'), join(dir, 'coco.json'));
  return dir;
}

function startWorkerProcess(db: string, gtDir: string): ChildProcess {
  return spawn(process.execPath, [DF2_BIN, 'worker', '--db', db, '--gt-dir', gtDir, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function run(server: RunningServer, resultsFile: string, task: string, submissions: number): Promise<Measured> {
  const token = newToken();
  await server.ctx.store.addUser({ name: `bench-${Date.now()}`, admin: false, tokenHash: hashToken(token) });
  const content = await readFile(resultsFile);
  const auth = { authorization: `Bearer ${token}` };
  const uploadedAt = new Map<number, number>();
  const first = Date.now();
  await Promise.all(
    Array.from({ length: submissions }, async (_, k) => {
      const form = new FormData();
      form.set('task', task);
      form.set('name', `bench ${k}`);
      form.set('file', new Blob([content]), `${task}.json`);
      const started = Date.now();
      const res = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: auth });
      if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
      uploadedAt.set(((await res.json()) as { id: number }).id, started);
    }),
  );
  for (;;) {
    const subs = (await (await fetch(`${server.url}/api/submissions`, { headers: auth })).json()) as SubmissionJson[];
    const failed = subs.find((s) => s.status === 'failed');
    if (failed) throw new Error(`submission ${failed.id} failed: ${failed.error}`);
    if (subs.length === submissions && subs.every((s) => s.status === 'done')) {
      const latencies = subs.map((s) => (Date.parse(s.finished_at!) - uploadedAt.get(s.id)!) / 1000).sort((a, b) => a - b);
      const last = Math.max(...subs.map((s) => Date.parse(s.finished_at!)));
      const seconds = (last - first) / 1000;
      return {
        perMinute: (submissions / seconds) * 60,
        medianLatency: latencies[Math.floor(latencies.length / 2)]!,
        maxLatency: latencies[latencies.length - 1]!,
        seconds,
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const args = benchArguments('server bench', USAGE, parseArgs);
  if (!args) return;
  if (args.backends.includes('postgres') && !process.env.DF2_TEST_PG_URL) {
    process.stderr.write(
      'bench:server: PostgreSQL setups need DF2_TEST_PG_URL (a role that may create databases): ' +
        '`source scripts/ci-postgres.sh && export DF2_TEST_PG_URL`, or run with --backends sqlite\n',
    );
    process.exit(1);
  }
  const caseDir = ensureCase(args.images);
  const gtDir = await gtDirOf(caseDir);
  const resultsFile = join(caseDir, 'results', `${args.task}_results.json`);
  // The server's per-task quota is per day: a bench makes many.
  const quota = 1_000_000;
  console.log(`df2 serve throughput: ${args.submissions} ${args.task} submissions of the ${args.images}-image synthetic case, at once`);
  console.log(
    `machine: ${cpus().length} cores, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('');
  console.log(`${'setup'.padEnd(44)} per min  median s   max s   total s  load 1m`);
  const table: string[] = [];
  for (const backend of args.backends) {
    for (const n of args.workers) {
      const dir = await tempDir('df2-bench-serve-');
      const pg = backend === 'postgres' ? await createTestDatabase() : undefined;
      const workers: ChildProcess[] = [];
      let server: RunningServer | undefined;
      try {
        server = await startServer({ db: pg?.url ?? join(dir, 'df2.sqlite'), cacheDir: dir, gtDir, quota, workers: pg ? 0 : n, port: 0 });
        if (pg) for (let k = 0; k < n; k++) workers.push(startWorkerProcess(pg.url, gtDir));
        const m = await run(server, resultsFile, args.task, args.submissions);
        const label = pg ? `PostgreSQL, serve --workers 0 + ${n} df2 worker` : `SQLite, serve --workers ${n}`;
        // The machine may be shared: the 1-minute load average as the setup ends says how much.
        const load = loadavg()[0]!;
        console.log(
          `${label.padEnd(44)} ${m.perMinute.toFixed(2).padStart(7)}  ${m.medianLatency.toFixed(1).padStart(8)}  ${m.maxLatency.toFixed(1).padStart(6)}  ${m.seconds.toFixed(1).padStart(8)}  ${load.toFixed(1).padStart(7)}`,
        );
        const setup = pg ? `PostgreSQL, \`serve --workers 0\` + ${n} \`df2 worker\`` : `SQLite, \`serve --workers ${n}\``;
        table.push(`| ${setup} | ${m.perMinute.toFixed(1)} | ${m.medianLatency.toFixed(1)} / ${m.maxLatency.toFixed(1)} | ${load.toFixed(1)} |`);
      } finally {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
        await server?.close();
        await pg?.drop();
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  console.log('\nAs a Markdown table (docs/scale-out.md):\n');
  console.log('| setup | evaluated per minute | latency median / max (s) | load average (1 min) at its end |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of table) console.log(row);
  console.log(
    `\nload average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
