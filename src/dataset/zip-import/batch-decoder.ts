/**
 * Decoding a batch of consecutive entries of one archive: their bytes read
 * with one read; for each entry decrypt, inflate and check the CRC-32
 * (entry-decode.ts); then the contents written, each to a temporary name
 * renamed onto its real name, with plain synchronous calls. For the split
 * checks the reply carries an annotation's text and an image's size.
 *
 * Each decoding thread of `df2 import` runs one (decode-worker.ts); an
 * import of one batch or less runs one in the main thread, where starting
 * the threads would cost more than the whole decode (decoder-pool.ts).
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tempPathFor } from '../../util/atomic.js';
import { imageSizeOfContent, type ImageSize } from '../image-size.js';
import { inputProblem } from '../read-split.js';
import type { Problem } from '../../schema/index.js';
import { checkDataPresent, decodeInMemory, EntryDataError, localHeaderAt } from './entry-decode.js';
import { FILES_LOCK, STOP, type BatchFailure, type BatchReply, type DecodeBatch, type DecodeItem, type ItemResult } from './decode-protocol.js';
import { LOCAL_HEADER_LENGTH } from './local-header.js';

/** Local extra fields are short (Info-ZIP: 28 bytes, Zip64 48); an entry whose header holds more is read on its own. */
const SPAN_SLACK = 1024;

function readAt(fd: number, into: Uint8Array, offset: number): number {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Whether the file already there is the entry's content; returns that content when it is. */
function alreadyThere(item: DecodeItem): Uint8Array | undefined {
  try {
    if (statSync(item.target).size !== item.uncompressedSize) return undefined;
    const content = readFileSync(item.target);
    return crc32(content) >>> 0 === item.crc32 ? content : undefined;
  } catch {
    return undefined;
  }
}

function splitResult(item: DecodeItem, content: Uint8Array, skipped: boolean): ItemResult {
  if (item.kind === 'annotation') return { skipped, text: Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8') };
  if (item.kind === 'image') {
    let image: ImageSize | Problem;
    try {
      image = imageSizeOfContent(item.target, content);
    } catch (err) {
      image = inputProblem(err);
    }
    return { skipped, image };
  }
  return { skipped };
}

/**
 * Decodes and writes batches, holding each archive it has read open until close().
 *
 * @example
 * const decoder = new BatchDecoder(password, new Int32Array(new SharedArrayBuffer(4 * SHARED_INTS)));
 * const reply = decoder.decode({ id: 0, archive: 'validation.zip', items });
 * decoder.close();
 */
export class BatchDecoder {
  private readonly archives = new Map<string, number>();
  private spanBuffer = Buffer.allocUnsafe(8 << 20);

  /** `shared`: the flags of decode-protocol.ts (STOP, set on Ctrl-C; FILES_LOCK, taken by whoever writes files). */
  constructor(
    private readonly password: Uint8Array | undefined,
    private readonly shared: Int32Array,
  ) {}

  decode(batch: DecodeBatch): BatchReply {
    let fd = this.archives.get(batch.archive);
    if (fd === undefined) this.archives.set(batch.archive, (fd = openSync(batch.archive, 'r')));
    const first = batch.items[0]!;
    let spanEnd = 0;
    for (const item of batch.items) spanEnd = Math.max(spanEnd, item.offset + LOCAL_HEADER_LENGTH + item.nameBytes + item.compressedSize + SPAN_SLACK);
    const spanLength = spanEnd - first.offset;
    if (this.spanBuffer.length < spanLength) this.spanBuffer = Buffer.allocUnsafe(spanLength);
    const span = this.spanBuffer.subarray(0, readAt(fd, this.spanBuffer.subarray(0, spanLength), first.offset));
    const bytesAt = (offset: number, length: number): Uint8Array => {
      const from = offset - first.offset;
      if (from + length <= span.length) return span.subarray(from, from + length);
      const own = Buffer.allocUnsafe(length);
      return own.subarray(0, readAt(fd, own, offset));
    };

    // First the whole batch is decoded (CPU only), then its files are written in one turn (system calls only).
    const results: ItemResult[] = [];
    const decoded: { item: DecodeItem; content: Uint8Array | undefined }[] = [];
    let failure: BatchFailure | undefined;
    for (let index = 0; index < batch.items.length; index++) {
      if (Atomics.load(this.shared, STOP) !== 0) {
        failure = { index, failure: 'interrupted', expected: '', found: '' };
        break;
      }
      const item = batch.items[index]!;
      const there = item.resume ? alreadyThere(item) : undefined;
      if (there) {
        results.push(splitResult(item, there, true));
        decoded.push({ item, content: undefined });
        continue;
      }
      try {
        const local = localHeaderAt(bytesAt(item.offset, LOCAL_HEADER_LENGTH), item.offset);
        const data = bytesAt(local.dataOffset, item.compressedSize);
        checkDataPresent(data.length, item.compressedSize, local.dataOffset);
        const content = decodeInMemory(item, local, data, this.password);
        results.push(splitResult(item, content, false));
        decoded.push({ item, content });
      } catch (err) {
        if (!(err instanceof EntryDataError)) throw err;
        failure = { index, failure: err.failure, expected: err.expected, found: err.found };
        break;
      }
    }

    this.lockFiles();
    try {
      for (let index = 0; index < decoded.length; index++) {
        const { item, content } = decoded[index]!;
        if (!content) continue;
        const tmp = tempPathFor(item.target);
        try {
          writeFileSync(tmp, content);
          renameSync(tmp, item.target);
        } catch (err) {
          rmSync(tmp, { force: true });
          results.length = index;
          return { id: batch.id, results, failure: { index, failure: 'write', expected: 'a writable output path', found: (err as Error).message } };
        }
      }
    } finally {
      this.unlockFiles();
    }
    return { id: batch.id, results, failure };
  }

  /** Closes the archives read. */
  close(): void {
    for (const fd of this.archives.values()) closeSync(fd);
    this.archives.clear();
  }

  /**
   * The threads take turns to write: one writes a batch's files while the
   * other decodes its next batch. Two threads creating files at once contend
   * in the kernel (directory and journal locks, where a waiter may spin): at a
   * load of 1.5, two threads that each wrote as they decoded took 8 to 9.5 s
   * of system time against 4 to 7 s for one thread alone.
   */
  private lockFiles(): void {
    while (Atomics.compareExchange(this.shared, FILES_LOCK, 0, 1) !== 0) Atomics.wait(this.shared, FILES_LOCK, 1);
  }

  private unlockFiles(): void {
    Atomics.store(this.shared, FILES_LOCK, 0);
    Atomics.notify(this.shared, FILES_LOCK, 1);
  }
}
