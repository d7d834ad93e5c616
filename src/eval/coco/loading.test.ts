/** Loading ground truth and results: layouts the official loader accepts, and problems it would trip over later. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rleArea, rleFromSegmentation } from '../../mask/index.js';
import { InputError } from '../../util/errors.js';
import { attachMasks, rasterizeGroundTruth, readCocoGroundTruth } from './ground-truth.js';
import { loadCocoGroundTruth, loadCocoPair } from './load.js';
import { maskOf } from './mask-store.js';
import { recordOf } from './records.js';
import { cocoGt, keypointVector, writeJson } from './tiny-cases.js';

const GT = cocoGt(
  [
    { id: 3, width: 60, height: 40 },
    { id: 1, width: 50, height: 50 },
  ],
  [
    { image_id: 1, category_id: 2, bbox: [5, 5, 20, 10], segmentation: [[5, 5, 25, 5, 25, 15, 5, 15]] },
    {
      image_id: 3,
      category_id: 1,
      bbox: [0, 0, 30, 30],
      iscrowd: 1,
      num_keypoints: 2,
      keypoints: keypointVector(1, [
        [1, 2, 2],
        [0, 0, 0],
        [5, 6, 1],
      ]),
    },
  ],
);

test('ground truth is stored by field; landmarks sparse; masks made with the image size', async () => {
  const gt = await loadCocoGroundTruth(await writeJson(GT), ['segm', 'keypoints']);
  assert.deepEqual([...gt.images.id], [3, 1]);
  assert.deepEqual([...gt.annotations.image], [1, 0]);
  assert.deepEqual([...gt.annotations.iscrowd], [0, 1]);
  assert.deepEqual([...recordOf(gt.annotations.landmarks, 1)], [0, 1, 2, 2, 5, 6], 'labelled landmarks only: [index, x, y]');
  assert.equal(recordOf(gt.annotations.landmarks, 0).length, 0);
  const mask = maskOf(gt.annotations.masks, 0);
  assert.deepEqual([mask.height, mask.width], [50, 50]);
  assert.equal(rleArea(mask), rleArea(rleFromSegmentation([[5, 5, 25, 5, 25, 15, 5, 15]], 50, 50)));
});

test('annotations listed before images still get masks of their image size', async () => {
  const { annotations, images, categories } = GT as { annotations: unknown; images: unknown; categories: unknown };
  const file = await writeJson(
    `{"annotations": ${JSON.stringify(annotations)}, "categories": ${JSON.stringify(categories)}, "images": ${JSON.stringify(images)}}`,
  );
  const gt = await readCocoGroundTruth(file, { tasks: ['segm'] });
  attachMasks(gt, [rasterizeGroundTruth(gt)]);
  const mask = maskOf(gt.annotations.masks, 0);
  assert.deepEqual([mask.height, mask.width], [50, 50]);
  assert.equal(rleArea(mask), rleArea(rleFromSegmentation([[5, 5, 25, 5, 25, 15, 5, 15]], 50, 50)));
});

test('fields a task does not read are not required', async () => {
  const bare = {
    images: [{ id: 1 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, area: 100, bbox: [0, 0, 10, 10] }],
    categories: [{ id: 1, name: 'short_sleeved_shirt' }],
  };
  const gt = await readCocoGroundTruth(await writeJson(bare), { tasks: ['bbox'] });
  assert.equal(gt.annotations.count, 1);
  await assert.rejects(readCocoGroundTruth(await writeJson(bare), { tasks: ['segm'] }), /images\[0\]\.height: expected a positive integer/);
});

test('inconsistent ground truth is refused with the entry that is wrong', async () => {
  const twice = cocoGt(
    [{ id: 1 }],
    [
      { image_id: 1, category_id: 1, id: 4 },
      { image_id: 1, category_id: 1, id: 4 },
    ],
  );
  await assert.rejects(readCocoGroundTruth(await writeJson(twice)), (err: unknown) => err instanceof InputError && err.entry === 'annotations[1].id');
  const orphan = cocoGt([{ id: 1 }], [{ image_id: 2, category_id: 1 }]);
  await assert.rejects(readCocoGroundTruth(await writeJson(orphan)), /annotations\[0\]\.image_id: expected the id of an image in "images", found 2/);
  const badCategory = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 40 }]);
  await assert.rejects(readCocoGroundTruth(await writeJson(badCategory)), /annotations\[0\]\.category_id/);
});

test('a problem found in the loading thread arrives as an InputError', async () => {
  const file = await writeJson('{"images": [], "annotations": [{"id": 1}], "categories": []}');
  await assert.rejects(
    loadCocoGroundTruth(file, ['bbox'], { useWorker: true }),
    (err: unknown) => err instanceof InputError && err.file === file && err.entry === 'annotations[0].image_id',
  );
});

test('bad results stop the ground-truth thread and are reported', async () => {
  const gtFile = await writeJson(GT, 'gt.json');
  const resultsFile = await writeJson([{ image_id: 1, category_id: 2, bbox: [0, 0, 1], score: 1 }], 'r.json');
  await assert.rejects(
    loadCocoPair('bbox', gtFile, resultsFile, { useWorker: true }),
    (err: unknown) => err instanceof InputError && err.file === resultsFile && err.entry === '[0].bbox',
  );
});

/** Many small annotations (several batches of 1024), optionally listed before the images. */
function manyMasks(annotationsFirst: boolean): string {
  const images = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, width: 40 + (i % 7), height: 30 + (i % 5) }));
  const annotations = Array.from({ length: 2600 }, (_, i) => {
    const x = i % 11,
      y = i % 13,
      s = 5 + (i % 9);
    const segmentation = i % 500 === 7 ? { size: [5, 203], counts: [5, 10, 1000] } : [[x, y, x + s, y, x + s, y + s, x, y + s]];
    return { image_id: (i % 300) + 1, category_id: 1 + (i % 13), bbox: [x, y, s, s], segmentation };
  });
  const gt = cocoGt(images, annotations) as Record<string, unknown>;
  return annotationsFirst
    ? `{"annotations": ${JSON.stringify(gt.annotations)}, "categories": ${JSON.stringify(gt.categories)}, "images": ${JSON.stringify(gt.images)}}`
    : JSON.stringify(gt);
}

for (const annotationsFirst of [false, true]) {
  test(`masks made by two threads equal those made by one (${annotationsFirst ? 'annotations listed first' : 'images first'})`, async () => {
    const file = await writeJson(manyMasks(annotationsFirst));
    const twoThreads = await loadCocoGroundTruth(file, ['segm'], { useWorker: true });
    const oneThread = await loadCocoGroundTruth(file, ['segm'], { useWorker: false });
    for (let i = 0; i < 2600; i++) {
      const a = maskOf(twoThreads.annotations.masks, i);
      const b = maskOf(oneThread.annotations.masks, i);
      assert.deepEqual([a.height, a.width, [...a.counts]], [b.height, b.width, [...b.counts]], `annotation ${i}`);
    }
    const fifth = maskOf(oneThread.annotations.masks, 5);
    assert.deepEqual([fifth.height, fifth.width], [30, 45]);
    assert.deepEqual([...maskOf(oneThread.annotations.masks, 7).counts], [5, 10, 1000], 'an RLE object as given');
  });
}

test('a segmentation that is no mask is reported with its annotation', async () => {
  const images = Array.from({ length: 10 }, (_, i) => ({ id: i + 1 }));
  const annotations = Array.from({ length: 600 }, (_, i) => ({
    image_id: (i % 10) + 1,
    category_id: 1,
    segmentation: i === 555 ? [[1, 2]] : [[1, 1, 9, 1, 9, 9]],
  }));
  const file = await writeJson(cocoGt(images, annotations));
  await assert.rejects(loadCocoGroundTruth(file, ['segm']), (err: unknown) => err instanceof InputError && err.entry === 'annotations[555].segmentation');
});

test('a task that is not a COCO task (plain JavaScript) is a TypeError naming the allowed ones, before any file is read', async () => {
  const { evaluateCocoFiles } = await import('../index.js');
  const evaluate = evaluateCocoFiles as (task: string, gt: string, results: string) => Promise<unknown>;
  for (const task of ['boxes', 'retrieval']) {
    await assert.rejects(evaluate(task, 'no-such-gt.json', 'no-such-results.json'), {
      name: 'TypeError',
      message: `task: expected one of bbox, segm, keypoints, found "${task}"`,
    });
  }
});

test('a bad element of a bbox is named by its index (results and ground truth): a string, a number past double range', async () => {
  const gtFile = await writeJson(cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12 }]));
  for (const [text, found] of [
    ['[1, 2, "x", 4]', 'found "x"'],
    ['[1, 2, 1e309, 4]', 'found non-finite Infinity'],
  ] as const) {
    const results = await writeJson(
      `[{"image_id": 1, "category_id": 1, "score": 0.5, "bbox": [1, 2, 3, 4]}, {"image_id": 1, "category_id": 1, "score": 0.5, "bbox": ${text}}]`,
    );
    await assert.rejects(loadCocoPair('bbox', gtFile, results), {
      message: `${results}: [1].bbox[2]: expected a finite number (bbox is [x, y, width, height]), ${found}`,
    });
  }
  const badGt = await writeJson(
    '{"images": [{"id": 1, "width": 9, "height": 9}], "categories": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "area": 1, "bbox": [1e309, 2, 3, 4]}]}',
  );
  await assert.rejects(readCocoGroundTruth(badGt), {
    message: `${badGt}: annotations[0].bbox[0]: expected a finite number (bbox is [x, y, width, height]), found non-finite Infinity`,
  });
});

test('a small ground truth is read in this thread (no worker starts), and to the same columns as a worker reads them', async () => {
  const file = await writeJson(GT, 'gt.json');
  const started: string[] = [];
  const onWorker = (worker: { threadId: number }): void => void started.push(String(worker.threadId));
  process.on('worker', onWorker);
  try {
    const here = await loadCocoGroundTruth(file, ['bbox']);
    assert.deepEqual(started, [], 'a worker was started for a small file');
    const there = await loadCocoGroundTruth(file, ['bbox'], { useWorker: true });
    assert.equal(started.length, 1, 'useWorker: true starts one');
    assert.deepEqual([...there.annotations.bbox], [...here.annotations.bbox]);
    assert.deepEqual([...there.images.id], [...here.images.id]);
  } finally {
    process.off('worker', onWorker);
  }
});
