import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN_FIXTURES, goldenPath } from '../testing/paths.js';
import { rleFromBox, rleFromPolygon } from './polygon.js';
import { rleFromString, rleToString } from './codec.js';
import { rleArea, rleDecode, rleEncode, rleToBbox } from './rle.js';
import { RleFormatError } from './errors.js';
import { maskFromPredicate, seededRandom } from './testing.js';

/**
 * Slow reference for maskApi's rleFrPoly, written straight from the C
 * definition with plain arrays: materialise every fine point of every edge,
 * test every consecutive pair, sort with a comparator, difference, fold.
 * The library computes the same thing a different way (it jumps to the few
 * moves that can cross a pixel column), so agreement is a real check.
 */
function referencePolygon(xy: readonly number[], h: number, w: number): number[] {
  const k = Math.floor(xy.length / 2);
  const cInt = (v: number): number => (Number.isNaN(v) ? -2147483648 : Math.trunc(v)); // C (int) cast on x86-64
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(cInt(5 * xy[2 * j]! + 0.5));
    y.push(cInt(5 * xy[2 * j + 1]! + 0.5));
  }
  x.push(x[0]!);
  y.push(y[0]!);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) [xs, xe, ys, ye] = [xe, xs, ye, ys];
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  const a: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / 5 - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / 5 - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    a.push(xd * h + yd);
  }
  a.push(h * w);
  a.sort((p, q) => p - q);
  let previous = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]!;
    a[j] = t - previous;
    previous = t;
  }
  const b = [a[0]!];
  let j = 1;
  while (j < a.length) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1]! += a[j++]!;
    }
  }
  return b;
}

function assertMatchesReference(xy: readonly number[], h: number, w: number, label: string): void {
  const got = Array.from(rleFromPolygon(xy, h, w).counts);
  assert.deepEqual(got, referencePolygon(xy, h, w), `${label}: ${JSON.stringify(xy).slice(0, 120)} on ${h}x${w}`);
}

interface GtFile {
  images: { id: number; height: number; width: number }[];
  annotations: { image_id: number; segmentation: number[][] }[];
}

test('every ground-truth polygon of the golden fixtures rasterises as the reference does', () => {
  let polygons = 0;
  for (const fixture of GOLDEN_FIXTURES) {
    const gt = JSON.parse(readFileSync(goldenPath(fixture, 'gt', 'coco.json'), 'utf8')) as GtFile;
    const sizes = new Map(gt.images.map((im) => [im.id, im]));
    for (const [i, ann] of gt.annotations.entries()) {
      const { height, width } = sizes.get(ann.image_id)!;
      for (const polygon of ann.segmentation) {
        assertMatchesReference(polygon, height, width, `${fixture} annotation ${i}`);
        polygons++;
      }
    }
  }
  assert.ok(polygons > 500, `only ${polygons} polygons found`);
});

test('adversarial polygons rasterise as the reference does', () => {
  const cases: [number[], number, number][] = [
    [[-5, -5, 30, -5, 30, 30, -5, 30], 20, 25], // covers the whole image and beyond
    [[-3.7, 2, 4, -8.2, 12, 5, 4, 19.6], 15, 10], // negative coordinates on every side
    [[-0.1, -0.1, -0.3, 5, 4, -0.5], 10, 10], // tiny negatives that round toward zero
    [[0, 0, 5, 5, 10, 10], 12, 12], // collinear: zero area
    [[2, 2, 2, 2, 8, 2, 8, 2, 8, 9, 2, 9, 2, 2], 12, 12], // duplicate and repeated closing points
    [[1.5, 1.5, 7.5, 1.5, 7.5, 6.5, 1.5, 6.5], 10, 10], // .5 coordinates
    [[1.1, 1.9, 7.3, 2.1, 6.7, 8.5, 0.5, 7.5], 10, 10],
    [[1.3, 0.7, 2.3, 3.3, 0.1, 2.9], 5, 5], // 5x+.5 lands on integers
    [[0, 0, 4, 0, 0, 4], 5, 5], // triangle
    [[3, 1, 3.2, 18, 3.1, 1.5], 20, 8], // very thin, steep
    [[1, 3, 18, 3.2, 1.5, 3.1], 8, 20], // very thin, flat
    [[10, 0, 10.2, 40], 40, 20], // two points
    [[3, 3], 10, 10], // one point
    [[], 10, 10], // none
    [[1, 1, 8, 1, 8, 8, 1], 10, 10], // odd length: the last number is ignored
    [[0, 0, 9, 0, 9, 9, 0, 9], 10, 10], // touches the last row and column
    [[0, 0, 10, 0, 10, 10, 0, 10], 10, 10], // exactly the image
    [[200, 200, 260, 210, 230, 290], 100, 100], // entirely outside
    [[-4000, 50, 4000, 52, 60, 9000], 100, 120], // huge, steep and flat edges through the image
    [[50, -20000, 51, 20000, 52, -20000], 100, 120], // extremely steep
    [[0.2, 0.2, 0.4, 0.2, 0.4, 0.4], 3, 3], // sub-pixel
    [[5, 0, 5, 10, 5, 0], 10, 10], // degenerate back-and-forth
    [[1, 1, 6, 1, 6, 6, 1, 6, 1, 1, 6, 1, 6, 6, 1, 6], 8, 8], // traced twice
    [[0, 0, 7, 7, 0, 7, 7, 0], 8, 8], // self-intersecting bow tie
  ];
  for (const [i, [xy, h, w]] of cases.entries()) assertMatchesReference(xy, h, w, `case ${i}`);
});

test('random polygons, including points far outside the image, rasterise as the reference does', () => {
  const random = seededRandom(20240611);
  for (let i = 0; i < 400; i++) {
    const h = 1 + Math.floor(random() * 60);
    const w = 1 + Math.floor(random() * 60);
    const points = 3 + Math.floor(random() * 12);
    const spread = random() < 0.15 ? 30 : 1.4;
    const grid = random() < 0.3 ? 2 : 0; // half-integer coordinates
    const xy: number[] = [];
    for (let p = 0; p < points; p++) {
      let x = (random() * spread - (spread - 1) / 2) * w;
      let y = (random() * spread - (spread - 1) / 2) * h;
      if (grid) {
        x = Math.round(x * grid) / grid;
        y = Math.round(y * grid) / grid;
      }
      xy.push(x, y);
    }
    assertMatchesReference(xy, h, w, `random ${i}`);
  }
});

test('an axis-aligned rectangle with integer corners covers exactly its pixels', () => {
  const h = 7;
  const w = 9;
  // Corners (2, 1) and (6, 4): pixels x in [2, 5], y in [1, 3] (pixel x spans [x, x+1]).
  const expected = maskFromPredicate(h, w, (x, y) => x >= 2 && x <= 5 && y >= 1 && y <= 3);
  assert.deepEqual(rleDecode(rleFromPolygon([2, 1, 6, 1, 6, 4, 2, 4], h, w)), expected);
  assert.deepEqual(rleDecode(rleFromPolygon([2, 4, 6, 4, 6, 1, 2, 1], h, w)), expected, 'other winding');
  assert.deepEqual(rleDecode(rleFromBox(2, 1, 4, 3, h, w)), expected, 'as a box [x, y, w, h]');
  assert.equal(rleArea(rleFromBox(2, 1, 4, 3, h, w)), 12);
  assert.deepEqual(rleToBbox(rleFromBox(2, 1, 4, 3, h, w)), [2, 1, 4, 3]);
});

test('a right triangle covers the pixels whose centres lie strictly inside', () => {
  // (0,0), (4,0), (0,4): centre (x+.5, y+.5) inside when x + y + 1 < 4.
  const expected = maskFromPredicate(5, 5, (x, y) => x + y <= 2);
  assert.deepEqual(rleDecode(rleFromPolygon([0, 0, 4, 0, 0, 4], 5, 5)), expected);
  assert.equal(rleArea(rleFromPolygon([0, 0, 4, 0, 0, 4], 5, 5)), 6);
});

test('boxes clip to the image and follow rleFrBbox for fractional corners', () => {
  assert.deepEqual(Array.from(rleFromBox(-3, -3, 100, 100, 4, 5).counts), [0, 20], 'covers everything');
  assert.deepEqual(Array.from(rleFromBox(10, 10, 3, 3, 4, 5).counts), [20], 'outside');
  const random = seededRandom(7);
  for (let i = 0; i < 200; i++) {
    const [x, y, bw, bh] = [random() * 40 - 5, random() * 40 - 5, random() * 30, random() * 30];
    const got = Array.from(rleFromBox(x, y, bw, bh, 32, 36).counts);
    assert.deepEqual(got, referencePolygon([x, y, x, y + bh, x + bw, y + bh, x + bw, y], 32, 36), `box ${[x, y, bw, bh]}`);
  }
});

test('box-shaped official masks of the quirks fixture equal rleFromBox of their boxes', () => {
  // The quirks predictions carry boxes; those whose official (pycocotools)
  // mask is a filled rectangle were made from the box polygon: their RLE
  // strings must come out identical.
  const results = JSON.parse(readFileSync(goldenPath('quirks', 'results', 'segm_results.json'), 'utf8')) as {
    bbox: [number, number, number, number];
    segmentation: { size: [number, number]; counts: string };
  }[];
  let rectangles = 0;
  for (const [i, r] of results.entries()) {
    const [h, w] = r.segmentation.size;
    const official = rleFromString(r.segmentation.counts, h, w);
    const [, , bw, bh] = rleToBbox(official);
    if (rleArea(official) !== bw * bh || official.counts.length > 2 * bw + 1) continue; // not a filled rectangle
    rectangles++;
    assert.equal(rleToString(rleFromBox(...r.bbox, h, w)), r.segmentation.counts, `result ${i}`);
  }
  assert.ok(rectangles > 100, `only ${rectangles} rectangular masks found`);
});

test('masks of rasterised polygons survive encode/decode unchanged', () => {
  const rle = rleFromPolygon([1.2, 3.4, 40.5, 2, 33, 27.7, 4, 20], 30, 45);
  assert.deepEqual(rleEncode(rleDecode(rle), 30, 45).counts, rle.counts);
});

test('bad coordinates throw RleFormatError', () => {
  assert.throws(() => rleFromPolygon([0, 0, NaN, 1, 2, 2], 5, 5), RleFormatError);
  assert.throws(() => rleFromPolygon([0, 0, Infinity, 1, 2, 2], 5, 5), RleFormatError);
  assert.throws(() => rleFromPolygon([0, 0, 3e8, 1, 2, 2], 5, 5), RleFormatError);
  assert.throws(() => rleFromPolygon([0, 0, 1, 1, 2, 2], -1, 5), RleFormatError);
  assert.throws(() => rleFromPolygon([0, 0, 1, 1, 2, 2], 2.5, 5), RleFormatError);
});
