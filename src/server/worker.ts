/**
 * `df2 worker`: a process on any machine that evaluates the challenge's
 * submissions. It needs only the PostgreSQL URL and the ground truth (the
 * challenge file's phases, or one `dev` phase of --gt-dir): jobs
 * come from pg-boss, uploads are read out of the database, figures and
 * reports are written back to it.
 */
import { openChallengeBackend } from './backend.js';
import { Evaluator } from './challenge/evaluator.js';
import { SubmissionService } from './challenge/service.js';
import type { Challenge } from './challenge/config.js';
import { cacheDirOf, challengeTasks, evaluationSettings, phaseRules, resolveChallenge, type EvaluationOptions } from './config.js';
import { SERVER_DEFAULTS } from './defaults.js';
import { isPostgresUrl } from './store/postgres.js';
import { InputError } from '../util/errors.js';
import type { Task } from './challenge/types.js';

interface WorkerOptions extends EvaluationOptions {
  /** postgres:// URL of the challenge's database. */
  db: string;
  /** One open phase `dev` on this ground truth (as `df2 serve --gt-dir`), unless `challenge` is given. */
  gtDir?: string;
  /** The challenge file (YAML) of the servers, or the challenge resolved from it: each submission is evaluated against its phase's ground truth. */
  challenge?: string | Challenge;
  /** Evaluations at once (each in its own child process). @default 1 */
  concurrency?: number;
  /** Ground-truth snapshots of the evaluation processes (`df2 worker --cache DIR`); none when undefined. */
  snapshotDir?: string;
  log?: (line: string) => void;
}

interface RunningWorker {
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
  // A challenge the CLI resolved is taken as it is: --challenge/--gt-dir and the ground truth are checked once.
  const challenge = await resolveChallenge(options, { command: 'worker', required: true });
  const tasks = challengeTasks(challenge);
  const evaluation = evaluationSettings(options);
  const concurrency = Math.max(1, options.concurrency ?? SERVER_DEFAULTS.concurrency);
  const backend = await openChallengeBackend(options.db, {
    evaluationSeconds: Math.ceil(evaluation.timeoutMs / 1000),
    applicationName: 'df2 worker',
    poolMax: 2 + concurrency,
    cacheDir: cacheDirOf(options.db),
  });
  const { store, uploads, queue } = backend;
  const evaluator = new Evaluator(
    { submissions: new SubmissionService({ store, uploads, queue }), store, uploads, queue },
    {
      ...evaluation,
      ...phaseRules(challenge),
      ...(options.snapshotDir !== undefined && { snapshotDir: options.snapshotDir }),
      sweep: true,
      concurrency,
      link: backend.link,
      ...(options.log ? { log: options.log } : {}),
    },
  );
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
