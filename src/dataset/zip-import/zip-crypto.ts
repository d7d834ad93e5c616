/**
 * Traditional PKWARE encryption ("ZipCrypto", APPNOTE 6.1), decryption only.
 *
 * @zip.js/zip.js decrypts this too, but through a web-streams pipeline per
 * entry that costs about 2 ms of CPU per entry (measured: 12 s of CPU for the
 * 6,000 entries of a 34 MB archive, where `unzip -P` needs 0.8 s). The release
 * holds 780,000 small entries, so the cipher is the hot core of `df2 import`
 * and is written here as one tight loop over a Uint8Array. zip.js still reads
 * the archive's structure and decrypts WinZip AES entries.
 */

/** CRC-32's table, signed: the keys stay 32-bit integers in V8 (a Uint32Array's values above 2^31 would be doubles). */
const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c | 0;
  }
  return table;
})();

/** Length of the encryption header that precedes an entry's data. */
export const ZIP_CRYPTO_HEADER_LENGTH = 12;

/** The cipher state: three 32-bit keys, advanced by every plaintext byte. */
export class ZipCryptoDecipher {
  private key0 = 0x12345678;
  private key1 = 0x23456789;
  private key2 = 0x34567890;

  constructor(password: Uint8Array) {
    for (const byte of password) this.update(byte);
  }

  private update(byte: number): void {
    this.key0 = CRC_TABLE[(this.key0 ^ byte) & 0xff]! ^ (this.key0 >>> 8);
    this.key1 = (Math.imul((this.key1 + (this.key0 & 0xff)) | 0, 134775813) + 1) | 0;
    this.key2 = CRC_TABLE[(this.key2 ^ (this.key1 >>> 24)) & 0xff]! ^ (this.key2 >>> 8);
  }

  /**
   * Decrypts the 12-byte encryption header and says whether the password is
   * right: its last byte must equal `check` (the high byte of the entry's CRC,
   * or of its modification time when the entry has a data descriptor). A
   * wrong password passes this test once in 256 times; the CRC of the
   * content catches those.
   */
  checkHeader(header: Uint8Array, check: number): boolean {
    const plain = new Uint8Array(ZIP_CRYPTO_HEADER_LENGTH);
    this.decryptInto(header.subarray(0, ZIP_CRYPTO_HEADER_LENGTH), plain);
    return plain[ZIP_CRYPTO_HEADER_LENGTH - 1] === check;
  }

  /** Decrypts `input` into `output` (in place by default; the stream continues across calls). */
  decrypt(input: Uint8Array, output: Uint8Array = input): Uint8Array {
    this.decryptInto(input, output);
    return output.subarray(0, input.length);
  }

  private decryptInto(input: Uint8Array, output: Uint8Array): void {
    let key0 = this.key0;
    let key1 = this.key1;
    let key2 = this.key2;
    const table = CRC_TABLE;
    const length = input.length;
    // One serial chain per byte (each key depends on the byte before), so the loop is kept minimal:
    // only the low 16 bits of key2 reach the byte, and Math.imul takes its operands modulo 2^32.
    for (let i = 0; i < length; i++) {
      const temp = key2 | 2;
      const byte = input[i]! ^ ((Math.imul(temp, temp ^ 1) >>> 8) & 0xff);
      output[i] = byte;
      key0 = table[(key0 ^ byte) & 0xff]! ^ (key0 >>> 8);
      key1 = (Math.imul(key1 + (key0 & 0xff), 134775813) + 1) | 0;
      key2 = table[(key2 ^ (key1 >>> 24)) & 0xff]! ^ (key2 >>> 8);
    }
    this.key0 = key0;
    this.key1 = key1;
    this.key2 = key2;
  }
}
