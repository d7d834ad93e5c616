/**
 * `df2 worker`: a process on any machine that evaluates the challenge's
 * submissions. It needs only the PostgreSQL URL and the ground truth (the
 * challenge file's phases, or one `dev` phase of --gt-dir): jobs
 * come from pg-boss, uploads are read out of the database, figures and
 * reports are written back to it.
 */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { openChallengeBackend } from './backend.js';
import { Evaluator } from './challenge/evaluator.js';
import { loadChallenge, singlePhaseChallenge } from './challenge/config.js';
import { DEFAULT_QUOTA } from './defaults.js';
import { TASKS } from './challenge/types.js';
import { isPostgresUrl } from './store/postgres.js';
import { InputError } from '../util/errors.js';
import type { Task } from './challenge/types.js';

export interface WorkerOptions {
  /** postgres:// URL of the challenge's database. */
  db: string;
  /** One open phase `dev` on this ground truth (as `df2 serve --gt-dir`), unless `challenge` is given. */
  gtDir?: string;
  /** The challenge file (YAML) of the servers: each submission is evaluated against its phase's ground truth. */
  challenge?: string;
  /** Evaluations at once (each in its own child process). */
  concurrency?: number;
  /** A claim without a heartbeat for this long is retried elsewhere (s); default 30. */
  leaseSeconds?: number;
  maxAttempts?: number;
  evalTimeoutMs?: number;
  childHeapMb?: number;
  log?: (line: string) => void;
}

export interface RunningWorker {
  workerId: string;
  tasks: Task[];
  /** Takes no new submission, lets running ones finish for up to `graceMs`, puts the rest back, disconnects. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts taking submissions off the queue.
 *
 * @example
 * const worker = await startWorker({ db: 'postgres://df2@db.example/df2', challenge: 'challenge.yaml', concurrency: 2 });
 * process.once('SIGTERM', () => void worker.stop(60_000));
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  if (!isPostgresUrl(options.db)) {
    throw new InputError(
      options.db,
      '',
      'a postgres:// URL (--db): workers share a PostgreSQL database with df2 serve; an SQLite file is evaluated by its own df2 serve',
      'a file name',
    );
  }
  if ((options.gtDir === undefined) === (options.challenge === undefined)) {
    throw new InputError(
      '--challenge/--gt-dir',
      '',
      "exactly one of --challenge FILE and --gt-dir DIR (the servers')",
      options.gtDir === undefined ? 'neither' : 'both',
    );
  }
  if (options.gtDir !== undefined && !existsSync(resolve(options.gtDir))) {
    throw new InputError(resolve(options.gtDir), '', 'the ground-truth directory (--gt-dir)', 'nothing there');
  }
  const challenge = options.challenge !== undefined ? loadChallenge(options.challenge) : singlePhaseChallenge(options.gtDir, DEFAULT_QUOTA);
  const tasks = TASKS.filter((t) => challenge.phases.some((p) => p.tasks.includes(t)));
  if (tasks.length === 0) {
    throw new InputError(
      options.challenge ?? resolve(options.gtDir!),
      '',
      'ground truth of some task: coco.json, coco-visible.json or query.json + gallery.json (df2 convert)',
      'none',
    );
  }
  const gtDirs = new Map(challenge.phases.map((p) => [p.name, p.gtDir || undefined]));
  const evalTimeoutMs = options.evalTimeoutMs ?? 6 * 3600_000;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const backend = await openChallengeBackend(options.db, {
    evaluationSeconds: Math.ceil(evalTimeoutMs / 1000),
    applicationName: 'df2 worker',
    poolMax: 2 + concurrency,
  });
  const evaluator = new Evaluator(backend.store, backend.uploads, backend.queue, {
    gtDirOf: (phase) => gtDirs.get(phase),
    maxAttempts: options.maxAttempts ?? 3,
    timeoutMs: evalTimeoutMs,
    childHeapMb: options.childHeapMb ?? 8192,
    leaseSeconds: options.leaseSeconds ?? 30,
    sweep: true,
    concurrency,
    link: backend.link,
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    await evaluator.sweep();
    await evaluator.startBackground({ heartbeat: true });
    await backend.queue.start(evaluator.work, concurrency);
  } catch (err) {
    await evaluator.stop(0);
    await backend.close();
    throw err;
  }
  return {
    workerId: evaluator.workerId,
    tasks,
    async stop(graceMs: number) {
      // Fetching stops at once; the evaluations running get graceMs, then go back to the queue.
      const stopFetching = backend.queue.stop();
      await evaluator.stop(graceMs);
      await stopFetching;
      await backend.close();
    },
  };
}
