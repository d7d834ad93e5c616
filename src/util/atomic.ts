/**
 * Outputs are written to a temporary file beside the target and renamed into
 * place only when complete, so that a failure never leaves a half-written file.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { finished } from 'node:stream/promises';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A write stream to a temporary file. `commit()` ends the stream and renames it
 * onto the target; `abort()` ends it and removes the temporary file. Writes
 * respect back-pressure through `write()`'s promise.
 */
export class AtomicWriter {
  private readonly stream: WriteStream;
  private readonly tmp: string;
  private closed = false;

  private constructor(readonly target: string) {
    this.tmp = tempPathFor(target);
    this.stream = createWriteStream(this.tmp, { highWaterMark: 1 << 20 });
  }

  static async open(target: string): Promise<AtomicWriter> {
    await mkdir(dirname(target), { recursive: true });
    return new AtomicWriter(target);
  }

  /** Writes a chunk; resolves at once unless the stream's buffer is full. */
  write(chunk: string | Uint8Array): Promise<void> | void {
    if (this.stream.write(chunk)) return;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => { this.stream.off('error', onError); resolve(); };
      const onError = (e: Error): void => { this.stream.off('drain', onDrain); reject(e); };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  async commit(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream.end();
    await finished(this.stream);
    await rename(this.tmp, this.target);
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write may still be in flight: its late ERR_STREAM_DESTROYED must not
    // become an uncaught error once the output is abandoned anyway.
    this.stream.on('error', () => {});
    this.stream.destroy();
    await rm(this.tmp, { force: true });
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
