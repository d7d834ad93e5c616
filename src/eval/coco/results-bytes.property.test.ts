/**
 * Results read from their bytes (the flat-object fast path) equal results
 * read through JSON.parse: for generated box and keypoint files whose
 * numbers are written in any form JSON allows, every column (ids, scores,
 * boxes, areas, landmarks, -0 included) is what JSON.parse's values give by
 * the loader's rules; and a file that mixes elements the fast path declines
 * (extra nested fields, a duplicate key, a second image id spelled with an
 * escape) reads the same way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Rle, rleArea, rleFromString, rleToBbox, rleToString } from '../../mask/index.js';
import { KEYPOINT_VECTOR_LENGTH, TOTAL_LANDMARKS } from '../../schema/index.js';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { tempDir } from '../../testing/paths.js';
import { landmarksOf } from './landmark-windows.js';
import { maskOf } from './mask-store.js';
import type { CocoTask } from './params.js';
import { type CocoResultsData, readCocoResults } from './results.js';

let dir: string;
before(async () => (dir = await tempDir('df2-results-bytes-')));
after(async () => rm(dir, { recursive: true, force: true }));

/** A number and a JSON text of it: plain, with exponent, with trailing zeros, -0. */
const spelled = (v: fc.Arbitrary<number>): fc.Arbitrary<[number, string]> =>
  fc.tuple(v, fc.nat({ max: 3 })).map(([x, form]): [number, string] => {
    const plain = JSON.stringify(x);
    if (form === 1) return [x, x.toExponential()];
    if (form === 2 && Number.isInteger(x)) return [x, `${plain}.000000000000000000`];
    if (form === 3 && x === 0) return [-0, '-0'];
    return [x, plain];
  });
const coordinate = spelled(fc.oneof(fc.constant(0), fc.double({ min: -50, max: 900, noNaN: true }), fc.integer({ min: 0, max: 800 })));
const positive = spelled(fc.oneof(fc.double({ min: 0, max: 500, noNaN: true }), fc.integer({ min: 0, max: 500 })));

/** Fields the loader does not read, and a duplicate score (JSON.parse keeps the last): the fast path declines some of these. */
const extra = fc.constantFrom('', ', "id": 7', ', "note": {"a": [1, {"b": null}]}', ', "score": 0.25', ', "area": 1e400');
/** Box results may also carry a segmentation (detectron2 writes both): a kept box result reads it only for segm. */
const boxExtra = fc.oneof(extra, fc.constant(', "segmentation": [[1, 2, 3, 4, 5, 6]]'));

const boxResult = fc.record({
  image: fc.integer({ min: 1, max: 9 }),
  category: fc.integer({ min: 1, max: 13 }),
  score: spelled(fc.double({ min: 0, max: 1, noNaN: true })),
  box: fc.tuple(coordinate, coordinate, positive, positive),
  extra: boxExtra,
});
type Spelled = [number, string];
interface BoxResult {
  image: number;
  category: number;
  score: Spelled;
  box: [Spelled, Spelled, Spelled, Spelled];
  extra: string;
}
interface KeypointResult {
  image: number;
  category: number;
  score: Spelled;
  keypoints: Spelled[];
  extra: string;
}

/** A keypoint vector: zeros except a run of set positions (as a garment's), or anything. */
const keypointVector = fc
  .tuple(fc.nat({ max: TOTAL_LANDMARKS - 1 }), fc.nat({ max: 40 }), fc.array(coordinate, { minLength: 80, maxLength: 80 }), fc.boolean())
  .map(([from, n, values, stray]) => {
    const list: [number, string][] = Array.from({ length: KEYPOINT_VECTOR_LENGTH }, () => [0, '0']);
    for (let k = from; k < Math.min(TOTAL_LANDMARKS, from + n); k++) {
      list[3 * k] = values[(2 * k) % 80]!;
      list[3 * k + 1] = values[(2 * k + 1) % 80]!;
      list[3 * k + 2] = [2, '2'];
    }
    if (stray) list[3 * (TOTAL_LANDMARKS - 1) + 1] = [-0, '-0'];
    return list;
  });
const keypointResult = fc.record({
  image: fc.integer({ min: 1, max: 9 }),
  category: fc.integer({ min: 1, max: 13 }),
  score: spelled(fc.double({ min: 0, max: 1, noNaN: true })),
  keypoints: keypointVector,
  extra,
});

/** A mask of up to 24 x 24 pixels as runs (zero-length ones too), written as a compressed RLE; `escaped` writes its first character as a \u escape. */
const compressedRle = fc
  .tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean())
  .map(([height, width, cuts, escaped]) => {
    const points = [0, ...cuts.map((c) => c % (height * width + 1)).sort((a, b) => a - b), height * width];
    const rle: Rle = { height, width, counts: Uint32Array.from(points.slice(1).map((p, k) => p - points[k]!)) };
    const counts = rleToString(rle);
    const written = escaped ? `"\\u${counts.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(counts.slice(1)).slice(1)}` : JSON.stringify(counts);
    return { text: `{"size": [${height}, ${width}], "counts": ${written}}`, counts, height, width };
  });
const maskResult = fc.record({
  image: fc.integer({ min: 1, max: 9 }),
  category: fc.integer({ min: 1, max: 13 }),
  score: spelled(fc.double({ min: 0, max: 1, noNaN: true })),
  mask: compressedRle,
  /** No box, an empty one (both: the mask's), or a given one. */
  box: fc.oneof(fc.constant(null), fc.constant([]), fc.tuple(coordinate, coordinate, positive, positive)),
  extra,
});
type MaskResult = typeof maskResult extends fc.Arbitrary<infer T> ? T : never;

function maskText(r: MaskResult): string {
  const box = r.box === null ? '' : `, "bbox": [${r.box.map(([, t]) => t).join(', ')}]`;
  return `{"image_id": ${r.image}, "category_id": ${r.category}, "segmentation": ${r.mask.text}${box}, "score": ${r.score[1]}${r.extra}}`;
}

function boxText(r: BoxResult): string {
  return `{"image_id": ${r.image}, "category_id": ${r.category}, "bbox": [${r.box.map(([, t]) => t).join(', ')}], "score": ${r.score[1]}${r.extra}}`;
}
function keypointText(r: KeypointResult): string {
  return `{"image_id":${r.image},"category_id":${r.category},"keypoints":[${r.keypoints.map(([, t]) => t).join(',')}],"score":${r.score[1]}${r.extra}}`;
}

let fileNumber = 0;
async function writeResults(texts: string[]): Promise<string> {
  const file = join(dir, `r${fileNumber++}.json`);
  await writeFile(file, `[${texts.join(',\n')}]`);
  return file;
}

const same = (a: number, b: number, what: string): void => assert.ok(Object.is(a, b), `${what}: read ${a}, expected ${b}`);
/** Result i's mask as kept for the segm task (a copy of its runs). */
const keptMask = (read: CocoResultsData, i: number): Rle => {
  const mask = maskOf(read.masks, i);
  return { height: mask.height, width: mask.width, counts: Uint32Array.from(mask.counts) };
};

describe('results read from their bytes', { timeout: fuzzTimeout() }, () => {
  test('box results: every column as JSON.parse gives it', async () => {
    await checkProperty(
      fc.asyncProperty(fc.array(boxResult, { minLength: 1, maxLength: 12 }), async (list) => {
        const texts = list.map(boxText);
        const file = await writeResults(texts);
        const read = await readCocoResults(file, { tasks: ['bbox'] });
        const parsed = texts.map((t) => JSON.parse(t) as { image_id: number; category_id: number; score: number; bbox: number[] });
        assert.equal(read.count, parsed.length);
        parsed.forEach((p, i) => {
          same(read.imageId[i]!, p.image_id, `[${i}].image_id`);
          same(read.categoryId[i]!, p.category_id, `[${i}].category_id`);
          same(read.score[i]!, p.score, `[${i}].score`);
          for (let j = 0; j < 4; j++) same(read.bbox[4 * i + j]!, p.bbox[j]!, `[${i}].bbox[${j}]`);
          same(read.area[i]!, p.bbox[2]! * p.bbox[3]!, `[${i}] area`);
        });
      }),
      60,
    );
  });

  test("mask results: masks, areas and boxes (given or the mask's) as JSON.parse and rleFromString give them, for each task", async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.array(maskResult, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<CocoTask[]>(['segm'], ['bbox'], ['bbox', 'segm']),
        async (list, tasks) => {
          // A first result with a box would make it a file of box results (the loader's rule).
          const texts = list.map((r, i) => maskText(i === 0 ? { ...r, box: null } : r));
          const file = await writeResults(texts);
          const read = await readCocoResults(file, { tasks });
          list.forEach((r, i) => {
            const p = JSON.parse(texts[i]!) as { score: number; segmentation: { counts: string }; bbox?: number[] };
            same(read.score[i]!, p.score, `[${i}].score`);
            const rle = rleFromString(p.segmentation.counts, r.mask.height, r.mask.width);
            same(read.area[i]!, rleArea(rle), `[${i}] area`);
            const box = p.bbox && p.bbox.length > 0 ? p.bbox : tasks.includes('bbox') ? rleToBbox(rle) : [NaN, NaN, NaN, NaN];
            for (let j = 0; j < 4; j++) same(read.bbox[4 * i + j]!, box[j]!, `[${i}].bbox[${j}]`);
            if (tasks.includes('segm')) assert.deepEqual(keptMask(read, i), rle, `[${i}] mask`);
          });
        },
      ),
      60,
    );
  });

  test('box results with a compressed RLE segmentation (as detectron2 writes them): the segm task keeps the mask', async () => {
    const boxWithMask = fc.tuple(boxResult, compressedRle).map(([r, mask]) => ({ ...r, extra: `, "segmentation": ${mask.text}`, mask }));
    await checkProperty(
      fc.asyncProperty(fc.array(boxWithMask, { minLength: 1, maxLength: 8 }), async (list) => {
        const file = await writeResults(list.map(boxText));
        const read = await readCocoResults(file, { tasks: ['segm'] });
        list.forEach((r, i) => {
          same(read.area[i]!, r.box[2][0] * r.box[3][0], `[${i}] area (the box's)`);
          assert.deepEqual(keptMask(read, i), rleFromString(r.mask.counts, r.mask.height, r.mask.width), `[${i}] mask`);
        });
      }),
      40,
    );
  });

  test('keypoint results: landmarks (by window), boxes and areas as JSON.parse gives them', async () => {
    await checkProperty(
      fc.asyncProperty(fc.array(keypointResult, { minLength: 1, maxLength: 5 }), async (list) => {
        const texts = list.map(keypointText);
        const file = await writeResults(texts);
        const read = await readCocoResults(file, { tasks: ['keypoints'] });
        const parsed = texts.map((t) => JSON.parse(t) as { score: number; keypoints: number[] });
        parsed.forEach((p, i) => {
          same(read.score[i]!, p.score, `[${i}].score`);
          const xy = landmarksOf(read.keypoints, i);
          const xs: number[] = [];
          const ys: number[] = [];
          for (let k = 0; k < TOTAL_LANDMARKS; k++) {
            same(xy[2 * k]!, p.keypoints[3 * k]!, `[${i}] x of ${k}`);
            same(xy[2 * k + 1]!, p.keypoints[3 * k + 1]!, `[${i}] y of ${k}`);
            xs.push(p.keypoints[3 * k]!);
            ys.push(p.keypoints[3 * k + 1]!);
          }
          const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
          same(read.area[i]!, (x1 - x0) * (y1 - y0), `[${i}] area`);
        });
      }),
      30,
    );
  });
});
