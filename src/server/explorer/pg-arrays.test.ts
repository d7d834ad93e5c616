/**
 * The binary array parameters as PostgreSQL reads them: every value comes
 * back as sent, at the edges of each type, and an empty array is empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, postgresUnavailable } from '../../testing/postgres.js';
import { boolArray, byteaArray, float8Array, int4Array, int8Array, textArray } from './pg-arrays.js';

test('an int[] is laid out as array_recv reads it: one dimension from 1, no nulls, int4 elements', () => {
  const words = (b: Buffer): number[] => Array.from({ length: b.length / 4 }, (_, k) => b.readInt32BE(k * 4));
  // ndim, has nulls, element oid 23, length, lower bound, then (byte length, value) per element.
  assert.deepEqual(words(int4Array([7, -2])), [1, 0, 23, 2, 1, 4, 7, 4, -2]);
  // An empty array has no dimensions.
  assert.deepEqual(words(int4Array([])), [0, 0, 23]);
});

test('int8Array refuses what is not a safe integer', () => {
  assert.throws(() => int8Array([2 ** 53]), /9007199254740992 is not a safe integer/);
  assert.throws(() => int8Array([1.5]), /1.5 is not a safe integer/);
});

test('each array type reaches PostgreSQL exactly as sent', { skip: postgresUnavailable() }, async () => {
  const database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const echo = async (type: string, param: Buffer): Promise<unknown> => (await client.query<{ a: unknown }>(`SELECT $1::${type} AS a`, [param])).rows[0]!.a;

    const int4 = [0, 1, -1, 2147483647, -2147483648, 123456];
    assert.deepEqual(await echo('int[]', int4Array(Int32Array.from(int4))), int4);

    const int8 = [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, 4294967295, -4294967297, 1400];
    // node-postgres reads int8 as text (it can exceed a double).
    assert.deepEqual(await echo('int8[]', int8Array(Float64Array.from(int8))), int8.map(String));
    const [sum] = (await client.query<{ s: string }>('SELECT sum(x)::text AS s FROM unnest($1::int8[]) AS x', [int8Array(int8)])).rows;
    assert.equal(sum!.s, String(int8.reduce((a, b) => a + b, 0)));

    const float8 = [0, 1.5, -1e300, 5e-324, 1_700_000_000_123.25, Infinity, -Infinity];
    assert.deepEqual(await echo('float8[]', float8Array(Float64Array.from(float8))), float8);
    const [special] = (
      await client.query<{ nan: boolean; negzero: string }>("SELECT ($1::float8[])[1] = 'NaN' AS nan, ($1::float8[])[2]::text AS negzero", [
        float8Array([NaN, -0]),
      ])
    ).rows;
    assert.deepEqual(special, { nan: true, negzero: '-0' });

    assert.deepEqual(await echo('bool[]', boolArray(Uint8Array.from([1, 0, 2]))), [true, false, true]);
    assert.deepEqual(await echo('bool[]', boolArray([true, false])), [true, false]);

    const text = ['', 'user', 'shop', 'ünï 😀', 'a,b"c{}\\ NULL'];
    assert.deepEqual(await echo('text[]', textArray(text)), text);

    const bytes = [new Uint8Array(0), Uint8Array.from([0, 255, 1]), Uint8Array.from({ length: 1000 }, (_, k) => (k * 37) % 256)];
    const back = (await echo('bytea[]', byteaArray(bytes))) as Buffer[];
    assert.deepEqual(
      back.map((b) => [...b]),
      bytes.map((b) => [...b]),
    );

    for (const [type, param] of [
      ['int[]', int4Array([])],
      ['int8[]', int8Array([])],
      ['float8[]', float8Array([])],
      ['bool[]', boolArray([])],
      ['text[]', textArray([])],
      ['bytea[]', byteaArray([])],
    ] as const) {
      const [row] = (await client.query<{ n: number }>(`SELECT cardinality($1::${type}) AS n`, [param])).rows;
      assert.equal(row!.n, 0, type);
    }
  } finally {
    await client.end();
    await database.drop();
  }
});
