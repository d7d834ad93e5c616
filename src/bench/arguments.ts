/**
 * The bench scripts' arguments, read the same way by each: `--help` prints
 * the script's usage; a mistake (an unknown option, a missing or bad value)
 * is one line naming it, then the usage, and exit code 1, not a stack trace.
 */

/** A mistake in a bench script's arguments (see benchArguments). */
export class BenchUsageError extends Error {}

/**
 * The value of the option before `argv[at]`, i.e. `argv[at]` itself: the
 * parsers call it as `optionValue(argv, ++i)`.
 *
 * @example
 * if (a === '--images') args.images = Number(optionValue(argv, ++i));
 */
export function optionValue(argv: readonly string[], at: number): string {
  const value = argv[at];
  if (value === undefined) throw new BenchUsageError(`${argv[at - 1]} expects a value`);
  return value;
}

/**
 * This process's arguments as `parse` reads them, or null when there is
 * nothing to run: `--help` printed the usage, or a BenchUsageError was
 * printed as `<name>: <mistake>` with the usage (exit code 1).
 *
 * @example
 * const args = benchArguments('bench', USAGE, parseArgs);
 * if (!args) return;
 */
export function benchArguments<T>(name: string, usage: string, parse: (argv: string[]) => T): T | null {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return null;
  }
  try {
    return parse(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    console.error(`${name}: ${err.message}\n${usage}`);
    process.exitCode = 1;
    return null;
  }
}
