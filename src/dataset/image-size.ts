/**
 * Image width and height from the file header, without decoding pixels.
 *
 * The release's COCO converter takes sizes from PIL's `Image.size`, which is
 * the size stored in the header (EXIF orientation is not applied), so that is
 * what this returns too. Only the first bytes are read: a JFIF header puts the
 * SOF marker within the first kilobyte, but an EXIF or ICC block before it can
 * push it tens of kilobytes in, so the head grows until the size is found or
 * the whole file has been read.
 */
import { close, closeSync, open, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
// Only the two handlers df2 reads with: the package's index loads a detector and every format's handler.
import { JPG } from 'image-size/types/jpg';
import { PNG } from 'image-size/types/png';
import { InputError } from '../util/errors.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** First read; most JPEG headers fit. Each retry reads GROWTH times more. */
const FIRST_HEAD_BYTES = 4096;
const GROWTH = 8;

// The callback API, promisified: fs/promises' FileHandle costs several times
// more per small file, which shows when a split has 191,961 of them.
const openFile = promisify(open);
const readBytes = promisify(read);
const closeFile = promisify(close);

/** Width and height of a JPEG or PNG file. Throws InputError if the file is not a readable JPEG/PNG. */
export async function readImageSize(file: string): Promise<ImageSize> {
  let fd: number;
  try {
    fd = await openFile(file, 'r');
  } catch (err) {
    throw new InputError(file, '', 'a readable JPEG or PNG image', errorCode(err));
  }
  try {
    const head = new Head(file);
    for (;;) {
      const done = head.take(await readInto(fd, head.buffer, head.length));
      if (done) return done;
    }
  } catch (err) {
    throw asInputError(file, err);
  } finally {
    await ignoreRejection(closeFile(fd), 'the header was read (or its error is the one reported)');
  }
}

/**
 * Width and height of an image whose whole content is in memory (`df2 import`
 * has it as it comes out of the archive). Throws InputError naming `file`, as
 * readImageSize does.
 */
export function imageSizeOfContent(file: string, content: Uint8Array): ImageSize {
  const found = sizeFromHead(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
  if (found.size) return found.size;
  throw notAnImage(file, found.reason ?? 'no size in its header', content.length);
}

/** readImageSize with synchronous reads (for a worker thread). */
export function readImageSizeSync(file: string): ImageSize {
  const size = readImageSizeIfPresentSync(file);
  if (!size) throw new InputError(file, '', 'a readable JPEG or PNG image', errorCode({ code: 'ENOENT' }));
  return size;
}

/**
 * readImageSizeSync, but undefined when there is no such file (one open
 * instead of listing image/ first). `scratch` is a buffer to read the head
 * into (reused by a caller reading many headers; it is not kept).
 */
export function readImageSizeIfPresentSync(file: string, scratch?: Buffer): ImageSize | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(file, '', 'a readable JPEG or PNG image', errorCode(err));
  }
  try {
    const head = new Head(file, scratch);
    for (;;) {
      const done = head.take(readIntoSync(fd, head.buffer, head.length));
      if (done) return done;
    }
  } catch (err) {
    throw asInputError(file, err);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing was written: a failed close loses nothing.
    }
  }
}

/** The head of an image file as it grows: each read extends it until the size is found. */
class Head {
  buffer: Buffer;
  length = 0;
  constructor(
    private readonly file: string,
    scratch?: Buffer,
  ) {
    this.buffer = scratch && scratch.length >= FIRST_HEAD_BYTES ? scratch.subarray(0, FIRST_HEAD_BYTES) : Buffer.allocUnsafe(FIRST_HEAD_BYTES);
  }

  /** Takes `bytesRead` more bytes; returns the size when found, throws when it cannot be. */
  take(bytesRead: number): ImageSize | undefined {
    this.length += bytesRead;
    const atEnd = this.length < this.buffer.length;
    const found = sizeFromHead(this.buffer.subarray(0, this.length));
    if (found.size) return found.size;
    if (atEnd || found.wrongType) throw notAnImage(this.file, found.reason ?? 'no size in its header', this.length);
    const bigger = Buffer.allocUnsafe(this.buffer.length * GROWTH);
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
    return undefined;
  }
}

function asInputError(file: string, err: unknown): InputError {
  return err instanceof InputError ? err : new InputError(file, '', 'a readable JPEG or PNG image', errorCode(err));
}

/** Fills `buffer` from `offset` on; returns bytes read (fewer only at the end of the file). */
async function readInto(fd: number, buffer: Buffer, offset: number): Promise<number> {
  let total = 0;
  while (offset + total < buffer.length) {
    const { bytesRead } = await readBytes(fd, buffer, offset + total, buffer.length - offset - total, offset + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

function readIntoSync(fd: number, buffer: Buffer, offset: number): number {
  let total = 0;
  while (offset + total < buffer.length) {
    const bytesRead = readSync(fd, buffer, offset + total, buffer.length - offset - total, offset + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

interface HeadResult {
  size?: ImageSize;
  /** The head says it is not a JPEG/PNG at all: reading more will not help. */
  wrongType?: boolean;
  reason?: string;
}

function sizeFromHead(head: Buffer): HeadResult {
  const isJpeg = head.length >= 2 && head[0] === 0xff && head[1] === 0xd8;
  const isPng = head.length >= 8 && head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG';
  if (!isJpeg && !isPng) return { wrongType: true, reason: head.length === 0 ? 'an empty file' : 'another kind of file' };
  try {
    // A head cut inside a marker segment can make the parser read past the
    // end (RangeError) or report no size; both mean "read more".
    const { width, height } = (isJpeg ? JPG : PNG).calculate(head);
    if (isSize(width) && isSize(height)) return { size: { width, height } };
    return { reason: `a ${isJpeg ? 'JPEG' : 'PNG'} header without a size` };
  } catch (err) {
    return { reason: `a damaged ${isJpeg ? 'JPEG' : 'PNG'} header (${(err as Error).message})` };
  }
}

const isSize = (n: number | undefined): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

function notAnImage(file: string, reason: string, bytes: number): InputError {
  return new InputError(file, '', 'a readable JPEG or PNG image', bytes === 0 ? 'an empty file' : reason);
}

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory';
  return code ?? 'an unreadable file';
}
