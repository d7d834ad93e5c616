/**
 * The indexer's work on one annotation file (index-worker.ts runs it for
 * each new or changed file): read it with its state, read its image's
 * header, check both as `df2 validate` does, and give back either the
 * indexed image or the bad file with the line `df2 validate` prints for its
 * first error. Apart from the worker so that the property suite checks the
 * indexer's verdict against validate's and the reader's in-process.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type ImageSize } from '../../dataset/index.js';
import { checkAnnotationContent, checkAnnotationFileSync, inputProblem, readImageSizeIfPresentSync } from '../../dataset/internal.js';
import { formatProblemLine, type Problem } from '../../schema/index.js';
import { indexedImage } from './indexed-image.js';
import type { BadFile, IndexedImage } from './types.js';

/** Buffers reused from file to file: the annotation's bytes (grown as needed) and an image header. */
interface IndexScratch {
  bytes: Buffer;
  head: Buffer;
}

export const indexScratch = (): IndexScratch => ({ bytes: Buffer.allocUnsafe(64 * 1024), head: Buffer.allocUnsafe(4096) });

/**
 * Indexes `annos/NAME.json` of the split at `dir`; bad-file messages name
 * the split as `splitName`, never the server's path.
 *
 * @example
 * const verdict = indexAnnotationFile('/data/validation', 'validation', '000001', indexScratch());
 * if ('bad' in verdict) console.log(verdict.bad.message);
 */
export function indexAnnotationFile(dir: string, splitName: string, name: string, scratch: IndexScratch): { image: IndexedImage } | { bad: BadFile } {
  const annoPath = join(dir, 'annos', `${name}.json`);
  let read: { text: string; mtimeMs: number; size: number } | undefined;
  try {
    read = readWithState(annoPath, scratch);
  } catch {
    // checkAnnotationFileSync reads it again and reports why it cannot.
  }
  const imagePath = join(dir, 'image', `${name}.jpg`);
  const size = imageSize(imagePath, scratch.head);
  const withImage = size === undefined ? undefined : imagePath;
  const file = read ? checkAnnotationContent(annoPath, read.text, withImage, size) : checkAnnotationFileSync(annoPath, withImage, true);
  const firstError = file.problems.find((problem) => problem.severity === 'error');
  if (firstError || !file.record || !read) {
    const line = firstError ? formatProblemLine(firstError) : 'unreadable';
    return { bad: { file: `annos/${name}.json`, message: line.split(dir).join(splitName) } };
  }
  return { image: indexedImage(file.record, read.mtimeMs, read.size) };
}

/** Reads a file with one open, fstat, read and close; returns its text and state. */
function readWithState(file: string, scratch: IndexScratch): { text: string; mtimeMs: number; size: number } {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (scratch.bytes.length < st.size + 1) scratch.bytes = Buffer.allocUnsafe(Math.max(st.size + 1, scratch.bytes.length * 2));
    // Exactly the size fstat gave: no extra read to find the end. A file that grows meanwhile reads short
    // (and fails its checks, so it is read again next time, as bad files always are).
    let length = 0;
    while (length < st.size) {
      const n = readSync(fd, scratch.bytes, length, st.size - length, length);
      if (n === 0) break;
      length += n;
    }
    return { text: scratch.bytes.toString('utf8', 0, length), mtimeMs: st.mtimeMs, size: st.size };
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
