/**
 * Bad input is reported as one line naming the file, the entry (index or JSON
 * path) and what was expected. Everything that reads user files throws
 * InputError; the CLI prints `error.message` and exits 1, without a stack.
 */
export class InputError extends Error {
  constructor(
    /** The file (or directory) that holds the bad entry. */
    readonly file: string,
    /** JSON path or entry of the problem, e.g. `[12].bbox` or `annotations[3].keypoints`; '' for the whole file. */
    readonly entry: string,
    /** What was expected there, e.g. "4 finite numbers". */
    readonly expected: string,
    /** What was found instead (short), if known. */
    readonly found?: string,
  ) {
    super(formatProblem(file, entry, expected, found));
    this.name = 'InputError';
  }
}

/**
 * A command's options that do not go together (or one that is missing where
 * another needs it): bad input like a bad file, reported as one line
 * `df2 <command>: <option>: expected ..., found ...` and exit code 1.
 */
export class UsageError extends InputError {
  /**
   * @example
   * throw new UsageError('report', '--gt', 'a COCO ground-truth file for the --results', 'none');
   * // printed by the CLI as: df2: report: --gt: expected a COCO ground-truth file for the --results, found none
   */
  constructor(command: string, option: string, expected: string, found?: string) {
    super(command, option, expected, found);
    this.name = 'UsageError';
  }
}

export function formatProblem(file: string, entry: string, expected: string, found?: string): string {
  const where = entry ? `${oneLine(file)}: ${oneLine(entry)}` : oneLine(file);
  return `${where}: expected ${oneLine(expected)}${found === undefined ? '' : `, found ${oneLine(found)}`}`;
}

/** Control characters and line separators, which would break the one line (or, as ESC, drive the terminal). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * `text` with every control character written as its escape (`\n`, `\u001b`),
 * so that a name taken from the input (a zip entry, a file name, a JSON key)
 * can neither split the message's one line nor send the terminal a command.
 *
 * @example
 * oneLine('a\nb'); // 'a\\nb'
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A short, single-line description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `non-finite ${value}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
}

/** Appends a JSON path step: key or array index. */
export function pathJoin(base: string, step: string | number): string {
  if (typeof step === 'number') return `${base}[${step}]`;
  return /^[A-Za-z_$][\w$]*$/.test(step) ? (base ? `${base}.${step}` : step) : `${base}[${JSON.stringify(step)}]`;
}
