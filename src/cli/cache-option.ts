/**
 * `--cache`, `--no-cache` and `--verify-cache`: where the ground-truth
 * snapshots of `df2 eval bbox|segm|keypoints` and `df2 compare` live (see
 * docs/evaluation.md), one definition for both commands.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { defaultCacheDir, type SnapshotCacheOptions } from '../eval/index.js';

export interface CacheCliOptions {
  /** A folder, false with --no-cache, undefined for the default folder. */
  cache?: string | false;
  verifyCache?: boolean;
}

export function addCacheOptions(command: Command): Command {
  return command
    .option('--cache <dir>', 'folder of ground-truth snapshots (default: $XDG_CACHE_HOME/df2 or ~/.cache/df2; cap: DF2_CACHE_MAX_MB, default 4096)')
    .option('--no-cache', 'neither read nor write a ground-truth snapshot')
    .option('--verify-cache', "use a snapshot only if the ground truth's SHA-256 is the one it was made from (reads the whole file)");
}

/** The snapshot cache of the options (one line on stderr per snapshot rebuilt or not written); none with --no-cache. */
export function snapshotCache(options: CacheCliOptions): SnapshotCacheOptions | undefined {
  if (options.cache === false) return undefined;
  return {
    dir: typeof options.cache === 'string' ? resolve(options.cache) : defaultCacheDir(),
    verify: options.verifyCache === true,
    onNote: (line) => process.stderr.write(`${line}\n`),
  };
}
