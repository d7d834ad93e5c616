/**
 * The import itself: every file entry of every archive written under the
 * output directory by its name in the archive, each to a temporary name and
 * renamed once its size and CRC-32 match, so that a file under its real name
 * is always whole. The main thread walks the central directory and hands
 * batches of consecutive entries to two decoding threads (decoder-pool.ts;
 * archives of one batch or less are decoded in the main thread),
 * which decrypt, inflate, check and write them; their replies carry what the
 * split checks need (an annotation's text, an image's size), which run here.
 * Large entries and those only zip.js reads (WinZip AES) are decoded here,
 * streaming.
 */
import { createReadStream } from 'node:fs';
import { readdir, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { crc32 } from 'node:zlib';
import { InputError } from '../../util/errors.js';
import { isTempFileName, withAtomicWriter, writeFileAtomic } from '../../util/atomic.js';
import type { ImageSize } from '../image-size.js';
import type { Problem } from '../../schema/index.js';
import { OpenArchive } from './archive.js';
import type { ArchiveEntry } from './central-directory.js';
import { EntryDataError, IN_MEMORY_BYTES, readEntryData } from './entry-data.js';
import { decodedByDf2 } from './entry-decode.js';
import { BATCH_BYTES, BATCH_CONTENT_BYTES, BATCH_FILES, DECODING_THREADS, DecoderPool } from './decoder-pool.js';
import type { BatchReply, DecodeItem, SplitKind } from './decode-protocol.js';
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
  /**
   * Threads that decode the batches of entries; 0 decodes them in this thread.
   * @default 0 when the archives are one batch or less ({@link SMALL_IMPORT_BYTES} in all), else DECODING_THREADS
   */
  decodeThreads?: number;
}

/**
 * Archives of this many bytes or fewer (in all) are decoded in the main thread: they make one batch at most, which
 * one thread would decode anyway, and starting the threads (40-60 ms of CPU each) costs more than decoding it.
 */
export const SMALL_IMPORT_BYTES = BATCH_BYTES;

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
  let password: Uint8Array | undefined;
  let asked = false;
  const askPassword = async (): Promise<Uint8Array | undefined> => {
    if (!asked) password = await options.password();
    asked = true;
    return password;
  };
  try {
    for (const path of paths) archives.push(await OpenArchive.open(path));
    const survey = await surveyArchives(archives, askPassword);
    if (survey.firstEncrypted.size > 0) {
      await askPassword();
      for (const [archive, entry] of survey.firstEncrypted) await checkPassword(archive, entry, password);
    }
    const pool = new DecoderPool(password, options.decodeThreads ?? (survey.totalBytes <= SMALL_IMPORT_BYTES ? 0 : DECODING_THREADS));
    const stop = (): void => pool.stop();
    options.signal?.addEventListener('abort', stop);
    try {
      const run = new ImportRun(outDir, askPassword, password, survey, options, pool);
      for (const archive of archives) await run.extract(archive);
      return run.result();
    } finally {
      options.signal?.removeEventListener('abort', stop);
      await pool.close();
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
 * it). An archive whose first encrypted entry is cut off fails here, before
 * anything is written.
 */
async function surveyArchives(archives: OpenArchive[], password: () => Promise<Uint8Array | undefined>): Promise<Survey> {
  const survey: Survey = { totalBytes: 0, firstEncrypted: new Map() };
  for (const archive of archives) {
    survey.totalBytes += archive.file.size;
    for await (const entry of archive.fileEntries(password)) {
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

/** An entry handed to a decoding thread, and what to do with its result. */
interface Sent {
  entry: ArchiveEntry;
  /** Position of the entry in the whole import: the earliest failure is the one reported. */
  sequence: number;
  split: SplitFile | undefined;
}

/** A file of a split: what the check is told once it is on disk. */
interface SplitFile {
  kind: SplitKind;
  out: (found: { text?: string; image?: ImageSize | Problem }) => Promise<void>;
}

class ImportRun {
  private written = 0;
  private skipped = 0;
  private bytes = 0;
  private files = 0;
  private sequence = 0;
  /** Sizes of the archives already imported, and archive bytes read in all. */
  private archiveBytesBefore = 0;
  private archiveBytesRead = 0;
  private readonly dirs = new Map<string, Promise<OutputDir>>();
  private readonly splits = new Map<string, SplitCheck>();
  /** The earliest failure of a decoding thread (by entry sequence); the walk stops sending once there is one. */
  private failure: { sequence: number; error: unknown } | undefined;
  private batch: Sent[] = [];
  private items: DecodeItem[] = [];
  private batchBytes = 0;
  private batchContentBytes = 0;

  constructor(
    private readonly outDir: string,
    private readonly askPassword: () => Promise<Uint8Array | undefined>,
    private readonly password: Uint8Array | undefined,
    private readonly survey: Survey,
    private readonly options: ImportOptions,
    private readonly pool: DecoderPool,
  ) {}

  async extract(archive: OpenArchive): Promise<void> {
    let walkFailure: { error: unknown } | undefined;
    try {
      for await (const entry of archive.fileEntries(this.askPassword)) {
        if (this.options.signal?.aborted || this.failure) break;
        await this.extractEntry(archive, entry);
      }
    } catch (error) {
      // The entries gathered before the failure (a truncated archive's whole entries) are still written.
      walkFailure = { error };
    }
    if (!this.options.signal?.aborted && !this.failure) await this.send(archive).catch((error: unknown) => this.fail(Infinity, error));
    // Whatever happened, the files sent to the threads are finished (whole, or not there at all).
    await this.pool.drain().catch((error: unknown) => this.fail(Infinity, error));
    if (this.failure) throw this.failure.error;
    if (walkFailure) throw walkFailure.error;
    if (this.options.signal?.aborted) throw new ImportInterrupted();
    this.archiveBytesBefore += archive.file.size;
    this.archiveBytesRead = this.archiveBytesBefore;
  }

  result(): ImportResult {
    const splits = [...this.splits.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    return { written: this.written, skipped: this.skipped, bytes: this.bytes, splits };
  }

  private fail(sequence: number, error: unknown): void {
    if (!this.failure || sequence < this.failure.sequence) this.failure = { sequence, error };
  }

  private async extractEntry(archive: OpenArchive, entry: ArchiveEntry): Promise<void> {
    checkEntryName(archive, entry);
    const target = join(this.outDir, posix.normalize(entry.filename));
    const dir = await this.outputDir(dirname(target));
    const split = this.splitFile(entry.filename);
    const resume = dir.before?.has(basename(target)) ?? false;
    const sequence = this.sequence++;
    if (decodedByDf2(entry) && entry.compressedSize <= IN_MEMORY_BYTES && entry.uncompressedSize <= IN_MEMORY_BYTES) {
      this.batch.push({ entry, sequence, split });
      this.items.push({
        offset: entry.offset,
        nameBytes: Buffer.byteLength(entry.filename),
        compressedSize: entry.compressedSize,
        uncompressedSize: entry.uncompressedSize,
        crc32: entry.crc32,
        method: entry.method,
        encrypted: entry.encrypted,
        target,
        resume,
        kind: split?.kind,
      });
      this.batchBytes += entry.compressedSize;
      this.batchContentBytes += entry.uncompressedSize;
      if (this.items.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES || this.batchContentBytes >= BATCH_CONTENT_BYTES) await this.send(archive);
      return;
    }
    // Entries only zip.js reads, and large ones, are decoded here (in archive order with the batches around them).
    await this.send(archive);
    await this.extractHere(archive, entry, target, resume, split);
  }

  /** Sends the batch being gathered to a decoding thread. */
  private async send(archive: OpenArchive): Promise<void> {
    if (this.items.length === 0) return;
    const sent = this.batch;
    const items = this.items;
    this.batch = [];
    this.items = [];
    this.batchBytes = 0;
    this.batchContentBytes = 0;
    await this.pool.submit(archive.file.path, items, (reply) => this.received(archive, sent, items, reply));
  }

  private async received(archive: OpenArchive, sent: Sent[], items: DecodeItem[], reply: BatchReply | Error): Promise<void> {
    if (reply instanceof Error) return this.fail(sent[0]!.sequence, reply);
    for (let i = 0; i < reply.results.length; i++) {
      const result = reply.results[i]!;
      if (result.skipped) this.skipped++;
      else this.written++;
      this.done(sent[i]!.entry);
      await sent[i]!.split?.out(result);
    }
    const failure = reply.failure;
    if (!failure || failure.failure === 'interrupted') return;
    const { entry, sequence } = sent[failure.index]!;
    this.fail(
      sequence,
      failure.failure === 'write'
        ? new InputError(items[failure.index]!.target, '', failure.expected, failure.found)
        : new InputError(archive.path, entry.filename, failure.expected, failure.found),
    );
  }

  private async extractHere(archive: OpenArchive, entry: ArchiveEntry, target: string, resume: boolean, split: SplitFile | undefined): Promise<void> {
    if (resume && (await sameContent(target, entry))) {
      this.skipped++;
      this.done(entry);
      await split?.out({});
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
      await writeFileAtomic(target, content, { parentExists: true });
    } else {
      await withAtomicWriter(target, (out) =>
        readEntryData(archive, entry, this.password, (chunk) => {
          if (this.options.signal?.aborted) throw new ImportInterrupted();
          return out.write(chunk);
        }),
      ).catch(fail);
    }
    this.written++;
    this.done(entry);
    await split?.out({});
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
   * For a file of a split: what its decoding sends back for the check (an
   * annotation's text, an image's size) and how the check is told once it
   * is on disk (without them, the check reads the file back).
   */
  private splitFile(filename: string): SplitFile | undefined {
    const match = SPLIT_FILE.exec(posix.normalize(filename));
    if (!match) return undefined;
    const splitDir = match[1] === undefined ? this.outDir : join(this.outDir, match[1]);
    let check = this.splits.get(splitDir);
    if (!check) this.splits.set(splitDir, (check = new SplitCheck(splitDir)));
    const split = check;
    const annotation = match[2] === 'annos' ? ANNOTATION_NAME.exec(match[3]!) : undefined;
    if (annotation) return { kind: 'annotation', out: ({ text }) => split.annotationOut(annotation[1]!, text) };
    const image = match[2] === 'image' ? IMAGE_NAME.exec(match[3]!) : undefined;
    if (image) return { kind: 'image', out: ({ image: size }) => split.imageOut(image[1]!, size) };
    return { kind: undefined, out: async () => {} };
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
