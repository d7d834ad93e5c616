/**
 * The accumulation of a resample (blocks of true or false positives weighed
 * by prefix sums, runs of equal scores reordered only where they mix codes,
 * recall at the smaller maxDets from the cut counts) against the plain
 * evaluation of the resampled files, written out as the spec says (image j
 * a copy of the drawn image with id j). Generated cases lean on what the
 * shortcuts must get right: scores from a handful of values (runs of equal
 * scores within and across images, all true, all false or mixed), images
 * with more detections than maxDets 1 and 10 keep, boxes in every area
 * range, crowd ground truth (ignored detections), and images drawn several
 * times or not at all. One accumulator serves several draws of a case, as
 * in a bootstrap.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { tempDir } from '../../testing/paths.js';
import { evaluateLoaded } from '../coco/evaluate.js';
import { loadCocoPair } from '../coco/load.js';
import { cocoGt, type TinyAnnotation } from '../coco/tiny-cases.js';
import { prepareBootstrap } from './prepare.js';
import { ResampleAccumulator, imageRanks } from './resample.js';

type Box = [number, number, number, number];

interface Case {
  images: number;
  gts: { image: number; category: number; box: Box; crowd: boolean }[];
  /** `near`: the index of a ground truth whose box the detection takes, moved by `shift` (matches at various IoUs), or -1. */
  dets: { image: number; category: number; box: Box; score: number; near: number; shift: number }[];
  /** Each a list of drawn image ids (1-based), as long as the number of images. */
  draws: number[][];
}

const SIZE = 200;

/** Boxes from 6x6 (area 'small') to 150x150 (area 'large'), inside the image. */
const box: fc.Arbitrary<Box> = fc
  .tuple(fc.integer({ min: 0, max: SIZE - 10 }), fc.integer({ min: 0, max: SIZE - 10 }), fc.integer({ min: 6, max: 150 }), fc.integer({ min: 6, max: 150 }))
  .map(([x, y, w, h]) => [x, y, Math.min(w, SIZE - x), Math.min(h, SIZE - y)]);

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 5 }).chain((images) =>
  fc.record({
    images: fc.constant(images),
    gts: fc.array(
      fc.record({
        image: fc.integer({ min: 1, max: images }),
        category: fc.integer({ min: 1, max: 2 }),
        box,
        crowd: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      }),
      { maxLength: 14 },
    ),
    dets: fc.array(
      fc.record({
        // Skewed towards image 1, so that it often has more detections than maxDets 10 keeps.
        image: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: images })),
        category: fc.integer({ min: 1, max: 2 }),
        box,
        score: fc.constantFrom(0.2, 0.5, 0.5, 0.7, 0.9),
        near: fc.integer({ min: -1, max: 13 }),
        shift: fc.integer({ min: 0, max: 20 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    draws: fc.array(fc.array(fc.integer({ min: 1, max: images }), { minLength: images, maxLength: images }), { minLength: 1, maxLength: 3 }),
  }),
);

let dir: string;
let fileCount = 0;
before(async () => {
  dir = await tempDir('df2-resample-fuzz-');
});

async function writeAndLoad(gt: unknown, results: unknown): Promise<Awaited<ReturnType<typeof loadCocoPair>>> {
  const n = fileCount++;
  const gtFile = join(dir, `gt-${n}.json`);
  const resultsFile = join(dir, `results-${n}.json`);
  await writeFile(gtFile, JSON.stringify(gt));
  await writeFile(resultsFile, JSON.stringify(results));
  return loadCocoPair('bbox', gtFile, resultsFile, { useWorker: false });
}

describe('bootstrap accumulation against the resampled files', { timeout: fuzzTimeout() }, () => {
  test('every figure of every draw equals the plain evaluation of the resampled files', async () => {
    await checkProperty(
      fc.asyncProperty(caseArb, async (c) => {
        const imageList = Array.from({ length: c.images }, (_, i) => ({ id: i + 1, width: SIZE, height: SIZE }));
        const annotations: TinyAnnotation[] = c.gts.map((g) => ({ image_id: g.image, category_id: g.category, bbox: g.box, iscrowd: g.crowd ? 1 : 0 }));
        const results = c.dets.map((d) => {
          const g = c.gts[d.near];
          if (!g) return { image_id: d.image, category_id: d.category, bbox: d.box, score: d.score };
          return { image_id: g.image, category_id: g.category, bbox: [g.box[0] + d.shift, g.box[1], g.box[2], g.box[3]], score: d.score };
        });
        const { gt, results: loaded } = await writeAndLoad(cocoGt(imageList, annotations), results);
        const prepared = prepareBootstrap('bbox', gt, loaded);
        const accumulator = new ResampleAccumulator(prepared);
        for (const draw of c.draws) {
          const figures = accumulator.figures(imageRanks(prepared.imageIds, draw), true);
          // The spec, literally: image j + 1 is a copy of image draw[j], annotations in the same order.
          const resampledGt: TinyAnnotation[] = [];
          const resampledResults: typeof results = [];
          draw.forEach((source, j) => {
            for (const a of annotations) if (a.image_id === source) resampledGt.push({ ...a, image_id: j + 1 });
            for (const r of results) if (r.image_id === source) resampledResults.push({ ...r, image_id: j + 1 });
          });
          if (resampledResults.length === 0) {
            // No drawn image has a detection: a results file the release refuses; every figure is 0 (or -1 without ground truth).
            for (const v of [...figures.stats, ...figures.perCategoryAp])
              assert.ok(v === 0 || v === -1, `draw ${JSON.stringify(draw)} without detections: ${v}`);
            continue;
          }
          const copies = draw.map((_, j) => ({ id: j + 1, width: SIZE, height: SIZE }));
          const plain = await writeAndLoad(cocoGt(copies, resampledGt), resampledResults);
          const expected = evaluateLoaded('bbox', plain.gt, plain.results, { quiet: true, matches: false });
          expected.stats.forEach((v, i) =>
            assert.ok(Math.abs(figures.stats[i]! - v) <= 1e-12, `draw ${JSON.stringify(draw)}, stats[${i}]: ${figures.stats[i]} vs ${v}`),
          );
          expected.perCategoryAp.forEach((p, k) =>
            assert.ok(Math.abs(figures.perCategoryAp[k]! - p.ap) <= 1e-12, `draw ${JSON.stringify(draw)}, AP of category ${p.categoryId}`),
          );
        }
      }),
      60,
      0.1,
    );
  });
});
