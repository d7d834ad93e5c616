/**
 * Reading a split (`DIR/annos/NNNNNN.json` + `DIR/image/NNNNNN.jpg`) as a
 * stream of checked, typed records in image-number order.
 *
 * The release's train split has 191,961 files. The names are held as
 * numbers (4 bytes a file); the files themselves are read a window at a
 * time: at most `concurrency` files are being read, and at most that many
 * finished records wait for the consumer. Overlapping reads hide file
 * system latency; with the files in the page cache the CPU sets the pace
 * (about 10,000 files/s with image sizes on 2 cores, most of it the cost of
 * the thread-pool round trips of open/read/close). The *Sync variants serve
 * the explorer's indexing threads, where blocking calls cost less.
 */
import { readFile, readFileSync, readdirSync, statSync } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';
import { imageName, type ImageRecord } from '../schema/annotation.js';
import {
  ANNOTATION_FILE_NAME, IMAGE_FILE_NAME, ITEM_KEY, checkAnnotation, problemError, type Problem,
} from '../schema/validate-annotation.js';
import { InputError } from '../util/errors.js';
import { mapOrdered } from '../util/ordered-map.js';
import { parseJsonText } from '../json/stream.js';
import { readImageSize, readImageSizeSync, type ImageSize } from './image-size.js';

export interface ReadSplitOptions {
  /** Files in flight at once (default 32). */
  concurrency?: number;
  /** Read width/height from the image headers (default true); otherwise both are 0. */
  imageSizes?: boolean;
  /** Called after each file with the number done and the number of annotation files. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CONCURRENCY = 32;

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
export class NameSet {
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

/** Lists a split: the six-digit annotation names (sorted by number) and the image names. */
export async function listSplit(dir: string): Promise<{ names: NameList; images: NameSet }> {
  const { names, images } = await scanSplit(dir);
  return { names, images };
}

/** Lists a split, keeping what does not follow the naming rules (for `df2 validate`). */
export async function scanSplit(dir: string): Promise<SplitListing> {
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw notASplit(dir, dirStat !== undefined);
  const annosDir = join(dir, 'annos');
  const listing = new ListingBuilder();
  // Entries stream in (no array of every name at once).
  const annos = await opendir(annosDir, { bufferSize: 1024 }).catch((err: NodeJS.ErrnoException) => {
    throw noAnnos(annosDir, err);
  });
  for await (const entry of annos) listing.annotation(entry.name);
  const images = await opendir(join(dir, 'image'), { bufferSize: 1024 }).catch(() => undefined);
  if (images) for await (const entry of images) listing.image(entry.name);
  return listing.result(images !== undefined);
}

/** scanSplit with synchronous calls (for a worker thread). */
export function scanSplitSync(dir: string): SplitListing {
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
    imageEntries = readdirSync(join(dir, 'image'));
  } catch {
    imageEntries = undefined;
  }
  for (const entry of imageEntries ?? []) listing.image(entry);
  return listing.result(imageEntries !== undefined);
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
    const match = ANNOTATION_FILE_NAME.exec(entry);
    if (!match) return void this.strayAnnotations.push(entry);
    if (this.count === this.ids.length) {
      const bigger = new Int32Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.count++] = Number(match[1]);
  }

  image(entry: string): void {
    const match = IMAGE_FILE_NAME.exec(entry);
    if (match) this.images.add(Number(match[1]));
    else this.strayImages.push(entry);
  }

  result(hasImageDir: boolean): SplitListing {
    return {
      names: new NameList(this.ids.slice(0, this.count).sort()),
      images: this.images,
      hasImageDir,
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
  const checked = mapOrdered(listing.names, options.concurrency ?? DEFAULT_CONCURRENCY, (name) =>
    checkAnnotationFile(
      join(dir, 'annos', `${name}.json`),
      listing.images.has(name) ? join(dir, 'image', `${name}.jpg`) : undefined,
      imageSizes,
    ),
  );
  for await (const file of checked) {
    options.onProgress?.(++done, total);
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

/** Reads, parses and checks one annotation file, and its image's header when asked. */
export async function checkAnnotationFile(annoPath: string, imagePath: string | undefined, imageSizes = true): Promise<CheckedFile> {
  const text = await readText(annoPath).catch((err: unknown) => inputProblem(err));
  const size = imagePath && imageSizes ? await readImageSize(imagePath).catch((err: unknown) => inputProblem(err)) : undefined;
  return checkRead(annoPath, imagePath, text, size);
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
  return checkRead(annoPath, imagePath, read, size);
}

/** The checks of one annotation file once its text (or the read's problem) and its image's size are known. */
function checkRead(annoPath: string, imagePath: string | undefined, text: string | Problem, size: ImageSize | Problem | undefined): CheckedFile {
  const name = basename(annoPath).replace(/\.json$/, '');
  const result: CheckedFile = { name, annoPath, imagePath, width: 0, height: 0, itemCount: 0, problems: [] };

  let json: unknown;
  let parsed = false;
  if (typeof text !== 'string') result.problems.push(text);
  else {
    try {
      json = parseJsonText(annoPath, text);
      parsed = true;
    } catch (err) {
      result.problems.push(inputProblem(err));
    }
  }

  let imageProblem: Problem | undefined;
  if (size && 'severity' in size) imageProblem = size;
  else if (size) {
    result.width = size.width;
    result.height = size.height;
  }

  if (parsed) {
    if (typeof json === 'object' && json !== null) result.itemCount = Object.keys(json).filter((k) => ITEM_KEY.test(k)).length;
    const imageSize = result.width > 0 ? { width: result.width, height: result.height } : undefined;
    const { record, problems } = checkAnnotation(annoPath, json, imageSize);
    result.problems.push(...problems);
    if (record) result.record = { ...record, name, annoPath, imagePath, width: result.width, height: result.height };
  }
  if (imageProblem) result.problems.push(imageProblem);
  return result;
}

// fs/promises' readFile costs about three times more per small file than the
// callback version (measured: 17k vs 60k files/s on 4 KB files).
const readFileText = promisify(readFile);

async function readText(file: string): Promise<string> {
  try {
    return await readFileText(file, 'utf8');
  } catch (err) {
    throw unreadable(file, err);
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
function inputProblem(err: unknown): Problem {
  if (!(err instanceof InputError)) throw err;
  return { file: err.file, path: err.entry, expected: err.expected, found: err.found ?? 'something else', severity: 'error' };
}
