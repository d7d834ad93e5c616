/**
 * The local copies a PostgreSQL-backed process makes of an upload to
 * evaluate it. Each lives in a directory of its own named after the process
 * (`df2-upload-<pid>-XXXXXX`), removed when the evaluation ends; a process
 * killed with SIGKILL cannot remove its own, so the next df2 process on the
 * machine removes the directories of processes that no longer run.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = 'df2-upload-';
const COPY_DIR = /^df2-upload-(\d+)-[^/]+$/;

/** A new directory for one local copy, named after this process. */
export function makeCopyDir(root: string): Promise<string> {
  return mkdtemp(join(root, `${PREFIX}${process.pid}-`));
}

/** Whether a process with this id runs on this machine (one we may not signal runs too). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the copy directories under `root` left by processes that no longer
 * run (killed mid-evaluation); returns how many. Directories of running
 * processes, this one's, and anything else under `root` are left alone. A
 * process id reused by an unrelated process only delays the removal.
 *
 * @example
 * await removeOrphanCopies(tmpdir()); // at a worker's start
 */
export async function removeOrphanCopies(root: string): Promise<number> {
  let removed = 0;
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const match = COPY_DIR.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isRunning(pid)) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
