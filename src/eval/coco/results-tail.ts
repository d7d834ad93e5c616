/**
 * The second half of a large results file, read by another thread while the
 * calling thread reads the first half (results-split.ts). Where the second
 * half begins is a guess: from the middle of the file, the first `}`, `,`,
 * `{` (white space between) is taken for the boundary between two results
 * (findBoundary). A string could hold those bytes, so the guess counts only
 * if the reader of the first half arrives at exactly that byte as the start
 * of a result. The tail reader reads nothing but its fast path and gives up (null) at the
 * first thing it does not read: a result the fast path declines, bytes that
 * are not `,` or `]` between results, anything but white space after the
 * array. The first reader then goes on through the second half itself, so
 * every verdict and message is the one-thread reader's.
 */
import { JsonByte, isJsonSpace } from '../../json/json-bytes.js';
import { streamJson } from '../../json/stream.js';
import { InputError } from '../../util/errors.js';
import { type FastReadOptions, FastResultReader, type FinishedResultColumns, ResultColumns } from './results-fast.js';

export interface TailRequest {
  file: string;
  /** File offset of the first result to read (found by findBoundary). */
  start: number;
  /** What the results are and what is kept of them, as the first thread reads them. */
  read: FastReadOptions;
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
 * The results from `request.start` to the end of the file, or null where the
 * reading gives up. The file is streamed on from that result (streamJson's
 * `resume`), which checks the separators, the end of the array and that only
 * white space follows it; each result goes through the fast path alone.
 */
export async function readResultsTail(request: TailRequest): Promise<FinishedResultColumns | null> {
  const columns = new ResultColumns();
  const reader = new FastResultReader(request.read, columns);
  try {
    await streamJson(
      request.file,
      {
        onElementBytes: (_key, _index, bytes, start, limit) => reader.read(bytes, start, limit),
        onElement: () => {
          throw new Declined();
        },
      },
      { resume: { offset: request.start, index: 0 } },
    );
  } catch (err) {
    // Malformed JSON (an InputError) is the first thread's to name, with the entry it has.
    if (err instanceof Declined || err instanceof InputError) return null;
    throw err;
  }
  return columns.finish(request.read.keepKeypoints);
}
