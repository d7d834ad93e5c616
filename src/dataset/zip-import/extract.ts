/**
 * The import itself: every file entry of every archive written under the
 * output directory by its name in the archive, each to a temporary name and
 * renamed once its size and CRC-32 match, so that a file under its real name
 * is always whole. Decoding runs on the main thread in archive order;
 * finished files go in batches to a writer thread (file-writer.ts), so that
 * writing overlaps decoding on the second core. Annotations and images are handed to the split checks as
 * they are written.
 */
import { createReadStream } from 'node:fs';
import { readdir, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { crc32 } from 'node:zlib';
import { InputError } from '../../util/errors.js';
import { isTempFileName, withAtomicWriter } from '../../util/atomic.js';
import { FileWriter } from './file-writer.js';
import { OpenArchive } from './archive.js';
import type { ArchiveEntry } from './central-directory.js';
import { EntryDataError, readEntryData } from './entry-data.js';
import { SplitCheck } from './split-check.js';

export interface ImportProgress {
  /** Archive bytes read so far, of totalBytes (the archives' sizes). */
  bytes: number;
  totalBytes: number;
  /** Files written or found already there so far. */
  files: number;
}

export interface ImportOptions {
  /** Asked once, and only when an archive holds an encrypted entry. */
  password: () => Promise<Uint8Array | undefined>;
  /** Aborting (Ctrl-C) stops after the files being written are whole; no temporary file stays. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult {
  /** Files written by this run. */
  written: number;
  /** Files already there with the right size and CRC-32 (an earlier, interrupted run). */
  skipped: number;
  /** Content bytes of all the files (written and skipped). */
  bytes: number;
  /** One check per split (a directory holding annos/ or image/), in path order; call finish() for the report. */
  splits: SplitCheck[];
}

/** The import was interrupted (Ctrl-C): what was written is whole, the rest is not there. */
export class ImportInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'ImportInterrupted';
  }
}

/** Entries written from memory in one piece up to this size; larger ones stream to disk. */
const IN_MEMORY_BYTES = 16 << 20;

/** annos/NNNNNN.json and image/NNNNNN.jpg, under the split's directory (possibly the output directory itself). */
const SPLIT_FILE = /^(?:(.*)\/)?(annos|image)\/([^/]+)$/;
const ANNOTATION_NAME = /^(\d{6})\.json$/;
const IMAGE_NAME = /^(\d{6})\.jpg$/;

/**
 * Imports the archives into `outDir`. Before anything is written, every
 * archive's central directory is read (a truncated download fails here) and
 * the password is tried on each archive's first encrypted entry, so that a
 * wrong password writes nothing. Throws InputError naming the archive and
 * entry for bad input; files written before the failure stay.
 *
 * @example
 * const result = await importArchives(['validation.zip'], 'data', { password: async () => Buffer.from(pw) });
 * for (const split of result.splits) console.log(split.dir, await split.finish(() => {}));
 */
export async function importArchives(paths: string[], outDir: string, options: ImportOptions): Promise<ImportResult> {
  const archives: OpenArchive[] = [];
  try {
    for (const path of paths) archives.push(await OpenArchive.open(path));
    const survey = await surveyArchives(archives);
    let password: Uint8Array | undefined;
    if (survey.firstEncrypted.size > 0) {
      password = await options.password();
      for (const [archive, entry] of survey.firstEncrypted) await checkPassword(archive, entry, password);
    }
    const writer = new FileWriter();
    try {
      const run = new ImportRun(outDir, password, survey, options, writer);
      for (const archive of archives) await run.extract(archive);
      return run.result();
    } finally {
      await writer.close();
    }
  } finally {
    for (const archive of archives) await archive.close();
  }
}

interface Survey {
  /** Bytes of all the archives: the progress bar counts archive bytes read, known before any entry is. */
  totalBytes: number;
  firstEncrypted: Map<OpenArchive, ArchiveEntry>;
}

/**
 * Finds each archive's first encrypted entry (normally its first entry: the
 * walk stops there, so the central directory is parsed once more only up to
 * it) and reads each central directory's end (a truncated download fails
 * here, before anything is written).
 */
async function surveyArchives(archives: OpenArchive[]): Promise<Survey> {
  const survey: Survey = { totalBytes: 0, firstEncrypted: new Map() };
  for (const archive of archives) {
    survey.totalBytes += archive.file.size;
    for await (const entry of archive.fileEntries()) {
      if (!entry.encrypted) continue;
      survey.firstEncrypted.set(archive, entry);
      break;
    }
  }
  return survey;
}

/** A name that would land outside the output directory is refused, as `unzip` does. */
function checkEntryName(archive: OpenArchive, entry: ArchiveEntry): void {
  const name = posix.normalize(entry.filename);
  if (name.startsWith('/') || name === '..' || name.startsWith('../') || entry.filename.includes('\\') || entry.filename.includes('\0')) {
    throw new InputError(archive.path, entry.filename, 'a relative path inside the output directory', JSON.stringify(entry.filename));
  }
}

/**
 * Decodes the archive's first encrypted entry in full (nothing is written):
 * ZipCrypto's header check lets a wrong password through once in 256 times,
 * and the CRC-32 of the content catches those.
 */
async function checkPassword(archive: OpenArchive, entry: ArchiveEntry, password: Uint8Array | undefined): Promise<void> {
  if (!password) {
    throw new InputError(archive.path, entry.filename, 'a password (--password-file FILE, DF2_ZIP_PASSWORD, or typed on a terminal)', 'none');
  }
  try {
    await readEntryData(archive, entry, password, () => {});
  } catch (err) {
    if (!(err instanceof EntryDataError)) throw err;
    if (err.failure === 'wrong password' || !entry.aes) {
      throw new InputError(archive.path, entry.filename, 'the right password', 'a wrong one; nothing was written');
    }
    throw new InputError(archive.path, entry.filename, err.expected, err.found);
  }
}

/** What is known of a directory the import writes into. */
interface OutputDir {
  /** Names that were there before this run (undefined: the directory is new). */
  before: Set<string> | undefined;
}

class ImportRun {
  private written = 0;
  private skipped = 0;
  private bytes = 0;
  private files = 0;
  /** Sizes of the archives already imported, and archive bytes read in all. */
  private archiveBytesBefore = 0;
  private archiveBytesRead = 0;
  private readonly dirs = new Map<string, Promise<OutputDir>>();
  private readonly splits = new Map<string, SplitCheck>();

  constructor(
    private readonly outDir: string,
    private readonly password: Uint8Array | undefined,
    private readonly survey: Survey,
    private readonly options: ImportOptions,
    private readonly writer: FileWriter,
  ) {}

  async extract(archive: OpenArchive): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      for await (const entry of archive.fileEntries()) {
        if (this.options.signal?.aborted) break;
        await this.extractEntry(archive, entry);
      }
    } finally {
      // Whatever happened, the files handed to the writer are finished (whole, or not there at all).
      await this.writer.drain().catch((err: unknown) => {
        failure ??= { error: err };
      });
    }
    if (failure) throw failure.error;
    if (this.options.signal?.aborted) throw new ImportInterrupted();
    this.archiveBytesBefore += archive.file.size;
    this.archiveBytesRead = this.archiveBytesBefore;
  }

  result(): ImportResult {
    const splits = [...this.splits.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    return { written: this.written, skipped: this.skipped, bytes: this.bytes, splits };
  }

  private async extractEntry(archive: OpenArchive, entry: ArchiveEntry): Promise<void> {
    checkEntryName(archive, entry);
    const target = join(this.outDir, posix.normalize(entry.filename));
    const dir = await this.outputDir(dirname(target));
    const splitFile = this.splitFile(entry.filename);

    if (dir.before?.has(basename(target)) && (await sameContent(target, entry))) {
      this.skipped++;
      this.done(entry);
      await splitFile?.(undefined)();
      return;
    }

    const fail = (err: unknown): never => {
      if (err instanceof EntryDataError) throw new InputError(archive.path, entry.filename, err.expected, err.found);
      throw err;
    };
    if (entry.uncompressedSize <= IN_MEMORY_BYTES) {
      const chunks: Uint8Array[] = [];
      await readEntryData(archive, entry, this.password, (chunk) => {
        chunks.push(chunk);
      }).catch(fail);
      const content = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // What the split check needs is taken now: the content may move to the writer thread.
      const checkAfterWrite = splitFile?.(content);
      await this.writer.write(target, content, async () => {
        this.written++;
        this.done(entry);
        await checkAfterWrite?.();
      });
      return;
    }
    await withAtomicWriter(target, (out) =>
      readEntryData(archive, entry, this.password, (chunk) => {
        if (this.options.signal?.aborted) throw new ImportInterrupted();
        return out.write(chunk);
      }),
    ).catch(fail);
    this.written++;
    this.done(entry);
    await splitFile?.(undefined)();
  }

  private done(entry: ArchiveEntry): void {
    this.files++;
    this.bytes += entry.uncompressedSize;
    // Entries lie in the archive in order, so the end of this one is how far the archives have been read.
    const read = this.archiveBytesBefore + entry.offset + entry.compressedSize;
    if (read > this.archiveBytesRead) this.archiveBytesRead = read;
    this.options.onProgress?.({ bytes: this.archiveBytesRead, totalBytes: this.survey.totalBytes, files: this.files });
  }

  /**
   * For a file of a split: given its content (undefined: read it back from
   * disk), takes what the split check needs and returns what to tell the
   * check once the file is on disk.
   */
  private splitFile(filename: string): ((content: Uint8Array | undefined) => () => Promise<void>) | undefined {
    const match = SPLIT_FILE.exec(posix.normalize(filename));
    if (!match) return undefined;
    const splitDir = match[1] === undefined ? this.outDir : join(this.outDir, match[1]);
    let check = this.splits.get(splitDir);
    if (!check) this.splits.set(splitDir, (check = new SplitCheck(splitDir)));
    const split = check;
    const annotation = match[2] === 'annos' ? ANNOTATION_NAME.exec(match[3]!) : undefined;
    if (annotation) {
      return (content) => {
        const text = content && Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
        return () => split.annotationOut(annotation[1]!, text);
      };
    }
    const image = match[2] === 'image' ? IMAGE_NAME.exec(match[3]!) : undefined;
    if (image) {
      return (content) => {
        const size = content && split.imageSizeOf(image[1]!, content);
        return () => split.imageOut(image[1]!, size);
      };
    }
    return () => async () => {};
  }

  /**
   * Makes a directory on first use. One that was already there is listed
   * once (to find files an earlier run wrote) and swept of the temporary
   * files a killed run left.
   */
  private outputDir(path: string): Promise<OutputDir> {
    let known = this.dirs.get(path);
    if (!known) {
      known = prepareDir(path);
      this.dirs.set(path, known);
    }
    return known;
  }
}

async function prepareDir(path: string): Promise<OutputDir> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(path, '', 'a writable output directory', (err as Error).message);
    try {
      await mkdir(path, { recursive: true });
    } catch (mkdirErr) {
      throw new InputError(path, '', 'a writable output directory', (mkdirErr as Error).message);
    }
    return { before: undefined };
  }
  const before = new Set<string>();
  for (const name of names) {
    if (isTempFileName(name)) await rm(join(path, name), { force: true });
    else before.add(name);
  }
  return { before };
}

/** Whether the file already on disk is the entry's content (size, then CRC-32, read in chunks). */
async function sameContent(path: string, entry: ArchiveEntry): Promise<boolean> {
  try {
    if ((await stat(path)).size !== entry.uncompressedSize) return false;
    let crc = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) crc = crc32(chunk as Buffer, crc);
    return crc >>> 0 === entry.crc32;
  } catch {
    return false;
  }
}
