/**
 * `df2 validate DIR [--json]`: checks every file of a split and reports every
 * problem, one line each (`FILE: PATH: expected X, found Y`; warnings start
 * with "warning: "), then a one-line summary. Exit code 1 when there is an
 * error, 0 otherwise (warnings do not fail).
 */
import type { Command } from 'commander';
import type { Problem } from '../schema/index.js';
import { formatProblemLine } from '../schema/index.js';
import { DEFAULT_CONCURRENCY } from '../dataset/index.js';
import { validateSplit, type SplitSummary } from '../dataset/index.js';
import { startProgress } from '../util/progress.js';
import { integerOption } from './split-input.js';

interface ValidateOptions {
  json?: boolean;
  concurrency: number;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a split (annos/*.json and image/*.jpg) and report every problem')
    .argument('<dir>', 'split directory holding annos/ and image/')
    .option('--json', 'print {files, items, errors, warnings, problems} as JSON on stdout (no progress bar)')
    .option('--concurrency <n>', 'files read at once', integerOption(1, Number.MAX_SAFE_INTEGER, 'expected a positive integer'), DEFAULT_CONCURRENCY)
    .addHelpText(
      'after',
      `
Each problem is one line, FILE: JSON.PATH: expected X, found Y, for example
  data/validation/annos/000012.json: item2.landmarks[14]: expected a visibility 0, 1 or 2 (landmark 5), found 3
Warnings (legal but probably unintended) start with "warning: " and do not fail.
Exit code: 0 when there is no error, 1 otherwise.

Examples:
  $ df2 validate data/validation
  $ df2 validate data/train --json > train-problems.json`,
    )
    .action(async (dir: string, options: ValidateOptions) => {
      process.exitCode = await runValidate(dir, options);
    });
}

/**
 * The command itself: writes the report to `write` (stdout) and returns the
 * exit code. Tests call it in-process; bad input other than the split's
 * content (no such directory) throws InputError as everywhere in df2.
 */
export async function runValidate(dir: string, options: Partial<ValidateOptions>, write: (text: string) => void = writeStdout): Promise<number> {
  const json = options.json === true;
  const problems: Problem[] = [];
  const progress = startProgress({ label: 'validating', total: 0, quiet: json });
  // The bar moves the cursor back to where it started when it stops, so lines
  // printed while it is drawn would be overwritten. While it is on screen,
  // problem lines are held back and printed after it; past HELD_LINES_LIMIT
  // the bar is dropped and lines stream, so memory stays bounded.
  // (startProgress draws under exactly these conditions.)
  let barOnScreen = write === writeStdout && !json && process.stderr.isTTY === true && !process.env.CI;
  let held: string[] = [];
  const dropBar = (): void => {
    if (!barOnScreen) return;
    barOnScreen = false;
    progress.stop();
    if (held.length > 0) write(held.join(''));
    held = [];
  };

  let summary: SplitSummary;
  try {
    summary = await validateSplit(dir, {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      onProblem: (problem) => {
        if (json) {
          problems.push(problem);
          return;
        }
        const line = `${formatProblemLine(problem)}\n`;
        if (!barOnScreen) return write(line);
        held.push(line);
        if (held.length >= HELD_LINES_LIMIT) dropBar();
      },
      onProgress: (done, total) => {
        if (!barOnScreen) return;
        if (done === 0) progress.setTotal(total);
        else progress.update(done);
      },
    });
  } finally {
    dropBar();
    progress.stop();
  }

  if (json) write(`${validateJson(summary, problems)}\n`);
  else write(`${summaryLine(dir, summary)}\n`);
  return summary.errors > 0 ? 1 : 0;
}

const HELD_LINES_LIMIT = 10_000;

function writeStdout(text: string): void {
  process.stdout.write(text);
}

/** The JSON `df2 validate --json` prints (one line, without its newline). */
export function validateJson(summary: SplitSummary, problems: Problem[]): string {
  return JSON.stringify({ ...summary, problems });
}

/** The summary line `df2 validate` ends with. */
export function summaryLine(dir: string, s: SplitSummary): string {
  const counts = `${s.files} files, ${s.items} items, ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  return `${dir}: ${s.errors > 0 ? 'invalid' : 'valid'}: ${counts}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
