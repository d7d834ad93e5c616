/**
 * A scratch file for output that must be written in a different order than it
 * is produced (COCO files list every image before any annotation, but both
 * come from the same pass over the split). Lives beside the final output so
 * that it is on the same disk, and is always removed.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

export class SpoolFile {
  private readonly stream: WriteStream;
  readonly path: string;
  bytes = 0;

  constructor(besideTarget: string, label: string) {
    this.path = join(dirname(besideTarget), `.${basename(besideTarget)}.${label}.${process.pid}.${Date.now().toString(36)}.tmp`);
    this.stream = createWriteStream(this.path, { highWaterMark: 1 << 20 });
  }

  /** Writes a chunk; resolves at once unless the stream's buffer is full. */
  write(chunk: string): Promise<void> | void {
    this.bytes += Buffer.byteLength(chunk);
    if (this.stream.write(chunk)) return;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => { this.stream.off('error', onError); resolve(); };
      const onError = (e: Error): void => { this.stream.off('drain', onDrain); reject(e); };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  /** Ends writing and yields the content back in large chunks. */
  async *readBack(): AsyncGenerator<Buffer> {
    this.stream.end();
    await finished(this.stream);
    for await (const chunk of createReadStream(this.path, { highWaterMark: 4 << 20 })) yield chunk as Buffer;
  }

  async remove(): Promise<void> {
    // Writes may still be in flight when a failure lands here; their late
    // errors ("write after destroy") are moot once the file is removed.
    this.stream.on('error', () => {});
    this.stream.destroy();
    await rm(this.path, { force: true });
  }
}
