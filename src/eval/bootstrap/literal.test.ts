/**
 * A resample's figures against the spec taken literally: the resampled
 * ground truth and results written out (image j a copy of the drawn image
 * with id j, fresh annotation ids) and evaluated from scratch. Random tiny
 * cases with scores tied across images (so the new ids decide the order),
 * more detections than maxDets 1 keeps, and a ground truth with id 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cocoGt, evaluateJson, writeJson, type TinyAnnotation } from '../coco/tiny-cases.js';
import { loadCocoPair } from '../coco/load.js';
import { tempDir } from '../../testing/paths.js';
import { prepareBootstrap } from './prepare.js';
import { resampleFigures } from './resample.js';

interface Case {
  images: number;
  gts: { image: number; category: number; box: [number, number, number, number] }[];
  /** `near`: a ground truth whose box the detection takes, moved by `shift` (so that matches are common). */
  dets: { image: number; category: number; box: [number, number, number, number]; score: number; near: number; shift: number }[];
  zeroId: boolean;
  draw: number[];
}

const box = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 5, max: 40 }), fc.integer({ min: 5, max: 40 }));

const caseArb = fc.integer({ min: 1, max: 6 }).chain((images) =>
  fc.record({
    images: fc.constant(images),
    gts: fc.array(fc.record({ image: fc.integer({ min: 1, max: images }), category: fc.integer({ min: 1, max: 2 }), box }), { maxLength: 10 }),
    dets: fc.array(
      fc.record({
        image: fc.integer({ min: 1, max: images }),
        category: fc.integer({ min: 1, max: 2 }),
        box,
        score: fc.constantFrom(0.3, 0.5, 0.9),
        near: fc.integer({ min: -1, max: 9 }),
        shift: fc.integer({ min: 0, max: 6 }),
      }),
      { maxLength: 16 },
    ),
    zeroId: fc.boolean(),
    draw: fc.array(fc.integer({ min: 1, max: images }), { minLength: images, maxLength: images }),
  }),
);

test('a resample equals the evaluation of the resampled files', async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c: Case) => {
      const imageList = Array.from({ length: c.images }, (_, i) => ({ id: i + 1 }));
      const annotations: TinyAnnotation[] = c.gts.map((g, i) => ({
        image_id: g.image,
        category_id: g.category,
        bbox: g.box,
        ...(c.zeroId && i === 0 && { id: 0 }),
      }));
      const results = c.dets.map((d) => {
        const g = c.gts[d.near];
        if (!g) return { image_id: d.image, category_id: d.category, bbox: d.box, score: d.score };
        return { image_id: g.image, category_id: g.category, bbox: [g.box[0] + d.shift, g.box[1], g.box[2], g.box[3]], score: d.score };
      });
      const dir = await tempDir('df2-boot-');
      const { gt, results: loaded } = await loadCocoPair(
        'bbox',
        await writeJson(cocoGt(imageList, annotations), 'gt.json', dir),
        await writeJson(results, 'r.json', dir),
      );
      const figures = resampleFigures(prepareBootstrap('bbox', gt, loaded), c.draw, true);

      // The spec, literally.
      const resampledGt: TinyAnnotation[] = [];
      const resampledResults: typeof results = [];
      c.draw.forEach((source, j) => {
        for (const a of annotations) if (a.image_id === source) resampledGt.push({ ...a, image_id: j + 1, id: resampledGt.length + 1 });
        for (const r of results) if (r.image_id === source) resampledResults.push({ ...r, image_id: j + 1 });
      });
      const expected = await evaluateJson(
        'bbox',
        cocoGt(
          c.draw.map((_, j) => ({ id: j + 1 })),
          resampledGt,
        ),
        resampledResults,
      );
      expected.stats.forEach((v, i) => assert.ok(Math.abs(figures.stats[i]! - v) <= 1e-12, `stats[${i}]: ${figures.stats[i]} vs ${v}`));
      expected.perCategoryAp.forEach((c, k) => assert.ok(Math.abs(figures.perCategoryAp[k]! - c.ap) <= 1e-12, `AP of category ${c.categoryId}`));
    }),
    { numRuns: 40, seed: 24 },
  );
});
