/**
 * The bytes of a ground-truth snapshot (see snapshot.ts for when one is
 * written and trusted). The loaded ground truth is a tree of plain objects,
 * arrays, numbers, strings and typed arrays; the tree goes into a JSON
 * header with each typed array replaced by its place in the body, and the
 * typed arrays go into the body back to back, each 8-byte aligned. Reading
 * is one read of the whole file into a SharedArrayBuffer and a view per
 * array: nothing is parsed or copied per annotation, and the arrays can be
 * handed to the evaluation thread without a copy, as the JSON loader's are.
 *
 * Layout (little-endian, as the machines df2 runs on):
 *
 *   0  magic "DF2SNAP\n"          8  format version (u32)   12  byte-order mark 0x01020304 (u32)
 *   16 total length (u64)          24 write time, ns (u64; filled in after the body is on disk)
 *   32 checksum of bytes 64..end   64 header length (u32)   68  checksum kind (u32)   72  header JSON, then the body
 *
 * The checksum covers the header and the body, so any changed byte there is
 * found. It is a CRC-32 (kind 2: zlib's, 3x faster than SHA-256, which
 * matters for a 150 MB segm snapshot) where Node has zlib.crc32 (20.15+,
 * 22.2+), else a SHA-256 (kind 1); a snapshot whose kind this Node cannot
 * check is rebuilt.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { CocoGroundTruth } from './ground-truth.js';

/** Bump whenever the layout or the loaded ground truth's shape changes: older snapshots are then rebuilt. */
const SNAPSHOT_FORMAT_VERSION = 3;

const MAGIC = Buffer.from('DF2SNAP\n', 'latin1');
const BYTE_ORDER_MARK = 0x01020304;
export const PREFIX_BYTES = 72;
export const WRITE_TIME_AT = 24;
const CHECKSUM_AT = 32;
const CHECKED_FROM = 64;
const CHECKSUM_KIND_AT = 68;
const SHA256 = 1;
const CRC32 = 2;
type Crc32 = (data: Uint8Array, value?: number) => number;
const crc32 = (zlib as { crc32?: Crc32 }).crc32;

/** The checksum of the chunks (kind CRC32 or SHA256) as the 32 bytes of its field. */
function checksum(kind: number, chunks: readonly Uint8Array[]): Buffer {
  const out = Buffer.alloc(32);
  if (kind === CRC32) {
    let value = 0;
    // Empty chunks are skipped: Node 20's zlib.crc32 answers 0 for an empty array on an empty buffer, whatever the value passed.
    for (const chunk of chunks) if (chunk.byteLength > 0) value = crc32!(chunk, value);
    out.writeUInt32LE(value >>> 0, 0);
  } else {
    const hash = createHash('sha256');
    for (const chunk of chunks) hash.update(chunk);
    hash.digest().copy(out);
  }
  return out;
}

/** The stat identity of a ground-truth file, as git's index keeps it (nanosecond times as decimal strings). */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

/** What the header says besides the tree. */
interface SnapshotHeader {
  /** The absolute, resolved path of the ground-truth file. */
  path: string;
  identity: FileIdentity;
  /** The tasks the ground truth was loaded for, sorted. */
  tasks: string[];
  contentSha256: string | null;
  tree: unknown;
}

/** A snapshot that must not be used, with the reason said in one line. */
export class SnapshotRejected extends Error {}

const TYPES = {
  Float64Array,
  Int32Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
  Int8Array,
} as const;
type TypeName = keyof typeof TYPES;
type AnyTyped = InstanceType<(typeof TYPES)[TypeName]>;

interface TypedRef {
  $typed: TypeName;
  at: number;
  n: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** The snapshot of `gt` as a list of byte chunks (prefix and header first); the write time is zero until patched. */
export function encodeSnapshot(gt: CocoGroundTruth, header: Omit<SnapshotHeader, 'tree'>): Uint8Array[] {
  const arrays: AnyTyped[] = [];
  let bodyBytes = 0;
  const encode = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      const name = v.constructor.name as TypeName;
      if (!(name in TYPES)) throw new Error(`snapshot: unsupported array type ${name}`);
      const ref: TypedRef = { $typed: name, at: bodyBytes, n: (v as AnyTyped).length };
      arrays.push(v as AnyTyped);
      bodyBytes = align8(bodyBytes + v.byteLength);
      return ref;
    }
    if (Array.isArray(v)) return v.map(encode);
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (v instanceof Map || v instanceof Set) throw new Error('snapshot: unsupported Map or Set');
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) if (item !== undefined) out[key] = encode(item);
      return out;
    }
    throw new Error(`snapshot: unsupported value of type ${typeof v}`);
  };
  // The segmentations as read only serve to make the masks, which the snapshot holds: kept as "loaded, none left".
  const tree = encode({
    ...gt,
    file: '',
    annotations: { ...gt.annotations, segmentations: gt.annotations.segmentations ? [] : null },
  });
  const headerBytes = Buffer.from(JSON.stringify({ ...header, tree }), 'utf8');
  const bodyStart = align8(PREFIX_BYTES + headerBytes.length);
  const total = bodyStart + bodyBytes;

  const prefix = Buffer.alloc(bodyStart);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(BYTE_ORDER_MARK, 12);
  prefix.writeBigUInt64LE(BigInt(total), 16);
  prefix.writeUInt32LE(headerBytes.length, 64);
  const kind = crc32 ? CRC32 : SHA256;
  prefix.writeUInt32LE(kind, CHECKSUM_KIND_AT);
  headerBytes.copy(prefix, PREFIX_BYTES);

  const chunks: Uint8Array[] = [prefix];
  let at = 0;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    chunks.push(bytes);
    at += a.byteLength;
    const pad = align8(at) - at;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    at += pad;
  }
  checksum(kind, [prefix.subarray(CHECKED_FROM), ...chunks.slice(1)]).copy(prefix, CHECKSUM_AT);
  return chunks;
}

/** The fixed-size prefix's fields; SnapshotRejected when the bytes are not a whole df2 snapshot of this format. */
export function readPrefix(bytes: Uint8Array, fileSize: number): { total: number; writtenNs: bigint; headerLength: number } {
  if (fileSize < PREFIX_BYTES) throw new SnapshotRejected(`it is truncated (${fileSize} bytes)`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, PREFIX_BYTES);
  if (!view.subarray(0, 8).equals(MAGIC)) throw new SnapshotRejected('it is not a df2 snapshot');
  const version = view.readUInt32LE(8);
  if (version !== SNAPSHOT_FORMAT_VERSION) throw new SnapshotRejected(`it has format version ${version}, this df2 writes ${SNAPSHOT_FORMAT_VERSION}`);
  if (view.readUInt32LE(12) !== BYTE_ORDER_MARK) throw new SnapshotRejected('it was written with another byte order');
  const total = Number(view.readBigUInt64LE(16));
  if (fileSize < total) throw new SnapshotRejected(`it is truncated (${fileSize} of ${total} bytes)`);
  if (fileSize > total) throw new SnapshotRejected(`it is corrupt (${fileSize} bytes, ${total} expected)`);
  return { total, writtenNs: view.readBigUInt64LE(WRITE_TIME_AT), headerLength: view.readUInt32LE(64) };
}

/**
 * The header and the ground truth of a whole snapshot held in `bytes`
 * (backed by a SharedArrayBuffer: the arrays are views of it, not copies).
 */
export function decodeSnapshot(bytes: Uint8Array, file: string): { header: SnapshotHeader; gt: CocoGroundTruth } {
  const { total, headerLength } = readPrefix(bytes, bytes.length);
  const kind = Buffer.from(bytes.buffer, bytes.byteOffset, PREFIX_BYTES).readUInt32LE(CHECKSUM_KIND_AT);
  if (kind !== SHA256 && kind !== CRC32) throw new SnapshotRejected('it is corrupt (its checksum kind)');
  if (kind === CRC32 && !crc32) throw new SnapshotRejected('its checksum is a CRC-32, which this Node.js cannot compute (zlib.crc32: Node 20.15+)');
  const hash = checksum(kind, [bytes.subarray(CHECKED_FROM, total)]);
  if (!hash.equals(Buffer.from(bytes.buffer, bytes.byteOffset + CHECKSUM_AT, 32))) throw new SnapshotRejected('it is corrupt (its checksum does not match)');
  const headerEnd = PREFIX_BYTES + headerLength;
  if (headerEnd > total) throw new SnapshotRejected('it is corrupt (header past the end)');
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + PREFIX_BYTES, headerLength).toString('utf8')) as SnapshotHeader;
  const bodyStart = bytes.byteOffset + align8(headerEnd);
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$typed === 'string') {
      const ref = o as unknown as TypedRef;
      const Type = TYPES[ref.$typed];
      const start = bodyStart + ref.at;
      if (!Type || start % Type.BYTES_PER_ELEMENT !== 0 || ref.at + ref.n * Type.BYTES_PER_ELEMENT > total - (bodyStart - bytes.byteOffset))
        throw new SnapshotRejected('it is corrupt (an array out of place)');
      return new Type(bytes.buffer as ArrayBuffer, start, ref.n);
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(o)) out[key] = decode(item);
    return out;
  };
  const gt = { ...(decode(header.tree) as CocoGroundTruth), file };
  return { header, gt };
}
