/** The ground-truth snapshot cache of a server process (evaluations and explorer layers). */
import type { SnapshotCacheOptions } from '../eval/index.js';

/**
 * Snapshots in `dir`, or none when it is undefined; why one is not used (and is rebuilt) goes to stderr, the
 * server's log, where it is kept for a crash's message.
 *
 * @example
 * await loadCocoPair('bbox', gtFile, resultsFile, { cache: serverSnapshotCache(join(cacheDir, 'snapshots')) });
 */
export function serverSnapshotCache(dir: string | undefined): SnapshotCacheOptions | undefined {
  return dir === undefined ? undefined : { dir, onNote: (line) => process.stderr.write(`${line}\n`) };
}
