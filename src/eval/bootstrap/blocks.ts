/**
 * The blocks a resample's passes walk (see PreparedArea.blockOffset) and
 * the runs of equal scores a resample reorders (PreparedTies), cut once
 * from the prepared score order by prepareBootstrap.
 */
import type { PreparedArea, PreparedCategory } from './prepare.js';

/**
 * Block kinds (PreparedArea.blockKind): ignored detections, true positives, a run of equal scores
 * that mixes codes. False positives have no blocks: a pass counts them as the weight before a
 * block that is neither a true positive nor ignored.
 */
export const IGNORED = 0;
export const TRUE_POSITIVE = 1;
export const TIE_RUN = 3;

/**
 * The runs of equal scores that resamples reorder, of every category and area range, numbered
 * together, listed by image: image rank r has members memberStart[r] to memberStart[r + 1], each
 * the detections [memberFrom, memberTo) that run memberRun holds of that image (a run is in image
 * order, so an image's detections in it are one stretch). A resample lays out every run's copies
 * at once by walking its draws in order (new image ids ascending), with no sort.
 */
export interface PreparedTies {
  runs: number;
  memberStart: Int32Array;
  memberRun: Int32Array;
  memberFrom: Int32Array;
  memberTo: Int32Array;
}

/** The code shared by every detection of [from, to) at one threshold (base = t * n), or -1 if they differ. */
function commonCode(code: Uint8Array, base: number, from: number, to: number): number {
  const c = code[base + from]!;
  for (let j = from + 1; j < to; j++) if (code[base + j] !== c) return -1;
  return c;
}

/**
 * The blocks of one area range at every threshold and the runs of equal
 * scores they reorder (see PreparedArea.blockOffset). tieEnd[j]: the end of
 * the run of equal scores that starts at j, or 0.
 */
export function blocksOf(
  code: Uint8Array,
  tieEnd: Int32Array,
  n: number,
  T: number,
): Pick<PreparedArea, 'runStart' | 'runEnd' | 'blockOffset' | 'blockStart' | 'blockEnd' | 'blockKind'> {
  // The runs that some threshold mixes (true and false positives, or ignored ones): those a resample reorders.
  const runIndex = new Map<number, number>();
  const runStart: number[] = [];
  const runEnd: number[] = [];
  for (let j = 0; j < n; j++) {
    if (tieEnd[j] === 0) continue;
    for (let t = 0; t < T; t++) {
      if (commonCode(code, t * n, j, tieEnd[j]!) >= 0) continue;
      runIndex.set(j, runStart.length);
      runStart.push(j);
      runEnd.push(tieEnd[j]!);
      break;
    }
  }
  const blockOffset = new Int32Array(T + 1);
  // At most one block per detection and threshold.
  const start = new Int32Array(T * n);
  const end = new Int32Array(T * n);
  const kind = new Uint8Array(T * n);
  let blocks = 0;
  for (let t = 0; t < T; t++) {
    blockOffset[t] = blocks;
    const base = t * n;
    // The stretch that starts at j: a single detection or a whole run of equal scores, with its
    // code at t (a run's when all of it shares one, else -1), ending at stretchEnd.
    let stretchEnd = 0;
    const stretch = (j: number): number => {
      const run = tieEnd[j]!;
      stretchEnd = run > 0 ? run : j + 1;
      return run > 0 ? commonCode(code, base, j, run) : code[base + j]!;
    };
    for (let j = 0; j < n;) {
      const c = stretch(j);
      if (c < 0) {
        start[blocks] = runIndex.get(j)!;
        end[blocks] = stretchEnd;
        kind[blocks++] = TIE_RUN;
        j = stretchEnd;
        continue;
      }
      let e = stretchEnd;
      while (e < n && stretch(e) === c) e = stretchEnd;
      if (c !== 2) {
        // False positives (code 2) need no block (see PreparedArea.blockOffset).
        start[blocks] = j;
        end[blocks] = e;
        kind[blocks++] = c === 1 ? TRUE_POSITIVE : IGNORED;
      }
      j = e;
    }
  }
  blockOffset[T] = blocks;
  return {
    runStart: Int32Array.from(runStart),
    runEnd: Int32Array.from(runEnd),
    blockOffset,
    blockStart: start.slice(0, blocks),
    blockEnd: end.slice(0, blocks),
    blockKind: kind.slice(0, blocks),
  };
}

/** Numbers the runs of every category and area range (PreparedArea.runBase) and lists their members by image. */
export function tiesOf(categories: PreparedCategory[], nImages: number): PreparedTies {
  const run: number[] = [];
  const image: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let runs = 0;
  for (const category of categories) {
    for (const area of category.areas) {
      area.runBase = runs;
      for (let x = 0; x < area.runStart.length; x++, runs++) {
        for (let i = area.runStart[x]!; i < area.runEnd[x]!;) {
          let e = i + 1;
          while (e < area.runEnd[x]! && area.image[e] === area.image[i]) e++;
          run.push(runs);
          image.push(area.image[i]!);
          from.push(i);
          to.push(e);
          i = e;
        }
      }
    }
  }
  const memberStart = new Int32Array(nImages + 1);
  for (const r of image) memberStart[r + 1]!++;
  for (let r = 0; r < nImages; r++) memberStart[r + 1]! += memberStart[r]!;
  const at = memberStart.slice(0, nImages);
  const memberRun = new Int32Array(run.length);
  const memberFrom = new Int32Array(run.length);
  const memberTo = new Int32Array(run.length);
  for (let m = 0; m < run.length; m++) {
    const x = at[image[m]!]!++;
    memberRun[x] = run[m]!;
    memberFrom[x] = from[m]!;
    memberTo[x] = to[m]!;
  }
  return { runs, memberStart, memberRun, memberFrom, memberTo };
}
