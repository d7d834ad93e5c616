/**
 * Metamorphic properties of the COCO evaluation (bbox and segm) on small
 * generated cases: changes that must not move a figure (result order, id
 * renumbering, a monotone map of the scores, an image taken out of both
 * files), a perfect result that scores 1, and a detection added below all
 * others that lowers no precision reached before it.
 *
 * Every score of a case is distinct: the official API sorts detections by
 * score with a stable sort, so ties keep file order and a permutation of
 * tied results may legitimately change the figures.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { rleFromBox, rleToString } from '../../mask/index.js';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { tempDir } from '../../testing/paths.js';
import { evaluateLoaded, type CocoEvalResult } from './evaluate.js';
import { loadCocoPair } from './load.js';
import type { CocoEvalOptions } from './plan.js';
import { cocoGt } from './tiny-cases.js';

type Task = 'bbox' | 'segm';
type Box = [number, number, number, number];

interface GtAnnotation extends Record<string, unknown> {
  id: number;
  image_id: number;
  category_id: number;
  bbox: Box;
  iscrowd: number;
}

interface Detection {
  image_id: number;
  category_id: number;
  bbox: Box;
  score: number;
}

interface Case {
  task: Task;
  images: { id: number; width: number; height: number }[];
  gt: GtAnnotation[];
  dt: Detection[];
}

const SIZE = 48;

const box = (limit: number): fc.Arbitrary<Box> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: limit - 2 }),
      fc.integer({ min: 0, max: limit - 2 }),
      fc.integer({ min: 1, max: limit }),
      fc.integer({ min: 1, max: limit }),
    )
    .map(([x, y, w, h]) => [x, y, Math.min(w, limit - x), Math.min(h, limit - y)]);

/** A jittered copy of a box (so that detections overlap ground truth at various IoUs), kept inside the image. */
const near = (b: Box): fc.Arbitrary<Box> =>
  fc
    .tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }))
    .map(([dx, dy, dw, dh]) => {
      const x = Math.min(SIZE - 2, Math.max(0, b[0] + dx));
      const y = Math.min(SIZE - 2, Math.max(0, b[1] + dy));
      return [x, y, Math.max(1, Math.min(SIZE - x, b[2] + dw)), Math.max(1, Math.min(SIZE - y, b[3] + dh))];
    });

/** A small case: 1-4 images, ground truth of 3 categories (a few crowd), detections near it or anywhere, every score distinct. */
const anyCase: fc.Arbitrary<Case> = fc
  .record({
    task: fc.constantFrom<Task>('bbox', 'segm'),
    imageCount: fc.integer({ min: 1, max: 4 }),
    gt: fc.array(fc.record({ image: fc.nat(), category: fc.integer({ min: 1, max: 3 }), bbox: box(SIZE), crowd: fc.nat(9) }), { maxLength: 10 }),
  })
  .chain(({ task, imageCount, gt }) => {
    const images = Array.from({ length: imageCount }, (_, k) => ({ id: k + 1, width: SIZE, height: SIZE }));
    const annotations = gt.map((g, k): GtAnnotation => ({
      id: k + 1,
      image_id: (g.image % imageCount) + 1,
      category_id: g.category,
      bbox: g.bbox,
      iscrowd: g.crowd === 0 ? 1 : 0,
    }));
    const detection = fc.oneof(
      annotations.length > 0
        ? fc.constantFrom(...annotations).chain((a) => near(a.bbox).map((b) => ({ image_id: a.image_id, category_id: a.category_id, bbox: b })))
        : fc.constant(undefined),
      fc.record({ image_id: fc.integer({ min: 1, max: imageCount }), category_id: fc.integer({ min: 1, max: 3 }), bbox: box(SIZE) }),
    );
    return fc
      .tuple(fc.array(detection, { maxLength: 14 }), fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 14, maxLength: 14 }))
      .map(([dets, scores]): Case => {
        const dt = dets.flatMap((d, k) => (d ? [{ ...d, score: scores[k]! / 1_000_000 }] : []));
        return { task, images, gt: annotations, dt };
      });
  });

let dir: string;
let fileCount = 0;
before(async () => {
  dir = await tempDir('df2-eval-fuzz-');
});

/** The results file's entries: boxes for bbox, compressed RLEs of the boxes for segm. */
function resultEntries(c: Case): Record<string, unknown>[] {
  return c.dt.map((d) => {
    if (c.task === 'bbox') return { ...d };
    const image = c.images.find((im) => im.id === d.image_id)!;
    const rle = rleFromBox(...d.bbox, image.height, image.width);
    return { image_id: d.image_id, category_id: d.category_id, score: d.score, segmentation: { size: [image.height, image.width], counts: rleToString(rle) } };
  });
}

/** Evaluates a case in this thread (files in a temporary directory, read without a worker). */
async function evaluate(c: Case, options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
  const n = fileCount++;
  const gtFile = join(dir, `gt-${n}.json`);
  const resultsFile = join(dir, `results-${n}.json`);
  writeFileSync(gtFile, JSON.stringify(cocoGt(c.images, c.gt)));
  writeFileSync(resultsFile, JSON.stringify(resultEntries(c)));
  try {
    const { gt, results } = await loadCocoPair(c.task, gtFile, resultsFile, { useWorker: false });
    return evaluateLoaded(c.task, gt, results, { quiet: true, matches: false, ...options });
  } finally {
    // A soak writes millions of these.
    rmSync(gtFile);
    rmSync(resultsFile);
  }
}

/** The bytes of an accumulated array: two evaluations must agree bit for bit (and a byte comparison costs little beside an element-wise one of 157,560 numbers). */
const bytesOf = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The figures two evaluations must share: summary, per-category AP, and the accumulated arrays. */
function assertSameFigures(actual: CocoEvalResult, expected: CocoEvalResult): void {
  assert.deepEqual({ stats: actual.stats, perCategory: actual.perCategoryAp }, { stats: expected.stats, perCategory: expected.perCategoryAp });
  for (const name of ['precision', 'recall'] as const) {
    if (bytesOf(actual[name]).equals(bytesOf(expected[name]))) continue;
    const at = actual[name].findIndex((x, i) => !Object.is(x, expected[name][i]));
    assert.fail(`${name}[${at}] is ${actual[name][at]}, expected ${expected[name][at]}`);
  }
}

/** A case with at least one detection (an empty results file is refused, as the release's loadRes refuses it). */
const withDetections = anyCase.filter((c) => c.dt.length > 0);

describe('COCO evaluation, metamorphic', { timeout: fuzzTimeout() }, () => {
  test('permuting the result entries (distinct scores) changes no figure', async () => {
    await checkProperty(
      fc.asyncProperty(
        withDetections.chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(c.dt, { minLength: c.dt.length, maxLength: c.dt.length }))),
        async ([c, shuffled]) => {
          assertSameFigures(await evaluate({ ...c, dt: shuffled }), await evaluate(c));
        },
      ),
      15,
      0.1,
    );
  });

  test('renumbering image ids (order kept) and annotation ids consistently changes no figure', async () => {
    await checkProperty(
      fc.asyncProperty(withDetections, fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 0, max: 100_000 }), async (c, step, offset) => {
        const image = (id: number): number => offset + id * step;
        const renumbered: Case = {
          ...c,
          images: c.images.map((im) => ({ ...im, id: image(im.id) })),
          // Annotation ids in another order: they name annotations, they do not rank them.
          gt: c.gt.map((a, k) => ({ ...a, id: (c.gt.length - k) * 13 + offset, image_id: image(a.image_id) })),
          dt: c.dt.map((d) => ({ ...d, image_id: image(d.image_id) })),
        };
        assertSameFigures(await evaluate(renumbered), await evaluate(c));
      }),
      15,
      0.1,
    );
  });

  test('a strictly increasing map of all scores changes no figure', async () => {
    await checkProperty(
      fc.asyncProperty(withDetections, fc.constantFrom('cube', 'affine', 'log', 'rank'), async (c, name) => {
        // The rank map squeezes every score onto 0.05, 0.15, ...: only the order is left.
        const ranks = new Map([...c.dt].sort((a, b) => a.score - b.score).map((d, k) => [d, k / 10 + 0.05]));
        const map = { cube: (s: number) => s ** 3, affine: (s: number) => 1000 * s + 7, log: Math.log, rank: (_: number, d: Detection) => ranks.get(d)! }[name];
        const mapped = c.dt.map((d) => ({ ...d, score: map(d.score, d) }));
        assertSameFigures(await evaluate({ ...c, dt: mapped }), await evaluate(c));
      }),
      15,
      0.1,
    );
  });

  test('a perfect result (each ground truth, not a crowd, found exactly) gives AP 1 for every category with ground truth', async () => {
    await checkProperty(
      fc.asyncProperty(
        anyCase.filter((c) => c.gt.some((a) => a.iscrowd === 0)),
        async (c) => {
          const real = c.gt.filter((a) => a.iscrowd === 0);
          const dt = real.map((a, k) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 1 - k / 1000 }));
          const result = await evaluate({ ...c, dt });
          // 1 to 1e-9, as every figure: the official precision is tp / (tp + fp + eps), so a perfect one is 1 - 2.2e-16.
          const one = (x: number | undefined, what: string): void => assert.ok(Math.abs(x! - 1) < 1e-9, `${what}: ${x}`);
          one(result.stats[0], 'AP');
          for (const { categoryId, ap } of result.perCategoryAp) {
            if (real.some((a) => a.category_id === categoryId)) one(ap, `AP of category ${categoryId}`);
            else assert.equal(ap, -1, `category ${categoryId} has no ground truth`);
          }
        },
      ),
      15,
      0.1,
    );
  });

  test('a detection with a score below all others lowers no precision and no recall reached before it', async () => {
    await checkProperty(
      fc.asyncProperty(withDetections, fc.integer({ min: 1, max: 3 }), box(SIZE), fc.nat(), async (c, category, extraBox, pick) => {
        const low = Math.min(...c.dt.map((d) => d.score)) / 2;
        const image = c.images[pick % c.images.length]!.id;
        const before = await evaluate(c);
        const after = await evaluate({ ...c, dt: [...c.dt, { image_id: image, category_id: category, bbox: extraBox, score: low }] });
        for (let i = 0; i < before.precision.length; i++) {
          if (before.precision[i]! >= 0)
            assert.ok(after.precision[i]! >= before.precision[i]!, `precision[${i}] fell from ${before.precision[i]} to ${after.precision[i]}`);
        }
        for (let i = 0; i < before.recall.length; i++) assert.ok(after.recall[i]! >= before.recall[i]!, `recall[${i}] fell`);
        // Matching nothing of its category in its image, it changes no precision or recall at all.
        if (!c.gt.some((a) => a.image_id === image && a.category_id === category)) assertSameFigures(after, before);
      }),
      15,
      0.1,
    );
  });

  test('removing an image from both files gives the figures of evaluating the full files without it', async () => {
    await checkProperty(
      fc.asyncProperty(
        withDetections.filter((c) => c.images.length > 1),
        fc.nat(),
        async (c, pick) => {
          const gone = c.images[pick % c.images.length]!.id;
          const kept = c.images.filter((im) => im.id !== gone);
          const without: Case = { ...c, images: kept, gt: c.gt.filter((a) => a.image_id !== gone), dt: c.dt.filter((d) => d.image_id !== gone) };
          fc.pre(without.dt.length > 0);
          const restricted = await evaluate(c, { imageIds: kept.map((im) => im.id) });
          assertSameFigures(await evaluate(without), restricted);
        },
      ),
      15,
      0.1,
    );
  });
});
