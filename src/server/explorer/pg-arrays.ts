/**
 * Array parameters in PostgreSQL's binary format (what `array_recv` reads),
 * one Buffer per column: node-postgres sends a Buffer parameter as binary,
 * so a batch of 1,000 rows goes out without a text literal per value, and
 * the database reads the numbers without parsing them. The statement casts
 * each parameter to its array type (`$2::int[]`), which is how the server
 * knows what the bytes hold.
 *
 * Layout: ndim, has-nulls flag, element type oid, then for each dimension
 * its length and lower bound (all big-endian int32); then each element as
 * its byte length (int32) and its bytes. An empty array has no dimensions.
 *
 * @example
 * await client.query('SELECT sum(x) FROM unnest($1::int[]) AS x', [int4Array(new Int32Array([1, 2, 3]))]);
 */

/** Element type oids (pg_type.oid), which array_recv checks against the parameter's type. */
const OID = { bool: 16, bytea: 17, int8: 20, int4: 23, text: 25, float8: 701 } as const;

const HEADER = 20;

/** A buffer for `n` elements with `payload` bytes of values in all, header written; elements start at HEADER. */
function arrayBuffer(oid: number, n: number, payload: number): Buffer {
  if (n === 0) {
    const out = Buffer.alloc(12);
    out.writeInt32BE(oid, 8);
    return out;
  }
  const out = Buffer.allocUnsafe(HEADER + n * 4 + payload);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(0, 4);
  out.writeInt32BE(oid, 8);
  out.writeInt32BE(n, 12);
  out.writeInt32BE(1, 16);
  return out;
}

/** An array of `n` elements of `width` bytes each; `write(out, k, at)` writes element k's bytes at `at`. */
function fixedWidthArray(oid: number, n: number, width: number, write: (out: Buffer, k: number, at: number) => void): Buffer {
  const out = arrayBuffer(oid, n, n * width);
  for (let k = 0, at = HEADER; k < n; k++, at += 4 + width) {
    out.writeInt32BE(width, at);
    write(out, k, at + 4);
  }
  return out;
}

/** An `int[]` (int4) parameter. Values must be 32-bit integers. */
export const int4Array = (values: ArrayLike<number>): Buffer => fixedWidthArray(OID.int4, values.length, 4, (out, k, at) => out.writeInt32BE(values[k]!, at));

/** An `int8[]` parameter from safe integers (what a Float64Array of sizes holds). */
export const int8Array = (values: ArrayLike<number>): Buffer =>
  fixedWidthArray(OID.int8, values.length, 8, (out, k, at) => {
    const v = values[k]!;
    if (!Number.isSafeInteger(v)) throw new RangeError(`int8Array: ${v} is not a safe integer`);
    // High and low 32 bits of the two's complement, without a BigInt per value.
    const high = Math.floor(v / 4294967296);
    out.writeInt32BE(high, at);
    out.writeUInt32BE(v - high * 4294967296, at + 4);
  });

/** A `float8[]` parameter. */
export const float8Array = (values: ArrayLike<number>): Buffer =>
  fixedWidthArray(OID.float8, values.length, 8, (out, k, at) => out.writeDoubleBE(values[k]!, at));

/** A `bool[]` parameter: non-zero numbers (or true) are true. */
export const boolArray = (values: ArrayLike<number | boolean>): Buffer =>
  fixedWidthArray(OID.bool, values.length, 1, (out, k, at) => (out[at] = values[k] ? 1 : 0));

/** A `text[]` parameter (UTF-8). */
export const textArray = (values: readonly string[]): Buffer =>
  byteArrays(
    OID.text,
    values.map((s) => Buffer.from(s, 'utf8')),
  );

/** A `bytea[]` parameter. */
export const byteaArray = (values: readonly Uint8Array[]): Buffer => byteArrays(OID.bytea, values);

function byteArrays(oid: number, values: readonly Uint8Array[]): Buffer {
  let payload = 0;
  for (const bytes of values) payload += bytes.byteLength;
  const out = arrayBuffer(oid, values.length, payload);
  let at = HEADER;
  for (const bytes of values) {
    out.writeInt32BE(bytes.byteLength, at);
    out.set(bytes, at + 4);
    at += 4 + bytes.byteLength;
  }
  return out;
}
