/**
 * Helpers for the mask tests: a seeded random source and pixel-level
 * references computed from decoded masks (independent of run arithmetic).
 * Not used by the library itself.
 */
import { Random } from '../util/random.js';

/** Deterministic pseudo-random numbers in [0, 1) from df2's seeded generator. */
export function seededRandom(seed: number): () => number {
  const random = Random.from(seed);
  return () => random.next();
}

/**
 * A random column-major mask: blobs of runs (so masks have structure, not
 * salt and pepper) with the given fill probability per run.
 */
export function randomMask(random: () => number, height: number, width: number, fill = 0.5): Uint8Array {
  const mask = new Uint8Array(height * width);
  let i = 0;
  while (i < mask.length) {
    const run = 1 + Math.floor(random() * Math.max(1, height * 1.5));
    const value = random() < fill ? 1 : 0;
    mask.fill(value, i, Math.min(mask.length, i + run));
    i += run;
  }
  return mask;
}

export function countSet(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** The maximal runs of set pixels of a column-major mask, as [first, last] pixel indices. */
function* setRuns(mask: Uint8Array): Generator<[number, number]> {
  let i = 0;
  while (i < mask.length) {
    if (!mask[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < mask.length && mask[i]) i++;
    yield [start, i - 1];
  }
}

/**
 * A box from pixels: the min/max column and row over the first and last pixel
 * of every run of set pixels; with `widenWrapping`, a run that spans columns
 * covers the full height. Empty mask: [0, 0, 0, 0].
 */
function boxOfRuns(mask: Uint8Array, height: number, widenWrapping: boolean): [number, number, number, number] {
  let xs = Infinity;
  let ys = Infinity;
  let xe = -Infinity;
  let ye = -Infinity;
  for (const [first, last] of setRuns(mask)) {
    const x0 = Math.floor(first / height);
    const x1 = Math.floor(last / height);
    xs = Math.min(xs, x0);
    xe = Math.max(xe, x1);
    const wraps = widenWrapping && x1 > x0;
    ys = Math.min(ys, wraps ? 0 : Math.min(first % height, last % height));
    ye = Math.max(ye, wraps ? height - 1 : Math.max(first % height, last % height));
  }
  return xs === Infinity ? [0, 0, 0, 0] : [xs, ys, xe - xs + 1, ye - ys + 1];
}

/**
 * The release's (2017) maskApi box, defined on pixels: the min/max column and
 * row over the first and last pixel of every maximal run of set pixels in
 * column-major order, whatever lies between them.
 */
export function releaseBboxFromPixels(mask: Uint8Array, height: number): [number, number, number, number] {
  return boxOfRuns(mask, height, false);
}

/**
 * The tight box of the set pixels (later maskApi's box), defined on pixels:
 * like the release's, but a run that spans columns covers the full height.
 */
export function bboxFromPixels(mask: Uint8Array, height: number): [number, number, number, number] {
  return boxOfRuns(mask, height, true);
}

/** Pixel-wise OR / AND of equally sized masks. */
export function combinePixels(masks: readonly Uint8Array[], intersect: boolean): Uint8Array {
  const out = new Uint8Array(masks[0]!.length);
  for (let i = 0; i < out.length; i++) {
    let v = intersect ? 1 : 0;
    for (const m of masks) v = intersect ? v & (m[i] ? 1 : 0) : v | (m[i] ? 1 : 0);
    out[i] = v;
  }
  return out;
}

/** A height x width column-major mask with pixel (x, y) set where inside(x, y). */
export function maskFromPredicate(height: number, width: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const mask = new Uint8Array(height * width);
  for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) if (inside(x, y)) mask[x * height + y] = 1;
  return mask;
}
