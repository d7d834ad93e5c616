/**
 * An entry's local file header (APPNOTE 4.3.7) and data descriptor (4.3.9):
 * what the decoder needs to find an entry's data, and, when an archive has
 * lost its central directory (a truncated download), all that is known of
 * its entries.
 */

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const LOCAL_HEADER_LENGTH = 30;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
export const FLAG_ENCRYPTED = 0x1;
/** Sizes and CRC-32 follow the data (they may also be in the header: Info-ZIP fills them in). */
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
/** WinZip AES: the real method is in the entry's 0x9901 extra field. */
export const METHOD_AES = 99;
/** What a reader finds where a truncated archive ends: the `found` of its errors. */
export const TRUNCATED = 'the end of the archive (a truncated download?)';

export interface LocalHeader {
  flags: number;
  method: number;
  /** DOS modification time: its high byte is ZipCrypto's check byte when the entry has a data descriptor. */
  time: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
}

/** The fixed part of a local header at `bytes[0]`, or undefined when the signature is not there. */
export function parseLocalHeader(bytes: Uint8Array): LocalHeader | undefined {
  if (bytes.length < LOCAL_HEADER_LENGTH) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, LOCAL_HEADER_LENGTH);
  if (view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) return undefined;
  return {
    flags: view.getUint16(6, true),
    method: view.getUint16(8, true),
    time: view.getUint16(10, true),
    crc32: view.getUint32(14, true),
    compressedSize: view.getUint32(18, true),
    uncompressedSize: view.getUint32(22, true),
    nameLength: view.getUint16(26, true),
    extraLength: view.getUint16(28, true),
  };
}

/**
 * Applies a local header's Zip64 extra field (0x0001: the 8-byte sizes, in
 * this order, of the fields whose 32-bit value is saturated). Returns whether
 * there was one: its data descriptor, if any, then holds 8-byte sizes.
 */
export function applyLocalZip64(header: LocalHeader, extra: Uint8Array): boolean {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let field = at + 4;
      const end = Math.min(field + size, extra.length);
      if (header.uncompressedSize === 0xffffffff && field + 8 <= end) {
        header.uncompressedSize = Number(view.getBigUint64(field, true));
        field += 8;
      }
      if (header.compressedSize === 0xffffffff && field + 8 <= end) header.compressedSize = Number(view.getBigUint64(field, true));
      return true;
    }
    at += 4 + size;
  }
  return false;
}

export interface DataDescriptor {
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Its length in the archive (12 to 24 bytes). */
  length: number;
}

/**
 * The data descriptor at `bytes[0]` (its signature is optional; sizes are 8
 * bytes each after a Zip64 header), or undefined when `bytes` is too short.
 */
export function parseDataDescriptor(bytes: Uint8Array, zip64: boolean): DataDescriptor | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signed = bytes.length >= 4 && view.getUint32(0, true) === DESCRIPTOR_SIGNATURE;
  const at = signed ? 4 : 0;
  const length = at + (zip64 ? 20 : 12);
  if (bytes.length < length) return undefined;
  return zip64
    ? {
        crc32: view.getUint32(at, true),
        compressedSize: Number(view.getBigUint64(at + 4, true)),
        uncompressedSize: Number(view.getBigUint64(at + 12, true)),
        length,
      }
    : { crc32: view.getUint32(at, true), compressedSize: view.getUint32(at + 4, true), uncompressedSize: view.getUint32(at + 8, true), length };
}
