/**
 * Outputs are written to a temporary file beside the target and renamed into
 * place only when complete, so that a failure never leaves a half-written file.
 * Temporary files still open when the process exits (Ctrl-C) are removed
 * (temp-files.ts).
 * An output path the system refuses (a missing permission, a file where a
 * directory should be, a full disk) is the user's input, so it is reported as
 * an InputError naming the output, not as an internal error.
 */
import { createWriteStream, openSync, rename as renameCb, writeFile as writeFileCb, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { InputError } from './errors.js';
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
  await rm(tmp, { force: true }).catch(() => {});
  releaseTemp(tmp);
}

async function makeParentDir(target: string): Promise<void> {
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (err) {
    throw outputError(target, err);
  }
}

/**
 * `mode` sets the file's permissions from its creation on (e.g. 0o600 for a
 * secret); `parentExists` skips making the parent directory (one system call
 * less per file when writing many into one directory).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: { mode?: number; parentExists?: boolean } = {}): Promise<void> {
  if (!options.parentExists) await makeParentDir(target);
  const tmp = tempPathFor(target);
  trackTemp(tmp);
  try {
    await writeFileFast(tmp, data, { mode: options.mode });
    await renameFast(tmp, target);
    releaseTemp(tmp);
  } catch (err) {
    await removeTemp(tmp);
    throw outputError(target, err);
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

  private constructor(readonly target: string) {
    this.tmp = tempPathFor(target);
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
    await makeParentDir(target);
    return new AtomicWriter(target);
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
      await rename(this.tmp, this.target);
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
