/**
 * The entries of an archive that has lost its central directory (a truncated
 * download), found the way streaming unzippers find them: local header after
 * local header from the start of the file. Every entry that is whole in the
 * file is yielded; the walk then throws one InputError naming the entry the
 * file ends in (or the central directory it ends in), so that the import
 * extracts what is there and says what is missing.
 *
 * An entry with a data descriptor (flag bit 3) may have no sizes in its local
 * header (Info-ZIP's `zip` fills them in anyway; streaming writers leave
 * zeros). A deflated one is then decoded once here to find where its deflate
 * stream ends; a stored one cannot be delimited and is refused.
 */
import { crc32 } from 'node:zlib';
import { InputError } from '../../util/errors.js';
import type { ArchiveEntry } from './central-directory.js';
import { CENTRAL_SIGNATURE, decodeName, ZIP64_EOCD_SIGNATURE } from './central-directory.js';
import { decodedChunks } from './entry-data.js';
import { EntryDataError, startDecipher } from './entry-decode.js';
import type { ArchiveFile } from './file-reader.js';
import {
  applyLocalZip64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  LOCAL_HEADER_LENGTH,
  METHOD_AES,
  METHOD_DEFLATED,
  parseDataDescriptor,
  parseLocalHeader,
  TRUNCATED,
} from './local-header.js';
import { ZIP_CRYPTO_HEADER_LENGTH } from './zip-crypto.js';

/**
 * Yields the archive's entries (directories too) from its local headers, in
 * file order; throws InputError where the file ends. `password` is asked only
 * for an encrypted entry whose size must be found by decoding it.
 */
export async function* localEntries(archive: ArchiveFile, password: () => Promise<Uint8Array | undefined>): AsyncGenerator<ArchiveEntry> {
  let at = 0;
  let files = 0;
  let previous: string | undefined;
  const unnamed = (): string => (previous === undefined ? 'its first entry' : `the entry after ${previous}`);
  const extracted = (): string => `; the ${files} files before it were extracted`;
  for (;;) {
    const fixed = await archive.readUint8Array(at, LOCAL_HEADER_LENGTH);
    if (at === 0 && (fixed.length < 4 || !isPrefixOfSignature(fixed))) {
      throw new InputError(archive.path, '', 'a zip archive', fixed.length === 0 ? 'an empty file' : 'other bytes (not a zip, or a damaged one)');
    }
    if (fixed.length === 0) {
      throw new InputError(archive.path, '', `its central directory after ${previous ?? 'its entries'}`, `${TRUNCATED}${extracted()}`);
    }
    const signature = fixed.length >= 4 ? new DataView(fixed.buffer, fixed.byteOffset, 4).getUint32(0, true) : -1;
    if (signature === CENTRAL_SIGNATURE || signature === ZIP64_EOCD_SIGNATURE) {
      throw new InputError(archive.path, '', `a whole central directory at byte ${at}, with its end record`, `${TRUNCATED}${extracted()}`);
    }
    const local = parseLocalHeader(fixed);
    if (!local) {
      const prefix = fixed.length < LOCAL_HEADER_LENGTH && isPrefixOfSignature(fixed);
      throw new InputError(
        archive.path,
        unnamed(),
        `a local file header${previous === undefined ? ' (a zip archive)' : ' or the central directory'} at byte ${at}`,
        prefix ? TRUNCATED : 'other bytes (a damaged archive)',
      );
    }
    const variable = await archive.readUint8Array(at + LOCAL_HEADER_LENGTH, local.nameLength + local.extraLength);
    if (variable.length < local.nameLength) throw new InputError(archive.path, unnamed(), `a whole local file header at byte ${at}`, TRUNCATED);
    const filename = decodeName(variable.subarray(0, local.nameLength), local.flags);
    if (variable.length < local.nameLength + local.extraLength) {
      throw new InputError(archive.path, filename, `a whole local file header at byte ${at}`, TRUNCATED);
    }
    const zip64 = applyLocalZip64(local, variable.subarray(local.nameLength));
    const dataOffset = at + LOCAL_HEADER_LENGTH + local.nameLength + local.extraLength;
    const entry: ArchiveEntry = {
      filename,
      directory: filename.endsWith('/'),
      offset: at,
      compressedSize: local.compressedSize,
      uncompressedSize: local.uncompressedSize,
      crc32: local.crc32,
      method: local.method,
      flags: local.flags,
      encrypted: (local.flags & FLAG_ENCRYPTED) !== 0,
      aes: false,
    };
    if (local.method === METHOD_AES) {
      throw new InputError(
        archive.path,
        filename,
        'an entry df2 can read without the central directory (this archive lacks it: a truncated download?)',
        'a WinZip AES entry',
      );
    }
    const described = (local.flags & FLAG_DATA_DESCRIPTOR) !== 0;
    const sized = !described || local.compressedSize !== 0 || local.uncompressedSize !== 0;
    if (!sized) {
      if (local.method !== METHOD_DEFLATED) {
        throw new InputError(archive.path, filename, 'its size in its local header (the central directory that holds it is missing)', 'none');
      }
      entry.compressedSize = await deflatedLength(archive, entry, local, dataOffset, password);
    }
    const dataEnd = dataOffset + entry.compressedSize;
    if (dataEnd > archive.size) {
      throw new InputError(archive.path, filename, `${entry.compressedSize} bytes of data at byte ${dataOffset}`, `${TRUNCATED}${extracted()}`);
    }
    at = dataEnd;
    if (described) {
      const descriptor = parseDataDescriptor(await archive.readUint8Array(dataEnd, 24), zip64);
      if (descriptor) {
        at += descriptor.length;
        if (!sized || entry.crc32 === 0) {
          entry.crc32 = descriptor.crc32;
          entry.uncompressedSize = descriptor.uncompressedSize;
        }
      } else {
        // The file ends in the descriptor: the entry is whole (sizes and CRC-32 from its header) and is the last.
        at = archive.size;
        if (!sized) throw new InputError(archive.path, filename, `its data descriptor at byte ${dataEnd}`, `${TRUNCATED}${extracted()}`);
      }
    }
    previous = filename;
    if (!entry.directory) files++;
    yield entry;
  }
}

function isPrefixOfSignature(bytes: Uint8Array): boolean {
  const signature = [0x50, 0x4b, 0x03, 0x04];
  for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== signature[i]) return false;
  return true;
}

/** The compressed length of a deflated entry with no sizes in its header: decoded up to where its deflate stream ends. */
async function deflatedLength(
  archive: ArchiveFile,
  entry: ArchiveEntry,
  local: { flags: number; time: number },
  dataOffset: number,
  password: () => Promise<Uint8Array | undefined>,
): Promise<number> {
  let start = dataOffset;
  let decipher;
  try {
    if (entry.encrypted) {
      decipher = startDecipher(entry, local, await archive.readUint8Array(start, ZIP_CRYPTO_HEADER_LENGTH), await password());
      start += ZIP_CRYPTO_HEADER_LENGTH;
    }
  } catch (err) {
    if (!(err instanceof EntryDataError)) throw err;
    throw new InputError(archive.path, entry.filename, err.expected, err.found);
  }
  const stream = decodedChunks(archive, start, archive.size - start, true, decipher);
  let crc = 0;
  try {
    for await (const chunk of stream.chunks) crc = crc32(chunk, crc);
  } catch (err) {
    const message = (err as Error).message;
    const truncated = /unexpected end of file/i.test(message);
    throw new InputError(
      archive.path,
      entry.filename,
      'a whole deflate stream',
      truncated ? TRUNCATED : `${message} (damaged data${decipher ? ' or a wrong password' : ''})`,
    );
  }
  return stream.consumed() + (decipher ? ZIP_CRYPTO_HEADER_LENGTH : 0);
}
