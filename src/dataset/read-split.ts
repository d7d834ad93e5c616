/**
 * Reading a split (`DIR/annos/NNNNNN.json` + `DIR/image/NNNNNN.jpg`) as a
 * stream of checked, typed records in image-number order.
 *
 * The release's train split has 191,961 files. The names are held as
 * numbers (4 bytes a file); the files themselves are read a window at a
 * time: at most `concurrency` files are being read, and at most that many
 * finished records wait for the consumer, and together they hold at most
 * `maxBytesInFlight` bytes of annotation files (a file larger than that is
 * read alone), so that memory is bounded by bytes, not only by file count.
 * Overlapping reads hide file system latency; with the files in the page
 * cache the CPU sets the pace (most of it the cost of the thread-pool round
 * trips of open/read/close). The *Sync variants serve the explorer's indexing
 * threads, where blocking calls cost less.
 */
import { close, fstat, open, read, readFileSync, readdirSync, statSync } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';
import { imageName, type ImageRecord } from '../schema/index.js';
import { splitFileId, checkAnnotation, problemError, type Problem } from '../schema/index.js';
import { ITEM_KEY } from '../schema/internal.js';
import { InputError } from '../util/errors.js';
import { ByteBudget } from '../util/byte-budget.js';
import { grow } from '../util/grow.js';
import { mapOrdered } from '../util/ordered-map.js';
import { parseJsonText } from '../json/stream.js';
import { readImageSize, readImageSizeSync, type ImageSize } from './image-size.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

export interface ReadSplitOptions {
  /**
   * Files in flight at once.
   * @default 32 (`DEFAULT_CONCURRENCY`)
   */
  concurrency?: number;
  /**
   * Bytes of annotation files in flight at once, read or waiting for the
   * consumer; a larger file is read alone.
   * @default 16 MB
   */
  maxBytesInFlight?: number;
  /**
   * Read width/height from the image headers; otherwise both are 0.
   * @default true
   */
  imageSizes?: boolean;
  /** Called after each file with the number done and the number of annotation files. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CONCURRENCY = 32;
/** A parsed and checked annotation takes several times its file's size; release files are ~5-30 KB, so 16 MB still lets a whole window of them in. */
const DEFAULT_BYTES_IN_FLIGHT = 16 << 20;

/**
 * Six-digit file names held as their numbers, sorted: 4 bytes a file (the
 * train split's 191,961 names as strings would cost ~10 MB of heap).
 */
export class NameList implements Iterable<string> {
  constructor(readonly ids: Int32Array) {}
  get length(): number {
    return this.ids.length;
  }
  /** The i-th name ("000001"). */
  at(i: number): string {
    return imageName(this.ids[i]!);
  }
  *[Symbol.iterator](): Iterator<string> {
    for (const id of this.ids) yield imageName(id);
  }
}

/** A set of six-digit names as a bitmap of their numbers (125 kB whatever the split's size). */
export class NameSet implements Iterable<string> {
  private readonly bits = new Uint8Array(1_000_000 >> 3);
  size = 0;
  add(id: number): void {
    if (!this.hasId(id)) this.size++;
    this.bits[id >> 3]! |= 1 << (id & 7);
  }
  hasId(id: number): boolean {
    return id >= 0 && id < 1_000_000 && (this.bits[id >> 3]! & (1 << (id & 7))) !== 0;
  }
  has(name: string): boolean {
    return /^\d{6}$/.test(name) && this.hasId(Number(name));
  }
  /** The names in ascending order ("000001", ...). */
  *[Symbol.iterator](): Iterator<string> {
    for (const id of this.ids()) yield imageName(id);
  }
  /** The ids in ascending order. */
  *ids(): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      if (this.bits[byte] === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (this.bits[byte]! & (1 << bit)) yield byte * 8 + bit;
    }
  }
}

/** What a split directory holds, by name. */
export interface SplitListing {
  /** Six-digit names ("000001") of annos/*.json, sorted by number. */
  names: NameList;
  /** Six-digit names of image/*.jpg. */
  images: NameSet;
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
export async function listSplit(dir: string): Promise<{ names: NameList; images: NameSet }> {
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
  if (!dirStat?.isDirectory()) throw notASplit(dir, dirStat !== undefined);
  const annosDir = join(dir, 'annos');
  const listing = new ListingBuilder();
  // Entries stream in (no array of every name at once).
  const images = await opendir(join(dir, 'image'), { bufferSize: 1024 }).catch(() => undefined);
  const annos = await opendir(annosDir, { bufferSize: 1024 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && options.imagesOnly && images !== undefined) return undefined;
    throw noAnnos(annosDir, err);
  });
  if (annos) for await (const entry of annos) listing.annotation(entry.name);
  if (images) for await (const entry of images) listing.image(entry.name);
  return listing.result(images !== undefined, annos !== undefined);
}

/**
 * scanSplit with synchronous calls (for a worker thread). With
 * `annotationsOnly`, image/ is not listed (`images` stays empty): the
 * explorer's indexer opens each annotation's image anyway, and a missing one
 * says so then.
 */
export function scanSplitSync(dir: string, options: { annotationsOnly?: boolean } = {}): SplitListing {
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat?.isDirectory()) throw notASplit(dir, dirStat !== undefined);
  const annosDir = join(dir, 'annos');
  const listing = new ListingBuilder();
  try {
    for (const entry of readdirSync(annosDir)) listing.annotation(entry);
  } catch (err) {
    throw noAnnos(annosDir, err as NodeJS.ErrnoException);
  }
  let imageEntries: string[] | undefined;
  try {
    imageEntries = options.annotationsOnly ? [] : readdirSync(join(dir, 'image'));
  } catch {
    imageEntries = undefined;
  }
  for (const entry of imageEntries ?? []) listing.image(entry);
  return listing.result(imageEntries !== undefined, true);
}

const notASplit = (dir: string, exists: boolean): InputError =>
  new InputError(dir, '', 'a split directory with annos/ and image/', exists ? 'a file' : 'nothing there');
const noAnnos = (annosDir: string, err: NodeJS.ErrnoException): InputError =>
  new InputError(annosDir, '', 'a directory of NNNNNN.json annotation files', err.code === 'ENOENT' ? 'nothing there' : (err.code ?? 'an error'));

/** Sorts directory entries into six-digit names and strays, one at a time. */
class ListingBuilder {
  private ids = new Int32Array(1024);
  private count = 0;
  private readonly images = new NameSet();
  private readonly strayAnnotations: string[] = [];
  private readonly strayImages: string[] = [];

  annotation(entry: string): void {
    if (!isVisible(entry)) return;
    const id = splitFileId(entry, '.json');
    if (id < 0) return void this.strayAnnotations.push(entry);
    this.ids = grow(this.ids, this.count + 1);
    this.ids[this.count++] = id;
  }

  image(entry: string): void {
    if (!isVisible(entry)) return;
    const id = splitFileId(entry, '.jpg');
    if (id >= 0) this.images.add(id);
    else this.strayImages.push(entry);
  }

  result(hasImageDir: boolean, hasAnnosDir: boolean): SplitListing {
    return {
      names: new NameList(this.ids.slice(0, this.count).sort()),
      images: this.images,
      hasImageDir,
      hasAnnosDir,
      strayAnnotations: this.strayAnnotations.sort(),
      strayImages: this.strayImages.sort(),
    };
  }
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
 * checkAnnotationFile with synchronous reads, for a worker thread that reads
 * a whole split: no thread-pool round trip per system call. `text` may be
 * given when the caller has read the file already.
 */
export function checkAnnotationFileSync(annoPath: string, imagePath: string | undefined, imageSizes = true, text?: string): CheckedFile {
  let read: string | Problem;
  if (text !== undefined) read = text;
  else {
    try {
      read = readTextSync(annoPath);
    } catch (err) {
      read = inputProblem(err);
    }
  }
  let size: ImageSize | Problem | undefined;
  if (imagePath && imageSizes) {
    try {
      size = readImageSizeSync(imagePath);
    } catch (err) {
      size = inputProblem(err);
    }
  }
  return checkAnnotationContent(annoPath, read, imagePath, size);
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
    throw unreadable(file, err);
  } finally {
    if (fd !== undefined) await ignoreRejection(closeFile(fd), 'the file was read (or its error is the one reported)');
  }
}

function readTextSync(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw unreadable(file, err);
  }
}

function unreadable(file: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  return new InputError(file, '', 'a readable file', code === 'EISDIR' ? 'a directory' : code === 'ENOENT' ? 'no such file' : (code ?? 'an error'));
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
  const names = [...listing.images];
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
