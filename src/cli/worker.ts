/**
 * `df2 worker --db postgres://... (--challenge FILE | --gt-dir DIR) [--concurrency N]`: evaluates
 * the submissions of a challenge whose web servers (`df2 serve --db
 * postgres://...`) run elsewhere.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { nonNegativeInt } from './serve.js';
import { SERVER_DEFAULTS } from '../server/defaults.js';

interface WorkerCliOptions {
  db: string;
  gtDir?: string;
  challenge?: string;
  concurrency: number;
  leaseSeconds: number;
  stopTimeout: number;
  maxAttempts: number;
  gtMemoryMb: number;
  quiet?: boolean;
  cache?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .usage('--db <url> (--challenge <file> | --gt-dir <dir>) [options]')
    .description('evaluate the submissions of a df2 serve that shares its PostgreSQL database (any machine)')
    .requiredOption('--db <url>', 'postgres:// URL of the challenge database (the one df2 serve --db uses)')
    .option('--challenge <file>', "(this or --gt-dir) the challenge file of the servers (YAML): each submission is evaluated against its phase's ground truth")
    .option(
      '--gt-dir <dir>',
      '(this or --challenge) with servers started with --gt-dir: their ground truth (coco.json, coco-visible.json, query.json, gallery.json; one phase dev)',
    )
    .option('--concurrency <n>', 'evaluations at once, each in its own process', nonNegativeInt, SERVER_DEFAULTS.concurrency)
    .option(
      '--lease-seconds <s>',
      'a worker silent this long (killed, cut off) loses its submissions to another worker',
      nonNegativeInt,
      SERVER_DEFAULTS.leaseSeconds,
    )
    .option(
      '--stop-timeout <s>',
      'on SIGTERM/SIGINT, running evaluations may finish for this many seconds, then go back to the queue',
      nonNegativeInt,
      SERVER_DEFAULTS.stopTimeoutSeconds,
    )
    .option('--max-attempts <n>', 'attempts per submission before it fails (crashes, kills)', nonNegativeInt, SERVER_DEFAULTS.maxAttempts)
    .option(
      '--gt-memory-mb <n>',
      'ground truth each evaluation process keeps in memory between submissions (MB, least recently used dropped past it); 0: a new process per submission',
      nonNegativeInt,
      SERVER_DEFAULTS.groundTruthMemoryMb,
    )
    .option('--quiet', 'no line per evaluation, nor at start and stop (errors only)')
    .option('--cache <dir>', 'ground-truth snapshots: each evaluation reads the ground truth from its snapshot here (written by the first one)')
    .addHelpText(
      'after',
      `
Exactly one of --challenge and --gt-dir is required (the same as the servers').
The worker needs only the database URL and the ground truth: uploads are read
from the database, figures and reports written to it. Every lease-seconds/3 it
sends a heartbeat; see docs/scale-out.md for what is promised.

Examples:
  $ df2 worker --db postgres://df2@db.example/df2 --gt-dir gt/validation
  $ df2 worker --db postgres://df2@db.example/df2 --challenge challenge.yaml --concurrency 2`,
    )
    .action(async (options: WorkerCliOptions) => {
      const [{ startWorker }, { resolveChallenge }] = await Promise.all([import('../server/worker.js'), import('../server/config.js')]);
      // The one check of --challenge/--gt-dir and the ground truth, before the database is touched.
      const challenge = await resolveChallenge(options, { command: 'worker', required: true });
      const log = (line: string): void => {
        if (!options.quiet) process.stderr.write(`df2 worker: ${line}\n`);
      };
      const worker = await startWorker({
        db: options.db,
        challenge,
        concurrency: Math.max(1, options.concurrency),
        leaseSeconds: Math.max(1, options.leaseSeconds),
        maxAttempts: Math.max(1, options.maxAttempts),
        groundTruthMemoryMb: options.gtMemoryMb,
        ...(options.cache !== undefined && { snapshotDir: resolve(options.cache) }),
        log,
      });
      log(`${worker.workerId} ready (${worker.tasks.join(', ')}; ${options.concurrency} at a time)`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log(`stopping: running evaluations may finish for ${options.stopTimeout} s`);
          void worker.stop(options.stopTimeout * 1000).then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      log('stopped');
    });
}
