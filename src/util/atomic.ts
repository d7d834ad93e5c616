/**
 * Outputs are written to a temporary file beside the target and renamed into
 * place only when complete, so that a failure never leaves a half-written file.
 * Temporary files still open when the process exits (Ctrl-C) are removed
 * (temp-files.ts).
 * An output path the system refuses (a missing permission, a file where a
 * directory should be, a full disk) is the user's input, so it is reported as
 * an InputError naming the output, not as an internal error.
 *
 * A symbolic link is written through: the file is written and renamed at the
 * link's target (beside it, so the rename stays on one file system), and the
 * link stays. A device, FIFO or socket is refused: a rename would replace it
 * (as root, `--out /dev/full` replaced the device node), and writing into it
 * cannot promise a whole file or none to whoever reads it.
 */
import { createWriteStream, openSync, rename as renameCb, writeFile as writeFileCb, type WriteStream } from 'node:fs';
import { lstat, readlink, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, basename, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { InputError } from './errors.js';
import { ignoreRejection } from './ignore-rejection.js';
import { makeDirs } from './make-dirs.js';
import { releaseTemp, trackTemp } from './temp-files.js';

/** The temporary name a file is written under before it is renamed onto `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Whether a directory entry is one of our temporary files (left behind only by a killed process). */
export function isTempFileName(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-z]+\.tmp$/.test(name);
}

// The callback API, promisified: fs/promises costs several times more per
// small file, which shows when `df2 import` writes 780,000 of them.
const writeFileFast = promisify(writeFileCb);
const renameFast = promisify(renameCb);

/** A system call's failure on the output as an InputError; anything else unchanged. */
function outputError(target: string, err: unknown): unknown {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
    return new InputError(target, '', 'a writable output path', err.message);
  }
  return err;
}

/** Removes a temporary file; a failure here must not hide the error that made us remove it. */
async function removeTemp(tmp: string): Promise<void> {
  await ignoreRejection(rm(tmp, { force: true }), 'the error that made us remove it is the one reported');
  releaseTemp(tmp);
}

async function makeParentDir(target: string, output = target): Promise<void> {
  try {
    await makeDirs(dirname(target));
  } catch (err) {
    throw outputError(output, err);
  }
}

/** What `lstat` says a path is, in words, for the kinds an output cannot be. */
function specialKind(stats: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }) {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a folder';
  return undefined;
}

/** Hops through symbolic links before giving up, as the system's own limit (ELOOP). */
const MAX_LINK_HOPS = 40;

/**
 * The path the output is written at: `target`, or where its chain of
 * symbolic links ends (a link to a file that does not exist yet is followed
 * too). Throws an InputError naming `target` for a folder, device, FIFO or
 * socket, and for a loop of links.
 */
async function outputTarget(target: string): Promise<string> {
  let path = target;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let stats;
    try {
      stats = await lstat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return path; // a new file; making its folder reports the rest
      throw outputError(target, err);
    }
    if (!stats.isSymbolicLink()) {
      const kind = specialKind(stats);
      if (kind === undefined) return path;
      const through = path === target ? '' : ` (through the link to ${path})`;
      throw new InputError(target, '', 'a file to write (df2 writes a whole file and renames it into place)', `${kind}${through}`);
    }
    path = resolve(dirname(path), await readlink(path));
  }
  throw new InputError(target, '', 'a file to write', `more than ${MAX_LINK_HOPS} symbolic links in a row (a loop?)`);
}

/**
 * `mode` sets the file's permissions from its creation on (e.g. 0o600 for a
 * secret); `parentExists` skips making the parent directory (one system call
 * less per file when writing many into one directory).
 */
export async function writeFileAtomic(output: string, data: string | Uint8Array, options: { mode?: number; parentExists?: boolean } = {}): Promise<void> {
  const target = await outputTarget(output);
  if (!options.parentExists) await makeParentDir(target, output);
  const tmp = tempPathFor(target);
  trackTemp(tmp);
  try {
    await writeFileFast(tmp, data, { mode: options.mode });
    await renameFast(tmp, target);
    releaseTemp(tmp);
  } catch (err) {
    await removeTemp(tmp);
    throw outputError(output, err);
  }
}

/**
 * A write stream to a temporary file. `commit()` ends the stream and renames it
 * onto the target; `abort()` ends it and removes the temporary file. Writes
 * respect back-pressure through `write()`'s promise.
 */
export class AtomicWriter {
  /** Undefined when the temporary file could not be created (`failure` says why). */
  private readonly stream: WriteStream | undefined;
  private readonly tmp: string;
  private closed = false;
  /** The stream's first error (e.g. the temporary file could not be opened), kept until the next write or commit. */
  /** The stream's first error, as an InputError when it is a system call's failure on the output. */
  private failure: { error: unknown } | undefined;

  private constructor(
    /** The output as given (named in errors). */
    readonly target: string,
    /** Where it is written: `target`, or the end of its symbolic links. */
    private readonly writtenAt: string,
  ) {
    this.tmp = tempPathFor(writtenAt);
    trackTemp(this.tmp);
    let fd: number | undefined;
    try {
      // Opened here, not by the stream in the thread pool: a process ended by Ctrl-C then cannot
      // create the file after its exit hook (temp-files.ts) has removed it.
      fd = openSync(this.tmp, 'w');
    } catch (e) {
      this.failure = { error: outputError(target, e) };
    }
    this.stream = fd === undefined ? undefined : createWriteStream(this.tmp, { fd, highWaterMark: 1 << 20 });
    // Without a listener, an error between two writes would crash the process.
    this.stream?.on('error', (e) => {
      this.failure ??= { error: outputError(target, e) };
    });
  }

  static async open(target: string): Promise<AtomicWriter> {
    const writtenAt = await outputTarget(target);
    await makeParentDir(writtenAt, target);
    return new AtomicWriter(target, writtenAt);
  }

  /** Writes a chunk; resolves at once unless the stream's buffer is full. */
  write(chunk: string | Uint8Array): Promise<void> | void {
    if (this.failure !== undefined || this.stream === undefined) throw this.failure?.error;
    const stream = this.stream;
    if (stream.write(chunk)) return;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        stream.off('error', onError);
        resolve();
      };
      const onError = (e: Error): void => {
        stream.off('drain', onDrain);
        reject(outputError(this.target, e));
      };
      stream.once('drain', onDrain);
      stream.once('error', onError);
    });
  }

  async commit(): Promise<void> {
    if (this.closed) return;
    if (this.failure !== undefined || this.stream === undefined) {
      const error = this.failure?.error;
      await this.abort();
      throw error;
    }
    this.closed = true;
    try {
      this.stream.end();
      await finished(this.stream);
      await rename(this.tmp, this.writtenAt);
      releaseTemp(this.tmp);
    } catch (err) {
      await removeTemp(this.tmp);
      throw outputError(this.target, err);
    }
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write still in flight ends in ERR_STREAM_DESTROYED; the constructor's
    // error listener keeps it from becoming an uncaught error.
    const stream = this.stream;
    if (stream) {
      stream.destroy();
      if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    }
    await removeTemp(this.tmp);
  }
}

/** Runs `fill` against an AtomicWriter, committing on success and removing the temporary file on failure. */
export async function withAtomicWriter<T>(target: string, fill: (out: AtomicWriter) => Promise<T>): Promise<T> {
  const out = await AtomicWriter.open(target);
  try {
    const result = await fill(out);
    await out.commit();
    return result;
  } catch (err) {
    await out.abort();
    throw err;
  }
}
