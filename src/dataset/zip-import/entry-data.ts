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
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { ERR_INVALID_PASSWORD, ERR_ENCRYPTED, ERR_UNSUPPORTED_COMPRESSION, ERR_UNSUPPORTED_ENCRYPTION, type FileEntry } from '@zip.js/zip.js';
import type { OpenArchive } from './archive.js';
import type { ArchiveEntry } from './central-directory.js';
import { ZIP_CRYPTO_HEADER_LENGTH, ZipCryptoDecipher } from './zip-crypto.js';

/** Why an entry could not be read: the password, the archive's bytes, or a method df2 cannot read. */
export type EntryFailure = 'wrong password' | 'damaged' | 'unsupported';

/** An entry that could not be read: what was expected and what was found. It never holds the password. */
export class EntryDataError extends Error {
  constructor(
    readonly failure: EntryFailure,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`expected ${expected}, found ${found}`);
    this.name = 'EntryDataError';
  }
}

/** Entries up to this size (compressed and not) are decoded in one piece; larger ones stream. */
const IN_MEMORY_BYTES = 16 << 20;
const STREAM_CHUNK_BYTES = 1 << 20;

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_LENGTH = 30;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;

let scratchBuffer = new Uint8Array(1 << 20);
function scratch(length: number): Uint8Array {
  if (scratchBuffer.length < length) scratchBuffer = new Uint8Array(Math.max(length, scratchBuffer.length * 2));
  return scratchBuffer;
}

/** Receives the content in order; a returned promise holds the next chunk back (back-pressure). */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

/**
 * Decodes `entry` into `sink` and checks its size and CRC-32. Throws
 * EntryDataError when the password is wrong, the data is damaged or the
 * method is not supported; the sink may then have received part of the
 * content (callers write to a temporary file).
 */
export async function readEntryData(archive: OpenArchive, entry: ArchiveEntry, password: Uint8Array | undefined, sink: ChunkSink): Promise<void> {
  const fast = entry.method === METHOD_STORED || entry.method === METHOD_DEFLATED;
  if (fast && !entry.aes) return readFast(archive, entry, password, sink);
  if (entry.encrypted && !password) throw new EntryDataError('wrong password', 'a password for this encrypted entry', 'none');
  return readWithZipJs(await archive.zipJsEntry(entry), password, sink);
}

async function readFast({ file: archive }: OpenArchive, entry: ArchiveEntry, password: Uint8Array | undefined, sink: ChunkSink): Promise<void> {
  const header = await archive.readUint8Array(entry.offset, LOCAL_HEADER_LENGTH);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < LOCAL_HEADER_LENGTH || view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
    throw new EntryDataError(
      'damaged',
      `a local file header at byte ${entry.offset}`,
      header.length < LOCAL_HEADER_LENGTH ? 'the end of the archive (a truncated download?)' : 'other bytes',
    );
  }
  const flags = view.getUint16(6, true);
  const time = view.getUint16(10, true);
  let dataOffset = entry.offset + LOCAL_HEADER_LENGTH + view.getUint16(26, true) + view.getUint16(28, true);
  let dataLength = entry.compressedSize;
  if (dataOffset + dataLength > archive.size) {
    throw new EntryDataError('damaged', `${dataLength} bytes of data at byte ${dataOffset}`, 'the end of the archive (a truncated download?)');
  }

  let decipher: ZipCryptoDecipher | undefined;
  if (entry.encrypted || flags & FLAG_ENCRYPTED) {
    if (!password) throw new EntryDataError('wrong password', 'a password for this encrypted entry', 'none');
    decipher = new ZipCryptoDecipher(password);
    const check = flags & FLAG_DATA_DESCRIPTOR ? time >>> 8 : entry.crc32 >>> 24;
    if (!decipher.checkHeader(await archive.readUint8Array(dataOffset, ZIP_CRYPTO_HEADER_LENGTH), check)) {
      throw new EntryDataError('wrong password', 'the right password', 'a wrong one');
    }
    dataOffset += ZIP_CRYPTO_HEADER_LENGTH;
    dataLength -= ZIP_CRYPTO_HEADER_LENGTH;
  }

  const deflated = entry.method === METHOD_DEFLATED;
  if (dataLength <= IN_MEMORY_BYTES && entry.uncompressedSize <= IN_MEMORY_BYTES) {
    // The window's bytes are shared and must not be decrypted in place.
    // Deflated data is decrypted into a scratch buffer (inflate copies it
    // out); stored content into a buffer of its own, which the sink keeps.
    const stored = await archive.readUint8Array(dataOffset, dataLength);
    const raw = !decipher ? stored : decipher.decrypt(stored, deflated ? scratch(dataLength) : Buffer.allocUnsafeSlow(dataLength));
    let content: Uint8Array;
    try {
      content = deflated ? inflateRawSync(raw) : raw;
    } catch (err) {
      throw damagedData(decipher, 'deflated data', (err as Error).message);
    }
    checkContent(entry, content.length, crc32(content), decipher);
    await sink(content);
    return;
  }

  // A large entry streams: compressed chunks, decrypted, through zlib's inflate.
  async function* compressedChunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < dataLength; at += STREAM_CHUNK_BYTES) {
      const chunk = Uint8Array.prototype.slice.call(await archive.readUint8Array(dataOffset + at, Math.min(STREAM_CHUNK_BYTES, dataLength - at)));
      yield decipher ? decipher.decrypt(chunk) : chunk;
    }
  }
  let size = 0;
  let crc = 0;
  const source = Readable.from(compressedChunks(), { objectMode: false });
  const content: AsyncIterable<Uint8Array> = deflated ? source.pipe(createInflateRaw()) : source;
  // The sink's own failures (a full disk) pass through unchanged.
  let sinkFailure: { error: unknown } | undefined;
  try {
    for await (const chunk of content) {
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
    throw damagedData(decipher, 'deflated data', (err as Error).message);
  }
  checkContent(entry, size, crc, decipher);
}

function checkContent(entry: ArchiveEntry, size: number, crc: number, decipher: ZipCryptoDecipher | undefined): void {
  if (size !== entry.uncompressedSize) throw damagedData(decipher, `${entry.uncompressedSize} bytes of content`, String(size));
  const expected = entry.crc32;
  if (crc >>> 0 !== expected) throw damagedData(decipher, `content with CRC-32 ${hex(expected)}`, hex(crc));
}

/**
 * Damaged data. A wrong ZipCrypto password passes the header check once in
 * 256 times and then shows as damaged data; the caller words it for the
 * first encrypted entry, where that is the likely cause.
 */
function damagedData(decipher: ZipCryptoDecipher | undefined, expected: string, found: string): EntryDataError {
  return new EntryDataError('damaged', expected, decipher ? `${found} (damaged data or a wrong password)` : found);
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

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
