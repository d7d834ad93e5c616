/**
 * The results files named on the command line. A shell expands
 * `--results runs/*.json` before df2 sees it; a pattern that reaches df2
 * unexpanded (quoted, or from a shell that does not expand) is expanded
 * here: `*` and `?` in the last path segment only, sorted by name (Node 20
 * has no fs.glob). An argument that names an existing file is that file,
 * whatever characters it holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../util/errors.js';

const WILDCARD = /[*?]/;

/** A RegExp matching a file name against a pattern of `*` (any run) and `?` (one character). */
function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** The files of `args`, with patterns expanded; UsageError for a pattern that matches nothing. */
export function expandResultsFiles(command: string, args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (!WILDCARD.test(basename(arg)) || existsSync(arg)) {
      files.push(arg);
      continue;
    }
    const dir = dirname(arg);
    if (WILDCARD.test(dir)) throw new UsageError(command, '--results', 'wildcards in the file name only (let the shell expand the rest)', arg);
    const match = patternRegExp(basename(arg));
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => !name.startsWith('.') && match.test(name));
    } catch {
      // A folder that cannot be read matches nothing.
    }
    if (names.length === 0) throw new UsageError(command, '--results', 'a file or a pattern that matches files', arg);
    files.push(...names.sort().map((name) => (dir === '.' && !arg.startsWith('./') ? name : join(dir, name))));
  }
  return files;
}
