/**
 * Generators for the property suites: valid per-image annotation files, and
 * mutations of any JSON document (drop, swap, retype, huge, negative,
 * NaN-like, deeply nested, duplicate keys) written out as bytes with the
 * text-level ones (BOM, invalid UTF-8, truncation) that JSON.stringify cannot
 * make.
 */
import fc from 'fast-check';
import { CATEGORIES, ATTRIBUTE_NAMES } from '../schema/index.js';

/** A JSON number written as this exact text (1e400, -0, 9007199254740993: what JSON.stringify cannot write). */
class RawNumber {
  constructor(readonly text: string) {}
}

/** An object written with these entries in this order, keys repeated as they come (JSON.parse keeps the last). */
class Entries {
  constructor(readonly entries: [string, unknown][]) {}
}

/** A value written deeply nested: `depth` arrays around it. */
class Nested {
  constructor(
    readonly depth: number,
    readonly inner: unknown,
  ) {}
}

/** JSON text of a value that may hold RawNumber, Entries and Nested parts. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value instanceof Nested) return '['.repeat(value.depth) + toJsonText(value.inner) + ']'.repeat(value.depth);
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') return toJsonText(new Entries(Object.entries(value)));
  // Non-finite numbers and undefined have no JSON text: write them as null, as JSON.stringify does.
  return JSON.stringify(value) ?? 'null';
}

/** An image size the generated boxes and landmarks fit in. */
export interface Size {
  width: number;
  height: number;
}

const coordinate = (limit: number): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 0, max: limit }), fc.double({ min: 0, max: limit, noNaN: true }));

/** A polygon of 3 to 8 points inside the image. */
const polygon = (size: Size): fc.Arbitrary<number[]> =>
  fc.array(fc.tuple(coordinate(size.width), coordinate(size.height)), { minLength: 3, maxLength: 8 }).map((points) => points.flat());

/** One valid item of the release's format (any category, landmarks of its count, box inside the image). */
function validItem(size: Size): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...CATEGORIES).chain((category) =>
    fc.record({
      category_id: fc.constant(category.id),
      category_name: fc.constant(category.annotationName),
      style: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(Number.MAX_SAFE_INTEGER)),
      bounding_box: fc
        .tuple(coordinate(size.width), coordinate(size.width), coordinate(size.height), coordinate(size.height))
        .map(([xa, xb, ya, yb]) => [Math.min(xa, xb), Math.min(ya, yb), Math.max(xa, xb), Math.max(ya, yb)]),
      landmarks: fc
        .array(
          fc
            .constantFrom(0, 1, 2)
            .chain((v): fc.Arbitrary<number[]> =>
              v === 0 ? fc.constant([0, 0, 0]) : fc.tuple(coordinate(size.width), coordinate(size.height), fc.constant(v)),
            ),
          { minLength: category.landmarks, maxLength: category.landmarks },
        )
        .map((triples) => triples.flat()),
      segmentation: fc.array(polygon(size), { minLength: 1, maxLength: 3 }),
      ...Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, fc.integer({ min: 1, max: 3 })])),
    }),
  );
}

/** A valid annotation file: source, pair_id and item1..itemN in any key order. */
export function validAnnotation(size: Size): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      source: fc.constantFrom('user', 'shop'),
      pair_id: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
      items: fc.array(validItem(size), { minLength: 1, maxLength: 4 }),
      order: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    })
    .map(({ source, pair_id, items, order }) => {
      const entries: [string, unknown][] = [['source', source], ['pair_id', pair_id], ...items.map((item, k): [string, unknown] => [`item${k + 1}`, item])];
      // Key order varies in the release (a real file lists item2 first).
      const keyed = entries.map((entry, k) => ({ entry, rank: order[k % order.length]! + k / 100 }));
      return Object.fromEntries(keyed.sort((a, b) => a.rank - b.rank).map(({ entry }) => entry));
    });
}

/** Numbers that JSON can spell and that hurt: huge, tiny, negative, -0, beyond 2^53, overflowing to Infinity. */
export const nastyNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, -0.5, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 5e-324),
  fc.constantFrom('1e400', '-1e400', '-0', '9007199254740993', '1E+2', '0.1e-400', '123456789012345678901234567890').map((text) => new RawNumber(text)),
  fc.double(),
  fc.integer(),
);

/** Strings that look like numbers or hurt describe(): NaN-like, empty, long, control characters, lone surrogates. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    'nan',
    '1',
    '2',
    'null',
    'true',
    '',
    ' ',
    'user ',
    'USER',
    'short sleeve top ',
    '\u0000',
    '\n',
    '\ud800',
    'a'.repeat(5000),
  ),
  fc.string({ unit: 'binary' }),
);

/** Any JSON value, including the nasty numbers and strings above. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  nastyNumber,
  nastyString,
  fc.constantFrom(null, true, false, [], {}),
);

/** One mutation of a JSON document, aimed at the `target`-th node (modulo the node count). */
export type Mutation =
  | { kind: 'drop'; target: number }
  | { kind: 'swap'; target: number; other: number }
  | { kind: 'replace'; target: number; value: unknown }
  | { kind: 'duplicate'; target: number; value: unknown }
  | { kind: 'nest'; target: number; depth: number }
  | { kind: 'rename'; target: number; key: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), target: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), target: fc.nat(), value: anyJson }),
  fc.record({ kind: fc.constant('duplicate' as const), target: fc.nat(), value: anyJson }),
  fc.record({ kind: fc.constant('nest' as const), target: fc.nat(), depth: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(100_000)) }),
  fc.record({
    kind: fc.constant('rename' as const),
    target: fc.nat(),
    key: fc.oneof(fc.constantFrom('item0', 'item01', 'item999999999999999999999', 'Item1', 'item1 ', '__proto__', 'constructor', 'source'), fc.string()),
  }),
);

/** A place in a document: the container and the key (or index) of a value in it. */
interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

function slots(value: unknown, into: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, k) => {
      into.push({ parent: value, key: k });
      slots(v, into);
    });
  } else if (value !== null && typeof value === 'object' && !(value instanceof RawNumber) && !(value instanceof Nested) && !(value instanceof Entries)) {
    for (const [k, v] of Object.entries(value)) {
      into.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, into);
    }
  }
  return into;
}

/** The document with the mutations applied in turn (a copy; the document is left as it was). */
export function mutate(document: unknown, mutations: readonly Mutation[]): unknown {
  const root = { doc: structuredClone(document) as unknown };
  for (const m of mutations) {
    const all = [{ parent: root as unknown as Record<string, unknown>, key: 'doc' }, ...slots(root.doc)];
    const slot = all[m.target % all.length]!;
    const get = (s: Slot): unknown => (s.parent as Record<string | number, unknown>)[s.key];
    const set = (s: Slot, v: unknown): void => void ((s.parent as Record<string | number, unknown>)[s.key] = v);
    switch (m.kind) {
      case 'drop':
        if (slot.parent === root) set(slot, undefined);
        else if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
        else delete slot.parent[slot.key as string];
        break;
      case 'swap': {
        const other = all[m.other % all.length]!;
        // Swapping a node with one inside it would make a cycle: swap only unrelated nodes.
        const a = get(slot);
        const b = get(other);
        if (contains(a, b) || contains(b, a)) break;
        set(slot, b);
        set(other, a);
        break;
      }
      case 'replace':
        set(slot, m.value);
        break;
      case 'nest':
        set(slot, new Nested(m.depth, get(slot)));
        break;
      case 'duplicate':
      case 'rename': {
        if (Array.isArray(slot.parent) || slot.parent === root) break;
        const parent = slot.parent;
        const entries: [string, unknown][] = Object.entries(parent).flatMap(([k, v]): [string, unknown][] => {
          if (k !== slot.key) return [[k, v]];
          // duplicate: the key twice, the generated value first (JSON.parse keeps the last, the original).
          return m.kind === 'duplicate'
            ? [
                [k, m.value],
                [k, v],
              ]
            : [[m.key, v]];
        });
        for (const k of Object.keys(parent)) delete parent[k];
        // Written as Entries: a plain object cannot hold a key twice, nor keep "__proto__" as data.
        replaceIn(root, parent, new Entries(entries));
        break;
      }
    }
  }
  return root.doc;
}

function contains(outer: unknown, inner: unknown): boolean {
  if (outer === inner) return true;
  if (outer === null || typeof outer !== 'object') return false;
  if (outer instanceof Nested) return contains(outer.inner, inner);
  if (outer instanceof Entries) return outer.entries.some(([, v]) => contains(v, inner));
  return Object.values(outer).some((v) => contains(v, inner));
}

function replaceIn(container: unknown, from: unknown, to: unknown): boolean {
  if (container === null || typeof container !== 'object') return false;
  if (container instanceof Nested) {
    if (container.inner === from) return (void ((container as { inner: unknown }).inner = to), true);
    return replaceIn(container.inner, from, to);
  }
  if (container instanceof Entries) {
    for (const entry of container.entries) {
      if (entry[1] === from) return (void (entry[1] = to), true);
      if (replaceIn(entry[1], from, to)) return true;
    }
    return false;
  }
  const record = container as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    if (record[k] === from) return (void (record[k] = to), true);
    if (replaceIn(record[k], from, to)) return true;
  }
  return false;
}

/** What happens to the bytes after the JSON text is written. */
export type ByteMutation =
  | { kind: 'none' }
  | { kind: 'bom'; times: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<ByteMutation>({ kind: 'none' }) },
  fc.record({ kind: fc.constant('bom' as const), times: fc.integer({ min: 1, max: 2 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    // Invalid UTF-8: a lone continuation byte, an overlong form, a cut multi-byte sequence, bytes never valid, a NUL.
    bytes: fc.oneof<fc.Arbitrary<number[]>[]>(
      fc.constantFrom<number[]>([0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0x00]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
);

/** The bytes of a file holding `text`, mutated. */
export function fileBytes(text: string, m: ByteMutation): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  switch (m.kind) {
    case 'none':
      return bytes;
    case 'bom':
      return Buffer.concat([...Array.from({ length: m.times }, () => Buffer.from([0xef, 0xbb, 0xbf])), bytes]);
    case 'insert': {
      const at = m.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    }
    case 'truncate':
      return bytes.subarray(0, m.at % (bytes.length + 1));
    case 'flip': {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[m.at % copy.length]! ^= 1 << m.bit;
      return copy;
    }
  }
}
