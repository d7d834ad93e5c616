/**
 * The df2 command line: thin wiring from arguments to the modules that do the
 * work. Each command lives in its own file and registers itself here.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InputError } from '../util/errors.js';
import { isJsonObject } from '../util/json-guards.js';
import { registerCommands } from './commands.js';

/** The version in package.json (this file is dist/cli/main.js, two levels below it). */
export function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (isJsonObject(manifest) && typeof manifest.version === 'string') return manifest.version;
  throw new Error('package.json has no version');
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('df2')
    .description('The DeepFashion2 benchmark: read, check, convert, evaluate, draw and serve.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  registerCommands(program);
  return program;
}

/**
 * Reports bad input as one line and exit code 1. Anything else is a bug: exit
 * code 2 with its message, and its stack when DF2_DEBUG is set.
 */
export function reportFailure(err: unknown): number {
  if (err instanceof InputError) {
    // One line per problem (a challenge file reports all of its mistakes at once).
    process.stderr.write(err.message.split('\n').map((line) => `df2: ${line}\n`).join(''));
    return 1;
  }
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
  process.stderr.write(`df2: internal error: ${err instanceof Error ? (process.env.DF2_DEBUG ? err.stack : err.message) : String(err)}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportFailure(err);
  }
}
