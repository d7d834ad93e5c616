/**
 * The loop over resamples shared by every bootstrap (one model, two models,
 * retrieval): lists drawn from a seed or read from a file, optionally
 * written out, progress reported, the event loop let through now and then
 * so that a progress bar redraws and Ctrl-C is heard.
 */
import { ResampleFileWriter, drawResample, forEachResampleInFile } from './resamples.js';

export interface ResampleOptions {
  /**
   * Number of resamples drawn (ignored with `file`).
   * @default 1000
   */
  resamples?: number;
  /**
   * Seed of the draws.
   * @default 0
   */
  seed?: number;
  /**
   * Interval level, in (0, 1).
   * @default 0.95
   */
  level?: number;
  /** Read the resamples from this file (a JSON array of image-id lists) instead of drawing them. */
  file?: string;
  /** Write the resamples drawn to this file, in the same form. */
  writeFile?: string;
  /**
   * Keep each resample's figures in the result.
   * @default true with `file`, else false
   */
  keepFigures?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * 1: this thread only; 2: share drawn resamples with a second thread.
   * @default 2 when the machine has two cores and the work is large, else 1
   */
  threads?: number;
}

export interface ResampleRun {
  /** Resamples evaluated. */
  count: number;
  /** The seed, or null when the lists came from a file. */
  seed: number | null;
  level: number;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

const YIELD_EVERY_MS = 50;

/** Calls `each` with every resample's image ranks, in order. */
export async function runResamples(
  imageIds: readonly number[],
  options: ResampleOptions,
  each: (ranks: Int32Array, index: number) => void,
): Promise<ResampleRun> {
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(level > 0 && level < 1)) throw new RangeError(`the interval level must be between 0 and 1, found ${level}`);
  if (options.file !== undefined) {
    const count = await forEachResampleInFile(options.file, imageIds, (ranks, index) => {
      each(ranks, index);
      options.onProgress?.(index + 1, index + 1);
    });
    return { count, seed: null, level };
  }
  const count = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`the number of resamples must be a positive integer, found ${count}`);
  const writer = options.writeFile === undefined ? null : await ResampleFileWriter.open(options.writeFile);
  try {
    const ranks = new Int32Array(imageIds.length);
    let lastYield = Date.now();
    for (let i = 0; i < count; i++) {
      drawResample(imageIds.length, seed, i, ranks);
      each(ranks, i);
      if (writer) await writer.add(ranks, imageIds);
      options.onProgress?.(i + 1, count);
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
    }
    await writer?.commit();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  return { count, seed, level };
}
