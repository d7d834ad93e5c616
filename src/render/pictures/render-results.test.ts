import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { evaluateCocoFiles } from '../../eval/index.js';
import { categoryById } from '../../schema/index.js';
import { categoryColor } from './colors.js';
import { styleForImage } from './draw-item.js';
import { PARTS, type Part } from './drawn-item.js';
import { evaluateForPictures, verdictsFromResult } from './match-verdicts.js';
import { readResultsForImages, type ResultKind } from './prediction-items.js';
import { renderImages } from './render-images.js';
import { readImageRecord } from './split-image.js';
import { readPixels, rgba } from './pixel-reader.js';

const DATASET = goldenPath('basic', 'dataset');
const GT = goldenPath('basic', 'gt', 'coco.json');
const results = (kind: ResultKind): string => goldenPath('basic', 'results', `${kind}_results.json`);

async function renderOne(imageId: number, kind: ResultKind, options: { overlay?: boolean; parts?: readonly Part[]; gt?: boolean } = {}) {
  const out = await tempDir('df2-render-results-');
  const files = await renderImages({
    dir: DATASET,
    imageIds: [imageId],
    outDir: out,
    parts: new Set(options.parts ?? PARTS),
    overlay: options.overlay ?? false,
    format: 'png',
    resultsFiles: [results(kind)],
    minScore: 0,
    ...(options.gt ? { gtFile: GT } : {}),
  });
  assert.equal(files.length, 1);
  return { px: await readPixels(files[0]!), cleanup: () => rm(out, { recursive: true, force: true }) };
}

test('with results: two panels side by side (2 x width), one with --overlay', async () => {
  const record = await readImageRecord(DATASET, 2);
  const side = await renderOne(2, 'bbox');
  const over = await renderOne(2, 'bbox', { overlay: true });
  try {
    assert.equal(side.px.width, 2 * record.width);
    assert.equal(side.px.height, record.height);
    assert.equal(over.px.width, record.width);
    assert.equal(over.px.height, record.height);
  } finally {
    await side.cleanup();
    await over.cleanup();
  }
});

test("verdicts are the engine's match records, with or without a ground-truth file", async () => {
  const ids = [1, 2, 3, 4, 5];
  const records = await Promise.all(ids.map((id) => readImageRecord(DATASET, id)));
  for (const kind of ['bbox', 'segm', 'keypoints'] as const) {
    const read = await readResultsForImages(results(kind), new Set(ids));
    const full = verdictsFromResult(kind, await evaluateCocoFiles(kind, GT, results(kind)), records, GT);
    const withGt = await evaluateForPictures({ gtFile: GT, records, results: read });
    const converted = await evaluateForPictures({ records, results: read });
    assert.deepEqual(withGt.perImage, full.perImage, `${kind}: restricted to the drawn images`);
    assert.deepEqual(converted.perImage, full.perImage, `${kind}: converted on the fly`);
    const states = [...full.perImage.values()].flatMap((v) => [...v.detections.values()].map((d) => d.state));
    assert.ok(states.includes('matched') && states.includes('false-positive'), `${kind}: both kinds of detection occur`);
    const gtStates = [...full.perImage.values()].flatMap((v) => v.groundTruth.map((g) => g!.state));
    assert.equal(
      gtStates.length,
      records.reduce((n, r) => n + r.items.length, 0),
    );
  }
});

test('predicted boxes are drawn in the right panel at their place, in their category colour', async () => {
  const imageId = 3;
  const record = await readImageRecord(DATASET, imageId);
  const out = await tempDir('df2-render-results-');
  try {
    // Two detections of different categories with integer edges: one on an item, one elsewhere.
    const item = record.items[0]!;
    const [x1, y1, x2, y2] = item.boundingBox;
    const detections = [
      { image_id: imageId, category_id: item.categoryId, bbox: [x1, y1, x2 - x1, y2 - y1], score: 0.9 },
      { image_id: imageId, category_id: item.categoryId === 8 ? 9 : 8, bbox: [20, 30, 100, 120], score: 0.4 },
    ];
    const file = `${out}/results.json`;
    await writeFile(file, JSON.stringify(detections));
    const [picture] = await renderImages({
      dir: DATASET,
      imageIds: [imageId],
      outDir: out,
      parts: new Set<Part>(['box']),
      overlay: false,
      format: 'png',
      resultsFiles: [file],
      minScore: 0,
    });
    const px = await readPixels(picture!);
    const left = record.width;
    assert.deepEqual(px.at(left + 20, 90), rgba(categoryColor(detections[1]!.category_id)), 'left edge of the second box');
    assert.deepEqual(px.at(left + 119, 90), rgba(categoryColor(detections[1]!.category_id)), 'right edge of the second box');
    assert.notDeepEqual(px.at(left + 70, 90), rgba(categoryColor(detections[1]!.category_id)), 'inside');
    assert.notDeepEqual(px.at(20, 90), rgba(categoryColor(detections[1]!.category_id)), 'not in the ground-truth panel');
    const midY = Math.round((y1 + y2) / 2);
    assert.deepEqual(px.at(left + x1, midY), rgba(categoryColor(item.categoryId)), 'the first box, on its item');
    assert.deepEqual(px.at(x1, midY), rgba(categoryColor(item.categoryId)), 'the item in the ground-truth panel');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('predicted landmarks are filled dots at their positions in the right panel', async () => {
  const imageId = 1;
  const record = await readImageRecord(DATASET, imageId);
  const read = await readResultsForImages(results('keypoints'), new Set([imageId]));
  const { px, cleanup } = await renderOne(imageId, 'keypoints', { parts: ['landmarks'] });
  try {
    const r = styleForImage(record.width, record.height).landmarkRadius;
    const points = read.byImage.get(imageId)!.flatMap((d) => {
      const c = categoryById(d.categoryId)!;
      const k = d.keypoints!;
      return Array.from({ length: c.landmarks }, (_, i) => ({ x: k[(c.offset + i) * 3]!, y: k[(c.offset + i) * 3 + 1]!, categoryId: d.categoryId }));
    });
    const lone = points.filter(
      (p) =>
        p.x > r && p.y > r && p.x < record.width - r && p.y < record.height - r && points.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 2 * r + 2),
    );
    assert.ok(lone.length >= 3);
    for (const p of lone) {
      // The dot is a disc of radius r: a pixel well inside it is fully covered whatever the fraction.
      assert.deepEqual(px.at(record.width + p.x, p.y), rgba(categoryColor(p.categoryId)), `landmark at ${p.x},${p.y}`);
    }
  } finally {
    await cleanup();
  }
});
