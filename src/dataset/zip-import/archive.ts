/**
 * An archive opened for import: the file (random access, never loaded), its
 * central directory walked record by record (central-directory.ts), and,
 * only when an entry needs it (WinZip AES), @zip.js/zip.js's reader of the
 * same archive, whose entries are matched to ours by offset.
 */
import type { Entry, FileEntry, Reader, ZipReader } from '@zip.js/zip.js';
import { InputError } from '../../util/errors.js';
import { ArchiveFile } from './file-reader.js';
import { centralDirectory, findDirectoryEnd, type ArchiveEntry, type DirectoryEnd } from './central-directory.js';
import { localEntries } from './local-walk.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

export class OpenArchive {
  private zipJs: { reader: ZipReader<unknown>; entries: AsyncGenerator<Entry> } | undefined;

  private constructor(
    readonly path: string,
    readonly file: ArchiveFile,
    /** Undefined when the archive has lost its end (a truncated download): its entries are then found from their local headers. */
    readonly directoryEnd: DirectoryEnd | undefined,
  ) {}

  static async open(path: string): Promise<OpenArchive> {
    let file: ArchiveFile;
    try {
      file = await ArchiveFile.open(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(path, '', 'a readable zip archive', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? 'an error'));
    }
    try {
      return new OpenArchive(path, file, await findDirectoryEnd(file));
    } catch (err) {
      await ignoreRejection(file.close(), "the archive's own problem is the one reported");
      throw err;
    }
  }

  /**
   * The file entries (directories left out), in central-directory order; in
   * file order from the local headers when the central directory is missing,
   * up to the entry the file ends in (local-walk.ts throws there).
   * `password` is asked only by that walk, for an encrypted entry whose size
   * is found by decoding it.
   */
  async *fileEntries(password: () => Promise<Uint8Array | undefined>): AsyncGenerator<ArchiveEntry> {
    const entries = this.directoryEnd ? centralDirectory(this.file, this.directoryEnd) : localEntries(this.file, password);
    for await (const entry of entries) if (!entry.directory) yield entry;
  }

  /**
   * zip.js's entry for one of ours. Both walk the directory in order, so one
   * pass of zip.js's generator serves a whole import; asking for an earlier
   * entry starts a new pass.
   */
  async zipJsEntry(entry: ArchiveEntry): Promise<FileEntry> {
    for (let restarted = false; ; restarted = true) {
      if (!this.zipJs) {
        const zipJs = await import('@zip.js/zip.js');
        const reader = new zipJs.ZipReader(zipJsReader(this.file, zipJs.Reader), { useWebWorkers: false, checkCrc32: true });
        this.zipJs = { reader, entries: reader.getEntriesGenerator() };
      }
      for (;;) {
        let next: IteratorResult<Entry>;
        try {
          next = await this.zipJs.entries.next();
        } catch (err) {
          // zip.js walks the central directory again, checking what df2's walk does not need (the
          // record after this one, extra fields): a record that only it refuses is a damaged archive.
          await this.zipJs.reader.close().catch(() => {});
          this.zipJs = undefined;
          const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 120);
          throw new InputError(this.path, entry.filename, 'a central directory zip.js can read', `a damaged one (${reason})`);
        }
        if (next.done) break;
        if (next.value.offset === entry.offset && !next.value.directory) return next.value;
        if (next.value.offset > entry.offset) break;
      }
      await ignoreRejection(this.zipJs.reader.close(), 'a new pass starts with a new reader');
      this.zipJs = undefined;
      if (restarted) throw new InputError(this.path, entry.filename, 'an entry zip.js can read', 'none at its offset (a damaged archive)');
    }
  }

  async close(): Promise<void> {
    if (this.zipJs) await ignoreRejection(this.zipJs.reader.close(), 'closing after the import: nothing is left to read');
    await ignoreRejection(this.file.close(), 'closing after the import: nothing is left to read');
  }
}

/** The archive file as zip.js's Reader (its own class: zip.js reads streams off it), reading through the file's window. */
function zipJsReader(file: ArchiveFile, ZipJsReader: typeof Reader): Reader<string> {
  class ArchiveReader extends ZipJsReader<string> {
    constructor() {
      super(file.path);
      this.size = file.size;
    }

    override async init(): Promise<void> {
      // Opened and sized already; zip.js calls init() once before reading.
    }

    override readUint8Array(offset: number, length: number): Promise<Uint8Array> {
      return file.readUint8Array(offset, length);
    }
  }
  return new ArchiveReader();
}
