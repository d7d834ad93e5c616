/**
 * `mkdir -p` that always ends. Node's `mkdir(dir, { recursive: true })` loops
 * for good (100% CPU, deaf to SIGTERM until it returns) where mkdir says
 * ENOENT although the parent exists, as in /proc; this makes each missing
 * ancestor once, from the top down, and fails on the first folder that cannot
 * be made. Its errors keep Node's `code` and `syscall` (atomic.ts turns them
 * into an InputError naming the output) with a message that names the folder.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function dirError(code: string, path: string, what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path}, ${what}`), { code, syscall: 'mkdir', path });
}

/** The error for an existing `path` that is not a folder, or undefined when it is one. */
function notAFolder(path: string, isDirectory: boolean): NodeJS.ErrnoException | undefined {
  return isDirectory ? undefined : dirError('ENOTDIR', path, 'a file where a folder is needed');
}

/**
 * Makes `dir` and its missing ancestors; an existing folder (or a link to one) is fine.
 *
 * @example
 * await makeDirs('out/a/b'); // like mkdir -p
 */
export async function makeDirs(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dir);
      return;
    } catch (err) {
      const code = codeOf(err);
      if (code === 'EEXIST') {
        const problem = notAFolder(dir, (await stat(dir)).isDirectory());
        if (problem) throw problem;
        return;
      }
      if (code === 'ENOTDIR') throw await blockingFile(dir);
      if (code !== 'ENOENT') throw err;
      const parent = dirname(dir);
      // ENOENT once the parent exists: a folder the system will not make here (/proc, a vanished mount).
      if (attempt > 0 || parent === dir) throw dirError('ENOENT', dir, 'a folder that cannot be made there');
      await makeDirs(parent);
    }
  }
}

/** The synchronous `makeDirs`, for the commands that prepare their output before any work starts. */
export function makeDirsSync(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir);
      return;
    } catch (err) {
      const code = codeOf(err);
      if (code === 'EEXIST') {
        const problem = notAFolder(dir, statSync(dir).isDirectory());
        if (problem) throw problem;
        return;
      }
      if (code === 'ENOTDIR') throw blockingFileSync(dir);
      if (code !== 'ENOENT') throw err;
      const parent = dirname(dir);
      if (attempt > 0 || parent === dir) throw dirError('ENOENT', dir, 'a folder that cannot be made there');
      makeDirsSync(parent);
    }
  }
}

/** ENOTDIR: the nearest ancestor of `dir` that exists, which is a file (named in the error). */
async function blockingFile(dir: string): Promise<NodeJS.ErrnoException> {
  for (let path = dirname(dir); path !== dirname(path); path = dirname(path)) {
    const isDirectory = await stat(path).then(
      (s) => s.isDirectory(),
      () => undefined,
    );
    if (isDirectory !== undefined) return notAFolder(path, isDirectory) ?? dirError('ENOTDIR', dir, 'a path through a file');
  }
  return dirError('ENOTDIR', dir, 'a path through a file');
}

function blockingFileSync(dir: string): NodeJS.ErrnoException {
  for (let path = dirname(dir); path !== dirname(path); path = dirname(path)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      continue;
    }
    return notAFolder(path, isDirectory) ?? dirError('ENOTDIR', dir, 'a path through a file');
  }
  return dirError('ENOTDIR', dir, 'a path through a file');
}
