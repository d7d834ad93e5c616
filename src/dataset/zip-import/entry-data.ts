/**
 * The content of one archive entry, decrypted, inflated and checked against
 * its CRC-32 and size.
 *
 * Entries that are stored or deflated, and unencrypted or ZipCrypto-encrypted
 * (what `zip -P` makes: the release's kind), take the fast path: the local
 * header and data are read through the archive's read-ahead window, decrypted
 * by zip-crypto.ts and inflated and checksummed by Node's zlib (native code).
 * Everything else (WinZip AES, Deflate64, ...) goes through @zip.js/zip.js's
 * own pipeline, which checks the AES authentication code as well.
 */
import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import type { FileEntry } from '@zip.js/zip.js';
import type { OpenArchive } from './archive.js';
import type { ArchiveEntry } from './central-directory.js';
import { checkContent, checkDataPresent, damagedData, decodedByDf2, decodeInMemory, EntryDataError, localHeaderAt, startDecipher } from './entry-decode.js';
import { LOCAL_HEADER_LENGTH, METHOD_DEFLATED } from './local-header.js';
import { ZIP_CRYPTO_HEADER_LENGTH, type ZipCryptoDecipher } from './zip-crypto.js';
import type { ArchiveFile } from './file-reader.js';

export { EntryDataError, type EntryFailure } from './entry-decode.js';

/** Entries up to this size (compressed and not) are decoded in one piece; larger ones stream. */
export const IN_MEMORY_BYTES = 16 << 20;
const STREAM_CHUNK_BYTES = 1 << 20;

/** Receives the content in order; a returned promise holds the next chunk back (back-pressure). */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

/**
 * Decodes `entry` into `sink` and checks its size and CRC-32. Throws
 * EntryDataError when the password is wrong, the data is damaged or the
 * method is not supported; the sink may then have received part of the
 * content (callers write to a temporary file).
 */
export async function readEntryData(archive: OpenArchive, entry: ArchiveEntry, password: Uint8Array | undefined, sink: ChunkSink): Promise<void> {
  if (decodedByDf2(entry)) return readFast(archive, entry, password, sink);
  if (entry.encrypted && !password) throw new EntryDataError('wrong password', 'a password for this encrypted entry', 'none');
  return readWithZipJs(await archive.zipJsEntry(entry), password, sink);
}

async function readFast({ file: archive }: OpenArchive, entry: ArchiveEntry, password: Uint8Array | undefined, sink: ChunkSink): Promise<void> {
  const local = localHeaderAt(await archive.readUint8Array(entry.offset, LOCAL_HEADER_LENGTH), entry.offset);
  let dataOffset = local.dataOffset;
  let dataLength = entry.compressedSize;
  checkDataPresent(archive.size - dataOffset, dataLength, dataOffset);
  if (dataLength <= IN_MEMORY_BYTES && entry.uncompressedSize <= IN_MEMORY_BYTES) {
    await sink(decodeInMemory(entry, local, await archive.readUint8Array(dataOffset, dataLength), password));
    return;
  }

  const decipher = startDecipher(entry, local, await archive.readUint8Array(dataOffset, ZIP_CRYPTO_HEADER_LENGTH), password);
  if (decipher) {
    dataOffset += ZIP_CRYPTO_HEADER_LENGTH;
    dataLength -= ZIP_CRYPTO_HEADER_LENGTH;
  }
  // A large entry streams: compressed chunks, decrypted, through zlib's inflate.
  let size = 0;
  let crc = 0;
  const content = decodedChunks(archive, dataOffset, dataLength, entry.method === METHOD_DEFLATED, decipher);
  // The sink's own failures (a full disk) pass through unchanged.
  let sinkFailure: { error: unknown } | undefined;
  try {
    for await (const chunk of content.chunks) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      try {
        await sink(chunk);
      } catch (error) {
        sinkFailure = { error };
        throw error;
      }
    }
  } catch (err) {
    if (sinkFailure) throw sinkFailure.error;
    if (err instanceof EntryDataError) throw err;
    throw damagedData(decipher !== undefined, 'deflated data', (err as Error).message);
  }
  checkContent(entry, size, crc, decipher !== undefined);
}

/**
 * The content of `length` compressed bytes at `offset`, decrypted and inflated
 * as it streams. `consumed()` is how many compressed bytes the inflater used:
 * where a deflate stream of unknown length ended (an entry with a data
 * descriptor and no sizes in its header).
 */
export function decodedChunks(
  archive: ArchiveFile,
  offset: number,
  length: number,
  deflated: boolean,
  decipher: ZipCryptoDecipher | undefined,
): { chunks: AsyncIterable<Uint8Array>; consumed: () => number } {
  async function* compressedChunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < length; at += STREAM_CHUNK_BYTES) {
      const chunk = Uint8Array.prototype.slice.call(await archive.readUint8Array(offset + at, Math.min(STREAM_CHUNK_BYTES, length - at)));
      if (chunk.length === 0) return;
      yield decipher ? decipher.decrypt(chunk) : chunk;
    }
  }
  const source = Readable.from(compressedChunks(), { objectMode: false });
  if (!deflated) return { chunks: source, consumed: () => length };
  const inflate = createInflateRaw();
  return { chunks: source.pipe(inflate), consumed: () => inflate.bytesWritten };
}

async function readWithZipJs(entry: FileEntry, password: Uint8Array | undefined, sink: ChunkSink): Promise<void> {
  let sinkFailure: { error: unknown } | undefined;
  const write = async (chunk: Uint8Array): Promise<void> => {
    try {
      await sink(chunk);
    } catch (error) {
      sinkFailure = { error };
      throw error;
    }
  };
  try {
    await entry.getData(new WritableStream<Uint8Array>({ write }), {
      rawPassword: password,
      checkCrc32: true,
      useWebWorkers: false,
    });
  } catch (err) {
    if (sinkFailure) throw sinkFailure.error;
    const message = err instanceof Error ? err.message : String(err);
    // Loaded already: the entry came from zip.js (archive.ts loads it only for such entries).
    const { ERR_INVALID_PASSWORD, ERR_ENCRYPTED, ERR_UNSUPPORTED_COMPRESSION, ERR_UNSUPPORTED_ENCRYPTION } = await import('@zip.js/zip.js');
    if (message === ERR_INVALID_PASSWORD || message === ERR_ENCRYPTED) throw new EntryDataError('wrong password', 'the right password', 'a wrong one');
    if (message === ERR_UNSUPPORTED_COMPRESSION || message === ERR_UNSUPPORTED_ENCRYPTION) {
      throw new EntryDataError(
        'unsupported',
        'a stored, deflated or Deflate64 entry, unencrypted or encrypted with ZipCrypto or WinZip AES',
        message.toLowerCase(),
      );
    }
    throw new EntryDataError('damaged', 'intact data', message);
  }
}
