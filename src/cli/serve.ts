/**
 * `df2 serve`: the dataset explorer and challenge server (src/server) on
 * localhost, with its SQLite database under the working directory.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { DEFAULT_QUOTA } from '../server/defaults.js';

export const DEFAULT_DB_FILE = join('.df2', 'df2.sqlite');
export const DEFAULT_PORT = 8420;

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
}

function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return Number(value);
}

function nonNegativeInt(value: string): number {
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
    .option('--db <file>', 'SQLite database file (created if missing, mode 600); one df2 serve at a time', DEFAULT_DB_FILE)
    .option('--port <n>', 'port, 0 to 65535 (0 = any free port)', portNumber, DEFAULT_PORT)
    .option('--host <host>', 'address to listen on; the default serves this machine only', '127.0.0.1')
    .option('--results <name=file...>', 'results files (bbox, segm, keypoints or retrieval) to open as layers in the explorer')
    .option('--demo', 'with no --data: make a small synthetic split with predictions and ground truth, and open it')
    .option('--quota <n>', 'with --gt-dir alone: submissions per team, task and UTC day', nonNegativeInt, DEFAULT_QUOTA)
    .option('--max-upload-mb <n>', 'largest results file accepted (MB)', nonNegativeInt, 2048)
    .addHelpText(
      'after',
      `
The database, uploads and thumbnails live in the --db file's directory.
Create accounts with \`df2 users add NAME [--team TEAM] [--admin] --db FILE\`; the token
goes in the app's Submit page or in an "Authorization: Bearer TOKEN" header. With a
challenge file whose registration is open or invite, people sign up in the app.

Examples:
  $ df2 serve --demo
  $ df2 serve --data data/validation --gt-dir gt/validation
  $ df2 serve --data data/validation --results mine=bbox_results.json --results ret=retrieval.json
  $ df2 serve --data data/validation --challenge challenge.yaml
  $ df2 serve --data data/train data/validation --port 9000 --db /srv/df2/df2.sqlite`,
    )
    .action(async (options: ServeCliOptions) => {
      // The server (hono, SQLite, canvas) loads only when this command runs.
      const { runServe } = await import('./serve-run.js');
      await runServe(options);
    });
}
