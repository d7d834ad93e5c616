/**
 * The df2 command line: thin wiring from arguments to the modules that do the
 * work. Each command lives in its own file and registers itself here.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, type Option } from 'commander';
import { InputError } from '../util/errors.js';
import { isJsonObject } from '../util/json-guards.js';
import { endBySignal, SIGNAL_EXIT_CODES, type StopSignal } from '../util/process-end.js';
import { COMMAND_NAMES, registerCommands } from './commands.js';

/** The version in package.json (this file is dist/cli/main.js, two levels below it). */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (isJsonObject(manifest) && typeof manifest.version === 'string') return manifest.version;
  throw new Error('package.json has no version');
}

/**
 * The program with its commands: only the one `argv` names when it names
 * one (see registerCommands), else all of them.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('df2')
    .description('The DeepFashion2 benchmark: read, check, convert, evaluate, draw and serve.')
    .version(packageVersion())
    .configureHelp({ sortSubcommands: false, optionDescription: describeOption })
    .addHelpText(
      'after',
      `
Bad input (a file, an entry, an option) is reported as one line naming it, with
exit code 1. Exit code 2 is a bug in df2: set DF2_DEBUG=1 to print its stack trace.
Ctrl-C (SIGINT) or SIGTERM stops any command without leaving temporary files.`,
    );
  await registerCommands(program, commandIn(argv));
  oneLineUsageErrors(program, []);
  return program;
}

/** The command argv names: its first argument after node and the script, when that is a command's name. */
function commandIn(argv: readonly string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && COMMAND_NAMES.includes(first) ? first : undefined;
}

/**
 * Commander's own errors (a missing required option, an unknown option or
 * command, a bad value) as one line with the prefix of every other error:
 * `df2: import: required option '--out <dir>' not specified (see df2 import --help)`.
 * Commander writes `error: ...`, its suggestion on a second line, and the
 * help hint on a third; each command gets its own writer because the
 * message does not name the command.
 */
function oneLineUsageErrors(command: Command, names: readonly string[]): void {
  const full = ['df2', ...names].join(' ');
  const where = names.length === 0 ? '' : `${names.join(' ')}: `;
  command.configureOutput({
    outputError: (message, write) =>
      write(
        `df2: ${where}${message
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()} (see ${full} --help)\n`,
      ),
  });
  command.showHelpAfterError(false);
  for (const sub of command.commands) oneLineUsageErrors(sub, [...names, sub.name()]);
}

/**
 * Commander's option description, with "(required)" in front for an option
 * that must be given (requiredOption / makeOptionMandatory), which its help
 * does not otherwise show. Subcommands inherit this help configuration.
 */
function describeOption(option: Option): string {
  const text = Help.prototype.optionDescription.call(new Help(), option);
  return option.mandatory ? `(required) ${text}` : text;
}

/**
 * Reports bad input as one line and exit code 1. Anything else is a bug: exit
 * code 2 with its message, and its stack when DF2_DEBUG is set.
 */
function reportFailure(err: unknown): number {
  if (err instanceof InputError) {
    // A UsageError names the command where others name a file: `df2: report: --gt: expected ...`.
    // One line per problem (a challenge file reports all of its mistakes at once).
    process.stderr.write(
      err.message
        .split('\n')
        .map((line) => `df2: ${line}\n`)
        .join(''),
    );
    return 1;
  }
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
  process.stderr.write(`df2: internal error: ${err instanceof Error ? (process.env.DF2_DEBUG ? err.stack : err.message) : String(err)}\n`);
  return 2;
}

/**
 * Ctrl-C and SIGTERM end a command by the signal once its temporary files are
 * removed (util/process-end: a process killed by a signal's default action
 * runs no JavaScript at all, so these listeners stand in for it). A command
 * that handles the signal itself (serve stops gracefully, synth stops its
 * painters first) registers its own listener; this one then leaves the ending
 * to it.
 */
function exitOnSignals(): void {
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
    process.on(signal, function onSignal() {
      if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
      endBySignal(signal);
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  exitOnSignals();
  try {
    const program = await buildProgram(argv);
    program.exitOverride();
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportFailure(err);
  }
}
