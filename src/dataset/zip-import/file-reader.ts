/**
 * Random access to an archive on disk through one file descriptor, for the
 * fast entry decoder and for @zip.js/zip.js (through a Reader that archive.ts
 * makes only when an entry needs zip.js, so that loading df2/dataset does not
 * load zip.js). The archive
 * is never loaded: reads go through a read-ahead window (WINDOW_BYTES), so
 * that walking entries in archive order costs one system call per window
 * instead of three per entry (local header, name, data). Memory is one window
 * plus what the caller keeps.
 */
import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';

const openFile = promisify(open);
const readBytes = promisify(read);
const closeFile = promisify(close);
const statFd = promisify(fstat);

const WINDOW_BYTES = 4 << 20;

export class ArchiveFile {
  /** The file's size in bytes (from open()). */
  size = 0;
  private fd = -1;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  private constructor(readonly path: string) {}

  /** Opens `path`; the error of a missing or unreadable file is the caller's to word. */
  static async open(path: string): Promise<ArchiveFile> {
    const file = new ArchiveFile(path);
    file.fd = await openFile(path, 'r');
    const stats = await statFd(file.fd);
    if (stats.isDirectory()) {
      // Linux opens a folder for reading; only the first read fails (EISDIR), deep in the walk.
      await file.close();
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: 'EISDIR' });
    }
    file.size = stats.size;
    return file;
  }

  /**
   * Bytes [offset, offset + length), fewer only at the end of the file. The
   * result may share memory with the window: it stays valid (windows are not
   * reused) but must not be written to by the caller unless copied.
   */
  async readUint8Array(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (offset >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, end - this.windowStart);
    }
    if (length > WINDOW_BYTES) return this.readFresh(offset, end - offset);
    this.window = await this.readFresh(offset, Math.min(WINDOW_BYTES, this.size - offset));
    this.windowStart = offset;
    return this.window.subarray(0, end - offset);
  }

  /** Bytes [offset, offset + length) read now, bypassing (and keeping) the window: for the central directory. */
  readDirect(offset: number, length: number): Promise<Uint8Array> {
    return this.readFresh(offset, Math.max(0, Math.min(length, this.size - offset)));
  }

  private async readFresh(offset: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(Math.max(0, length));
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await readBytes(this.fd, buffer, done, buffer.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done < buffer.length ? buffer.subarray(0, done) : buffer;
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.window = new Uint8Array(0);
    await closeFile(fd);
  }
}
