import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN_FIXTURES, goldenPath } from '../testing/paths.js';
import { rleFromSegmentation } from './segmentation.js';
import { rleFromBox, rleFromPolygon } from './polygon.js';
import { rleToString } from './codec.js';
import { rleDecode } from './rle.js';
import { RleFormatError } from './errors.js';
import { combinePixels } from './testing.js';

test('a polygon list is the pixel union of its polygons', () => {
  const polygons = [
    [1, 1, 8, 1, 8, 6, 1, 6],
    [5, 4, 12, 4, 12, 11, 5, 11],
    [0, 12, 3, 14], // later polygons of 4 numbers are polygons (2 points: empty)
    [2, 2, 14, 3, 3, 13],
  ];
  const union = rleDecode(rleFromSegmentation(polygons, 15, 16));
  assert.deepEqual(
    union,
    combinePixels(
      polygons.map((p) => rleDecode(rleFromPolygon(p, 15, 16))),
      false,
    ),
  );
});

test('a list whose first element has 4 numbers is read as boxes (frPyObjects quirk)', () => {
  const boxes = [
    [1, 1, 4, 3],
    [3, 2, 6, 6],
  ];
  const got = rleDecode(rleFromSegmentation(boxes, 12, 12));
  assert.deepEqual(
    got,
    combinePixels(
      boxes.map(([x, y, w, h]) => rleDecode(rleFromBox(x!, y!, w!, h!, 12, 12))),
      false,
    ),
  );
  // Not the polygon through (1,1)-(4,3): a box covers 4x3 pixels.
  assert.equal(
    got.reduce((s, v) => s + v, 0),
    4 * 3 + 6 * 6 - 2 * 2,
  );
  assert.throws(
    () =>
      rleFromSegmentation(
        [
          [1, 1, 4, 3],
          [1, 2, 3, 4, 5, 6],
        ],
        12,
        12,
      ),
    RleFormatError,
  );
});

test('RLE objects: uncompressed counts, compressed strings, lists of uncompressed RLEs', () => {
  const uncompressed = rleFromSegmentation({ size: [3, 2], counts: [1, 2, 3] }, 3, 2);
  assert.deepEqual(Array.from(uncompressed.counts), [1, 2, 3]);
  const compressed = rleFromSegmentation({ size: [3, 2], counts: rleToString(uncompressed) }, 99, 99);
  assert.deepEqual(compressed, uncompressed, 'the object carries its own size');
  const list = rleFromSegmentation(
    [
      { size: [3, 2], counts: [1, 2, 3] },
      { size: [3, 2], counts: [4, 2] },
    ],
    3,
    2,
  );
  assert.deepEqual(Array.from(list.counts), [1, 2, 1, 2]); // pixels {1, 2} and {4, 5}
});

test('ground-truth segmentations of the golden fixtures convert as the union of their polygons', () => {
  for (const fixture of GOLDEN_FIXTURES) {
    const gt = JSON.parse(readFileSync(goldenPath(fixture, 'gt', 'coco.json'), 'utf8')) as {
      images: { id: number; height: number; width: number }[];
      annotations: { image_id: number; segmentation: number[][] }[];
    };
    const sizes = new Map(gt.images.map((im) => [im.id, im]));
    for (const [i, ann] of gt.annotations.entries()) {
      if (ann.segmentation.length < 2 || i % 8 !== 0) continue; // pixel unions are slow: a sample of multi-polygon items
      const { height, width } = sizes.get(ann.image_id)!;
      const union = combinePixels(
        ann.segmentation.map((p) => rleDecode(rleFromPolygon(p, height, width))),
        false,
      );
      assert.deepEqual(rleDecode(rleFromSegmentation(ann.segmentation, height, width)), union, `${fixture} annotation ${i}`);
    }
  }
});

test('anything else throws RleFormatError naming the problem', () => {
  const bad: [unknown, RegExp][] = [
    [[], /empty list/],
    [[[1, 2]], /at least 6 numbers/],
    [[[1, 2, 3, 4, 5, 6], 'x'], /segmentation\[1\] must be a polygon/],
    [[[1, 2, 3, 4, 5, 'x']], /finite numbers/],
    [[5], /segmentation\[0\] must be a polygon/],
    ['abc', /list of polygons or an RLE object/],
    [null, /found null/],
    [42, /found 42/],
    [{ counts: 'abc' }, /size must be/],
    [{ size: [3, 2], counts: 12 }, /counts must be a string or a list/],
    [{ size: [3, 2], counts: [1, 2.5, 2.5] }, /counts\[1\] must be a non-negative integer/],
    [{ size: [3, 2], counts: [1, 2] }, /sum to 3/],
    [{ size: [3, 2], counts: 'p' }, /bad character/],
    [{ size: [-3, 2], counts: '6' }, /size must be two non-negative integers/],
    [[{ size: [3, 2], counts: [6] }, [1, 2, 3, 4]], /segmentation\[1\] must be an RLE object/],
  ];
  for (const [segm, reason] of bad) {
    assert.throws(
      () => rleFromSegmentation(segm, 3, 2),
      (error: unknown) => error instanceof RleFormatError && reason.test(error.message),
      JSON.stringify(segm),
    );
  }
});
