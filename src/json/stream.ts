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
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { InputError, pathJoin } from '../util/errors.js';

export interface JsonStreamHandlers {
  /**
   * One element of the top-level array (key null), or of an array that is the
   * value of a top-level object key (key = that key). Elements arrive in file order.
   */
  onElement(key: string | null, index: number, value: unknown): void;
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

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d,
  LBRACE = 0x7b,
  RBRACE = 0x7d;
const COMMA = 0x2c,
  COLON = 0x3a;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

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
  /** Offset of the value's first byte in the current buffer; -1 once its first bytes are kept in `pending` (see below). */
  start: number;
  pos: number; // next byte to look at
  depth: number;
  inString: boolean;
  /** Inside a string, the backslashes that end the bytes kept before the current buffer (they may escape its first quote). */
  carry: number;
}

/**
 * The compression of a file that starts with `head` (decoded as latin1 or
 * UTF-8: a byte that is not valid UTF-8 reads as U+FFFD), or undefined.
 * JSON never starts with these bytes, so a compressed file gets a message
 * that says what it is instead of a stray control character.
 */
export function compressionOf(head: string): string | undefined {
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

/** Streams a JSON file; see JsonStreamHandlers. Throws InputError for malformed or truncated JSON. */
export async function streamJson(file: string, handlers: JsonStreamHandlers, options: { chunkBytes?: number } = {}): Promise<JsonStreamSummary> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch (err) {
    throw new InputError(file, '', 'a readable file', (err as NodeJS.ErrnoException).code ?? 'an error');
  }
  const summary: JsonStreamSummary = { topLevel: 'array', keys: [], counts: new Map() };
  let mode = Mode.Start;
  let key: string | null = null; // current top-level key (object) or null (array)
  let inArrayOfKey = false; // streaming elements of an array under `key`
  let index = 0;
  let buf: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of buf[0]
  let scan: ValueScan | null = null;
  let bytesRead = 0;
  /**
   * The bytes of a value that goes on past the chunks read so far, one piece per chunk. Appending each chunk to one
   * buffer copied the value once per chunk (a 150 MB string in an 8 MB-chunked file: 19 copies, most of them garbage
   * at once); the pieces are joined once, when the value ends.
   */
  let pending: Buffer[] = [];

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

  /** The text of the value scanned up to `end` of buf: from `start`, or after its kept pieces. */
  const valueText = (start: number, end: number): string => {
    if (start >= 0) return buf.toString('utf8', start, end);
    pending.push(buf.subarray(0, end));
    const bytes = Buffer.concat(pending);
    // Held once: neither the pieces (dropped before decoding) nor the joined bytes (dropped on return, before parsing) stay beside the text.
    pending = [];
    return bytes.toString('utf8');
  };

  const emit = (start: number, end: number): void => {
    const text = valueText(start, end);
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
        if (first === LBRACKET || first === LBRACE) {
          s.depth = 1;
          i++;
        } else if (first === QUOTE) {
          s.inString = true;
          i++;
        }
      }
      if (s.depth === 0 && !s.inString) {
        while (i < n) {
          const c = b[i]!;
          if (c === COMMA || c === RBRACKET || c === RBRACE || isSpace(c)) return i;
          i++;
        }
        s.pos = i;
        return atEof ? n : -1;
      }
    }
    while (i < n) {
      if (s.inString) {
        const q = b.indexOf(QUOTE, i);
        if (q < 0) {
          i = n;
          break;
        }
        let bs = 0;
        let k = q - 1;
        for (; k >= Math.max(s.start, 0) && b[k] === BACKSLASH; k--) bs++;
        if (k < 0 && s.start < 0) bs += s.carry;
        i = q + 1;
        if ((bs & 1) === 0) {
          s.inString = false;
          if (s.depth === 0) return i; // a top-level string value
        }
        continue;
      }
      const c = b[i++]!;
      if (c === QUOTE) s.inString = true;
      else if (c === LBRACKET || c === LBRACE) s.depth++;
      else if (c === RBRACKET || c === RBRACE) {
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
        if (end < 0) return Math.max(scan.start, 0);
        emit(scan.start, end);
        scan = null;
        i = end;
        if (key === null || inArrayOfKey) {
          index++;
          mode = Mode.ArrayCommaOrEnd;
        } else mode = Mode.ObjectCommaOrEnd;
        continue;
      }
      while (i < n && isSpace(buf[i]!)) i++;
      if (i >= n) return n;
      const c = buf[i]!;
      switch (mode) {
        case Mode.Start:
          if (base === 0 && i === 0 && c === 0xef) {
            i += 3;
            continue;
          } // UTF-8 byte order mark
          if (c === LBRACKET) {
            summary.topLevel = 'array';
            key = null;
            inArrayOfKey = false;
            index = 0;
            mode = Mode.ArrayFirst;
            i++;
          } else if (c === LBRACE) {
            summary.topLevel = 'object';
            mode = Mode.ObjectKeyOrEnd;
            i++;
          } else fail('a JSON array or object', i);
          break;
        case Mode.ObjectKeyOrEnd:
        case Mode.ObjectKey: {
          if (c === RBRACE && mode === Mode.ObjectKeyOrEnd) {
            mode = Mode.Done;
            i++;
            break;
          }
          if (c !== QUOTE) fail('a quoted key', i);
          const s: ValueScan = { start: i, pos: i, depth: 0, inString: false, carry: 0 };
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
          if (c !== COLON) fail("':'", i);
          mode = Mode.ObjectValue;
          i++;
          break;
        case Mode.ObjectValue:
          if (c === LBRACKET) {
            inArrayOfKey = true;
            index = 0;
            mode = Mode.ArrayFirst;
            i++;
          } else scan = { start: i, pos: i, depth: 0, inString: false, carry: 0 };
          break;
        case Mode.ObjectCommaOrEnd:
          if (c === COMMA) {
            mode = Mode.ObjectKey;
            i++;
          } else if (c === RBRACE) {
            mode = Mode.Done;
            i++;
          } else fail("',' or '}'", i);
          break;
        case Mode.ArrayFirst:
        case Mode.ArrayElement:
          if (c === RBRACKET && mode === Mode.ArrayFirst) {
            i++;
            closeArray();
            break;
          }
          if (c === COMMA || c === RBRACKET || c === COLON || c === RBRACE) fail('a value', i);
          scan = { start: i, pos: i, depth: 0, inString: false, carry: 0 };
          break;
        case Mode.ArrayCommaOrEnd:
          if (c === COMMA) {
            mode = Mode.ArrayElement;
            i++;
          } else if (c === RBRACKET) {
            i++;
            closeArray();
          } else fail("',' or ']'", i);
          break;
        case Mode.Done:
          fail('the end of the file', i);
      }
    }
  };

  /** The value goes on past buf: its bytes in buf are kept as a piece, and the scan goes on at the next chunk's first byte. */
  const keepUnfinished = (s: ValueScan): void => {
    const piece = buf.subarray(Math.max(s.start, 0));
    if (s.inString) {
      let run = 0;
      while (run < piece.length && piece[piece.length - 1 - run] === BACKSLASH) run++;
      s.carry = run === piece.length && s.start < 0 ? s.carry + run : run;
    }
    pending.push(piece);
    s.start = -1;
    s.pos = 0;
  };

  const closeArray = (): void => {
    summary.counts.set(key ?? '', index);
    if (key === null) mode = Mode.Done;
    else {
      inArrayOfKey = false;
      mode = Mode.ObjectCommaOrEnd;
    }
  };

  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? 8 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      handlers.onChunk?.(chunk);
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const consumed = pump(false);
      const unfinished = scan as ValueScan | null; // set inside pump()
      if (unfinished) {
        keepUnfinished(unfinished);
        base += buf.length;
        buf = Buffer.alloc(0);
      } else {
        base += consumed;
        buf = buf.subarray(consumed);
      }
      handlers.onProgress?.(bytesRead, totalBytes);
    }
  } catch (err) {
    stream.destroy();
    // Only the file system's own errors become "not readable"; errors raised by
    // the handlers (including a deliberate early stop) pass through unchanged.
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof InputError || typeof code !== 'string' || !code.startsWith('E')) throw err;
    throw new InputError(file, '', 'a readable file', code);
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
