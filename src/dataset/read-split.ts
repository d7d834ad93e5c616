/**
 * Reading a split (`DIR/annos/NNNNNN.json` + `DIR/image/NNNNNN.jpg`) as a
 * stream of checked, typed records in image-number order.
 *
 * The train split has 390,884 files. The list of names is held in memory
 * (a few tens of MB at most); the files themselves are read a window at a
 * time: at most `concurrency` files are being read, and at most that many
 * finished records wait for the consumer, and together they hold at most
 * `maxBytesInFlight` bytes of annotation files (a file larger than that is
 * read alone), so that memory is bounded by bytes, not only by file count. Overlapping reads hide file
 * system latency; with the files in the page cache the CPU sets the pace
 * (about 10,000 files/s with image sizes on 2 cores, most of it the cost of
 * the thread-pool round trips of open/read/close).
 */
import { close, fstat, open, read } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';
import type { ImageRecord } from '../schema/annotation.js';
import {
  ANNOTATION_FILE_NAME, IMAGE_FILE_NAME, ITEM_KEY, checkAnnotation, problemError, type Problem,
} from '../schema/validate-annotation.js';
import { InputError } from '../util/errors.js';
import { ByteBudget } from '../util/byte-budget.js';
import { mapOrdered } from '../util/ordered-map.js';
import { parseJsonText } from '../json/stream.js';
import { readImageSize, type ImageSize } from './image-size.js';

export interface ReadSplitOptions {
  /** Files in flight at once (default 32). */
  concurrency?: number;
  /**
   * Bytes of annotation files in flight at once, read or waiting for the
   * consumer (default 16 MB); a larger file is read alone.
   */
  maxBytesInFlight?: number;
  /** Read width/height from the image headers (default true); otherwise both are 0. */
  imageSizes?: boolean;
  /** Called after each file with the number done and the number of annotation files. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CONCURRENCY = 32;
/** A parsed and checked annotation takes several times its file's size; release files are ~5-30 KB, so 16 MB still lets a whole window of them in. */
export const DEFAULT_BYTES_IN_FLIGHT = 16 << 20;

/** What a split directory holds, by name. */
export interface SplitListing {
  /** Six-digit names ("000001") of annos/*.json, sorted by number. */
  names: string[];
  /** Six-digit names of image/*.jpg. */
  images: Set<string>;
  /** Whether DIR/image exists at all (a split may come without images). */
  hasImageDir: boolean;
  /** Whether DIR/annos exists (the test split comes as images only). */
  hasAnnosDir: boolean;
  /** Entries of annos/ not named NNNNNN.json, sorted. */
  strayAnnotations: string[];
  /** Entries of image/ not named NNNNNN.jpg, sorted. */
  strayImages: string[];
}

/** One annotation file after reading and checking it (and its image's header). */
export interface CheckedFile {
  /** "000001", or the file name without .json for a file not named by six digits. */
  name: string;
  annoPath: string;
  imagePath: string | undefined;
  /** From the image header; 0 when there is no image, it is unreadable, or sizes were not asked for. */
  width: number;
  height: number;
  /** Number of item keys in the file (whether or not the items are valid). */
  itemCount: number;
  /** Set when the file has no error. */
  record?: ImageRecord;
  /** Read, JSON, content and image problems of this file, errors and warnings. */
  problems: Problem[];
}

/**
 * Dot files (`.DS_Store`, `._000001.json` from macOS, editors' swap files) are
 * not part of a split: skipped, as `ls` does.
 */
const isVisible = (entry: string): boolean => !entry.startsWith('.');

/** Lists a split: the six-digit annotation names (sorted by number) and the image names. */
export async function listSplit(dir: string): Promise<{ names: string[]; images: Set<string> }> {
  const { names, images } = await scanSplit(dir);
  return { names, images };
}

/**
 * Lists a split, keeping what does not follow the naming rules (for `df2
 * validate`). With `imagesOnly`, a split with image/ but no annos/ (the test
 * split) is listed with hasAnnosDir false instead of refused.
 */
export async function scanSplit(dir: string, options: { imagesOnly?: boolean } = {}): Promise<SplitListing> {
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) {
    throw new InputError(dir, '', 'a split directory with annos/ and image/', dirStat ? 'a file' : 'nothing there');
  }
  const annosDir = join(dir, 'annos');
  const imageEntries = await readdir(join(dir, 'image')).catch(() => undefined);
  const annoEntries = await readdir(annosDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && options.imagesOnly && imageEntries !== undefined) return undefined;
    throw new InputError(annosDir, '', 'a directory of NNNNNN.json annotation files', err.code === 'ENOENT' ? 'nothing there' : (err.code ?? 'an error'));
  });

  const names: string[] = [];
  const strayAnnotations: string[] = [];
  for (const entry of (annoEntries ?? []).filter(isVisible)) {
    const match = ANNOTATION_FILE_NAME.exec(entry);
    if (match) names.push(match[1]!);
    else strayAnnotations.push(entry);
  }
  const images = new Set<string>();
  const strayImages: string[] = [];
  for (const entry of (imageEntries ?? []).filter(isVisible)) {
    const match = IMAGE_FILE_NAME.exec(entry);
    if (match) images.add(match[1]!);
    else strayImages.push(entry);
  }
  // Six digits sort by number as strings.
  names.sort();
  strayAnnotations.sort();
  strayImages.sort();
  return { names, images, hasImageDir: imageEntries !== undefined, hasAnnosDir: annoEntries !== undefined, strayAnnotations, strayImages };
}

/**
 * Reads and checks the files of a listing in order, collecting problems
 * instead of throwing (for `df2 validate`). Only failures that are not about
 * the input (bugs) are thrown.
 */
export async function* checkSplitFiles(
  dir: string,
  listing: Pick<SplitListing, 'names' | 'images'>,
  options: ReadSplitOptions = {},
): AsyncGenerator<CheckedFile> {
  const imageSizes = options.imageSizes ?? true;
  const total = listing.names.length;
  let done = 0;
  const budget = new ByteBudget(options.maxBytesInFlight ?? DEFAULT_BYTES_IN_FLIGHT);
  const checked = mapOrdered(listing.names, options.concurrency ?? DEFAULT_CONCURRENCY, async (name, index) => {
    let admitted = false;
    const admit = async (bytes: number): Promise<void> => {
      admitted = true;
      await budget.acquire(index, bytes);
    };
    try {
      return await checkAnnotationFile(
        join(dir, 'annos', `${name}.json`),
        listing.images.has(name) ? join(dir, 'image', `${name}.jpg`) : undefined,
        imageSizes,
        admit,
      );
    } finally {
      // A file that could not be opened still takes its turn, so later ones are let in.
      if (!admitted) await budget.acquire(index, 0);
    }
  });
  for await (const file of checked) {
    // The consumer has the record now: its file's bytes no longer count as in flight.
    budget.release(done);
    done++;
    options.onProgress?.(done, total);
    yield file;
  }
}

/**
 * Reads a split as ImageRecords in image-number order, items in each file's
 * key order. Throws InputError with the first error (the same line that
 * `df2 validate` prints for it); warnings are ignored. An annotation whose
 * image is missing is read with imagePath undefined and size 0; files in
 * annos/ not named NNNNNN.json are not read (`df2 validate` reports them).
 */
export async function* readSplit(dir: string, options: ReadSplitOptions = {}): AsyncGenerator<ImageRecord> {
  const listing = await listSplit(dir);
  for await (const file of checkSplitFiles(dir, listing, options)) {
    const firstError = file.problems.find((p) => p.severity === 'error');
    if (firstError) throw problemError(firstError);
    yield file.record!;
  }
}

/**
 * Reads, parses and checks one annotation file, and its image's header when
 * asked. `admit` is called with the file's size before it is read, and the
 * read waits for it (the byte budget of a split read).
 */
export async function checkAnnotationFile(
  annoPath: string,
  imagePath: string | undefined,
  imageSizes = true,
  admit?: (bytes: number) => Promise<void>,
): Promise<CheckedFile> {
  let text: string | Problem;
  try {
    text = await readText(annoPath, admit);
  } catch (err) {
    text = inputProblem(err);
  }
  let image: ImageSize | Problem | undefined;
  if (imagePath && imageSizes) {
    try {
      image = await readImageSize(imagePath);
    } catch (err) {
      image = inputProblem(err);
    }
  }
  return checkAnnotationContent(annoPath, text, imagePath, image);
}

/**
 * Checks an annotation file's content that is already in hand: its text (or
 * the problem of reading it) and its image's size (or the problem of reading
 * the header; undefined when there is no image or sizes are not wanted).
 * `df2 import` checks files this way as they come out of an archive.
 */
export function checkAnnotationContent(
  annoPath: string,
  text: string | Problem,
  imagePath: string | undefined,
  image: ImageSize | Problem | undefined,
): CheckedFile {
  const name = basename(annoPath).replace(/\.json$/, '');
  const result: CheckedFile = { name, annoPath, imagePath, width: 0, height: 0, itemCount: 0, problems: [] };

  let json: unknown;
  let parsed = false;
  if (typeof text === 'string') {
    try {
      json = parseJsonText(annoPath, text);
      parsed = true;
    } catch (err) {
      result.problems.push(inputProblem(err));
    }
  } else {
    result.problems.push(text);
  }

  const imageProblem = image && 'severity' in image ? image : undefined;
  if (image && !imageProblem) {
    result.width = (image as ImageSize).width;
    result.height = (image as ImageSize).height;
  }

  if (parsed) {
    if (typeof json === 'object' && json !== null) result.itemCount = Object.keys(json).filter((k) => ITEM_KEY.test(k)).length;
    const size = result.width > 0 ? { width: result.width, height: result.height } : undefined;
    const { record, problems } = checkAnnotation(annoPath, json, size);
    result.problems.push(...problems);
    if (record) result.record = { ...record, name, annoPath, imagePath, width: result.width, height: result.height };
  }
  if (imageProblem) result.problems.push(imageProblem);
  return result;
}

// fs/promises' readFile costs about three times more per small file than the
// callback version (measured: 17k vs 60k files/s on 4 KB files); these are
// the same calls readFile makes (open, fstat, read, close), with the size
// known between fstat and read for the byte budget.
const openFile = promisify(open);
const statFile = promisify(fstat);
const readInto = promisify(read);
const closeFile = promisify(close);

async function readText(file: string, admit?: (bytes: number) => Promise<void>): Promise<string> {
  let fd: number | undefined;
  try {
    fd = await openFile(file, 'r');
    const stats = await statFile(fd);
    if (stats.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    await admit?.(stats.size);
    // Read to the end, not just stats.size bytes: a pipe or a file still being written has no fixed size.
    const chunks: Buffer[] = [];
    let chunk = Buffer.allocUnsafe(stats.isFile() && stats.size > 0 ? stats.size : 64 << 10);
    let filled = 0;
    for (;;) {
      if (filled === chunk.length) {
        chunks.push(chunk);
        chunk = Buffer.allocUnsafe(64 << 10);
        filled = 0;
      }
      const { bytesRead } = await readInto(fd, chunk, filled, chunk.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    chunks.push(chunk.subarray(0, filled));
    return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, '', 'a readable file', code === 'EISDIR' ? 'a directory' : code === 'ENOENT' ? 'no such file' : (code ?? 'an error'));
  } finally {
    if (fd !== undefined) await closeFile(fd).catch(() => {});
  }
}

/** An InputError as an error Problem; anything else is a bug and is rethrown. */
export function inputProblem(err: unknown): Problem {
  if (!(err instanceof InputError)) throw err;
  return { file: err.file, path: err.entry, expected: err.expected, found: err.found ?? 'something else', severity: 'error' };
}

/** An image of a split, with its size from the header. */
export interface SplitImage {
  /** The image id (the file's six-digit number). */
  id: number;
  /** "000001" */
  name: string;
  imagePath: string;
  width: number;
  height: number;
}

/**
 * Whether DIR is a split of images only (image/ but no annos/: the test
 * split, whose ground truth is withheld). Throws InputError as scanSplit does
 * when DIR holds neither.
 */
export async function isImagesOnlySplit(dir: string): Promise<boolean> {
  return !(await scanSplit(dir, { imagesOnly: true })).hasAnnosDir;
}

/**
 * The images of a split (image/NNNNNN.jpg) in number order with their sizes
 * from the headers, a window at a time. Throws InputError at the first image
 * whose header is unreadable (the line `df2 validate` prints for it).
 */
export async function* readSplitImages(dir: string, options: ReadSplitOptions = {}): AsyncGenerator<SplitImage> {
  const listing = await scanSplit(dir, { imagesOnly: true });
  const names = [...listing.images].sort();
  let done = 0;
  const sized = mapOrdered(names, options.concurrency ?? DEFAULT_CONCURRENCY, async (name): Promise<SplitImage> => {
    const imagePath = join(dir, 'image', `${name}.jpg`);
    const { width, height } = await readImageSize(imagePath);
    return { id: Number(name), name, imagePath, width, height };
  });
  for await (const image of sized) {
    options.onProgress?.(++done, names.length);
    yield image;
  }
}
