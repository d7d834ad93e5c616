/**
 * Properties of FlatObjectReader, the fast path of results files: it reads
 * exactly what JSON.parse reads, or declines. For any text, an accepted
 * object is valid JSON and every wanted number is JSON.parse's double (the
 * same bits, -0 included); any number text JSON allows reads as JSON.parse
 * reads it; and a mutated object it accepts is one JSON.parse accepts too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProperty, fuzzTimeout } from '../testing/fuzz.js';
import { FlatField, FlatObjectReader } from './flat-object.js';

const KEYS = ['image_id', 'category_id', 'score', 'bbox', 'keypoints', 'segmentation'];
/** The one key read by a nested reader, and that reader's keys. */
const NESTED_KEY = 'segmentation';
const NESTED_KEYS = ['size', 'counts'];

/** Any number text of JSON's grammar: sign, integer part, fraction, exponent; many digits and large exponents included. */
const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const numberText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.constantFrom(...'123456789'), digits(0, 24)).map(([a, b]) => a + b),
      ),
      fc.option(
        digits(1, 24).map((d) => `.${d}`),
        { nil: '' },
      ),
      fc.option(
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)).map((p) => p.join('')),
        { nil: '' },
      ),
    )
    .map((p) => p.join('')),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
  // The fast path's edges: up to 15 digits, a decimal exponent near +-22.
  fc.tuple(fc.constantFrom(...'123456789'), digits(0, 16), fc.integer({ min: -26, max: 26 }), fc.nat({ max: 17 })).map(([lead, rest, e, point]) => {
    const mantissa = lead + rest;
    const at = Math.min(point, mantissa.length - 1);
    return `${mantissa.slice(0, at + 1)}${at + 1 < mantissa.length ? `.${mantissa.slice(at + 1)}` : ''}e${e}`;
  }),
  fc.constantFrom(
    '5e-324',
    '2.2250738585072014e-308',
    '1.7976931348623157e308',
    '9007199254740993',
    '0.1',
    '1e22',
    '1e23',
    '123456789012345.6',
    '-0',
    '-0.0e5',
  ),
);

const space = fc.constantFrom('', ' ', '\n', '\t', ' \r\n ');
const value: fc.Arbitrary<string> = fc.oneof(
  numberText,
  fc.array(numberText, { maxLength: 6 }).map((list) => `[${list.join(', ')}]`),
  fc.constantFrom('"text"', 'true', 'null', '{"size": [2, 3], "counts": "a\\"b"}', '[[1, 2], [3]]', '"\\u00e9"', '[]', '{}', '"a\\\\b"', '"\\ud800"'),
  fc
    .tuple(numberText, numberText, fc.constantFrom('"PQ"', '"x\\\\y"', '[1]', '{}'), fc.constantFrom('', ', "size": [1]', ', "z": {"size": 1}'))
    .map(([h, w, counts, more]) => `{"size": [${h}, ${w}], "counts": ${counts}${more}}`),
);
const key = fc.oneof(fc.constantFrom(...KEYS, ...NESTED_KEYS), fc.constantFrom('id', 'x\\"y', 'sc\\u006fre', ''));
const objectText: fc.Arbitrary<string> = fc
  .array(fc.tuple(key, space, value, space), { maxLength: 7 })
  .map((entries) => `{${entries.map(([k, s1, v, s2]) => `${s1}"${k}"${s2}:${s1}${v}${s2}`).join(',')}}`);

type ReadBack = { [key: string]: number | number[] | string | ReadBack };

/** What the reader read, as JSON.parse would give it for the wanted keys (a string's raw bytes parsed as one JSON string). */
function readBack(reader: FlatObjectReader, keys: readonly string[], bytes: Buffer, nested?: FlatObjectReader): ReadBack {
  const out: ReadBack = {};
  keys.forEach((k, i) => {
    const start = reader.start[i]!;
    if (reader.field[i] === FlatField.Number) out[k] = reader.value[i]!;
    else if (reader.field[i] === FlatField.Array) out[k] = [...reader.numbers.subarray(start, start + reader.length[i]!)];
    else if (reader.field[i] === FlatField.String) out[k] = JSON.parse(`"${bytes.toString('utf8', start, start + reader.length[i]!)}"`) as string;
    else if (reader.field[i] === FlatField.Object) out[k] = readBack(nested!, NESTED_KEYS, bytes);
  });
  return out;
}

/** Equal as JSON.parse's values: doubles bit for bit (-0 is not 0), strings as strings, objects on the keys read. */
function sameValues(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValues(x, b[i]));
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object' && !Array.isArray(b)) {
    const o = b as Record<string, unknown>;
    return Object.entries(a).every(([k, v]) => sameValues(v, o[k])) && NESTED_KEYS.every((k) => !readable(o[k]) || k in a);
  }
  return false;
}

/** A value the reader reads for a wanted key (numbers, arrays of numbers, strings; objects only under the nested key). */
const readable = (v: unknown): boolean => typeof v === 'number' || typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'number'));

function check(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const nested = new FlatObjectReader(NESTED_KEYS);
  const reader = new FlatObjectReader(KEYS, { [NESTED_KEY]: nested });
  const end = reader.read(bytes, 0, bytes.length);
  if (end < 0) return; // declined: JSON.parse decides
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(bytes.toString('utf8', 0, end)) as Record<string, unknown>;
  } catch (err) {
    assert.fail(`accepted ${JSON.stringify(text.slice(0, end))}, which JSON.parse refuses (${(err as Error).message})`);
  }
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `accepted a non-object ${JSON.stringify(text)}`);
  const read = readBack(reader, KEYS, bytes, nested);
  for (const k of KEYS) {
    if (!(k in read)) continue;
    assert.ok(sameValues(read[k], parsed[k]), `${k}: read ${JSON.stringify(read[k])}, JSON.parse ${JSON.stringify(parsed[k])} in ${text}`);
  }
  for (const k of KEYS) if (k in parsed && readable(parsed[k])) assert.ok(k in read, `${k} not read in ${text}`);
}

describe('FlatObjectReader', { timeout: fuzzTimeout() }, () => {
  test('any JSON number text reads as JSON.parse reads it', async () => {
    const reader = new FlatObjectReader(['n']);
    await checkProperty(
      fc.property(numberText, (n) => {
        const bytes = Buffer.from(`{"n": ${n}}`);
        assert.equal(reader.read(bytes, 0, bytes.length), bytes.length, n);
        assert.equal(reader.field[0], FlatField.Number);
        assert.ok(Object.is(reader.value[0], JSON.parse(n)), `${n}: read ${reader.value[0]}, JSON.parse ${JSON.parse(n)}`);
      }),
      3000,
    );
  });

  test('an accepted object is what JSON.parse reads, wanted numbers bit for bit', async () => {
    await checkProperty(fc.property(objectText, check), 1000);
  });

  test('a mutated object is accepted only if JSON.parse accepts it', async () => {
    const mutated = fc
      .tuple(objectText, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', '-', '.', 'e', '0', '\u0001', ' ', '{', '['), fc.nat({ max: 3 }))
      .map(([text, at, insert, drop]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, i) + insert + text.slice(i + drop);
      });
    await checkProperty(fc.property(mutated, check), 2000);
  });

  test('cases: exact doubles, duplicates and escaped keys declined, the end found inside a longer buffer', () => {
    const reader = new FlatObjectReader(KEYS.filter((k) => k !== NESTED_KEY));
    const read = (text: string): number => {
      const b = Buffer.from(text);
      return reader.read(b, 0, b.length);
    };
    assert.equal(read('{"score": 0.1}'), 14);
    assert.equal(reader.value[2], 0.1);
    assert.equal(read('{"score": 1, "score": 2}'), -1, 'a duplicate wanted key is left to JSON.parse (the last one wins there)');
    assert.equal(read('{"sc\\u006fre": 2}'), -1, 'an escaped key may spell a wanted one');
    assert.equal(read('{"score": "0.5"}'), 16, 'a wanted key holding a string: read, for the caller to check');
    assert.equal(reader.field[2], FlatField.String);
    assert.deepEqual([reader.start[2], reader.length[2]], [11, 3]);
    assert.equal(read('{"score": {"a": 1}}'), -1, 'a wanted key holding an object, without a nested reader');
    assert.equal(read('{"score": 01}'), -1, 'a leading zero');
    assert.equal(read('{"score": 1.}'), -1);
    assert.equal(read('{"score": .5}'), -1);
    assert.equal(read('{"bbox": [1, 2,]}'), -1);
    const nested = '{"segmentation": {"counts": "x", "size": [1, 2]}, "score": 3}';
    assert.equal(read(nested), nested.length, 'a nested value of a key not wanted is checked and skipped');
    assert.equal(reader.value[2], 3);
    assert.equal(read('{"segmentation": {"counts": "x", "size": [1, 2}, "score": 3}'), -1, 'a broken nested value is refused');
    assert.equal(read('{"score": 1e400}'), '{"score": 1e400}'.length);
    assert.equal(reader.value[2], Infinity, 'as JSON.parse: the caller checks finiteness');
    assert.equal(reader.allFinite, false, 'allFinite says so, for the caller');
    assert.equal(read('{"score": 1, "note": [0, -1e999]}'), 33);
    assert.equal(reader.allFinite, false, 'a number not kept counts too');
    assert.equal(read('{"bbox": [0, 0 , 0,1e308]}'), 26);
    assert.equal(reader.allFinite, true);
    assert.deepEqual([...reader.numbers.subarray(0, 4)], [0, 0, 0, 1e308], 'a plain 0 before a separator or a space');
    assert.equal(read('{"bbox": [0 0]}'), -1);
    assert.equal(read('{"bbox": [01]}'), -1);
    assert.equal(read('{"bbox": [0.5e1, 0e5, -0]}'), 26);
    assert.deepEqual([...reader.numbers.subarray(0, 3)], [5, 0, -0]);
    const rle = new FlatObjectReader(NESTED_KEYS);
    const withNested = new FlatObjectReader(KEYS, { [NESTED_KEY]: rle });
    const masked = Buffer.from('{"segmentation": {"size": [4, 5], "counts": "a\\\\b"}, "score": 3}');
    assert.equal(withNested.read(masked, 0, masked.length), masked.length, 'an object under the nested key is read by its reader');
    assert.equal(withNested.field[5], FlatField.Object);
    assert.deepEqual([...rle.numbers.subarray(rle.start[0]!, rle.start[0]! + 2)], [4, 5]);
    assert.equal(masked.toString('latin1', rle.start[1]!, rle.start[1]! + rle.length[1]!), 'a\\\\b', 'a string is its raw bytes, escapes as written');
    const twice = Buffer.from('{"segmentation": {"size": [4, 5], "size": [1]}}');
    assert.equal(withNested.read(twice, 0, twice.length), -1, 'the nested reader declines too');
    const long = Buffer.from('  {"image_id": 3, "bbox": [1, 2, 3, 4]}, {"image_id": 4');
    assert.equal(reader.read(long, 0, long.length), long.indexOf('}') + 1, 'the offset after the closing brace');
    assert.equal(reader.read(long, 41, long.length), -1, 'an object cut at the end of the bytes read so far');
  });
});
