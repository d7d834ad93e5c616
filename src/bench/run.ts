/**
 * `npm run bench`: `df2 eval bbox|segm|keypoints|retrieval` on a validation-sized
 * synthetic split (33,669 images, as the release's validation set), each as
 * a whole process, printing wall seconds, CPU seconds and peak memory. Prints
 * figures; it is not a test.
 *
 * The case is made once and cached in bench-data/ (gitignored) with
 * `df2 synth --images 33669 --seed 1 --predictions` and
 * `df2 convert coco` (plain and with attributes) and `df2 convert retrieval`.
 *
 * Also measured: the results reader against JSON.parse on the keypoint
 * results (CPU time, one process: bench/scanner.ts); the error analysis (`--errors --confusion --per-image`)
 * of bbox and segm beside the plain evaluation, with the ratio of the two;
 * bootstrap intervals of bbox (`--ci --resamples 1000`) and `df2 compare` of two bbox files
 * (the same file twice, 1,000 resamples), each with the same ratio;
 * keypoint results of ~0.6 GB (past V8's string limit, the
 * size of the official file for this many detections: every landmark
 * written), and with --train a train-sized ground truth (the validation one
 * repeated 11 times with new ids: ~3.3 GB, 648k annotations).
 *
 *   npm run bench                       # three tasks, the 0.6 GB keypoint file, --by all
 *   node dist/bench/run.js --repeat 3   # best of three runs each
 *   node dist/bench/run.js --train      # also a train-sized ground truth (writes ~3.3 GB once)
 *   node dist/bench/run.js --images 2000 --tasks bbox,keypoints --no-by
 */
import { processExecve } from '../cli/relaunch.js';
import { hostFacts, userSetsHugePages, withHugePages } from '../util/huge-pages.js';
import { BenchUsageError, benchArguments, optionValue } from './arguments.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/paths.js';
import { writeRepeatedGroundTruth, writeWideKeypointResults } from './big-files.js';
import { ensureCase } from './case.js';

const MEASURE = join(REPO_ROOT, 'dist', 'bench', 'measure.js');
const COCO_TASKS = ['bbox', 'segm', 'keypoints'] as const;
const TASKS = [...COCO_TASKS, 'retrieval'] as const;
const isCocoTask = (task: string): boolean => (COCO_TASKS as readonly string[]).includes(task);

interface Args {
  images: number;
  tasks: string[];
  by: boolean;
  repeat: number;
  train: boolean;
}

const USAGE = 'usage: node dist/bench/run.js [--images N] [--tasks bbox,segm,keypoints,retrieval] [--repeat N] [--no-by] [--train]';

function parseArgs(argv: string[]): Args {
  const args: Args = { images: 33_669, tasks: [...TASKS], by: true, repeat: 1, train: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--images') args.images = Number(optionValue(argv, ++i));
    else if (a === '--tasks') args.tasks = optionValue(argv, ++i).split(',');
    else if (a === '--repeat') args.repeat = Number(optionValue(argv, ++i));
    else if (a === '--no-by') args.by = false;
    else if (a === '--train') args.train = true;
    else throw new BenchUsageError(`unknown argument ${a} (expected --images N, --tasks a,b, --repeat N, --no-by, --train)`);
  }
  const unknown = args.tasks.filter((t) => !(TASKS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new BenchUsageError(`unknown task ${unknown.join(', ')} (expected some of ${TASKS.join(', ')})`);
  if (!(Number.isInteger(args.images) && args.images > 0)) throw new BenchUsageError('--images expects a positive integer');
  if (!(Number.isInteger(args.repeat) && args.repeat > 0)) throw new BenchUsageError('--repeat expects a positive integer');
  return args;
}

interface Measured {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMb: number;
}

async function measure(args: string[]): Promise<Measured> {
  const tmp = await mkdtemp(join(tmpdir(), 'df2-bench-'));
  try {
    const out = join(tmp, 'usage.json');
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [MEASURE, out, ...args], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 26 });
    const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) throw new Error(`df2 ${args.join(' ')} failed (exit ${run.status})`);
    const usage = JSON.parse(readFileSync(out, 'utf8')) as { maxRssKb: number; userSeconds: number; systemSeconds: number };
    return { wallSeconds, cpuSeconds: usage.userSeconds + usage.systemSeconds, maxRssMb: usage.maxRssKb / 1024 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Whether the commands measured here start again with huge pages (cli/relaunch.ts), and why not when they do not. */
function hugePagesLine(): string {
  if (!processExecve()) return 'no (this Node.js has no process.execve; Node.js 22.15+ has)';
  if (withHugePages(process.env, hostFacts())) return 'yes (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)';
  return userSetsHugePages(process.env) ? 'as GLIBC_TUNABLES says' : 'no (not Linux with glibc 2.35+ in madvise mode, or DF2_HUGE_PAGES=0)';
}

const mb = (file: string): string => `${(statSync(file).size / 1e6).toFixed(0)} MB`;

async function main(): Promise<void> {
  const args = benchArguments('bench', USAGE, parseArgs);
  if (!args) return;
  const dir = ensureCase(args.images);
  const gt = join(dir, 'gt', 'coco.json');
  console.log(`df2 eval on ${dir}`);
  console.log(`Node.js ${process.version}; huge pages for segm and keypoints: ${hugePagesLine()}`);
  const resultsFile = (task: string): string => (isCocoTask(task) ? join(dir, 'results', `${task}_results.json`) : join(dir, 'retrieval', 'results.json'));
  console.log(`ground truth ${mb(gt)}; results: ${args.tasks.map((t) => `${t} ${mb(resultsFile(t))}`).join(', ')}`);
  console.log('');
  console.log(`${'command'.padEnd(36)} wall s   cpu s   peak RSS${args.repeat > 1 ? `   (best wall of ${args.repeat})` : ''}`);
  // With --repeat N, the run with the least wall time is shown (the others
  // mostly measure whatever else the machine was doing).
  const row = async (label: string, dfArgs: string[], note = ''): Promise<Measured> => {
    let best: Measured | null = null;
    for (let r = 0; r < args.repeat; r++) {
      const m = await measure(dfArgs);
      if (!best || m.wallSeconds < best.wallSeconds) best = m;
    }
    console.log(
      `${label.padEnd(36)} ${best!.wallSeconds.toFixed(2).padStart(6)}  ${best!.cpuSeconds.toFixed(2).padStart(6)}  ${best!.maxRssMb.toFixed(0).padStart(6)} MB${note}`,
    );
    return best!;
  };
  const cocoTasks = args.tasks.filter(isCocoTask);
  const perImageDir = await mkdtemp(join(tmpdir(), 'df2-bench-per-image-'));
  // Ground-truth snapshots go to a folder of the bench's own, emptied before each first run (never the user's cache).
  const cacheDir = join(perImageDir, 'cache');
  try {
    for (const task of cocoTasks) {
      const plainArgs = ['eval', task, '--gt', gt, '--results', resultsFile(task), '--json', '--no-cache'];
      const plain = await row(`df2 eval ${task}`, plainArgs);
      // The first run writes the snapshot (measured from an empty cache each time), later runs read it.
      const cachedArgs = [...plainArgs.slice(0, -1), '--cache', cacheDir];
      let first: Measured | null = null;
      for (let r = 0; r < args.repeat; r++) {
        await rm(cacheDir, { recursive: true, force: true });
        const m = await measure(cachedArgs);
        if (!first || m.wallSeconds < first.wallSeconds) first = m;
      }
      console.log(
        `${'  first run, writing the snapshot'.padEnd(36)} ${first!.wallSeconds.toFixed(2).padStart(6)}  ${first!.cpuSeconds.toFixed(2).padStart(6)}  ${first!.maxRssMb.toFixed(0).padStart(6)} MB`,
      );
      await row('  repeated, from the snapshot', cachedArgs);
      if (task === 'bbox') {
        // Ten results files (here the same one ten times) against one load of the ground truth.
        const many = ['eval', task, '--gt', gt, '--results', ...Array.from({ length: 10 }, () => resultsFile(task)), '--json', '--cache', cacheDir];
        const ten = await row('  10 results files, from the snapshot', many);
        console.log(`${''.padEnd(36)} ${(ten.wallSeconds / plain.wallSeconds).toFixed(2).padStart(6)}x wall of df2 eval ${task} without a snapshot`);
        // Bootstrap intervals: 1,000 resamples within 3x the plain evaluation (issue 24).
        const withCi = await row('  + --ci --resamples 1000', [...plainArgs, '--ci', '--resamples', '1000']);
        console.log(
          `${''.padEnd(36)} ${(withCi.wallSeconds / plain.wallSeconds).toFixed(2).padStart(6)}x wall, ${(withCi.cpuSeconds / plain.cpuSeconds).toFixed(2)}x cpu of df2 eval ${task}`,
        );
        // A paired comparison of two files (here the same one twice: the same work), 1,000 resamples within 5x (issue 24).
        const compare = await row('  compare A B --resamples 1000', [
          'compare',
          resultsFile(task),
          resultsFile(task),
          '--gt',
          gt,
          '--json',
          '--no-cache',
          '--resamples',
          '1000',
        ]);
        console.log(
          `${''.padEnd(36)} ${(compare.wallSeconds / plain.wallSeconds).toFixed(2).padStart(6)}x wall, ${(compare.cpuSeconds / plain.cpuSeconds).toFixed(2)}x cpu of df2 eval ${task}`,
        );
      }
      if (task === 'keypoints') continue;
      // The error analysis costs at most twice the plain evaluation (issue 12).
      const analysisArgs = [...plainArgs, '--errors', '--confusion', '--per-image', join(perImageDir, `${task}.json`)];
      const withErrors = await row('  + --errors --confusion --per-image', analysisArgs);
      console.log(
        `${''.padEnd(36)} ${(withErrors.wallSeconds / plain.wallSeconds).toFixed(2).padStart(6)}x wall, ${(withErrors.cpuSeconds / plain.cpuSeconds).toFixed(2)}x cpu of df2 eval ${task}`,
      );
    }
  } finally {
    await rm(perImageDir, { recursive: true, force: true });
  }
  const retrievalArgs = [
    'eval',
    'retrieval',
    '--query',
    join(dir, 'gt', 'query.json'),
    '--gallery',
    join(dir, 'gt', 'gallery.json'),
    '--results',
    resultsFile('retrieval'),
    '--json',
  ];
  if (args.tasks.includes('retrieval')) await row('df2 eval retrieval', retrievalArgs);
  if (args.tasks.includes('keypoints')) {
    // The results reader against JSON.parse of the same bytes, in one process (issue 25).
    const file = resultsFile('keypoints');
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'scanner.js'), file, 'keypoints'], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`bench/scanner.js failed: ${run.stderr}`);
    const scan = JSON.parse(run.stdout) as { mb: number; df2Seconds: number; jsonParseSeconds: number; oneThreadWall: number; df2Wall: number };
    const rate = (seconds: number): string => `${(scan.mb / seconds).toFixed(0)} MB/s`;
    console.log(
      `results reader, keypoints (${scan.mb.toFixed(0)} MB): df2 ${scan.df2Seconds.toFixed(2)} s cpu (${rate(scan.df2Seconds)}), JSON.parse ${scan.jsonParseSeconds.toFixed(2)} s cpu (${rate(scan.jsonParseSeconds)})`,
    );
    console.log(`results reader, keypoints, wall: one thread ${scan.oneThreadWall.toFixed(2)} s, two threads ${scan.df2Wall.toFixed(2)} s`);
    const wide = join(dir, 'results', 'keypoints_results-wide.json');
    if (!existsSync(wide)) await writeWideKeypointResults(join(dir, 'results', 'keypoints_results.json'), wide);
    await row(`df2 eval keypoints (${mb(wide)} results)`, ['eval', 'keypoints', '--gt', gt, '--results', wide, '--json', '--no-cache']);
  }
  if (args.train) {
    const train = join(REPO_ROOT, 'bench-data', `train-like-${args.images}x11.json`);
    if (!existsSync(train)) await writeRepeatedGroundTruth(gt, train, 11);
    console.log(`train-sized ground truth: ${mb(train)}`);
    for (const task of cocoTasks) {
      const trainArgs = ['eval', task, '--gt', train, '--results', join(dir, 'results', `${task}_results.json`), '--json'];
      await row(`df2 eval ${task} (train-sized gt)`, [...trainArgs, '--no-cache']);
      const trainCache = await mkdtemp(join(tmpdir(), 'df2-bench-train-cache-'));
      try {
        await row('  first run, writing the snapshot', [...trainArgs, '--cache', trainCache]);
        await row('  repeated, from the snapshot', [...trainArgs, '--cache', trainCache]);
      } finally {
        await rm(trainCache, { recursive: true, force: true });
      }
    }
  }
  if (args.by) {
    const withAttributes = join(dir, 'gt', 'coco-attributes.json');
    for (const task of cocoTasks) {
      await row(`df2 eval ${task} --by all`, ['eval', task, '--gt', withAttributes, '--results', resultsFile(task), '--by', 'all', '--json', '--no-cache']);
    }
    if (args.tasks.includes('retrieval')) await row('df2 eval retrieval --by all', [...retrievalArgs, '--by', 'all']);
  }
}

await main();
