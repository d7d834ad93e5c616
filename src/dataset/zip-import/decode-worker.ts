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
import { decodeInMemory, EntryDataError, type EntryFacts, type EntryFailure } from './entry-decode.js';
import { LOCAL_HEADER_LENGTH, parseLocalHeader } from './local-header.js';

/** What the split check needs of a file: an annotation's text, an image's size, or nothing. */
export type SplitKind = 'annotation' | 'image' | undefined;

export interface DecodeItem extends EntryFacts {
  /** Offset of the local header. */
  offset: number;
  /** Bytes of the name in the central directory (the local header holds it again). */
  nameBytes: number;
  target: string;
  /** A file by this name was there before the run: skip it if it has the right size and CRC-32. */
  resume: boolean;
  kind: SplitKind;
}

export interface DecodeBatch {
  id: number;
  archive: string;
  items: DecodeItem[];
}

export interface ItemResult {
  skipped: boolean;
  text?: string;
  image?: ImageSize | Problem;
}

export interface BatchFailure {
  /** Index in the batch of the entry that failed. */
  index: number;
  /** 'write': the output could not be written (then `expected`/`found` describe the target). */
  failure: EntryFailure | 'write' | 'interrupted';
  expected: string;
  found: string;
}

export interface BatchReply {
  id: number;
  /** One per item decoded, in order, up to the failure if any. */
  results: ItemResult[];
  failure?: BatchFailure;
}

export interface DecodeWorkerData {
  password: Uint8Array | undefined;
  /** Set to 1 by the main thread on Ctrl-C: the batch stops before its next entry. */
  stop: Int32Array;
}

/** Local extra fields are short (Info-ZIP: 28 bytes, Zip64 48); an entry whose header holds more is read on its own. */
const SPAN_SLACK = 1024;

const { password, stop } = workerData as DecodeWorkerData;
const archives = new Map<string, number>();
let spanBuffer = Buffer.allocUnsafe(8 << 20);

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
    if (Atomics.load(stop, 0) !== 0) return { id: batch.id, results, failure: { index, failure: 'interrupted', expected: '', found: '' } };
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
    try {
      writeFileSync(tmp, content);
      renameSync(tmp, item.target);
    } catch (err) {
      rmSync(tmp, { force: true });
      return { id: batch.id, results, failure: { index, failure: 'write', expected: 'a writable output path', found: (err as Error).message } };
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
