/**
 * Streaming reader for large JSON files: COCO ground truth (several GB for the
 * train split) and result files (a validation-sized keypoint file is ~0.6 GB,
 * past V8's maximum string length, so JSON.parse on the whole file is not an
 * option).
 *
 * The file is read in large chunks and scanned byte by byte for the bounds of
 * each element of the top-level array (or of each array under a top-level
 * object key); each element alone is handed to JSON.parse. This keeps number
 * parsing exact (JSON.parse rounds decimals correctly, as Python's json does)
 * while memory holds one chunk and one element at a time. A general
 * token-by-token streaming parser builds the same values an order of magnitude
 * slower, and loading time is most of an evaluation's time.
 */
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { InputError, pathJoin } from '../util/errors.js';
import { JsonByte, isJsonSpace } from './json-bytes.js';

export interface JsonStreamHandlers {
  /**
   * One element of the top-level array (key null), or of an array that is the
   * value of a top-level object key (key = that key). Elements arrive in file order.
   */
  onElement(key: string | null, index: number, value: unknown): void;
  /**
   * Offered each element's bytes before anything else looks at them: the
   * element starts at `start`, and `limit` is the end of the bytes read so
   * far (the element may end before it, or not). A handler that reads the
   * whole element itself (e.g. with FlatObjectReader) returns the offset just
   * after it, and onElement is not called for it; -1 hands the element to
   * the scan for its end, JSON.parse and onElement as usual (the handler may
   * then be offered it again, whole). `offset` is the file offset of `start`.
   * The bytes are valid only during the call.
   */
  onElementBytes?(key: string | null, index: number, bytes: Buffer, start: number, limit: number, offset: number): number;
  /** A value under a top-level object key that is not an array (e.g. COCO's "info"). */
  onValue?(key: string, value: unknown): void;
  /** Called once per chunk with bytes read so far and the file size. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** Every chunk of the file's bytes, in order, as read (e.g. to hash the content on the same pass). */
  onChunk?(chunk: Buffer): void;
}

export interface JsonStreamSummary {
  /** Whether the document was a top-level array or object. */
  topLevel: 'array' | 'object';
  /** Keys of the top-level object in file order (empty for an array). */
  keys: string[];
  /** Number of elements per streamed array ('' for the top-level array). */
  counts: Map<string, number>;
}

/** Where the reader is between values. */
const enum Mode {
  Start, // before the top-level value
  ObjectKeyOrEnd, // inside the top-level object, expecting a key or '}'
  ObjectKey, // after ',', expecting a key
  ObjectColon, // after a key, expecting ':'
  ObjectValue, // after ':', expecting a value
  ObjectCommaOrEnd, // after a value, expecting ',' or '}'
  ArrayFirst, // after '[', expecting an element or ']'
  ArrayElement, // after ',', expecting an element
  ArrayCommaOrEnd, // after an element, expecting ',' or ']'
  Done, // after the top-level value: only white space may follow
}

/** Resumable scan of one value whose first byte is at `start`. */
interface ValueScan {
  start: number; // absolute offset into the current buffer
  pos: number; // next byte to look at
  depth: number;
  inString: boolean;
}

/**
 * The compression of a file that starts with `head` (decoded as latin1 or
 * UTF-8: a byte that is not valid UTF-8 reads as U+FFFD), or undefined.
 * JSON never starts with these bytes, so a compressed file gets a message
 * that says what it is instead of a stray control character.
 */
function compressionOf(head: string): string | undefined {
  if (head.charCodeAt(0) === 0x1f && (head.charCodeAt(1) === 0x8b || head.charCodeAt(1) === 0xfffd)) return 'gzip';
  if (head.startsWith('PK\x03\x04')) return 'zip';
  if (head.startsWith('BZh')) return 'bzip2';
  if (/^[\xfd\ufffd]7zXZ/.test(head)) return 'xz';
  return undefined;
}

/** The InputError for a compressed file read as JSON. */
function compressedFileError(file: string, compression: string): InputError {
  const tool = { gzip: 'gunzip', zip: 'unzip', bzip2: 'bunzip2', xz: 'unxz' }[compression] ?? 'a decompressor';
  return new InputError(file, '', 'a JSON file', `${compression}-compressed data (decompress it first, e.g. with ${tool})`);
}

/** Where a read of the top-level array goes on from: the file offset of an element's first byte, and that element's index. */
export interface ArrayResume {
  offset: number;
  index: number;
}

export interface JsonStreamOptions {
  /**
   * Read the file in chunks of this many bytes.
   * @default a file up to 32 MiB in one read, a larger one in chunks of 8 MiB
   */
  chunkBytes?: number;
  /**
   * Read on from an element of the top-level array, as if everything before
   * it had been read (a reader that stopped there, by throwing from a
   * handler, goes on with the same handlers).
   */
  resume?: ArrayResume;
}

/** A file (or the rest of it, from a resume offset) up to this size is read whole into one buffer. */
const DIRECT_READ_MAX_BYTES = 32 << 20;

/** Streams a JSON file; see JsonStreamHandlers. Throws InputError for malformed or truncated JSON. */
export async function streamJson(file: string, handlers: JsonStreamHandlers, options: JsonStreamOptions = {}): Promise<JsonStreamSummary> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch (err) {
    throw new InputError(file, '', 'a readable file', (err as NodeJS.ErrnoException).code ?? 'an error');
  }
  const summary: JsonStreamSummary = { topLevel: 'array', keys: [], counts: new Map() };
  const resume = options.resume;
  let mode = resume ? Mode.ArrayElement : Mode.Start;
  let key: string | null = null; // current top-level key (object) or null (array)
  let inArrayOfKey = false; // streaming elements of an array under `key`
  let index = resume?.index ?? 0;
  let buf: Buffer = Buffer.alloc(0);
  let base = resume?.offset ?? 0; // file offset of buf[0]
  let scan: ValueScan | null = null;
  let bytesRead = base;

  const entry = (): string => (key === null ? `[${index}]` : inArrayOfKey ? pathJoin(key, index) : key);
  const fail = (expected: string, at: number, found?: string): never => {
    const compression = base === 0 && mode === Mode.Start ? compressionOf(buf.toString('latin1', 0, 8)) : undefined;
    if (compression) throw compressedFileError(file, compression);
    const shown = found ?? (at < buf.length ? JSON.stringify(String.fromCharCode(buf[at]!)) : 'end of file');
    let where = `${entry()} (byte ${base + at})`;
    if (mode === Mode.Start || mode === Mode.Done) where = `byte ${base + at}`;
    else if (mode === Mode.ArrayCommaOrEnd) {
      index--;
      where = `after ${entry()} (byte ${base + at})`;
    }
    throw new InputError(file, where, expected, shown);
  };

  const emit = (start: number, end: number): void => {
    if ((key === null || inArrayOfKey) && handlers.onElementBytes && handlers.onElementBytes(key, index, buf, start, end, base + start) === end) return;
    const text = buf.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, entry(), 'valid JSON', (err as Error).message.replace(/\s+/g, ' ').slice(0, 120));
    }
    if (key === null || inArrayOfKey) handlers.onElement(key, index, value);
    else handlers.onValue?.(key, value);
  };

  /** Advances `scan` over buf; returns the end offset of the value, or -1 if more data is needed. */
  const advance = (s: ValueScan, atEof: boolean): number => {
    const b = buf;
    const n = b.length;
    let i = s.pos;
    if (s.depth === 0 && !s.inString) {
      // Scalar (number, true, false, null) or the first byte of a string/container.
      const first = b[s.start]!;
      if (i === s.start) {
        if (first === JsonByte.LeftBracket || first === JsonByte.LeftBrace) {
          s.depth = 1;
          i++;
        } else if (first === JsonByte.Quote) {
          s.inString = true;
          i++;
        }
      }
      if (s.depth === 0 && !s.inString) {
        while (i < n) {
          const c = b[i]!;
          if (c === JsonByte.Comma || c === JsonByte.RightBracket || c === JsonByte.RightBrace || isJsonSpace(c)) return i;
          i++;
        }
        s.pos = i;
        return atEof ? n : -1;
      }
    }
    while (i < n) {
      if (s.inString) {
        const q = b.indexOf(JsonByte.Quote, i);
        if (q < 0) {
          i = n;
          break;
        }
        let bs = 0;
        for (let k = q - 1; k >= s.start && b[k] === JsonByte.Backslash; k--) bs++;
        i = q + 1;
        if ((bs & 1) === 0) {
          s.inString = false;
          if (s.depth === 0) return i; // a top-level string value
        }
        continue;
      }
      const c = b[i++]!;
      if (c === JsonByte.Quote) s.inString = true;
      else if (c === JsonByte.LeftBracket || c === JsonByte.LeftBrace) s.depth++;
      else if (c === JsonByte.RightBracket || c === JsonByte.RightBrace) {
        if (--s.depth === 0) return i;
      }
    }
    s.pos = i;
    return -1;
  };

  /** Processes as much of buf as possible; returns the offset of the first unconsumed byte. */
  const pump = (atEof: boolean): number => {
    let i = 0;
    const n = buf.length;
    for (;;) {
      if (scan) {
        const end = advance(scan, atEof);
        if (end < 0) return scan.start;
        emit(scan.start, end);
        scan = null;
        i = end;
        if (key === null || inArrayOfKey) {
          index++;
          mode = Mode.ArrayCommaOrEnd;
        } else mode = Mode.ObjectCommaOrEnd;
        continue;
      }
      while (i < n && isJsonSpace(buf[i]!)) i++;
      if (i >= n) return n;
      const c = buf[i]!;
      switch (mode) {
        case Mode.Start:
          if (base === 0 && i === 0 && c === 0xef) {
            i += 3;
            continue;
          } // UTF-8 byte order mark
          if (c === JsonByte.LeftBracket) {
            summary.topLevel = 'array';
            key = null;
            inArrayOfKey = false;
            index = 0;
            mode = Mode.ArrayFirst;
            i++;
          } else if (c === JsonByte.LeftBrace) {
            summary.topLevel = 'object';
            mode = Mode.ObjectKeyOrEnd;
            i++;
          } else fail('a JSON array or object', i);
          break;
        case Mode.ObjectKeyOrEnd:
        case Mode.ObjectKey: {
          if (c === JsonByte.RightBrace && mode === Mode.ObjectKeyOrEnd) {
            mode = Mode.Done;
            i++;
            break;
          }
          if (c !== JsonByte.Quote) fail('a quoted key', i);
          const s: ValueScan = { start: i, pos: i, depth: 0, inString: false };
          const end = advance(s, atEof);
          if (end < 0) return i; // key split across chunks: wait for more
          try {
            key = JSON.parse(buf.toString('utf8', i, end)) as string;
          } catch (err) {
            // A control character or a bad escape inside the key's quotes: the scan found its end, JSON.parse refuses it.
            fail('a valid JSON string as a key', i, (err as Error).message.replace(/\s+/g, ' ').slice(0, 120));
          }
          summary.keys.push(key!);
          inArrayOfKey = false;
          mode = Mode.ObjectColon;
          i = end;
          break;
        }
        case Mode.ObjectColon:
          if (c !== JsonByte.Colon) fail("':'", i);
          mode = Mode.ObjectValue;
          i++;
          break;
        case Mode.ObjectValue:
          if (c === JsonByte.LeftBracket) {
            inArrayOfKey = true;
            index = 0;
            mode = Mode.ArrayFirst;
            i++;
          } else scan = { start: i, pos: i, depth: 0, inString: false };
          break;
        case Mode.ObjectCommaOrEnd:
          if (c === JsonByte.Comma) {
            mode = Mode.ObjectKey;
            i++;
          } else if (c === JsonByte.RightBrace) {
            mode = Mode.Done;
            i++;
          } else fail("',' or '}'", i);
          break;
        case Mode.ArrayFirst:
        case Mode.ArrayElement:
          if (c === JsonByte.RightBracket && mode === Mode.ArrayFirst) {
            i++;
            closeArray();
            break;
          }
          if (c === JsonByte.Comma || c === JsonByte.RightBracket || c === JsonByte.Colon || c === JsonByte.RightBrace) fail('a value', i);
          if (handlers.onElementBytes) {
            // Read in place by the handler: no scan for its end, no string, no JSON.parse.
            const end = handlers.onElementBytes(key, index, buf, i, n, base + i);
            if (end > i) {
              i = end;
              index++;
              mode = Mode.ArrayCommaOrEnd;
              break;
            }
          }
          scan = { start: i, pos: i, depth: 0, inString: false };
          break;
        case Mode.ArrayCommaOrEnd:
          if (c === JsonByte.Comma) {
            mode = Mode.ArrayElement;
            i++;
          } else if (c === JsonByte.RightBracket) {
            i++;
            closeArray();
          } else fail("',' or ']'", i);
          break;
        case Mode.Done:
          fail('the end of the file', i);
      }
    }
  };

  const closeArray = (): void => {
    summary.counts.set(key ?? '', index);
    if (key === null) mode = Mode.Done;
    else {
      inArrayOfKey = false;
      mode = Mode.ObjectCommaOrEnd;
    }
  };

  // A file of at most DIRECT_READ_MAX_BYTES (most results files, every
  // annotation, a query or gallery file) is read straight into one buffer of
  // its size and scanned there: one read, no copy, and no memory beyond its
  // bytes (a page's first write is a fault, which costs more than the copy; a
  // reader of many small files, the server's uploads or a property suite,
  // spent its time collecting 24 MiB of buffers per file). A larger one is
  // read through two buffers, reused: `store` holds the unconsumed bytes and
  // the newest chunk (it doubles only for an element larger than itself),
  // `spare` takes the next chunk while this one is scanned. Fresh buffers per
  // chunk, and a concatenation per chunk, cost more than the scan (a large
  // element was copied once per chunk). Sizes come from stat, a hint: a file
  // that grows is still read to its end.
  const direct = options.chunkBytes === undefined && totalBytes - bytesRead <= DIRECT_READ_MAX_BYTES;
  const fileSized = Math.max(totalBytes - bytesRead + 1, 64 << 10);
  const chunkBytes = direct ? fileSized : Math.min(options.chunkBytes ?? 8 << 20, fileSized);
  let store = Buffer.allocUnsafe(direct ? chunkBytes : 2 * chunkBytes);
  let filled = 0;
  const spare = direct ? null : Buffer.allocUnsafe(chunkBytes);
  /** `store` with room for at least `length` bytes, its `filled` bytes kept (doubling, so that growth is rare). */
  const growStore = (length: number): void => {
    if (length <= store.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * store.length, length));
    store.copy(bigger, 0, 0, filled);
    store = bigger;
  };
  let handle: FileHandle | undefined;
  let next: Promise<number> | undefined;
  try {
    handle = await open(file, 'r');
    const opened = handle;
    const readNext = (): Promise<number> =>
      spare
        ? opened.read(spare, 0, chunkBytes, bytesRead).then((r) => r.bytesRead)
        : opened.read(store, filled, store.length - filled, bytesRead).then((r) => r.bytesRead);
    next = readNext();
    for (;;) {
      const got = await next!;
      next = undefined;
      if (got === 0) break;
      bytesRead += got;
      if (spare) {
        const chunk = spare.subarray(0, got);
        handlers.onChunk?.(chunk);
        growStore(filled + got);
        chunk.copy(store, filled);
        filled += got;
        next = readNext();
      } else {
        handlers.onChunk?.(store.subarray(filled, filled + got));
        filled += got;
      }
      buf = store.subarray(0, filled);
      const consumed = pump(false);
      const pending = scan as ValueScan | null; // set inside pump()
      if (pending) {
        pending.start -= consumed;
        pending.pos -= consumed;
      }
      base += consumed;
      store.copyWithin(0, consumed, filled);
      filled -= consumed;
      buf = store.subarray(0, filled);
      handlers.onProgress?.(bytesRead, totalBytes);
      if (!spare) {
        // Read on into the same buffer (the end of the file, or what it grew by since stat), with room for it.
        growStore(filled + 1);
        next = readNext();
      }
    }
  } catch (err) {
    // Only the file system's own errors become "not readable"; errors raised by
    // the handlers (including a deliberate early stop) pass through unchanged.
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof InputError || typeof code !== 'string' || !code.startsWith('E')) throw err;
    throw new InputError(file, '', 'a readable file', code);
  } finally {
    await next?.catch(() => 0); // a read in flight ends before its file is closed
    await handle?.close();
  }
  pump(true);
  const finalMode = mode as Mode; // set inside pump()
  if (scan || finalMode !== Mode.Done) {
    if (finalMode === Mode.Start) fail('a JSON array or object', buf.length, 'an empty file');
    fail('the rest of the JSON document (the file is truncated)', buf.length, 'end of file');
  }
  return summary;
}

/** Reads a small JSON file whole; InputError if it is missing or not JSON. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, '', 'a readable file', (err as NodeJS.ErrnoException).code ?? 'an error');
  }
  return parseJsonText(file, text);
}

/** JSON.parse with an InputError naming the file on failure. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const compression = compressionOf(text.slice(0, 8));
    if (compression) throw compressedFileError(file, compression);
    throw new InputError(file, '', 'valid JSON', (err as Error).message.replace(/\s+/g, ' ').slice(0, 120));
  }
}
