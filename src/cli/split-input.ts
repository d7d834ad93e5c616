/**
 * A split read for a command: records in image order, with a progress bar on
 * a terminal (none with --json). Bad input ends the command with the first
 * problem, as `df2 validate` words it.
 */
import { InvalidArgumentError } from 'commander';
import type { ImageRecord } from '../schema/annotation.js';
import { readSplit } from '../dataset/read-split.js';
import { startProgress } from '../util/progress.js';

export async function* readSplitWithProgress(
  dir: string,
  options: { label: string; quiet?: boolean; imageSizes?: boolean },
): AsyncGenerator<ImageRecord> {
  const progress = startProgress({ label: options.label, total: 0, quiet: options.quiet });
  let knownTotal = -1;
  try {
    yield* readSplit(dir, {
      imageSizes: options.imageSizes ?? false,
      onProgress: (done, total) => {
        if (total !== knownTotal) { progress.setTotal(total); knownTotal = total; }
        progress.update(done);
      },
    });
  } finally {
    progress.stop();
  }
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

export const seconds = (startMs: number): string => `${((performance.now() - startMs) / 1000).toFixed(1)} s`;
