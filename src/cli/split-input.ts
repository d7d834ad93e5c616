/**
 * A split read for a command: records in image order, with a progress bar on
 * a terminal (none with --json). Bad input ends the command with the first
 * problem, as `df2 validate` words it. Also the integer option parser of the
 * commands that read splits (and of synth).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { InputError } from '../util/errors.js';
import type { ImageRecord } from '../schema/index.js';
import { readSplit, readSplitImages, type SplitImage } from '../dataset/index.js';
import { startProgress, type Progress } from '../util/progress.js';

export async function* readSplitWithProgress(dir: string, options: { label: string; quiet?: boolean; imageSizes?: boolean }): AsyncGenerator<ImageRecord> {
  const progress = startProgress({ label: options.label, total: 0, quiet: options.quiet });
  try {
    yield* readSplit(dir, { imageSizes: options.imageSizes ?? false, onProgress: reportTo(progress) });
  } finally {
    progress.stop();
  }
}

/** The images of an images-only split with their sizes, with a progress bar on a terminal. */
export async function* readSplitImagesWithProgress(dir: string, options: { label: string; quiet?: boolean }): AsyncGenerator<SplitImage> {
  const progress = startProgress({ label: options.label, total: 0, quiet: options.quiet });
  try {
    yield* readSplitImages(dir, { onProgress: reportTo(progress) });
  } finally {
    progress.stop();
  }
}

/** An `onProgress(done, total)` that moves the bar (the reader learns the total as it goes). */
function reportTo(progress: Progress): (done: number, total: number) => void {
  return (done, total) => {
    progress.setTotal(total);
    progress.update(done);
  };
}

/** A commander parser for a whole-number option from `low` to `high`; `message` says what is expected. */
export function integerOption(low: number, high: number, message: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < low || n > high) throw new InvalidArgumentError(message);
    return n;
  };
}

export const parseNonNegativeInt = integerOption(0, Number.MAX_SAFE_INTEGER, 'expected an integer >= 0');

export const seconds = (startMs: number): string => `${((performance.now() - startMs) / 1000).toFixed(1)} s`;

/** What is at `path`, for a folder that should be there: undefined when it is a folder. */
async function notAFolder(path: string): Promise<string | undefined> {
  return stat(path).then(
    (s) => (s.isDirectory() ? undefined : 'a file, not a folder'),
    () => 'no such folder',
  );
}

/**
 * Every --data folder must be a split (a folder holding annos/), checked before any work: `serve` registers
 * none of them otherwise, and `report` would fail on the first image it looks up, naming an annotation file.
 *
 * @example
 * await checkSplitDirs(['data/validation']); // throws InputError "data/validation: expected a split folder ..., found no such folder"
 */
export async function checkSplitDirs(dirs: readonly string[]): Promise<void> {
  const expected = 'a split folder holding annos/ and image/ (--data)';
  for (const dir of dirs) {
    const found = await notAFolder(dir);
    if (found !== undefined) throw new InputError(dir, '', expected, found);
    if ((await notAFolder(join(dir, 'annos'))) !== undefined) throw new InputError(dir, '', expected, 'no annos/ folder');
  }
}
