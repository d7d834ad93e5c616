/**
 * The explorer at train scale: a 191,961-image split (train-split.ts), on
 * SQLite and on PostgreSQL, measured in a server process of its own:
 *   - indexing from scratch: files/s, and the longest event-loop stall;
 *   - 10 concurrent clients (127.0.0.1 only, a bounded number of requests,
 *     after a warm-up round that is not counted)
 *     asking for filtered image pages, facet counts, stats, images, pairs:
 *     p50/p99/max per kind, and the longest stall;
 *   - 100 files changed and indexed again under that load;
 *   - a restart on the unchanged split;
 *   - the server's resident memory.
 * Prints figures; it is not a test.
 *
 *   node dist/bench/explorer.js                          # both backends (PostgreSQL: DF2_TEST_PG_URL)
 *   node dist/bench/explorer.js --backends sqlite --images 20000 --requests 1000
 *   node dist/bench/explorer.js --backends sqlite --cpu-prof /tmp/prof    # the server's CPU profile per phase
 *   node dist/bench/explorer.js --varied                 # the worst case for facets: nearly one class per image
 *   node dist/bench/explorer.js --cold                   # index without reading the files into the page cache first
 *
 * Before each backend's server starts, every annotation file and image
 * header is read once, so that both index from the page cache: this
 * machine's kernel pages out files idle for about a minute (DAMON reclaim),
 * and a run that reads them from disk measures the disk (10,000 files/s
 * seen) instead of the indexer.
 */
import { BenchUsageError, benchArguments, optionValue } from './arguments.js';
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { imageName } from '../schema/index.js';
import { Random } from '../util/random.js';
import { TRAIN_IMAGES, ensureTrainLikeSplit } from './train-split.js';
import { endBySignal, exitWithin, stopWithParent } from '../util/process-end.js';

interface Args {
  images: number;
  backends: string[];
  clients: number;
  requests: number;
  /** Index without warming the page cache first. */
  cold: boolean;
  /** A directory for the server's CPU profiles, one per phase (index, load, reindex, restart). */
  cpuProf: string | undefined;
  /** The split whose copies re-draw their items' attributes: nearly one class of images per image (train-split.ts). */
  varied: boolean;
}

const USAGE = 'usage: node dist/bench/explorer.js [--images N] [--backends sqlite,postgres] [--clients N] [--requests N] [--cpu-prof DIR] [--varied] [--cold]';

function parseArgs(argv: string[]): Args {
  const args: Args = { images: TRAIN_IMAGES, backends: ['sqlite', 'postgres'], clients: 10, requests: 2000, cpuProf: undefined, varied: false, cold: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--images') args.images = Number(optionValue(argv, ++i));
    else if (a === '--backends') args.backends = optionValue(argv, ++i).split(',');
    else if (a === '--clients') args.clients = Number(optionValue(argv, ++i));
    else if (a === '--requests') args.requests = Number(optionValue(argv, ++i));
    else if (a === '--cpu-prof') args.cpuProf = optionValue(argv, ++i);
    else if (a === '--varied') args.varied = true;
    else if (a === '--cold') args.cold = true;
    else
      throw new BenchUsageError(
        `unknown argument ${a} (expected --images N, --backends sqlite,postgres, --clients N, --requests N, --cpu-prof DIR, --varied, --cold)`,
      );
  }
  for (const key of ['images', 'clients', 'requests'] as const) {
    if (!Number.isInteger(args[key]) || args[key] < 1) throw new BenchUsageError(`--${key}: expected a positive whole number, got ${args[key]}`);
  }
  const unknown = args.backends.filter((b) => b !== 'sqlite' && b !== 'postgres');
  if (unknown.length > 0) throw new BenchUsageError(`--backends: expected sqlite and/or postgres, got ${unknown.join(',')}`);
  return args;
}

// --- the server process -----------------------------------------------------

type ServerMessage =
  | { type: 'indexed'; seconds: number; changed: number; stallMs: number; cpuMs: number }
  | { type: 'listening'; url: string; split: string }
  | { type: 'stall'; stallMs: number; rssMiB: number; cpuMs: number }
  | { type: 'phase' };

/** CPU profiles of this process, one file per phase (`--cpu-prof`). */
class PhaseProfiler {
  private constructor(
    private readonly session: import('node:inspector/promises').Session,
    private readonly file: (phase: string) => string,
    private phase: string,
  ) {}

  static async start(file: (phase: string) => string, phase: string): Promise<PhaseProfiler> {
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return new PhaseProfiler(session, file, phase);
  }

  /** Writes the profile of the phase so far and starts the next (none: stops). */
  async next(phase: string | undefined): Promise<void> {
    const { profile } = await this.session.post('Profiler.stop');
    await writeFile(this.file(this.phase), JSON.stringify(profile));
    if (phase === undefined) return;
    this.phase = phase;
    await this.session.post('Profiler.start');
  }
}

async function serveMode(dir: string, dbFile: string, pgUrl: string | undefined, profile: string | undefined): Promise<void> {
  const profiler = profile ? await PhaseProfiler.start((phase) => `${profile}-${phase}.cpuprofile`, 'index') : undefined;
  if (profile) {
    // With --cpu-prof: each stall over 100 ms on stderr, its end on the profiles' clock (µs), to find it in them.
    let last = process.hrtime.bigint();
    setInterval(() => {
      const now = process.hrtime.bigint();
      const ms = Number(now - last) / 1e6;
      if (ms > 100) process.stderr.write(`stall ${ms.toFixed(0)} ms ending at ${now / 1000n} µs\n`);
      last = now;
    }, 5).unref();
  }
  const { startServer } = await import('../server/server.js');
  const { PgDatasetIndex } = await import('../server/explorer/pg-index.js');
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const send = (m: ServerMessage): void => void process.send!(m);
  const started = performance.now();
  const pool = pgUrl ? new pg.Pool({ connectionString: pgUrl, max: 10 }) : undefined;
  const datasetIndex = pool ? await PgDatasetIndex.open(pool) : undefined;
  let indexStart = started;
  // CPU of every thread of the process (the index workers' too), from the indexing run's start.
  let indexCpu = process.cpuUsage();
  const server = await startServer({
    db: dbFile,
    port: 0,
    datasetIndex,
    dataDirs: [dir],
    workers: 0,
    onIndexProgress: (_split, p) => {
      // Stalls during indexing are counted from its start (not the server's start-up: loading modules).
      if (p.state === 'queued') {
        indexStart = performance.now();
        indexCpu = process.cpuUsage();
        delay.reset();
      }
      if (p.state === 'ready') {
        const { user, system } = process.cpuUsage(indexCpu);
        send({
          type: 'indexed',
          seconds: (performance.now() - indexStart) / 1000,
          changed: p.changed,
          stallMs: delay.max / 1e6,
          cpuMs: (user + system) / 1000,
        });
        delay.reset();
      }
    },
  });
  const splitName = (await server.ctx.index.splits())[0]!.name;
  send({ type: 'listening', url: server.url, split: splitName });
  // The bench went away: so does its server.
  const { done } = stopWithParent();
  process.on('message', (m: { type: string; phase?: string }) => {
    if (m.type === 'phase') {
      void profiler?.next(m.phase).then(() => send({ type: 'phase' }));
    } else if (m.type === 'stall') {
      const { user, system } = process.cpuUsage();
      send({ type: 'stall', stallMs: delay.max / 1e6, rssMiB: process.memoryUsage().rss / 2 ** 20, cpuMs: (user + system) / 1000 });
      delay.reset();
    } else if (m.type === 'reindex') {
      void server.ctx.index.split(splitName).then((split) => server.ctx.indexer.enqueue(split!));
    } else if (m.type === 'close') {
      void (profiler?.next(undefined) ?? Promise.resolve())
        .then(() => server.close())
        .then(() => pool?.end())
        // Closed: end by running out of work (the bench kills a server that has not ended 30 s later).
        .then(done);
    }
  });
}

// --- the load -----------------------------------------------------------------

type Kind = 'images' | 'facets' | 'stats' | 'image' | 'pair';
const KINDS: Kind[] = ['images', 'facets', 'stats', 'image', 'pair'];

function randomFilters(rng: Random): string {
  const parts: string[] = [];
  if (rng.chance(0.6)) parts.push(`category=${rng.int(1, 13)}`);
  if (rng.chance(0.3)) parts.push(`source=${rng.chance(0.5) ? 'user' : 'shop'}`);
  if (rng.chance(0.3)) parts.push(`occlusion=${rng.int(1, 3)}`);
  if (rng.chance(0.2)) parts.push(`scale=${rng.int(1, 3)},${rng.int(1, 3)}`);
  if (rng.chance(0.2)) parts.push(`style=${rng.chance(0.5) ? 'zero' : 'positive'}`);
  if (rng.chance(0.2)) parts.push(`viewpoint=${rng.int(1, 3)}`);
  if (rng.chance(0.1)) parts.push(`items=${rng.int(1, 3)}`);
  return parts.join('&');
}

function requestPath(kind: Kind, rng: Random, images: number, split: string): string {
  const filters = randomFilters(rng);
  switch (kind) {
    case 'images':
      return `/api/images?split=${split}&${filters}&page=${rng.int(1, 20)}&per_page=48`;
    case 'facets':
      return `/api/facets?split=${split}&${filters}`;
    case 'stats':
      return `/api/stats/${split}`;
    case 'image':
      return `/api/images/${split}/${rng.int(1, images)}`;
    case 'pair':
      return `/api/pairs/${split}/${rng.int(1, 1000)}`;
  }
}

/**
 * One request of each kind from each client, not counted: the first request
 * of a client opens its connection, and the bench's first fetch() loads
 * Node's HTTP client (tens of ms). Measured at 10 clients these first
 * requests took 106-160 ms, against 11-28 ms for the server's own first
 * answers asked one at a time; counted, they are 2 of each kind's 200
 * samples, exactly what p99 picks at 1,000 requests. Returns the slowest.
 */
async function warmUp(url: string, split: string, args: Args): Promise<number> {
  const times = await load(url, split, { ...args, requests: args.clients * KINDS.length }, 0);
  return Math.max(...Object.values(times).flat());
}

async function load(url: string, split: string, args: Args, seed: number): Promise<Record<Kind, number[]>> {
  const times = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  let next = 0;
  const rng = Random.from(seed);
  const client = async (): Promise<void> => {
    while (next < args.requests) {
      const kind = KINDS[next++ % KINDS.length]!;
      const path = requestPath(kind, rng, args.images, split);
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      times[kind].push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: args.clients }, client));
  return times;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

function report(label: string, times: Record<Kind, number[]>): void {
  for (const kind of KINDS) {
    const t = times[kind];
    console.log(
      `  ${label} ${kind.padEnd(6)} n=${String(t.length).padStart(4)}  p50 ${percentile(t, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(t, 99).toFixed(1).padStart(6)} ms  max ${Math.max(
        ...t,
      )
        .toFixed(1)
        .padStart(6)} ms`,
    );
  }
}

// --- the driver -----------------------------------------------------------------

/** Server processes running, and what a run leaves to remove (a temporary directory, a database): undone on Ctrl-C too. */
const liveServers = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();

function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of liveServers) child.kill('SIGKILL');
      void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => endBySignal(signal));
    });
  }
}

class ServerProcess {
  private readonly child: ChildProcess;
  private readonly waiting: ((m: ServerMessage) => void)[] = [];
  private readonly queue: ServerMessage[] = [];

  constructor(dir: string, dbFile: string, pgUrl: string | undefined, profile: string | undefined) {
    this.child = fork(fileURLToPath(import.meta.url), ['--serve', dir, dbFile, pgUrl ?? '', profile ?? ''], { stdio: 'inherit' });
    const child = this.child;
    liveServers.add(child);
    child.once('exit', () => liveServers.delete(child));
    this.child.on('message', (m: ServerMessage) => {
      const w = this.waiting.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }

  next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const take = (m: ServerMessage): void =>
        m.type === type ? resolve(m as Extract<ServerMessage, { type: T }>) : reject(new Error(`expected ${type}, got ${m.type}`));
      const queued = this.queue.shift();
      if (queued) take(queued);
      else this.waiting.push(take);
    });
  }

  send(type: string): void {
    this.child.send({ type });
  }

  /** Starts the server's next CPU profile (with --cpu-prof). */
  async phase(name: string, profiling: boolean): Promise<void> {
    if (!profiling) return;
    this.child.send({ type: 'phase', phase: name });
    await this.next('phase');
  }

  async close(): Promise<void> {
    this.send('close');
    await exitWithin(this.child, 30_000, () => process.stderr.write('bench: the server had not ended 30 s after it closed; killed\n'));
  }
}

async function benchBackend(backend: string, dir: string, args: Args): Promise<void> {
  let pgUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (backend === 'postgres') {
    const base = process.env.DF2_TEST_PG_URL;
    if (!base) throw new Error('PostgreSQL: set DF2_TEST_PG_URL (source scripts/ci-postgres.sh)');
    const name = `df2_bench_${process.pid}`;
    const admin = async (sql: string): Promise<void> => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    pgUrl = url.toString();
    dropDb = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const work = await mkdtemp(join(tmpdir(), 'df2-bench-explorer-')).catch(async (err: unknown) => {
    await dropDb?.();
    throw err;
  });
  const dbFile = join(work, 'df2.sqlite');
  const cleanup = async (): Promise<void> => {
    await dropDb?.();
    await rm(work, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  try {
    console.log(`${backend}:`);
    const profile = (run: string): string | undefined => args.cpuProf && join(args.cpuProf, `${backend}-${run}`);
    const profiling = args.cpuProf !== undefined;
    if (!args.cold) console.log(`  page cache: every annotation file and image header read in ${warmPageCache(dir, args.images).toFixed(1)} s (not counted)`);
    let server = new ServerProcess(dir, dbFile, pgUrl, profile('first'));
    const { url, split } = await server.next('listening');
    const indexed = await server.next('indexed');
    console.log(
      `  index from scratch: ${args.images} files in ${indexed.seconds.toFixed(1)} s = ${(args.images / indexed.seconds).toFixed(0)} files/s; longest stall ${indexed.stallMs.toFixed(0)} ms; server CPU ${(indexed.cpuMs / 1000).toFixed(1)} s = ${((1000 * indexed.cpuMs) / args.images).toFixed(0)} µs a file`,
    );

    console.log(`  warm-up: one request of each kind from each client, not counted; slowest ${(await warmUp(url, split, args)).toFixed(0)} ms`);
    await server.phase('load', profiling);
    server.send('stall');
    const before = await server.next('stall');
    const clientCpu = process.cpuUsage();
    const loadStart = performance.now();
    report('load', await load(url, split, args, 1));
    const { user, system } = process.cpuUsage(clientCpu);
    const wall = performance.now() - loadStart;
    server.send('stall');
    const afterLoad = await server.next('stall');
    console.log(`  longest stall under load ${afterLoad.stallMs.toFixed(0)} ms; server RSS ${afterLoad.rssMiB.toFixed(0)} MiB`);
    // Who had the two cores: the clients share them with the server.
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `  CPU in the load phase (${seconds(wall)}): server ${seconds(afterLoad.cpuMs - before.cpuMs)} (all its threads), clients ${seconds((user + system) / 1000)}`,
    );

    // 100 files changed, indexed again while the clients go on.
    const now = new Date();
    for (let k = 0; k < 100; k++)
      await utimes(join(dir, 'annos', `${imageName(1 + ((k * 997) % args.images))}.json`), now, new Date(now.getTime() + 1000 * (k + 1)));
    await server.phase('reindex', profiling);
    server.send('reindex');
    const during = load(url, split, args, 2);
    const reindexed = await server.next('indexed');
    report('reindex', await during);
    console.log(`  re-index of ${reindexed.changed} changed files: ${reindexed.seconds.toFixed(2)} s; longest stall ${reindexed.stallMs.toFixed(0)} ms`);
    await server.close();

    server = new ServerProcess(dir, dbFile, pgUrl, profile('restart'));
    await server.next('listening');
    const restart = await server.next('indexed');
    console.log(
      `  restart, unchanged split: checked in ${restart.seconds.toFixed(1)} s (${restart.changed} read); longest stall ${restart.stallMs.toFixed(0)} ms`,
    );
    await server.close();
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

/** Reads every annotation file and the head of every image of the split once; returns the seconds it took. */
function warmPageCache(dir: string, images: number): number {
  const start = performance.now();
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const read = (path: string, whole: boolean): void => {
    const fd = openSync(path, 'r');
    try {
      // The annotation to its end; of the image, the head the indexer reads.
      while (readSync(fd, buffer, 0, whole ? buffer.length : 4096, null) > 0 && whole);
    } finally {
      closeSync(fd);
    }
  };
  for (let id = 1; id <= images; id++) {
    read(join(dir, 'annos', `${imageName(id)}.json`), true);
    read(join(dir, 'image', `${imageName(id)}.jpg`), false);
  }
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--serve') return serveMode(argv[1]!, argv[2]!, argv[3] || undefined, argv[4] || undefined);
  const args = benchArguments('explorer bench', USAGE, parseArgs);
  if (!args) return;
  if (args.backends.includes('postgres') && !process.env.DF2_TEST_PG_URL) {
    console.error('explorer bench: PostgreSQL needs DF2_TEST_PG_URL (source scripts/ci-postgres.sh), or use --backends sqlite');
    process.exitCode = 1;
    return;
  }
  cleanUpOnSignals();
  if (args.cpuProf) await mkdir(args.cpuProf, { recursive: true });
  const dir = await ensureTrainLikeSplit(args.images, 2000, { varied: args.varied });
  const loadavg = (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `explorer bench: ${basename(dir)}, ${args.images} images, ${args.clients} clients, ${args.requests} requests a phase; ${new Date().toISOString()}; load average ${loadavg}`,
  );
  for (const backend of args.backends) await benchBackend(backend, dir, args);
}

await main();
