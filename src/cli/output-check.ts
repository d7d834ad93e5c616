/**
 * A command never writes over what it reads: before any work, every output
 * path is compared with the input files, with the folders a split is read
 * from (its annos/ and image/), and with the other outputs. Paths are compared
 * after resolving symbolic links of what exists, so `./a.json` and a link to
 * it are one file.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { UsageError } from '../util/errors.js';

interface CommandPaths {
  /** Files the command reads. */
  inputFiles?: readonly (string | undefined)[];
  /** Split folders the command reads (their annos/ and image/ must stay untouched). */
  splits?: readonly string[];
  /** Outputs as [option, path]: files, or folders written into. */
  outputs: readonly (readonly [option: string, path: string | undefined])[];
}

/** The absolute path with every existing ancestor's symbolic links resolved. */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonical(parent), basename(absolute));
  }
}

const isInside = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Throws a UsageError when an output is an input file, lies inside a split's
 * annos/ or image/ folder, or is another output.
 *
 * @example
 * refuseOutputsThatAreInputs('convert retrieval', { splits: [dir], outputs: [['--query', q], ['--gallery', g]] });
 */
export function refuseOutputsThatAreInputs(command: string, paths: CommandPaths): void {
  const inputs = (paths.inputFiles ?? []).filter((f): f is string => f !== undefined).map(canonical);
  const splitFolders = (paths.splits ?? []).flatMap((dir) => ['annos', 'image'].map((sub) => canonical(join(dir, sub))));
  const seen = new Map<string, string>();
  for (const [option, path] of paths.outputs) {
    if (path === undefined) continue;
    const out = canonical(path);
    const expected = 'an output that is not one of the inputs';
    if (inputs.includes(out)) throw new UsageError(command, option, expected, `${path}, an input file`);
    const folder = splitFolders.find((dir) => isInside(out, dir));
    if (folder !== undefined) throw new UsageError(command, option, expected, `${path}, inside the split's ${basename(folder)}/`);
    const other = seen.get(out);
    if (other !== undefined) throw new UsageError(command, option, 'another path than every other output', `${path}, the path of ${other} too`);
    seen.set(out, option);
  }
}
