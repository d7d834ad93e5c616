/**
 * An archive opened for import: the file (random access, never loaded) and
 * @zip.js/zip.js's reader of its central directory (Zip64 included). Entries
 * are walked with getEntriesGenerator, so the train zip's 780,000 entries are
 * never all in memory as objects.
 */
import { ERR_EOCDR_NOT_FOUND, ZipReader, type Entry, type FileEntry } from '@zip.js/zip.js';
import { InputError } from '../../util/errors.js';
import { ArchiveFile } from './file-reader.js';

export interface OpenArchive {
  path: string;
  file: ArchiveFile;
  reader: ZipReader<unknown>;
}

export async function openArchive(path: string): Promise<OpenArchive> {
  let file: ArchiveFile;
  try {
    file = await ArchiveFile.open(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, '', 'a readable zip archive', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? 'an error'));
  }
  const reader = new ZipReader(file, { useWebWorkers: false, checkCrc32: true });
  return { path, file, reader };
}

/** The archive's file entries (directories left out), in central-directory order. */
export async function* fileEntries(archive: OpenArchive): AsyncGenerator<FileEntry> {
  let entries: AsyncGenerator<Entry>;
  try {
    entries = archive.reader.getEntriesGenerator();
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw archiveError(archive.path, err);
      }
      if (next.done) return;
      if (!next.value.directory) yield next.value;
    }
  } finally {
    // Nothing to release: the generator holds no file handle of its own.
  }
}

function archiveError(path: string, err: unknown): InputError {
  const message = err instanceof Error ? err.message : String(err);
  if (message === ERR_EOCDR_NOT_FOUND) {
    return new InputError(path, '', 'a complete zip archive (its central directory at the end)', 'none: a truncated or damaged download; nothing was extracted from it');
  }
  return new InputError(path, '', 'a readable zip archive', message);
}

export async function closeArchive(archive: OpenArchive): Promise<void> {
  await archive.reader.close().catch(() => {});
  await archive.file.close().catch(() => {});
}
