/**
 * A scratch file for output that must be written in a different order than it
 * is produced (COCO files list every image before any annotation, but both
 * come from the same pass over the split). Lives beside the final output so
 * that it is on the same disk, and is always removed.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AtomicWriter } from '../util/atomic.js';
import { releaseTemp, trackTemp } from '../util/temp-files.js';

export class SpoolFile {
  private constructor(
    readonly path: string,
    private readonly writer: AtomicWriter,
  ) {}

  static async open(besideTarget: string, label: string): Promise<SpoolFile> {
    const path = join(dirname(besideTarget), `.${basename(besideTarget)}.${label}.${process.pid}.${Date.now().toString(36)}.tmp`);
    trackTemp(path);
    return new SpoolFile(path, await AtomicWriter.open(path));
  }

  /** Writes a chunk; resolves at once unless the buffer is full. */
  write(chunk: string): Promise<void> | void {
    return this.writer.write(chunk);
  }

  /** Ends writing and yields the content back in large chunks. */
  async *readBack(): AsyncGenerator<Buffer> {
    await this.writer.commit();
    for await (const chunk of createReadStream(this.path, { highWaterMark: 4 << 20 })) yield chunk as Buffer;
  }

  async remove(): Promise<void> {
    await this.writer.abort();
    await rm(this.path, { force: true });
    releaseTemp(this.path);
  }
}
