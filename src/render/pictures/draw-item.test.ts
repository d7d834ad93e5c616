import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { categoryById } from '../../schema/index.js';
import { CATEGORY_COLORS, categoryColor } from './colors.js';
import { drawItems, styleForImage } from './draw-item.js';
import { PARTS, type DrawnItem, type Part } from './drawn-item.js';
import { readPixels, rgba } from './pixel-reader.js';

const WHITE = [255, 255, 255, 255];

async function draw(items: DrawnItem[], parts: readonly Part[] = PARTS, width = 400, height = 300) {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  drawItems(ctx, items, new Set(parts), styleForImage(width, height));
  return readPixels(await canvas.encode('png'));
}

test('category colours are 13 distinct colours', () => {
  assert.equal(CATEGORY_COLORS.length, 13);
  assert.equal(new Set(CATEGORY_COLORS).size, 13);
});

test('a box edge is drawn in its category colour, the inside left alone', async () => {
  const px = await draw([{ categoryId: 3, box: [100, 50, 200, 150] }], ['box']);
  assert.deepEqual(px.at(100, 120), rgba(categoryColor(3)), 'left edge');
  assert.deepEqual(px.at(299, 120), rgba(categoryColor(3)), 'right edge');
  assert.deepEqual(px.at(200, 50), rgba(categoryColor(3)), 'top edge');
  assert.deepEqual(px.at(200, 120), WHITE, 'inside');
  assert.deepEqual(px.at(90, 120), WHITE, 'outside');
});

test('visible landmarks are filled dots, occluded ones hollow, unlabelled ones absent', async () => {
  // Category 7 (shorts) has 14 landmarks; three are set, the rest unlabelled.
  const landmarks = new Array(14 * 3).fill(0);
  landmarks.splice(0, 9, 50, 50, 2, 150, 50, 1, 250, 50, 0);
  const item: DrawnItem = { categoryId: 7, landmarks, landmarkKind: 'annotated' };
  const px = await draw([item], ['landmarks']);
  const color = rgba(categoryColor(7));
  const r = styleForImage(400, 300).landmarkRadius;
  assert.deepEqual(px.at(50, 50), color, 'visible: filled centre');
  assert.deepEqual(px.at(150, 50), WHITE, 'occluded: hollow centre');
  assert.deepEqual(px.at(150 + r - 1, 50), color, 'occluded: ring');
  assert.deepEqual(px.at(250, 50), WHITE, 'unlabelled: nothing');
  assert.deepEqual(px.at(250 + r - 1, 50), WHITE, 'unlabelled: no ring');
});

test('predicted landmarks are all filled, whatever their v', async () => {
  const landmarks = new Array(14 * 3).fill(0);
  landmarks.splice(0, 3, 60, 60, 1);
  const px = await draw([{ categoryId: 7, landmarks, landmarkKind: 'predicted' }], ['landmarks']);
  assert.deepEqual(px.at(60, 60), rgba(categoryColor(7)));
});

test('the skeleton joins landmarks of an edge, and stops short of hollow circles', async () => {
  const shorts = categoryById(7)!;
  const [a, b] = shorts.skeleton[0]!;
  const landmarks = new Array(14 * 3).fill(0);
  landmarks.splice(3 * (a - 1), 3, 40, 150, 1);
  landmarks.splice(3 * (b - 1), 3, 340, 150, 2);
  const item: DrawnItem = { categoryId: 7, landmarks, landmarkKind: 'annotated' };
  const px = await draw([item], ['skeleton', 'landmarks']);
  assert.deepEqual(px.at(190, 150), rgba(categoryColor(7)), 'line between the two');
  assert.deepEqual(px.at(40, 150), WHITE, 'hollow centre stays clear of the line');
});

test('masks are translucent in the category colour, each polygon part outlined', async () => {
  const item: DrawnItem = {
    categoryId: 1,
    polygons: [
      [20, 20, 120, 20, 120, 120, 20, 120],
      [200, 20, 300, 20, 300, 120, 200, 120],
    ],
  };
  const px = await draw([item], ['mask']);
  const [r, g, b] = rgba(categoryColor(1));
  for (const [x, y] of [
    [70, 70],
    [250, 70],
  ] as const) {
    const p = px.at(x, y);
    assert.notDeepEqual(p, WHITE, 'filled');
    assert.notDeepEqual(p, rgba(categoryColor(1)), 'translucent, not opaque');
    // A blend of white and the colour: each channel between the two.
    [r, g, b].forEach((c, i) => assert.ok(p[i]! >= Math.min(c, 255) - 1 && p[i]! <= Math.max(c, 255) + 1));
  }
  assert.deepEqual(px.at(160, 70), WHITE, 'between the parts');
  assert.deepEqual(px.at(200, 70), rgba(categoryColor(1)), 'outline of the second part');
});

test('a decoded mask is drawn translucent inside and opaque on its edge', async () => {
  const width = 400,
    height = 300;
  const data = new Uint8Array(width * height);
  for (let y = 100; y < 200; y++) for (let x = 100; x < 200; x++) data[y * width + x] = 1;
  const px = await draw([{ categoryId: 9, mask: { width, height, data } }], ['mask']);
  assert.deepEqual(px.at(100, 150), rgba(categoryColor(9)), 'edge');
  assert.notDeepEqual(px.at(150, 150), rgba(categoryColor(9)), 'inside is translucent');
  assert.notDeepEqual(px.at(150, 150), WHITE);
  assert.deepEqual(px.at(99, 150), WHITE, 'outside');
});

test('labels carry a state tag: the verdict colours of matched and false positive', async () => {
  const px = await draw(
    [
      { categoryId: 2, box: [20, 100, 100, 100], label: 'long sleeve top 0.90', state: 'matched' },
      { categoryId: 2, box: [220, 100, 100, 100], label: 'long sleeve top 0.40', state: 'false-positive' },
    ],
    ['box', 'labels'],
  );
  // The tag is a square at the label's left end, just above the box.
  assert.deepEqual(px.at(22, 98), rgba('#009e73'));
  assert.deepEqual(px.at(222, 98), rgba('#cc3311'));
});
