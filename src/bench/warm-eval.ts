/**
 * `node dist/bench/warm-eval.js`: the second submission's evaluation on the
 * same ground truth in df2 serve's evaluation process (eval-child.ts), with
 * a process per submission (the second reads the ground-truth snapshot the
 * first wrote) and with a long-lived process (the second takes the ground
 * truth from memory). Printed per setup: wall time from the job's sending
 * to its figures, and the process's CPU time over the same span (user +
 * system, all its threads, from /proc). Linux only.
 *
 *   node dist/bench/warm-eval.js                                   # validation size (33,669 images), bbox
 *   node dist/bench/warm-eval.js --case bench-data/val-33669 --task segm
 */
import { BenchUsageError, benchArguments, optionValue } from './arguments.js';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCase } from './case.js';
import { tempDir } from '../testing/paths.js';
import type { EvalJob, EvalReply } from '../server/challenge/eval-child.js';

const CHILD = fileURLToPath(new URL('../server/challenge/eval-child.js', import.meta.url));
const TICKS_PER_SECOND = 100;

interface Args {
  caseDir?: string;
  task: 'bbox' | 'segm' | 'keypoints';
}

const USAGE = 'usage: node dist/bench/warm-eval.js [--case DIR] [--task bbox|segm|keypoints]';

function parseArgs(argv: string[]): Args {
  const args: Args = { task: 'bbox' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--case') args.caseDir = resolve(optionValue(argv, ++i));
    else if (a === '--task') args.task = optionValue(argv, ++i) as Args['task'];
    else throw new BenchUsageError(`unknown argument ${a} (expected --case DIR, --task bbox|segm|keypoints)`);
  }
  return args;
}

/** CPU seconds of a process so far (user + system, all its threads). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

class Process {
  readonly child: ChildProcess;
  private listener: ((m: EvalReply | { kind: string }) => void) | undefined;
  constructor() {
    this.child = fork(CHILD, [], { execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child.on('message', (m: EvalReply) => this.listener?.(m));
  }

  /** Runs `job`; wall and CPU from its sending to its figures; resolves once the process is idle (or gone). */
  run(job: EvalJob): Promise<{ wall: number; cpu: number; reply: EvalReply }> {
    const cpu0 = cpuSeconds(this.child.pid!);
    const t0 = performance.now();
    return new Promise((resolvePromise, reject) => {
      let measured: { wall: number; cpu: number; reply: EvalReply } | undefined;
      const stays = job.keepGroundTruthBytes !== undefined;
      this.listener = (m) => {
        if (m.kind === 'done' || m.kind === 'invalid' || m.kind === 'error') {
          measured = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(this.child.pid!) - cpu0, reply: m as EvalReply };
          if (m.kind !== 'done') reject(new Error(JSON.stringify(m)));
          if (!stays) resolvePromise(measured);
        } else if (m.kind === 'idle' && measured) resolvePromise(measured);
      };
      this.child.send(job);
    });
  }

  async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    if (this.child.connected) this.child.send({ kind: 'retire' });
    await exited;
  }
}

const args = benchArguments('warm-eval bench', USAGE, parseArgs);
if (!args) process.exit();
const caseDir = args.caseDir ?? ensureCase(33_669);
const gtDir = join(caseDir, 'gt');
const snapshotDir = await tempDir('df2-bench-warm-');
const job: EvalJob = {
  task: args.task,
  gtDir,
  resultsFile: join(caseDir, 'results', `${args.task}_results.json`),
  snapshotDir,
  report: { title: 'bench', resultsName: `${args.task}_results.json` },
};
/** Every run's figures, to be the same whichever way the ground truth came. */
const figures: string[] = [];
const row = (name: string, m: { wall: number; cpu: number; reply: EvalReply }): void => {
  if (m.reply.kind === 'done') figures.push(JSON.stringify([m.reply.result.stats, m.reply.result.perCategoryAp]));
  const use = m.reply.groundTruth;
  const from = use ? (use.fromMemory ? 'memory' : `read (${use.reads} by its process)`) : '';
  process.stdout.write(`| ${name.padEnd(52)} | ${m.wall.toFixed(2).padStart(6)} | ${m.cpu.toFixed(2).padStart(6)} | ${from.padEnd(24)} |\n`);
};

process.stdout.write(`${args.task}, ${caseDir}; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the start\n\n`);
process.stdout.write(
  `| ${'evaluation'.padEnd(52)} | wall s |  CPU s | ${'ground truth'.padEnd(24)} |\n|${'-'.repeat(54)}|--------|--------|${'-'.repeat(26)}|\n`,
);
// A process per submission (groundTruthMemoryMb 0): the first writes the snapshot, the second reads it.
for (const name of ['process per submission, first (writes the snapshot)', 'process per submission, second (snapshot)']) {
  const p = new Process();
  row(name, await p.run(job));
  await p.end();
}
// A long-lived process: its first job reads the snapshot (cold start), the second takes the ground truth from memory.
const warm = new Process();
const kept = { ...job, keepGroundTruthBytes: 2048 * 1024 * 1024 };
row('long-lived process, first (cold start: snapshot)', await warm.run(kept));
row('long-lived process, second (memory)', await warm.run(kept));
row('long-lived process, third (memory)', await warm.run(kept));
await warm.end();
process.stdout.write(`\nfigures (stats, AP per category) of the ${figures.length} runs: ${new Set(figures).size === 1 ? 'identical' : 'DIFFERENT'}\n`);
if (new Set(figures).size !== 1) process.exitCode = 1;
