/**
 * The df2 command's first step, before its modules load: an evaluation that
 * writes hundreds of megabytes of typed arrays starts again in the same
 * process (`execve`: same process id, same terminal, signals and exit code
 * untouched) with glibc asking for transparent huge pages (util/huge-pages.ts).
 * The second start of Node.js costs some 0.1 s and saves about 0.5 s of a
 * repeated segm evaluation of the validation set, so only the commands and
 * tasks that gain do it. Node.js has `process.execve` from 22.15 and 23.11;
 * on Node.js 20 nothing happens here (set GLIBC_TUNABLES yourself:
 * docs/performance.md).
 */
import { hostFacts, withHugePages } from '../util/huge-pages.js';

/** Tasks whose results or ground truth fill large typed arrays: masks (segm) and landmark windows (keypoints). */
const LARGE_TASKS = new Set(['segm', 'keypoints']);

/** The values of `--name value` and `--name=value` in args. */
function optionValues(args: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === name && i + 1 < args.length) values.push(args[++i]!);
    else if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
  }
  return values;
}

/**
 * Whether the command of `args` (the command line after node and the script) gains from huge
 * pages: `eval segm|keypoints`, `compare --task segm|keypoints`, and `report`
 * unless every --task it names is bbox or retrieval (a report evaluates every
 * results file it is given). Box and retrieval evaluations allocate little:
 * they would only pay for the second start.
 *
 * @example
 * wantsHugePages(['eval', 'segm', '--gt', 'g.json']); // true
 * wantsHugePages(['compare', 'a.json', 'b.json', '--gt', 'g.json']); // false (bbox)
 */
export function wantsHugePages(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (rest.includes('--help') || rest.includes('-h')) return false;
  if (command === 'eval') return LARGE_TASKS.has(rest[0] ?? '');
  if (command === 'compare') return optionValues(rest, '--task').some((task) => LARGE_TASKS.has(task));
  if (command === 'report') {
    const tasks = optionValues(rest, '--task');
    return tasks.length === 0 || tasks.some((task) => LARGE_TASKS.has(task));
  }
  return false;
}

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/** `process.execve` where this Node.js has it (22.15 and 23.11 on), else undefined. */
export function processExecve(): Execve | undefined {
  const execve = (process as { execve?: Execve }).execve;
  return typeof execve === 'function' ? execve : undefined;
}

/**
 * Starts this process again (the same script and arguments) with huge pages
 * when the df2 command of `commandArgs` gains from them and the machine gives
 * them (see withHugePages); returns when it does not. A failed `execve` (a
 * platform without it) leaves the process as it was.
 */
export function relaunchWithHugePages(commandArgs: readonly string[] = process.argv.slice(2)): void {
  const execve = processExecve();
  if (!execve || !wantsHugePages(commandArgs)) return;
  const env = withHugePages(process.env, hostFacts());
  if (!env) return;
  try {
    execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // Not replaced: df2 runs on in this process, with 4 KB pages.
  }
}
