/**
 * `df2 serve`: the dataset explorer and challenge server (src/server) on
 * localhost, with its SQLite database under the working directory.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { SERVER_DEFAULTS } from '../server/defaults.js';

export interface ServeCliOptions {
  data?: string[];
  gtDir?: string;
  challenge?: string;
  db: string;
  port: number;
  host: string;
  demo?: boolean;
  quota: number;
  maxUploadMb: number;
  results?: string[];
  workers: number;
  gtMemoryMb: number;
  cacheDir?: string;
  stopTimeout: number;
}

function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d{1,7}$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('dataset explorer and challenge server in the browser (SQLite store, nothing else to install)')
    .option('--data <dir...>', 'split directories to explore (annos/ + image/); indexed once, then only changed files')
    .option('--gt-dir <dir>', 'challenge ground truth: coco.json, coco-visible.json, query.json, gallery.json (never served)')
    .option('--challenge <file>', 'challenge file (YAML): title, registration, phases with ground truth, dates, limits (see docs/challenge.md)')
    .option(
      '--db <file|url>',
      'SQLite database file (created if missing, mode 600; one df2 serve at a time), or a postgres:// URL shared with other servers and df2 worker',
      SERVER_DEFAULTS.db,
    )
    .option('--workers <n>', 'evaluations this process runs at once; 0: none (df2 worker processes evaluate)', nonNegativeInt, SERVER_DEFAULTS.workers)
    .option('--cache-dir <dir>', 'uploads (SQLite) and thumbnails; default: beside the SQLite file, .df2 with PostgreSQL')
    .option(
      '--gt-memory-mb <n>',
      'ground truth each evaluation process keeps in memory between submissions (MB, least recently used dropped past it); 0: a new process per submission',
      nonNegativeInt,
      SERVER_DEFAULTS.groundTruthMemoryMb,
    )
    .option(
      '--stop-timeout <s>',
      'on SIGTERM/SIGINT, running evaluations may finish for this many seconds, then go back to the queue',
      nonNegativeInt,
      SERVER_DEFAULTS.stopTimeoutSeconds,
    )
    .option('--port <n>', 'port, 0 to 65535 (0 = any free port)', portNumber, SERVER_DEFAULTS.port)
    .option('--host <host>', 'address to listen on; the default serves this machine only', SERVER_DEFAULTS.host)
    .option('--results <name=file...>', 'results files (bbox, segm, keypoints or retrieval) to open as layers in the explorer')
    .option('--demo', 'with no --data: make a small synthetic split with predictions and ground truth, and open it')
    .option('--quota <n>', 'with --gt-dir alone: submissions per team, task and UTC day', nonNegativeInt, SERVER_DEFAULTS.quota)
    .option('--max-upload-mb <n>', 'largest results file accepted (MB)', nonNegativeInt, SERVER_DEFAULTS.maxUploadMb)
    .addHelpText(
      'after',
      `
With an SQLite --db, the database, uploads and thumbnails live in its directory
and this process is the only one to use it. With --db postgres://USER@HOST/DB,
any number of df2 serve and df2 worker processes share the database (see
docs/scale-out.md).
Create accounts with \`df2 users add NAME [--team TEAM] [--admin] --db FILE\`; the token
goes in the app's Submit page or in an "Authorization: Bearer TOKEN" header. With a
challenge file whose registration is open or invite, people sign up in the app.

Examples:
  $ df2 serve --demo
  $ df2 serve --data data/validation --gt-dir gt/validation
  $ df2 serve --data data/validation --results mine=bbox_results.json --results ret=retrieval.json
  $ df2 serve --data data/validation --challenge challenge.yaml
  $ df2 serve --data data/train data/validation --port 9000 --db /srv/df2/df2.sqlite
  $ df2 serve --data data/validation --gt-dir gt/validation --db postgres://df2@db.example/df2 --workers 0`,
    )
    .action(async (options: ServeCliOptions) => {
      // The server (hono, SQLite, canvas) loads only when this command runs.
      const { runServe } = await import('./serve-run.js');
      await runServe(options);
    });
}
