/**
 * Decoding one entry held in memory, synchronously: ZipCrypto's header check
 * and decryption (zip-crypto.ts), raw inflate and CRC-32 by Node's zlib
 * (native code), and the size and CRC-32 checked against the archive's
 * record. Shared by the main thread (the password check, large entries) and
 * the decoding threads (decode-worker.ts); it imports nothing that needs the
 * main thread.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import {
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  LOCAL_HEADER_LENGTH,
  METHOD_DEFLATED,
  METHOD_STORED,
  parseLocalHeader,
  TRUNCATED,
  type LocalHeader,
} from './local-header.js';
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

/** What the decoder needs of an entry's record (central directory, or local header when there is none). */
export interface EntryFacts {
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  method: number;
  encrypted: boolean;
}

/** Whether df2's own decoder reads the entry (stored or deflated, not WinZip AES); zip.js reads the others. */
export function decodedByDf2(entry: { method: number; aes: boolean }): boolean {
  return !entry.aes && (entry.method === METHOD_STORED || entry.method === METHOD_DEFLATED);
}

/** The local header whose first bytes (up to 30) are `bytes`, read at `offset`, and where the entry's data starts. */
export function localHeaderAt(bytes: Uint8Array, offset: number): LocalHeader & { dataOffset: number } {
  const local = parseLocalHeader(bytes);
  if (!local) throw new EntryDataError('damaged', `a local file header at byte ${offset}`, bytes.length < LOCAL_HEADER_LENGTH ? TRUNCATED : 'other bytes');
  return { ...local, dataOffset: offset + LOCAL_HEADER_LENGTH + local.nameLength + local.extraLength };
}

/** Throws when fewer than `length` bytes of data could be read at `offset`: the archive ends inside the entry. */
export function checkDataPresent(available: number, length: number, offset: number): void {
  if (available < length) throw new EntryDataError('damaged', `${length} bytes of data at byte ${offset}`, TRUNCATED);
}

let scratchBuffer = new Uint8Array(1 << 20);
function scratch(length: number): Uint8Array {
  if (scratchBuffer.length < length) scratchBuffer = new Uint8Array(Math.max(length, scratchBuffer.length * 2));
  return scratchBuffer;
}

/**
 * Starts ZipCrypto on an entry: checks the 12-byte encryption header at
 * `data[0]` against the check byte (the CRC's high byte, or the modification
 * time's when the local header says a data descriptor follows) and returns
 * the cipher, ready for the data after the header. Undefined for an entry
 * that is not encrypted.
 */
export function startDecipher(
  facts: EntryFacts,
  local: { flags: number; time: number },
  header: Uint8Array,
  password: Uint8Array | undefined,
): ZipCryptoDecipher | undefined {
  if (!facts.encrypted && !(local.flags & FLAG_ENCRYPTED)) return undefined;
  if (!password) throw new EntryDataError('wrong password', 'a password for this encrypted entry', 'none');
  if (header.length < ZIP_CRYPTO_HEADER_LENGTH) throw new EntryDataError('damaged', 'a 12-byte encryption header', `${header.length} bytes`);
  const decipher = new ZipCryptoDecipher(password);
  const check = local.flags & FLAG_DATA_DESCRIPTOR ? local.time >>> 8 : facts.crc32 >>> 24;
  if (!decipher.checkHeader(header, check)) throw new EntryDataError('wrong password', 'the right password', 'a wrong one');
  return decipher;
}

/**
 * The content of an entry whose compressed data (`data`: compressedSize
 * bytes, the encryption header included) is in memory, checked. `data` is
 * not written to. The result is a buffer of its own, except for a stored,
 * unencrypted entry (`data` itself) and, with `reuse`, a stored encrypted one
 * (a scratch buffer that the next call overwrites).
 */
export function decodeInMemory(
  facts: EntryFacts,
  local: { flags: number; time: number },
  data: Uint8Array,
  password: Uint8Array | undefined,
  reuse = false,
): Uint8Array {
  const decipher = startDecipher(facts, local, data, password);
  const body = decipher ? data.subarray(ZIP_CRYPTO_HEADER_LENGTH) : data;
  const deflated = facts.method === METHOD_DEFLATED;
  // Deflated data is decrypted into scratch (inflate copies it out); stored content into its own buffer unless reused.
  const raw = !decipher ? body : decipher.decrypt(body, deflated || reuse ? scratch(body.length) : Buffer.allocUnsafeSlow(body.length));
  let content: Uint8Array;
  try {
    content = deflated ? inflateRawSync(raw) : raw;
  } catch (err) {
    throw damagedData(decipher !== undefined, 'deflated data', (err as Error).message);
  }
  checkContent(facts, content.length, crc32(content), decipher !== undefined);
  return content;
}

export function checkContent(facts: EntryFacts, size: number, crc: number, encrypted: boolean): void {
  if (size !== facts.uncompressedSize) throw damagedData(encrypted, `${facts.uncompressedSize} bytes of content`, String(size));
  if (crc >>> 0 !== facts.crc32) throw damagedData(encrypted, `content with CRC-32 ${hex(facts.crc32)}`, hex(crc));
}

/**
 * Damaged data. A wrong ZipCrypto password passes the header check once in
 * 256 times and then shows as damaged data; the caller words it for the
 * first encrypted entry, where that is the likely cause.
 */
export function damagedData(encrypted: boolean, expected: string, found: string): EntryDataError {
  return new EntryDataError('damaged', expected, encrypted ? `${found} (damaged data or a wrong password)` : found);
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
