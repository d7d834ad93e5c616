/**
 * Properties of masks: every RLE and polygon round-trips through decode /
 * encode and the compressed string; area, box, merge and IoU equal a
 * reference computed pixel by pixel from the decoded mask; compressed and
 * uncompressed forms of one mask give the same figures.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProperty } from '../testing/fuzz.js';
import {
  rleArea,
  rleCheck,
  rleDecode,
  rleEncode,
  rleFromBox,
  rleFromPolygon,
  rleFromSegmentation,
  rleFromString,
  rleIou,
  rleMerge,
  rlePixelBounds,
  rleToBbox,
  rleToString,
  type Rle,
} from './index.js';
import { rleRunsFromJsonBytes } from './internal.js';
import { measureRuns, releaseBoxByWalk } from './rle.js';
import { type MaskColumns, maskColumnsIou } from './iou.js';
import { bboxFromPixels, combinePixels, countSet, releaseBboxFromPixels } from './testing.js';

/** A size of 0..16 x 0..16 pixels. */
const size = fc.record({ height: fc.integer({ min: 0, max: 16 }), width: fc.integer({ min: 0, max: 16 }) });

/** Any well-formed RLE: run lengths (zero-length runs included) that sum to height * width. */
const anyRle = (s?: { height: number; width: number }): fc.Arbitrary<Rle> =>
  (s ? fc.constant(s) : size).chain(({ height, width }) =>
    fc.array(fc.integer({ min: 0, max: height * width }), { maxLength: 12 }).map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), height * width];
      const counts = Uint32Array.from(points.slice(1).map((p, k) => p - points[k]!));
      return { height, width, counts };
    }),
  );

/**
 * The RLE with its zero-length runs (but a first run of 0s) dropped: the same
 * pixels. maskApi reads a zero-length run of 1s as the pixel before it (for
 * boxes) and its merge stops at a step where both masks have one, so the
 * pixel references hold for RLEs in this form.
 */
function withoutEmptyRuns(rle: Rle): Rle {
  const runs: number[] = [rle.counts[0] ?? 0];
  for (let j = 1; j < rle.counts.length; j++) {
    if (rle.counts[j] === 0 && j + 1 < rle.counts.length) {
      // A zero-length run joins its neighbours: the run after it continues the run before it.
      runs[runs.length - 1]! += rle.counts[++j]!;
    } else if (rle.counts[j] !== 0) runs.push(rle.counts[j]!);
  }
  return { height: rle.height, width: rle.width, counts: Uint32Array.from(runs) };
}

/** Any mask as column-major pixels. */
const anyMask = size.chain(({ height, width }) =>
  fc.uint8Array({ minLength: height * width, maxLength: height * width, min: 0, max: 1 }).map((pixels) => ({ height, width, pixels })),
);

/** A polygon of 3..8 points, inside a height x width image or reaching a little beyond it, integers or not. */
const polygonIn = (height: number, width: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.tuple(fc.double({ min: -3, max: width + 3, noNaN: true }), fc.double({ min: -3, max: height + 3, noNaN: true })), { minLength: 3, maxLength: 8 })
    .map((points) => points.flat());

const positiveSize = fc.record({ height: fc.integer({ min: 1, max: 16 }), width: fc.integer({ min: 1, max: 16 }) });

/** The pixel-level figures of a mask, independent of run arithmetic. */
function pixelFigures(pixels: Uint8Array, height: number): { area: number; box: number[]; bounds: number[] } {
  return { area: countSet(pixels), box: releaseBboxFromPixels(pixels, height), bounds: bboxFromPixels(pixels, height) };
}

function runFigures(rle: Rle): { area: number; box: number[]; bounds: number[] } {
  return { area: rleArea(rle), box: rleToBbox(rle), bounds: rlePixelBounds(rle) };
}

/** IoU as the release computes it, from pixels: 0 when the release boxes do not overlap, else |A & B| / |A | B| (|A| for a crowd). */
function pixelIou(a: Uint8Array, b: Uint8Array, height: number, crowd: boolean): number {
  const [ax, ay, aw, ah] = releaseBboxFromPixels(a, height);
  const [bx, by, bw, bh] = releaseBboxFromPixels(b, height);
  if (Math.min(ax + aw, bx + bw) - Math.max(ax, bx) <= 0 || Math.min(ay + ah, by + bh) - Math.max(ay, by) <= 0) return 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (crowd ? a[i] : a[i] || b[i]) union++;
  }
  return inter === 0 ? 0 : inter / union;
}

describe('masks', () => {
  test('any mask: encode then decode gives it back; area and boxes equal the pixel reference', async () => {
    await checkProperty(
      fc.property(anyMask, ({ height, width, pixels }) => {
        const rle = rleEncode(pixels, height, width);
        rleCheck(rle);
        assert.deepEqual(rleDecode(rle), pixels);
        assert.deepEqual(runFigures(rle), pixelFigures(pixels, height));
      }),
      1000,
    );
  });

  test('any RLE (zero-length runs too): the compressed string and the uncompressed list read back the same runs and figures', async () => {
    await checkProperty(
      fc.property(anyRle(), (rle) => {
        const text = rleToString(rle);
        assert.deepEqual(rleFromString(text, rle.height, rle.width), rle);
        const compressed = rleFromSegmentation({ size: [rle.height, rle.width], counts: text }, rle.height, rle.width);
        const uncompressed = rleFromSegmentation({ size: [rle.height, rle.width], counts: [...rle.counts] }, rle.height, rle.width);
        assert.deepEqual(compressed, uncompressed);
        assert.deepEqual(runFigures(compressed), runFigures(uncompressed));
        const pixels = rleDecode(rle);
        assert.deepEqual(runFigures(withoutEmptyRuns(rle)), pixelFigures(pixels, rle.height));
        // Decoding and encoding again gives the canonical runs of the same pixels.
        assert.deepEqual(rleDecode(rleEncode(pixels, rle.height, rle.width)), pixels);
      }),
      1000,
    );
  });

  test('masks kept in shared blocks at any offsets, picked by any lists: maskColumnsIou equals rleIou of the same masks', async () => {
    const sizes = fc.constantFrom({ height: 5, width: 4 }, { height: 3, width: 6 });
    const masks = fc.array(
      sizes.chain((s) => anyRle(s)),
      { minLength: 1, maxLength: 6 },
    );
    const picks = fc.array(fc.nat(), { maxLength: 5 });
    await checkProperty(
      fc.property(
        masks,
        masks,
        picks,
        picks,
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.nat({ max: 3 }),
        (dtMasks, gtMasks, dtPick, gtPick, crowd, pad) => {
          const columns = (list: Rle[]): MaskColumns => {
            // Two blocks, each mask after `pad` values of another's runs.
            const blocks = [new Uint32Array(200).fill(3), new Uint32Array(200).fill(5)];
            const block = new Int32Array(list.length);
            const offset = new Int32Array(list.length);
            const at = [pad, pad];
            const box = new Float64Array(4 * list.length);
            const area = new Float64Array(list.length);
            list.forEach((m, i) => {
              block[i] = i % 2;
              offset[i] = at[i % 2]!;
              blocks[i % 2]!.set(m.counts, offset[i]);
              at[i % 2]! += m.counts.length + pad;
              area[i] = measureRuns(m.counts, 0, m.counts.length, m.height, m.width, box, 4 * i);
            });
            const length = Int32Array.from(list, (m) => m.counts.length);
            return { runs: { blocks, block, offset, length }, height: list.map((m) => m.height), width: list.map((m) => m.width), box, area };
          };
          const dets = Int32Array.from(dtPick, (p) => p % dtMasks.length);
          const gts = Int32Array.from(gtPick, (p) => p % gtMasks.length);
          const flags = Uint8Array.from(gts, (_, g) => (crowd[g] ? 1 : 0));
          const expected = rleIou(
            [...dets].map((i) => dtMasks[i]!),
            [...gts].map((i) => gtMasks[i]!),
            flags,
          );
          assert.deepEqual(maskColumnsIou(columns(dtMasks), dets, dets.length, columns(gtMasks), gts, gts.length, flags), expected);
        },
      ),
      1000,
    );
  });

  test('any runs, well formed or not: measureRuns gives the box of the step-by-step walk of maskApi and the area, from any offset', async () => {
    // Counts from 0 (empty runs, the walk's pixel -1) to 2^32 - 1 (sums past 2^32, which maskApi wraps), sizes from 0 to past the runs.
    const count = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 }));
    const runs = fc.record({
      counts: fc.array(count, { maxLength: 14 }),
      height: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.nat({ max: 2 ** 32 - 1 })),
      width: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.nat({ max: 2 ** 32 - 1 })),
      before: fc.nat({ max: 3 }),
    });
    await checkProperty(
      fc.property(
        fc.oneof(
          runs,
          anyRle().map((rle) => ({ counts: [...rle.counts], height: rle.height, width: rle.width, before: 1 })),
        ),
        (r) => {
          const counts = Uint32Array.from([...Array<number>(r.before).fill(9), ...r.counts, 5]);
          const rle = { height: r.height, width: r.width, counts: Uint32Array.from(r.counts) };
          const boxes = new Float64Array(6).fill(-1);
          const area = measureRuns(counts, r.before, r.before + r.counts.length, r.height, r.width, boxes, 1);
          assert.deepEqual([...boxes], [-1, ...releaseBoxByWalk(rle), -1]);
          assert.equal(area, rleArea(rle));
          assert.deepEqual(rleToBbox(rle), releaseBoxByWalk(rle));
        },
      ),
      3000,
    );
  });

  test('any compressed string, as JSON writes it and mutated: read from its bytes exactly as rleFromString reads it, or declined', async () => {
    // The string as a JSON text holds it (a backslash written \\), then something put in: an escape, a character out of the alphabet.
    const inserts = ['', '\\\\', '\\', 'p', '0', '?', '_', 'o', '\\u0041', '\\"', '\\/', 'é'];
    const written = fc.tuple(anyRle(), fc.nat(), fc.constantFrom(...inserts), fc.nat({ max: 2 }), fc.boolean());
    await checkProperty(
      fc.property(written, ([rle, at, insert, drop, mutate]) => {
        const json = JSON.stringify(rleToString(rle)).slice(1, -1);
        const i = json.length === 0 ? 0 : at % json.length;
        const raw = mutate ? json.slice(0, i) + insert + json.slice(i + drop) : json;
        const bytes = Buffer.from(`"${raw}"`, 'utf8');
        const target = new Uint32Array(bytes.length + 3).fill(7);
        const n = rleRunsFromJsonBytes(bytes, 1, bytes.length - 1, rle.height, rle.width, target, 3);
        let expected: Uint32Array | null = null;
        try {
          expected = rleFromString(JSON.parse(bytes.toString('utf8')) as string, rle.height, rle.width).counts;
        } catch {
          // Not a JSON string, or one rleFromString refuses.
        }
        if (!mutate) assert.ok(n >= 0, `declined ${JSON.stringify(raw)}, as JSON writes a valid string`);
        if (n < 0) {
          // Declined: refused by rleFromString too, or it holds an escape other than \\ (left to JSON.parse's path).
          const otherEscape = raw.replaceAll('\\\\', '').includes('\\');
          assert.ok(expected === null || otherEscape, `declined ${JSON.stringify(raw)}, which rleFromString reads`);
          return;
        }
        assert.ok(expected !== null, `read ${JSON.stringify(raw)}, which rleFromString refuses`);
        assert.deepEqual(target.subarray(3, 3 + n), expected);
        assert.deepEqual([...target.subarray(0, 3)], [7, 7, 7], 'nothing written before `at`');
      }),
      2000,
    );
  });

  test('any two masks of one size: merge (union, intersection) and IoU (crowd or not) equal the pixel reference, whatever the form', async () => {
    await checkProperty(
      fc.property(
        positiveSize.chain((s) => fc.tuple(anyRle(s).map(withoutEmptyRuns), anyRle(s).map(withoutEmptyRuns), fc.boolean())),
        ([a, b, crowd]) => {
          const pa = rleDecode(a);
          const pb = rleDecode(b);
          assert.deepEqual(rleDecode(rleMerge([a, b])), combinePixels([pa, pb], false));
          assert.deepEqual(rleDecode(rleMerge([a, b], true)), combinePixels([pa, pb], true));
          const expected = pixelIou(pa, pb, a.height, crowd);
          assert.equal(rleIou([a], [b], [crowd ? 1 : 0])[0], expected);
          // The same masks read from their compressed strings.
          const ca = rleFromString(rleToString(a), a.height, a.width);
          const cb = rleFromString(rleToString(b), b.height, b.width);
          assert.equal(rleIou([ca], [cb], [crowd ? 1 : 0])[0], expected);
        },
      ),
      1000,
    );
  });

  test('any polygon: a well-formed RLE that round-trips, figures equal to its pixels, the same as a segmentation list or its string', async () => {
    await checkProperty(
      fc.property(
        positiveSize.chain((s) => fc.tuple(fc.constant(s), polygonIn(s.height, s.width), polygonIn(s.height, s.width))),
        ([{ height, width }, p, q]) => {
          const rle = rleFromPolygon(p, height, width);
          rleCheck(rle);
          const pixels = rleDecode(rle);
          assert.deepEqual(runFigures(rle), pixelFigures(pixels, height));
          assert.deepEqual(rleFromString(rleToString(rle), height, width).counts, rle.counts);
          // A list of polygons is their union; the first polygon has at least 6 numbers, so it is not read as a box.
          const both = rleFromSegmentation([p, q], height, width);
          assert.deepEqual(rleDecode(both), combinePixels([pixels, rleDecode(rleFromPolygon(q, height, width))], false));
        },
      ),
      1000,
    );
  });

  test('an axis-aligned rectangle with integer corners, as a polygon (either winding) or a box, covers exactly its pixels inside the image', async () => {
    await checkProperty(
      fc.property(
        positiveSize,
        fc.integer({ min: -4, max: 20 }),
        fc.integer({ min: -4, max: 20 }),
        fc.nat(6),
        fc.nat(6),
        fc.boolean(),
        ({ height, width }, x0, y0, bw, bh, reverse) => {
          const [x1, y1] = [x0 + bw, y0 + bh];
          const corners = reverse ? [x0, y1, x1, y1, x1, y0, x0, y0] : [x0, y0, x1, y0, x1, y1, x0, y1];
          // Pixel x spans [x, x + 1]: the rectangle covers the pixels with x0 <= x < x1 and y0 <= y < y1.
          const expected = new Uint8Array(height * width);
          for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) expected[x * height + y] = 1;
          assert.deepEqual(rleDecode(rleFromPolygon(corners, height, width)), expected);
          assert.deepEqual(rleDecode(rleFromBox(x0, y0, bw, bh, height, width)), expected);
          assert.equal(rleArea(rleFromBox(x0, y0, bw, bh, height, width)), countSet(expected));
        },
      ),
      1000,
    );
  });

  test('a polygon moved by whole pixels inside the image gives the same mask moved by those pixels', async () => {
    await checkProperty(
      fc.property(
        fc.record({ height: fc.integer({ min: 4, max: 16 }), width: fc.integer({ min: 4, max: 16 }) }).chain((s) =>
          fc.tuple(fc.constant(s), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).chain(([s, dx, dy]) =>
            fc.tuple(
              fc.constant({ ...s, dx, dy }),
              fc
                .array(fc.tuple(fc.double({ min: 0, max: s.width - 1 - dx, noNaN: true }), fc.double({ min: 0, max: s.height - 1 - dy, noNaN: true })), {
                  minLength: 3,
                  maxLength: 6,
                })
                .map((points) => points.flat()),
            ),
          ),
        ),
        ([{ height, width, dx, dy }, p]) => {
          const moved = p.map((v, k) => v + (k % 2 === 0 ? dx : dy));
          const before = rleDecode(rleFromPolygon(p, height, width));
          const after = rleDecode(rleFromPolygon(moved, height, width));
          const shifted = new Uint8Array(before.length);
          for (let x = 0; x + dx < width; x++) for (let y = 0; y + dy < height; y++) shifted[(x + dx) * height + y + dy] = before[x * height + y]!;
          assert.deepEqual(after, shifted);
        },
      ),
      500,
    );
  });

  test('regression: a zero-length first run of 1s on an image 1 pixel high gives the wrapped box width 0 of maskApi', () => {
    // maskApi's uint arithmetic puts that run's pixel at 2^32-1, column 2^32-1, and xe - xs + 1 wraps to 0.
    assert.deepEqual(rleToBbox({ height: 1, width: 0, counts: Uint32Array.from([0, 0]) }), [0, 0, 0, 1]);
    assert.deepEqual(rleToBbox({ height: 1, width: 1, counts: Uint32Array.from([0, 0, 1]) }), [0, 0, 0, 1]);
    // Two pixels high, the same run's column is 2^31 - 1: no wrap.
    assert.deepEqual(rleToBbox({ height: 2, width: 1, counts: Uint32Array.from([0, 0, 2]) }), [0, 0, 2 ** 31, 2]);
  });

  test('regression: the merge of runs that start with a zero-length run of 1s in both masks stops there, as in the release', () => {
    // Kept as the release has it (rleMerge ends when both masks' remaining runs are 0 at one step): runs that do not cover the image.
    assert.deepEqual(rleMerge([0, 1].map(() => ({ height: 1, width: 1, counts: Uint32Array.from([0, 0, 1]) }))).counts, Uint32Array.from([0]));
  });

  test('any value as a segmentation is read or refused with a reason, never a crash or a hang', async () => {
    await checkProperty(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.array(fc.array(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e308, -1e308, 2 ** 31, -(2 ** 31))), { maxLength: 10 }), { maxLength: 3 }),
          fc.record({
            size: fc.tuple(fc.integer({ min: -2, max: 20 }), fc.integer({ min: -2, max: 20 })),
            counts: fc.oneof(fc.string(), fc.array(fc.integer({ min: -1, max: 50 }))),
          }),
        ),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        (segm, height, width) => {
          try {
            const rle = rleFromSegmentation(segm, height, width);
            rleCheck(rle);
          } catch (err) {
            assert.equal((err as Error).name, 'RleFormatError', String(err));
          }
        },
      ),
      1000,
    );
  });
});
