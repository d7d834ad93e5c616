import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tempDir } from '../testing/paths.js';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readJsonFile, streamJson } from './stream.js';
import { InputError } from '../util/errors.js';

async function tmpFile(content: string): Promise<string> {
  const dir = await tempDir('df2-json-');
  const file = join(dir, 'f.json');
  await writeFile(file, content);
  return file;
}

async function collect(file: string, chunkBytes?: number) {
  const elements: [string | null, number, unknown][] = [];
  const values: [string, unknown][] = [];
  const summary = await streamJson(file, { onElement: (k, i, v) => elements.push([k, i, v]), onValue: (k, v) => values.push([k, v]) }, { chunkBytes });
  return { elements, values, summary };
}

const doc = {
  info: { note: 'a "quoted" \\ value ] }', n: 1 },
  images: [{ id: 1, file_name: '000001.jpg' }, { id: 2 }],
  annotations: [{ id: 1, bbox: [1.5, 2, 3e2, -4.25e-3], s: 'x]}[{"' }, 7, 'str', null, true, [[1, 2], []]],
  empty: [],
  count: 12,
};

test('streams elements of every array under a top-level object, at any chunk size', async () => {
  const file = await tmpFile(JSON.stringify(doc, null, 1));
  for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
    const { elements, values, summary } = await collect(file, chunk);
    assert.deepEqual(
      values,
      [
        ['info', doc.info],
        ['count', 12],
      ],
      `chunk ${chunk}`,
    );
    assert.deepEqual(
      elements.filter((e) => e[0] === 'images').map((e) => e[2]),
      doc.images,
    );
    assert.deepEqual(
      elements.filter((e) => e[0] === 'annotations').map((e) => e[2]),
      doc.annotations,
    );
    assert.deepEqual(
      elements.filter((e) => e[0] === 'annotations').map((e) => e[1]),
      [0, 1, 2, 3, 4, 5],
    );
    assert.equal(summary.topLevel, 'object');
    assert.deepEqual(summary.keys, ['info', 'images', 'annotations', 'empty', 'count']);
    assert.equal(summary.counts.get('empty'), 0);
  }
});

test('streams a top-level array, numbers parsed exactly as JSON.parse does', async () => {
  // eslint-disable-next-line no-loss-of-precision -- the test is that the reader rounds such literals exactly as JSON.parse does
  const arr = [0.1, 1e-7, 123456789.123456789, -0, 5e-324, 1.7976931348623157e308, 'é€😀', { a: [] }];
  const file = await tmpFile(JSON.stringify(arr));
  for (const chunk of [1, 5, 4096]) {
    const { elements, summary } = await collect(file, chunk);
    assert.deepEqual(
      elements.map((e) => e[2]),
      JSON.parse(JSON.stringify(arr)),
    );
    assert.ok(elements.every((e) => e[0] === null));
    assert.equal(summary.topLevel, 'array');
    assert.equal(summary.counts.get(''), arr.length);
  }
});

test('empty array and white space with a byte order mark', async () => {
  const { elements, summary } = await collect(await tmpFile('\ufeff  [ ]\n'));
  assert.deepEqual(elements, []);
  assert.equal(summary.counts.get(''), 0);
});

async function rejects(content: string, pattern: RegExp): Promise<void> {
  const file = await tmpFile(content);
  await assert.rejects(collect(file, 3), (err: unknown) => {
    assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(file));
    return true;
  });
}

test('reports malformed and truncated input with the entry', async () => {
  await rejects('[{"a": 1}, {"a": 2', /\[1\].*truncated/);
  await rejects('{"annotations": [1, 2, {"x": nan}]}', /annotations\[2\]: expected valid JSON/);
  await rejects('[1 2]', /after \[0\].*expected ',' or '\]', found "2"/);
  await rejects('', /expected a JSON array or object, found an empty file/);
  await rejects('"just a string"', /expected a JSON array or object/);
  await rejects('[1] x', /expected the end of the file/);
  await rejects('{"a" 1}', /expected ':'/);
  await rejects('[1,,2]', /expected a value/);
  // Found by the property suite (coco-files.property.test.ts): a control character inside a top-level key escaped as a SyntaxError.
  await rejects('{"\u0000":{}}', /expected a valid JSON string as a key, found Bad control character/);
  await rejects('{"a\\x": []}', /expected a valid JSON string as a key, found Bad escaped character/);
});

test('reports a missing file', async () => {
  await assert.rejects(streamJson('/nonexistent/df2.json', { onElement() {} }), /nonexistent\/df2.json: expected a readable file, found ENOENT/);
});

test('a compressed file is named as such, streamed or read whole', async () => {
  const dir = await tempDir('df2-json-');
  const cases: [name: string, bytes: Uint8Array, line: string][] = [
    ['r.json.gz', gzipSync('[{"a": 1}]'), 'gzip-compressed data (decompress it first, e.g. with gunzip)'],
    ['r.json.bz2', Buffer.from('BZh91AY&SY'), 'bzip2-compressed data (decompress it first, e.g. with bunzip2)'],
    ['r.zip', Buffer.from('PK\x03\x04\x14\x00', 'latin1'), 'zip-compressed data (decompress it first, e.g. with unzip)'],
  ];
  for (const [name, bytes, found] of cases) {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const expected = `${file}: expected a JSON file, found ${found}`;
    await assert.rejects(streamJson(file, { onElement: () => {} }), (err: unknown) => err instanceof InputError && err.message === expected);
    await assert.rejects(readJsonFile(file), (err: unknown) => err instanceof InputError && err.message === expected);
  }
});

test('a value longer than a chunk: escaped quotes, backslash runs and multi-byte characters across every chunk boundary', async () => {
  const values = [
    { s: 'a\\"b\\\\"c\\\\\\"d\\\\\\\\', t: 'é🙂"ü\\' },
    ['\\', '\\\\', '"', '\\"', 'x'.repeat(40), 'ß'],
    '\\\\\\"]}[{',
    123.456e-7,
    { deep: [[[{ k: '\\' }]]] },
  ];
  const file = await tmpFile(JSON.stringify({ head: values[2], list: values }));
  for (let chunk = 1; chunk <= 17; chunk++) {
    const { elements, values: top } = await collect(file, chunk);
    assert.deepEqual(
      elements.map((e) => e[2]),
      values,
      `chunk ${chunk}`,
    );
    assert.deepEqual(top, [['head', values[2]]], `chunk ${chunk}`);
  }
});

/** Every byte of buffer allocated (Buffer.allocUnsafe) or joined (Buffer.concat) while `run` runs. */
async function bufferBytes(run: () => Promise<void>): Promise<number> {
  const saved = { concat: Object.getOwnPropertyDescriptor(Buffer, 'concat')!, allocUnsafe: Object.getOwnPropertyDescriptor(Buffer, 'allocUnsafe')! };
  const concat = Buffer.concat.bind(Buffer);
  const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
  let bytes = 0;
  Buffer.concat = (list: readonly Uint8Array[], totalLength?: number): Buffer<ArrayBuffer> => {
    const joined = concat(list, totalLength);
    bytes += joined.length;
    return joined;
  };
  Buffer.allocUnsafe = (n: number): Buffer<ArrayBuffer> => {
    bytes += n;
    return allocUnsafe(n);
  };
  try {
    await run();
  } finally {
    Object.defineProperty(Buffer, 'concat', saved.concat);
    Object.defineProperty(Buffer, 'allocUnsafe', saved.allocUnsafe);
  }
  return bytes;
}

test('a small file is read through buffers of about its size, not the 24 MiB a large one is read through', async () => {
  const small = await tmpFile(JSON.stringify(doc));
  let read: Awaited<ReturnType<typeof collect>> | undefined;
  const smallBytes = await bufferBytes(async () => {
    read = await collect(small);
  });
  assert.equal(read!.elements.length, 8);
  assert.ok(smallBytes <= 3 * (64 << 10), `${smallBytes} bytes of buffers to read a file of ${JSON.stringify(doc).length}`);
  // A file past the smallest buffer: read whole with the default chunk, through buffers of a few times its size.
  const items = Array.from({ length: 30_000 }, (_, i) => ({ id: i, s: 'x'.repeat(i % 7) }));
  const large = await tmpFile(JSON.stringify(items));
  const largeBytes = await bufferBytes(async () => {
    read = await collect(large);
  });
  assert.deepEqual(
    read!.elements.map((e) => e[2]),
    items,
  );
  const size = JSON.stringify(items).length;
  assert.ok(size > 64 << 10 && largeBytes <= 3 * (size + 1), `${largeBytes} bytes of buffers to read a file of ${size}`);
});

test('an element longer than a chunk costs buffers of a few times its size, not one per chunk', async () => {
  const size = 4 << 20;
  const chunkBytes = 64 << 10;
  const file = await tmpFile(`[{"image_id":1,"counts":"${'abcdefgh'.repeat(size / 8)}"},{"image_id":2}]`);
  let elements: { counts?: string }[] = [];
  const bytes = await bufferBytes(async () => {
    elements = (await collect(file, chunkBytes)).elements.map((e) => e[2] as { counts?: string });
  });
  assert.equal(elements.length, 2);
  assert.equal(elements[0]!.counts!.length, size);
  // The buffer doubles as the element outgrows it: about 4x its size in all. A new buffer per chunk, each
  // holding the element so far, would be about 130 MB (32x) here.
  assert.ok(bytes < 4.5 * size, `${bytes} bytes of buffers to read an element of ${size}`);
});

test('a file read whole (the default up to 32 MiB) gives what a chunked read gives, and a small file costs buffers of its size', async () => {
  const items = Array.from({ length: 3000 }, (_, i) => ({ image_id: i, bbox: [i, i / 3, 2 * i, 1e-7 * i], s: `x]}[{"${i}` }));
  const file = await tmpFile(JSON.stringify(items));
  const saved = Object.getOwnPropertyDescriptor(Buffer, 'allocUnsafe')!;
  const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
  let bytes = 0;
  Buffer.allocUnsafe = (n: number): Buffer<ArrayBuffer> => {
    bytes += n;
    return allocUnsafe(n);
  };
  let whole: Awaited<ReturnType<typeof collect>>;
  try {
    whole = await collect(file);
  } finally {
    Object.defineProperty(Buffer, 'allocUnsafe', saved);
  }
  const chunked = await collect(file, 4096);
  assert.deepEqual(whole.elements, chunked.elements);
  assert.deepEqual(whole.summary, chunked.summary);
  assert.equal(whole.elements.length, 3000);
  const size = Buffer.byteLength(JSON.stringify(items));
  assert.ok(bytes <= size + (64 << 10), `${bytes} bytes of buffers for a file of ${size}`);
  // A truncated file is named the same way on both paths.
  const cut = await tmpFile(JSON.stringify(items).slice(0, -40));
  const messages = await Promise.all(
    [undefined, 4096].map((chunk) =>
      collect(cut, chunk).then(
        () => 'read',
        (err: Error) => err.message,
      ),
    ),
  );
  assert.match(messages[0]!, /truncated/);
  assert.equal(messages[0], messages[1]);
});
