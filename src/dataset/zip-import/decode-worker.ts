/**
 * A decoding thread of `df2 import`. It takes batches of consecutive entries
 * of one archive, reads their bytes with one read, and for each entry
 * decrypts, inflates and checks the CRC-32 (entry-decode.ts), writes the
 * content to a temporary name and renames it onto its real name, all with
 * plain synchronous calls. For the split checks it sends back an annotation's
 * text and an image's size; the main thread pairs and validates them.
 *
 * The release's zips hold hundreds of thousands of small entries, and on
 * each the cipher (a serial chain of table look-ups per byte), inflate, and
 * the file system's create and rename cost about as much as each other; two
 * of these threads run the lot on both cores while the main thread only
 * walks the directory and validates.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { tempPathFor } from '../../util/atomic.js';
import { imageSizeOfContent, type ImageSize } from '../image-size.js';
import { inputProblem } from '../read-split.js';
import type { Problem } from '../../schema/index.js';
import { decodeInMemory, EntryDataError } from './entry-decode.js';
import { FILES_LOCK, STOP, type BatchReply, type DecodeBatch, type DecodeItem, type DecodeWorkerData, type ItemResult } from './decode-protocol.js';
import { LOCAL_HEADER_LENGTH, parseLocalHeader } from './local-header.js';

/** Local extra fields are short (Info-ZIP: 28 bytes, Zip64 48); an entry whose header holds more is read on its own. */
const SPAN_SLACK = 1024;

const { password, stop } = workerData as DecodeWorkerData;
const archives = new Map<string, number>();
let spanBuffer = Buffer.allocUnsafe(8 << 20);

/**
 * The threads create and rename their files one at a time. Two threads
 * creating files in one directory at once contend for the directory's lock
 * in the kernel anyway, where a waiter may spin; waiting here sleeps, and the
 * other thread decodes its next entry meanwhile. Measured alternately on the
 * 32,000-file archive (3 runs each, load 6 to 11): 11.8 s median wall time
 * with this lock, 17.6 s without.
 */
function lockFiles(): void {
  while (Atomics.compareExchange(stop, FILES_LOCK, 0, 1) !== 0) Atomics.wait(stop, FILES_LOCK, 1);
}

function unlockFiles(): void {
  Atomics.store(stop, FILES_LOCK, 0);
  Atomics.notify(stop, FILES_LOCK, 1);
}

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

function decodeBatch(batch: DecodeBatch): BatchReply {
  let fd = archives.get(batch.archive);
  if (fd === undefined) archives.set(batch.archive, (fd = openSync(batch.archive, 'r')));
  const first = batch.items[0]!;
  let spanEnd = 0;
  for (const item of batch.items) spanEnd = Math.max(spanEnd, item.offset + LOCAL_HEADER_LENGTH + item.nameBytes + item.compressedSize + SPAN_SLACK);
  const spanLength = spanEnd - first.offset;
  if (spanBuffer.length < spanLength) spanBuffer = Buffer.allocUnsafe(spanLength);
  const span = spanBuffer.subarray(0, readAt(fd, spanBuffer.subarray(0, spanLength), first.offset));
  const bytesAt = (offset: number, length: number): Uint8Array => {
    const from = offset - first.offset;
    if (from + length <= span.length) return span.subarray(from, from + length);
    const own = Buffer.allocUnsafe(length);
    return own.subarray(0, readAt(fd, own, offset));
  };

  const results: ItemResult[] = [];
  for (let index = 0; index < batch.items.length; index++) {
    if (Atomics.load(stop, STOP) !== 0) return { id: batch.id, results, failure: { index, failure: 'interrupted', expected: '', found: '' } };
    const item = batch.items[index]!;
    const there = item.resume ? alreadyThere(item) : undefined;
    if (there) {
      results.push(splitResult(item, there, true));
      continue;
    }
    let content: Uint8Array;
    try {
      const headerBytes = bytesAt(item.offset, LOCAL_HEADER_LENGTH);
      const local = parseLocalHeader(headerBytes);
      if (!local) {
        throw new EntryDataError(
          'damaged',
          `a local file header at byte ${item.offset}`,
          headerBytes.length < LOCAL_HEADER_LENGTH ? 'the end of the archive (a truncated download?)' : 'other bytes',
        );
      }
      const dataOffset = item.offset + LOCAL_HEADER_LENGTH + local.nameLength + local.extraLength;
      const data = bytesAt(dataOffset, item.compressedSize);
      if (data.length < item.compressedSize) {
        throw new EntryDataError('damaged', `${item.compressedSize} bytes of data at byte ${dataOffset}`, 'the end of the archive (a truncated download?)');
      }
      content = decodeInMemory(item, local, data, password, true);
    } catch (err) {
      if (!(err instanceof EntryDataError)) throw err;
      return { id: batch.id, results, failure: { index, failure: err.failure, expected: err.expected, found: err.found } };
    }
    const tmp = tempPathFor(item.target);
    lockFiles();
    try {
      writeFileSync(tmp, content);
      renameSync(tmp, item.target);
    } catch (err) {
      rmSync(tmp, { force: true });
      return { id: batch.id, results, failure: { index, failure: 'write', expected: 'a writable output path', found: (err as Error).message } };
    } finally {
      unlockFiles();
    }
    results.push(splitResult(item, content, false));
  }
  return { id: batch.id, results };
}

parentPort?.on('message', (message: DecodeBatch | 'close') => {
  if (message === 'close') {
    for (const fd of archives.values()) closeSync(fd);
    archives.clear();
    parentPort!.postMessage('closed');
    return;
  }
  parentPort!.postMessage(decodeBatch(message));
});
