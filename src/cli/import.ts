/**
 * `df2 import ZIP... --out DATA_DIR [--password-file FILE] [--json]`: the
 * release's zips to checked splits. Wiring only: the work is in
 * dataset/zip-import.
 */
import type { Command } from 'commander';
import type { Problem } from '../schema/index.js';
import { formatProblemLine } from '../schema/index.js';
import { ImportInterrupted, importArchives } from '../dataset/index.js';
import { PASSWORD_ENV, PromptInterrupted, promptPassword, resolvePassword } from '../dataset/internal.js';
import { startProgress } from '../util/progress.js';
import { summaryLine, validateJson } from './validate.js';

interface ImportCliOptions {
  out: string;
  passwordFile?: string;
  json?: boolean;
  /** Not a flag: the tests choose where entries are decoded (see ImportOptions.decodeThreads). */
  decodeThreads?: number;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description("extract the release's password-protected zips into DATA_DIR and check every split as it comes out")
    .argument('<zip...>', 'train.zip, validation.zip, test.zip, json_for_validation.zip (any of them)')
    .requiredOption('--out <dir>', 'data directory; files land under their names in the zip (DATA_DIR/validation/annos/...)')
    .option('--password-file <file>', `file whose first line is the password (otherwise ${PASSWORD_ENV}, otherwise asked on the terminal)`)
    .option('--json', "print each split's `df2 validate --json` object, one line per split (no progress bar)")
    .addHelpText(
      'after',
      `
The password is never taken as an argument (it would show in ps). A wrong
password is found before anything is written. Each file is written under a
temporary name and renamed once its CRC-32 matches; running the command again
skips the files already there, so an interrupted import resumes. Each split
(a directory with annos/ or image/) is then reported as \`df2 validate\`
reports it: its problems, then its summary line.
Exit code: 0 when everything was extracted and no split has an error, 1 otherwise.

Examples:
  $ df2 import train.zip validation.zip test.zip json_for_validation.zip --out data --password-file ~/.df2-zip-password
  $ DF2_ZIP_PASSWORD=... df2 import validation.zip --out data --json`,
    )
    .action(async (zips: string[], options: ImportCliOptions) => {
      process.exitCode = await runImport(zips, options);
    });
}

/** The command itself; returns the exit code. Bad input throws InputError (one line, exit 1). */
export async function runImport(zips: string[], options: ImportCliOptions, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const json = options.json === true;
  const progress = startProgress({ label: 'importing', total: 0, quiet: json, unit: 'bytes' });
  const started = performance.now();
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await importArchives(zips, options.out, {
      password: async () => {
        progress.stop();
        return resolvePassword({ passwordFile: options.passwordFile, prompt: () => promptPassword('Password for the zip archives: ') });
      },
      signal: abort.signal,
      ...(options.decodeThreads !== undefined && { decodeThreads: options.decodeThreads }),
      onProgress: (p) => {
        progress.setTotal(p.totalBytes);
        progress.update(p.bytes, `${p.files} files`);
      },
    });
  } catch (err) {
    progress.stop();
    if (err instanceof ImportInterrupted || err instanceof PromptInterrupted) {
      process.stderr.write('df2: import: interrupted; the files written so far are whole, run the command again to resume\n');
      return 130;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.stop();

  let errors = 0;
  for (const split of result.splits) {
    const problems: Problem[] = [];
    const summary = await split.finish((problem) => {
      if (json) problems.push(problem);
      else write(`${formatProblemLine(problem)}\n`);
    });
    errors += summary.errors;
    write(`${json ? validateJson(summary, problems) : summaryLine(split.dir, summary)}\n`);
  }
  if (!json) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `imported ${result.written + result.skipped} files (${result.written} written, ${result.skipped} already there), ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds} s\n`,
    );
  }
  return errors > 0 ? 1 : 0;
}
