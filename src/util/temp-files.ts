/**
 * Temporary files and folders that are still being written (hidden `.tmp`
 * paths beside an output, renamed into place when complete). Whatever is
 * still listed when the process exits is removed, so a command ended early
 * (Ctrl-C, a kill, process.exit after an error) leaves no hidden files
 * behind. On Ctrl-C the CLI removes them itself before the signal ends the
 * process (util/process-end.ts).
 */
import { rmSync } from 'node:fs';

const live = new Set<string>();
let hooked = false;

/** Removes every listed path now (the exit hook does the same). */
export function removeLiveTemps(): void {
  for (const path of live) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Exiting: nothing more can be done about a path that will not go.
    }
  }
  live.clear();
}

/**
 * Lists a temporary path (file or folder) to remove if the process exits
 * before {@link releaseTemp} is called for it.
 *
 * @example
 * trackTemp(tmp);
 * await writeFile(tmp, data);
 * await rename(tmp, target);
 * releaseTemp(tmp);
 */
export function trackTemp(path: string): void {
  if (!hooked) {
    process.on('exit', removeLiveTemps);
    hooked = true;
  }
  live.add(path);
}

/** The path was renamed into place or removed: no longer the exit hook's business. */
export function releaseTemp(path: string): void {
  live.delete(path);
}
