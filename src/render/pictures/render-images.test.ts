import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdir, rm } from 'node:fs/promises';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { readImageRecord } from './split-image.js';
import { renderImages } from './render-images.js';
import { categoryColor } from './colors.js';
import { styleForImage } from './draw-item.js';
import { PARTS, type Part } from './drawn-item.js';
import { readPixels, rgba } from './pixel-reader.js';
import type { ImageRecord } from '../../schema/index.js';

const DATASET = goldenPath('basic', 'dataset');

interface Landmark {
  item: number;
  x: number;
  y: number;
  v: number;
}

function landmarksOf(record: ImageRecord): Landmark[] {
  return record.items.flatMap((item, i) => {
    const out: Landmark[] = [];
    for (let k = 0; k + 2 < item.landmarks.length; k += 3) {
      if (item.landmarks[k + 2]! > 0) out.push({ item: i, x: item.landmarks[k]!, y: item.landmarks[k + 1]!, v: item.landmarks[k + 2]! });
    }
    return out;
  });
}

/** Whether (x, y) is clear of everything but what the test looks at: other landmarks, box edges, label rows. */
function clear(record: ImageRecord, x: number, y: number, margin: number, except?: Landmark): boolean {
  const self = (l: Landmark): boolean => except !== undefined && l.item === except.item && l.x === except.x && l.y === except.y;
  if (landmarksOf(record).some((l) => !self(l) && Math.hypot(l.x - x, l.y - y) < margin)) return false;
  return record.items.every((item) => {
    const [x1, y1, x2, y2] = item.boundingBox;
    const onEdge =
      ((Math.abs(x - x1) < margin || Math.abs(x - x2) < margin) && y > y1 - margin && y < y2 + margin) ||
      ((Math.abs(y - y1) < margin || Math.abs(y - y2) < margin) && x > x1 - margin && x < x2 + margin);
    const labelRow = y > y1 - 3 * margin && y < y1 + 3 * margin;
    return except ? !onEdge && !labelRow : !labelRow;
  });
}

async function render(imageId: number, parts: readonly Part[] = PARTS): Promise<{ file: string; out: string }> {
  const out = await tempDir('df2-render-');
  const [file] = await renderImages({
    dir: DATASET,
    imageIds: [imageId],
    outDir: out,
    parts: new Set(parts),
    overlay: false,
    format: 'png',
    resultsFiles: [],
    minScore: 0,
  });
  return { file: file!, out };
}

test('ground truth alone: one panel at the image size, boxes on their edges in the category colour', async () => {
  const record = await readImageRecord(DATASET, 1);
  const { file, out } = await render(1);
  try {
    assert.equal(file, join(out, '000001.png'));
    const px = await readPixels(file);
    assert.equal(px.width, record.width);
    assert.equal(px.height, record.height);
    const r = styleForImage(record.width, record.height).landmarkRadius;
    const colours = new Set<string>();
    let checked = 0;
    for (const [i, item] of record.items.entries()) {
      const [x1, y1, , y2] = item.boundingBox;
      // A point of the left edge away from landmarks, labels and other items' boxes.
      let y = Math.round((y1 + y2) / 2);
      for (let dy = 0; dy < (y2 - y1) / 2 && !clearOfOthers(record, i, x1, y, 3 * r); dy++) y = Math.round((y1 + y2) / 2) + (dy % 2 ? dy : -dy);
      if (!clearOfOthers(record, i, x1, y, 3 * r)) continue;
      assert.deepEqual(px.at(x1, y), rgba(categoryColor(item.categoryId)), `item ${i + 1} left edge at y=${y}`);
      colours.add(categoryColor(item.categoryId));
      checked++;
    }
    assert.ok(checked >= 2, 'at least two box edges checked');
    assert.ok(colours.size >= 2, 'items of different categories have different colours');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

function clearOfOthers(record: ImageRecord, self: number, x: number, y: number, margin: number): boolean {
  if (landmarksOf(record).some((l) => Math.hypot(l.x - x, l.y - y) < margin)) return false;
  return record.items.every((item, j) => {
    const [x1, y1, x2, y2] = item.boundingBox;
    if (y > y1 - 3 * margin && y < y1 + 3 * margin) return false; // label rows
    if (j === self) return true;
    const nearVertical = (Math.abs(x - x1) < margin || Math.abs(x - x2) < margin) && y > y1 - margin && y < y2 + margin;
    const nearHorizontal = (Math.abs(y - y1) < margin || Math.abs(y - y2) < margin) && x > x1 - margin && x < x2 + margin;
    return !nearVertical && !nearHorizontal;
  });
}

test('ground truth alone: visible landmarks are filled dots, occluded ones hollow circles', async () => {
  // Look through a few images for a lone visible and a lone occluded landmark.
  let filled = 0,
    hollow = 0;
  for (const imageId of [1, 2, 3, 4, 5, 6]) {
    const record = await readImageRecord(DATASET, imageId);
    const r = styleForImage(record.width, record.height).landmarkRadius;
    const lone = landmarksOf(record).filter(
      (l) => clear(record, l.x, l.y, 3 * r, l) && l.x > 2 * r && l.y > 2 * r && l.x < record.width - 2 * r && l.y < record.height - 2 * r,
    );
    if (lone.length === 0) continue;
    // Without masks: polygon outlines pass through the landmarks (they are polygon vertices here).
    const withLandmarks = await render(imageId, ['box', 'skeleton', 'landmarks', 'labels']);
    const without = await render(imageId, ['box', 'skeleton', 'labels']);
    try {
      const px = await readPixels(withLandmarks.file);
      const bare = await readPixels(without.file);
      for (const l of lone) {
        const color = rgba(categoryColor(record.items[l.item]!.categoryId));
        if (l.v === 2) {
          assert.deepEqual(px.at(l.x, l.y), color, `image ${imageId}: visible landmark at ${l.x},${l.y} is a filled dot`);
          filled++;
        } else {
          assert.deepEqual(px.at(l.x, l.y), bare.at(l.x, l.y), `image ${imageId}: occluded landmark at ${l.x},${l.y} is hollow`);
          assert.notDeepEqual(px.at(l.x, l.y), color);
          assert.deepEqual(px.at(l.x + r - 1, l.y), color, `image ${imageId}: occluded landmark ring`);
          hollow++;
        }
      }
    } finally {
      await rm(withLandmarks.out, { recursive: true, force: true });
      await rm(without.out, { recursive: true, force: true });
    }
    if (filled > 0 && hollow > 0) break;
  }
  assert.ok(filled > 0, 'a visible landmark was checked');
  assert.ok(hollow > 0, 'an occluded landmark was checked');
});

test('bad retrieval files stop render before any picture is written', async () => {
  const out = join(await tempDir(), 'pictures');
  const missing = join(out, 'missing.json');
  await assert.rejects(
    renderImages({
      dir: DATASET,
      imageIds: [1],
      outDir: out,
      parts: new Set(PARTS),
      overlay: false,
      format: 'png',
      resultsFiles: [],
      minScore: 0,
      retrieval: {
        query: goldenPath('basic', 'retrieval', 'query.json'),
        gallery: goldenPath('basic', 'retrieval', 'gallery.json'),
        results: missing,
        topK: 5,
      },
    }),
    /missing\.json: expected a readable file/,
  );
  await assert.rejects(readdir(out), { code: 'ENOENT' });
});
