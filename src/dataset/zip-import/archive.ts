/**
 * An archive opened for import: the file (random access, never loaded), its
 * central directory walked record by record (central-directory.ts), and,
 * only when an entry needs it (WinZip AES), @zip.js/zip.js's reader of the
 * same archive, whose entries are matched to ours by offset.
 */
import { ZipReader, type Entry, type FileEntry } from '@zip.js/zip.js';
import { InputError } from '../../util/errors.js';
import { ArchiveFile } from './file-reader.js';
import { centralDirectory, type ArchiveEntry } from './central-directory.js';

export class OpenArchive {
  private zipJs: { reader: ZipReader<unknown>; entries: AsyncGenerator<Entry> } | undefined;

  private constructor(
    readonly path: string,
    readonly file: ArchiveFile,
  ) {}

  static async open(path: string): Promise<OpenArchive> {
    try {
      return new OpenArchive(path, await ArchiveFile.open(path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(path, '', 'a readable zip archive', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? 'an error'));
    }
  }

  /** The file entries (directories left out), in central-directory order. */
  async *fileEntries(): AsyncGenerator<ArchiveEntry> {
    for await (const entry of centralDirectory(this.file)) if (!entry.directory) yield entry;
  }

  /**
   * zip.js's entry for one of ours. Both walk the directory in order, so one
   * pass of zip.js's generator serves a whole import; asking for an earlier
   * entry starts a new pass.
   */
  async zipJsEntry(entry: ArchiveEntry): Promise<FileEntry> {
    for (let restarted = false; ; restarted = true) {
      if (!this.zipJs) {
        const reader = new ZipReader(this.file, { useWebWorkers: false, checkCrc32: true });
        this.zipJs = { reader, entries: reader.getEntriesGenerator() };
      }
      for (;;) {
        const next = await this.zipJs.entries.next();
        if (next.done) break;
        if (next.value.offset === entry.offset && !next.value.directory) return next.value;
        if (next.value.offset > entry.offset) break;
      }
      await this.zipJs.reader.close().catch(() => {});
      this.zipJs = undefined;
      if (restarted) throw new InputError(this.path, entry.filename, 'an entry zip.js can read', 'none at its offset (a damaged archive)');
    }
  }

  async close(): Promise<void> {
    await this.zipJs?.reader.close().catch(() => {});
    await this.file.close().catch(() => {});
  }
}
