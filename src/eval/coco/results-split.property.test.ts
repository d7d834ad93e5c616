/**
 * A results file read on two threads (results-split.ts) reads exactly as on
 * one: for generated box, mask and keypoint files, with elements the fast path
 * declines, strings that hold the bytes of a boundary between results
 * (`}, {`), and broken elements or trailing bytes anywhere, every column is
 * the same, or both readings refuse the file with the same message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { KEYPOINT_VECTOR_LENGTH } from '../../schema/index.js';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { tempDir } from '../../testing/paths.js';
import type { CocoTask } from './params.js';
import { recordOf } from './records.js';
import { rleToString } from '../../mask/index.js';
import { type CocoResultsData, readCocoResults } from './results.js';
import { boundaryAfter, findBoundary, readResultsTail } from './results-tail.js';

let dir: string;
before(async () => (dir = await tempDir('df2-results-split-')));
after(async () => rm(dir, { recursive: true, force: true }));

/**
 * Text that goes inside a result object after its fields: mostly nothing (so
 * that many files are read by the second thread to their end), else fields
 * the loader skips, a string with a boundary's bytes, a duplicate key (the fast path declines it).
 */
const extra = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(', "id": 7') },
  { weight: 1, arbitrary: fc.constant(', "note": "a}, {\\"image_id\\": 2, \\"category_id\\": 1, \\"bbox\\": [1, 2, 3, 4], \\"score\\": 0.5}"') },
  { weight: 1, arbitrary: fc.constant(', "note": {"a": [1, {"b": "}, {"}]}') },
  { weight: 1, arbitrary: fc.constant(', "score": 0.25') },
);
/** An element that is not a good result: read by one thread or the other, the same refusal. */
const broken = fc.constantFrom(
  '{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": "high"}',
  '{"image_id": 1}',
  '7',
  '{"image_id": 1, "category_id": 2, "bbox": [1, 2, -3, 4], "score": 0.1}',
);
const number = fc.oneof(fc.integer({ min: 0, max: 900 }), fc.double({ min: 0, max: 900, noNaN: true }));

const boxText = fc
  .record({
    image: fc.integer({ min: 1, max: 9 }),
    category: fc.integer({ min: 1, max: 13 }),
    box: fc.array(number, { minLength: 4, maxLength: 4 }),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    extra,
  })
  .map((r) => `{"image_id": ${r.image}, "category_id": ${r.category}, "bbox": [${r.box.join(', ')}], "score": ${r.score}${r.extra}}`);
const keypointText = fc
  .record({
    image: fc.integer({ min: 1, max: 9 }),
    category: fc.integer({ min: 1, max: 13 }),
    at: fc.nat({ max: 290 }),
    x: number,
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    extra,
  })
  .map((r) => {
    const values = new Array<number>(KEYPOINT_VECTOR_LENGTH).fill(0);
    values[3 * r.at] = r.x;
    values[3 * r.at + 1] = r.x / 2;
    return `{"image_id":${r.image},"category_id":${r.category},"keypoints":[${values.join(',')}],"score":${r.score}${r.extra}}`;
  });

/** A mask result: a compressed RLE of a small image, sometimes a polygon (the fast path declines it: the loader refuses it in a file of mask results) or a string cut short. */
const maskText = fc
  .record({
    image: fc.integer({ min: 1, max: 9 }),
    category: fc.integer({ min: 1, max: 13 }),
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 9 }),
    cut: fc.nat(),
    form: fc.oneof({ weight: 30, arbitrary: fc.constant('rle') }, fc.constantFrom('polygon', 'short')),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    extra,
  })
  .map((r) => {
    const area = r.height * r.width;
    const first = r.cut % (area + 1);
    const counts = rleToString({ height: r.height, width: r.width, counts: Uint32Array.from([first, area - first]) });
    const segmentation =
      r.form === 'polygon'
        ? '[[1, 1, 4, 1, 4, 4]]'
        : `{"size": [${r.height}, ${r.width}], "counts": ${JSON.stringify(r.form === 'short' ? counts.slice(0, -1) : counts)}}`;
    return `{"image_id": ${r.image}, "category_id": ${r.category}, "segmentation": ${segmentation}, "score": ${r.score}${r.extra}}`;
  });

/** A file: results (some broken), any separators JSON allows, and sometimes bytes after the array. */
const file = (element: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.oneof({ weight: 60, arbitrary: element }, { weight: 1, arbitrary: broken }), { minLength: 1, maxLength: 40 }),
      fc.constantFrom(',', ', ', ',\n', ' ,\n  '),
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom('', '\n') }, fc.constantFrom(' x', ', {}')),
    )
    .map(([elements, comma, tail]) => `[${elements.join(comma)}]${tail}`);

type Reading = { columns: unknown[] } | { error: string };

function columnsOf(r: CocoResultsData): unknown[] {
  const landmarks = Array.from({ length: r.keypoints.first.length }, (_, i) => [r.keypoints.first[i], [...recordOf(r.keypoints.xy, i)]]);
  const masks = Array.from({ length: r.masks.height.length }, (_, i) => [
    r.masks.height[i],
    r.masks.width[i],
    [...recordOf(r.masks.runs, i)],
    [...r.masks.box.subarray(4 * i, 4 * i + 4)],
    r.masks.area[i],
  ]);
  return [r.kind, r.count, [...r.imageId], [...r.categoryId], [...r.score], [...r.area], [...r.bbox], landmarks, masks, [...r.maskSource], [...r.pendingMasks]];
}

async function reading(path: string, task: CocoTask, secondThreadFrom: number): Promise<Reading> {
  try {
    return { columns: columnsOf(await readCocoResults(path, { tasks: [task], secondThreadFrom, secondThreadSplit: 'middle' })) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

let fileNumber = 0;
describe('results read on two threads', { timeout: fuzzTimeout() }, () => {
  for (const [kind, task, element] of [
    ['box', 'bbox', boxText],
    ['keypoint', 'keypoints', keypointText],
    ['mask', 'segm', maskText],
    ['mask', 'bbox', maskText],
  ] as const) {
    test(`${kind} results for the ${task} task: the same columns or the same refusal as on one thread`, async () => {
      await checkProperty(
        fc.asyncProperty(file(element), async (text) => {
          const path = join(dir, `r${fileNumber++}.json`);
          await writeFile(path, text);
          const two = await reading(path, task, 0);
          const one = await reading(path, task, Infinity);
          assert.deepEqual(two, one);
        }),
        kind === 'box' ? 60 : 30,
      );
    });
  }

  test('the second half is read from the first result after the middle, to the end', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `{"image_id": ${1 + (i % 7)}, "category_id": 1, "bbox": [${i}, 2, 3, 4], "score": 0.${i + 100}}`);
    const text = `[${texts.join(', ')}]\n`;
    const path = join(dir, 'even.json');
    await writeFile(path, text);
    const from = Math.floor(text.length / 2);
    const start = from + findBoundary(Buffer.from(text.slice(from)));
    // The boundary is the first result that starts after a '}' at or past the middle.
    const first = texts.findIndex((t) => text.indexOf(t) > from && text.lastIndexOf('}', text.indexOf(t)) >= from);
    assert.ok(first > 0);
    assert.equal(start, text.indexOf(texts[first]!));
    const half = await readResultsTail({
      file: path,
      start,
      size: Buffer.byteLength(text),
      read: { kind: 'box', keepKeypoints: false, keepMasks: false, keepBoxes: true },
    });
    assert.ok(half);
    assert.equal(half.count, 200 - first);
    assert.deepEqual([...half.bbox.subarray(0, 4)], [first, 2, 3, 4]);
    const whole = await readCocoResults(path, { tasks: ['bbox'], secondThreadFrom: 0, secondThreadSplit: 'middle' });
    assert.deepEqual(columnsOf(whole), columnsOf(await readCocoResults(path, { tasks: ['bbox'], secondThreadFrom: Infinity })));
  });

  test('by default the other thread splits what the first reader has left when it begins, and says where', async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `{"image_id": ${1 + (i % 7)}, "category_id": 1, "bbox": [${i}, 2, 3, 4], "score": 0.${i + 1000}}`);
    const text = `[${texts.join(', ')}]\n`;
    const path = join(dir, 'rest.json');
    await writeFile(path, text);
    const size = Buffer.byteLength(text);
    const read = { kind: 'box', keepKeypoints: false, keepMasks: false, keepBoxes: true } as const;
    // The first reader is 40 KiB in: the second half begins at the first result after the middle of the rest.
    const progressKib = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(progressKib, 0, 40);
    const expected = boundaryAfter(path, 40 * 1024 + Math.floor((size - 40 * 1024) / 2));
    assert.ok(expected > (size + 40 * 1024) / 2 - 200 && expected < size);
    const said: number[] = [];
    const half = await readResultsTail({ file: path, start: { progressKib }, size, read }, (start) => said.push(start));
    assert.deepEqual(said, [expected]);
    assert.ok(half);
    const first = texts.findIndex((t) => text.indexOf(t) === expected);
    assert.equal(half.count, texts.length - first);
    // Whenever the other thread begins (before this one has read anything, or after it is done), the same columns.
    const one = columnsOf(await readCocoResults(path, { tasks: ['bbox'], secondThreadFrom: Infinity }));
    for (let run = 0; run < 5; run++) assert.deepEqual(columnsOf(await readCocoResults(path, { tasks: ['bbox'], secondThreadFrom: 0 })), one);
  });
});
