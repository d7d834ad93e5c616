import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { LANDMARK_KIND_COLORS, type LandmarkKindName } from './colors.js';
import { drawLandmarkErrors, LANDMARK_PICTURE_SIZE } from './landmark-errors-picture.js';
import { readPixels, rgba } from './pixel-reader.js';

const KINDS: LandmarkKindName[] = ['good', 'jitter', 'inversion', 'swap', 'miss'];

function near(actual: readonly number[], expected: readonly number[], what: string, tolerance = 24): void {
  const far = actual.slice(0, 3).some((v, i) => Math.abs(v - expected[i]!) > tolerance);
  assert.ok(!far, `${what}: ${actual.join(',')} is not near ${expected.join(',')}`);
}

function greyImage(size: number) {
  const image = createCanvas(size, size);
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, size, size);
  return image;
}

test('each landmark: a white ring at the ground truth, a line in its kind colour, the kind mark at the prediction', async () => {
  // A box over the whole image and a picture of the image's size: image and picture coordinates are the same.
  const size = LANDMARK_PICTURE_SIZE;
  // Half-pixel places: a line of width 1.5 along y + .5 fills row y whole.
  const landmarks = KINDS.map((kind, i) => ({ kind, gt: [20.5, 30.5 + 55 * i] as const, predicted: [200.5, 30.5 + 55 * i] as const }));
  const canvas = drawLandmarkErrors(greyImage(size), { gtBox: [0, 0, size, size], landmarks });
  assert.deepEqual([canvas.width, canvas.height], [size, size]);
  const px = await readPixels(await canvas.encode('png'));
  for (const [i, kind] of KINDS.entries()) {
    const y = 30 + 55 * i;
    near(px.at(200, y), rgba(LANDMARK_KIND_COLORS[kind]), `${kind}: its mark`);
    near(px.at(110, y), rgba(LANDMARK_KIND_COLORS[kind]), `${kind}: the line to it`);
    near(px.at(23, y), [255, 255, 255], `${kind}: the ground-truth ring`);
    near(px.at(19, y), [90, 90, 90], `${kind}: the ring's inside (the photo, darkened)`);
  }
  near(px.at(300, 300), [90, 90, 90], 'elsewhere the photo, darkened');
});

test('the picture is cropped to the box and every landmark, its longer side the picture size', () => {
  const canvas = drawLandmarkErrors(greyImage(400), {
    gtBox: [100, 100, 50, 50],
    landmarks: [{ kind: 'miss', gt: [120, 120], predicted: [350, 130] }],
  });
  assert.equal(canvas.width, LANDMARK_PICTURE_SIZE);
  // 250 x 50 plus a margin of 20 each side: about 290 x 90.
  assert.ok(canvas.height < canvas.width / 2.5 && canvas.height > canvas.width / 4, `${canvas.width} x ${canvas.height}`);
});
