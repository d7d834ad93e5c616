/**
 * The indexer's worker thread: lists a split's annotation files, and for each
 * that is new or whose mtime/size changed, reads it, checks it as
 * `df2 validate` does and reads its image's size, all with synchronous
 * system calls (in a worker they block nobody, and cost a fraction of a
 * thread-pool round trip each). Per file: one stat when it was indexed
 * before (nothing more when unchanged); otherwise open, fstat, read, close
 * for the annotation and open, read, close for the image header (image/ is
 * not listed: a missing image shows at its open).
 *
 * Several workers may share a split: each takes every n-th run of names.
 * Results go to the main thread in batches of typed columns (transferred,
 * not copied: image-batch.ts), at most a few unacknowledged at a time, so
 * that memory stays bounded when the database writes slower.
 *
 * The thread runs at a lower CPU priority (nice 10, on Linux): on a server
 * answering requests, indexing takes the CPU they leave; idle, it runs at
 * full speed.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import {
  NameSet,
  checkAnnotationContent,
  checkAnnotationFileSync,
  inputProblem,
  readImageSizeIfPresentSync,
  scanSplitSync,
  type ImageSize,
} from '../../dataset/index.js';
import { formatProblemLine, type Problem } from '../../schema/index.js';
import { InputError } from '../../util/errors.js';
import { lowerThreadPriority } from '../../util/thread-priority.js';
import { indexedImage } from './indexed-image.js';
import { ImageBatchBuilder, batchBuffers } from './image-batch.js';
import type { IndexWorkerData, ToIndexer, ToWorker } from './index-protocol.js';
import type { BadFile } from './types.js';

const data = workerData as IndexWorkerData;
/** Consecutive names one worker takes at a time (neighbouring files, neighbouring rows). */
const SHARE = 256;
const port = parentPort!;

let acknowledged = 0;
let wake: (() => void) | undefined;
port.on('message', (message: ToWorker) => {
  if (message.type === 'ack') {
    acknowledged = message.batch;
    wake?.();
  }
});

function send(message: ToIndexer, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Reads a file with one open, fstat, read and close; returns its text and state. */
function readWithState(file: string, buffer: { bytes: Buffer }): { text: string; mtimeMs: number; size: number } {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (buffer.bytes.length < st.size + 1) buffer.bytes = Buffer.allocUnsafe(Math.max(st.size + 1, buffer.bytes.length * 2));
    // Exactly the size fstat gave: no extra read to find the end. A file that grows meanwhile reads short
    // (and fails its checks, so it is read again next time, as bad files always are).
    let length = 0;
    while (length < st.size) {
      const n = readSync(fd, buffer.bytes, length, st.size - length, length);
      if (n === 0) break;
      length += n;
    }
    return { text: buffer.bytes.toString('utf8', 0, length), mtimeMs: st.mtimeMs, size: st.size };
  } finally {
    closeSync(fd);
  }
}

/** The size of an image from its header; undefined when there is no image file. */
function imageSize(path: string, scratch: Buffer): ImageSize | Problem | undefined {
  try {
    return readImageSizeIfPresentSync(path, scratch);
  } catch (err) {
    return inputProblem(err);
  }
}

async function run(): Promise<void> {
  lowerThreadPriority(10);
  const listing = scanSplitSync(data.dir, { annotationsOnly: true });
  const known = new Map<number, number>();
  for (let k = 0; k < data.knownIds.length; k++) known.set(data.knownIds[k]!, k);
  send({ type: 'listed', total: listing.names.length });

  const buffer = { bytes: Buffer.allocUnsafe(64 * 1024) };
  const head = Buffer.allocUnsafe(4096);
  const images = new ImageBatchBuilder(data.batchSize);
  let bad: BadFile[] = [];
  let badIds: number[] = [];
  let batch = 0;
  let done = 0;
  let changed = 0;
  const flush = async (): Promise<void> => {
    const columns = images.take();
    send({ type: 'batch', batch: ++batch, images: columns, bad, badIds, done, changed }, batchBuffers(columns));
    bad = [];
    badIds = [];
    // At most two batches wait for the database.
    while (batch - acknowledged > 2) await new Promise<void>((resolve) => (wake = resolve));
  };

  // This worker's share: every parts-th run of SHARE names, from its part on.
  for (let at = 0; at < listing.names.length; at++) {
    if (Math.floor(at / SHARE) % data.parts !== data.part) continue;
    const name = listing.names.at(at);
    const id = Number(name);
    const annoPath = join(data.dir, 'annos', `${name}.json`);
    const k = known.get(id);
    done++;
    if (k !== undefined) {
      const st = statSync(annoPath, { throwIfNoEntry: false });
      if (st && st.mtimeMs === data.knownMtimes[k] && st.size === data.knownSizes[k]) continue;
    }
    changed++;
    let read: { text: string; mtimeMs: number; size: number } | undefined;
    try {
      read = readWithState(annoPath, buffer);
    } catch {
      // checkAnnotationFileSync reads it again and reports why it cannot.
    }
    const imagePath = join(data.dir, 'image', `${name}.jpg`);
    const size = imageSize(imagePath, head);
    const withImage = size === undefined ? undefined : imagePath;
    const file = read ? checkAnnotationContent(annoPath, read.text, withImage, size) : checkAnnotationFileSync(annoPath, withImage, true);
    const firstError = file.problems.find((problem) => problem.severity === 'error');
    if (firstError || !file.record || !read) {
      const line = firstError ? formatProblemLine(firstError) : 'unreadable';
      bad.push({ file: `annos/${name}.json`, message: line.split(data.dir).join(data.name) });
      badIds.push(id);
    } else {
      images.add(indexedImage(file.record, read.mtimeMs, read.size));
    }
    if (images.count + bad.length >= data.batchSize) await flush();
  }
  await flush();
  // The first worker reports what is gone.
  let removed: number[] = [];
  if (data.part === 0) {
    const present = new NameSet();
    for (const id of listing.names.ids) present.add(id);
    removed = [...data.knownIds.filter((id) => !present.hasId(id))];
  }
  send({ type: 'end', removed, total: listing.names.length, changed });
}

run().catch((err: unknown) => {
  send({ type: 'error', input: err instanceof InputError, message: err instanceof Error ? err.message : String(err) });
});
