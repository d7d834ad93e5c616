/**
 * The second half of a large results file, read by another thread while the
 * calling thread reads the first half (results-split.ts). Where the second
 * half begins is a guess: from a point of the file (the middle of what the
 * first reader has left when this thread is ready, or the file's middle),
 * the first `}`, `,`, `{` (white space between) is taken for the boundary
 * between two results (findBoundary). A string could hold those bytes, so
 * the guess counts only if the reader of the first half arrives at exactly
 * that byte as the start of a result. The tail reader reads nothing but its
 * fast path and gives up (null) at the first thing it does not read: a
 * result the fast path declines, bytes that are not `,` or `]` between
 * results, anything but white space after the array. The first reader then goes on through the second half itself, so
 * every verdict and message is the one-thread reader's.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { JsonByte, isJsonSpace } from '../../json/json-bytes.js';
import { streamJson } from '../../json/stream.js';
import { InputError } from '../../util/errors.js';
import { type FastReadOptions, FastResultReader, type FinishedResultColumns, ResultColumns } from './results-fast.js';

export interface TailRequest {
  file: string;
  /**
   * File offset of the first result to read (boundaryAfter), or where the
   * first reader is: then this thread splits what that reader has left when
   * it begins (see restStart), so that a thread that was slow to start gets
   * less to read.
   */
  start: number | FirstReaderPosition;
  /** The file's size when the first reader began. */
  size: number;
  /** What the results are and what is kept of them, as the first thread reads them. */
  read: FastReadOptions;
}

/** The first reader's progress, which it keeps writing while it reads: the file offset of its current result in KiB (Atomics). */
export interface FirstReaderPosition {
  progressKib: Int32Array;
}

/** How far from the point it starts at a boundary between results is looked for (a keypoint result is some 3 KB, a mask result 1 KB). */
const BOUNDARY_WINDOW = 1 << 20;

/** The file offset of the first boundary between results after `from` (within BOUNDARY_WINDOW), or -1. */
export function boundaryAfter(file: string, from: number): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return -1; // the reader names the problem, if it has one
  }
  try {
    const window = Buffer.allocUnsafe(BOUNDARY_WINDOW);
    const got = readSync(fd, window, 0, BOUNDARY_WINDOW, from);
    const at = findBoundary(window.subarray(0, got));
    return at < 0 ? -1 : from + at;
  } finally {
    closeSync(fd);
  }
}

/** Where the second half of a file of `size` bytes begins when the first reader is at `position` now: the boundary after the middle of what it has left, or -1. */
export function restStart(file: string, size: number, position: FirstReaderPosition): number {
  const done = Math.min(Atomics.load(position.progressKib, 0) * 1024, size);
  return boundaryAfter(file, done + Math.floor((size - done) / 2));
}

/**
 * The offset in `bytes` of the first `{` that follows a `}` and a `,` (white
 * space between), or -1: where a result seems to begin.
 */
export function findBoundary(bytes: Uint8Array): number {
  for (let pos = bytes.indexOf(JsonByte.RightBrace); pos >= 0; pos = bytes.indexOf(JsonByte.RightBrace, pos + 1)) {
    let r = pos + 1;
    while (r < bytes.length && isJsonSpace(bytes[r]!)) r++;
    if (bytes[r] !== JsonByte.Comma) continue;
    r++;
    while (r < bytes.length && isJsonSpace(bytes[r]!)) r++;
    if (bytes[r] === JsonByte.LeftBrace) return r;
  }
  return -1;
}

/** A result the fast path declined, read whole: the first thread reads it (and what follows). */
class Declined extends Error {}

/**
 * The results from the request's start to the end of the file, or null where
 * the reading gives up (no boundary found at the start's point, too). Where
 * it starts is told to `onStart` first. The file is streamed on from that result (streamJson's
 * `resume`), which checks the separators, the end of the array and that only
 * white space follows it; each result goes through the fast path alone.
 */
export async function readResultsTail(request: TailRequest, onStart: (start: number) => void = () => {}): Promise<FinishedResultColumns | null> {
  const start = typeof request.start === 'number' ? request.start : restStart(request.file, request.size, request.start);
  if (start < 0) return null;
  onStart(start);
  const columns = new ResultColumns();
  const reader = new FastResultReader(request.read, columns, request.size - start);
  try {
    await streamJson(
      request.file,
      {
        onElementBytes: (_key, _index, bytes, start, limit) => reader.read(bytes, start, limit),
        onElement: () => {
          throw new Declined();
        },
      },
      { resume: { offset: start, index: 0 } },
    );
  } catch (err) {
    // Malformed JSON (an InputError) is the first thread's to name, with the entry it has.
    if (err instanceof Declined || err instanceof InputError) return null;
    throw err;
  }
  return columns.finish(request.read.keepKeypoints);
}
