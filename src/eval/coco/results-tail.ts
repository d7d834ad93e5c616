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
import { open } from 'node:fs/promises';
import { JsonByte, isJsonSpace } from '../../json/json-bytes.js';
import { FastResultReader, type FinishedResultColumns, ResultColumns } from './results-fast.js';

export interface TailRequest {
  file: string;
  /** File offset of the first result to read (found by findBoundary). */
  start: number;
  kind: 'box' | 'keypoints';
  keepKeypoints: boolean;
}

export interface TailReply {
  /** File offset of the first result read. */
  start: number;
  columns: FinishedResultColumns;
}

const CHUNK = 8 << 20;

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

/** Reads the results from `request.start` to the end of the file, or gives up (null). */
export async function readResultsTail(request: TailRequest): Promise<TailReply | null> {
  const handle = await open(request.file, 'r');
  try {
    let buf = Buffer.allocUnsafe(2 * CHUNK);
    let filled = 0;
    let base = request.start; // file offset of buf[0]
    let eof = false;
    let pos = 0;
    /** Drops the bytes before pos. */
    const compact = (): void => {
      buf.copyWithin(0, pos, filled);
      filled -= pos;
      base += pos;
      pos = 0;
    };
    /** Reads the next chunk after the bytes held; false at the end of the file. */
    const more = async (): Promise<boolean> => {
      if (eof) return false;
      if (filled + CHUNK > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * buf.length, filled + CHUNK));
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, CHUNK, base + filled);
      if (bytesRead === 0) eof = true;
      filled += bytesRead;
      return bytesRead > 0;
    };
    /** Moves pos past white space; false at the end of the file. */
    const skipSpace = async (): Promise<boolean> => {
      for (;;) {
        while (pos < filled && isJsonSpace(buf[pos]!)) pos++;
        if (pos < filled) return true;
        compact();
        if (!(await more())) return false;
      }
    };

    const columns = new ResultColumns();
    const reader = new FastResultReader(request.kind, request.keepKeypoints, columns);
    await more();
    for (;;) {
      if (!(await skipSpace()) || buf[pos] !== JsonByte.LeftBrace) return null;
      let end: number;
      while ((end = reader.read(buf, pos, filled)) < 0) {
        // Declined, or not all here yet: a result is far smaller than a chunk.
        if (eof || filled - pos >= CHUNK) return null;
        compact();
        await more();
      }
      pos = end;
      if (!(await skipSpace())) return null;
      const c = buf[pos];
      pos++;
      if (c === JsonByte.Comma) continue;
      if (c !== JsonByte.RightBracket) return null;
      // Only white space may follow the array.
      if (await skipSpace()) return null;
      return { start: request.start, columns: columns.finish(request.keepKeypoints) };
    }
  } finally {
    await handle.close();
  }
}
