import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { imageSize } from 'image-size';
import { KEYPOINT_VECTOR_LENGTH, categoryById } from '../schema/index.js';
import { rleFromString } from '../mask/index.js';
import { rleArea } from '../mask/index.js';
import { runCli } from '../testing/cli.js';
import { tempDir } from '../testing/paths.js';
import { synthesize } from './run.js';
import { synthesizeSplit } from './scene.js';
import { polygonBounds } from './geometry.js';

const IMAGES = 60;
const SEED = 5;
let root: string;
let split: string;

/** Every file under `dir` with its SHA-256, by relative path. */
async function hashTree(dir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        hashes.set(
          relative(dir, path),
          createHash('sha256')
            .update(await readFile(path))
            .digest('hex'),
        );
    }
  };
  await walk(dir);
  return hashes;
}

const readJson = async (path: string): Promise<any> => JSON.parse(await readFile(path, 'utf8'));

before(async () => {
  root = await tempDir('df2-synth-');
  split = join(root, 'split');
  await synthesize({ out: split, images: IMAGES, seed: SEED, predictions: true, workers: 2 });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('the same seed gives the same bytes in every file (whatever the worker count); another seed differs', async () => {
  const again = join(root, 'again');
  const other = join(root, 'other');
  await synthesize({ out: again, images: IMAGES, seed: SEED, predictions: true, workers: 1 });
  await synthesize({ out: other, images: IMAGES, seed: SEED + 1, predictions: true, workers: 2 });
  const [a, b, c] = await Promise.all([hashTree(split), hashTree(again), hashTree(other)]);
  assert.equal(a.size, 2 * IMAGES + 4);
  assert.deepEqual(b, a);
  assert.equal(c.size, a.size);
  const same = [...a].filter(([path, hash]) => c.get(path) === hash).length;
  assert.equal(same, 0, 'no file of another seed is identical');
  // Nothing is left beside the outputs: temporary directories are renamed or removed.
  assert.deepEqual((await readdir(root)).sort(), ['again', 'other', 'split']);
});

test('annotation files have the release fields, consistent landmarks, and boxes equal to the mask bounds', async () => {
  const scene = [...synthesizeSplit(SEED, IMAGES)];
  const files = (await readdir(join(split, 'annos'))).sort();
  assert.deepEqual(
    files,
    scene.map((img) => `${String(img.id).padStart(6, '0')}.json`),
  );
  assert.equal(files[0], '000001.json');
  let items = 0;
  for (const image of scene) {
    const stem = String(image.id).padStart(6, '0');
    const anno = await readJson(join(split, 'annos', `${stem}.json`));
    const jpeg = await readFile(join(split, 'image', `${stem}.jpg`));
    const size = imageSize(jpeg);
    assert.equal(size.type, 'jpg');
    assert.deepEqual([size.width, size.height], [image.width, image.height], `${stem}.jpg header size`);
    assert.ok(image.width >= 300 && image.width <= 1000 && image.height >= 300 && image.height <= 1000);

    assert.ok(anno.source === 'user' || anno.source === 'shop');
    assert.ok(Number.isInteger(anno.pair_id) && anno.pair_id >= 1);
    const keys = Object.keys(anno).filter((k) => k.startsWith('item'));
    assert.ok(keys.length >= 1 && keys.length <= 4, `${stem}: 1-4 items`);
    assert.deepEqual([...keys].sort(), keys.map((_, i) => `item${i + 1}`).sort());
    for (const key of keys) {
      items++;
      const item = anno[key];
      const where = `${stem} ${key}`;
      assert.deepEqual(Object.keys(item).sort(), [
        'bounding_box',
        'category_id',
        'category_name',
        'landmarks',
        'occlusion',
        'scale',
        'segmentation',
        'style',
        'viewpoint',
        'zoom_in',
      ]);
      const category = categoryById(item.category_id);
      assert.ok(category, where);
      assert.equal(item.category_name, category.annotationName);
      for (const attribute of ['scale', 'occlusion', 'zoom_in', 'viewpoint']) assert.ok([1, 2, 3].includes(item[attribute]), where);
      assert.ok(Number.isInteger(item.style) && item.style >= 0);
      assert.equal(item.landmarks.length, 3 * category.landmarks, where);
      for (let i = 0; i < item.landmarks.length; i += 3) {
        const [x, y, v] = item.landmarks.slice(i, i + 3);
        assert.ok([0, 1, 2].includes(v), where);
        if (v === 0) assert.deepEqual([x, y], [0, 0], `${where}: unlabelled landmark at 0,0`);
        else assert.ok(x >= 0 && y >= 0 && x < image.width && y < image.height, `${where}: landmark inside`);
      }
      assert.ok(item.segmentation.length >= 1);
      for (const polygon of item.segmentation) {
        assert.ok(polygon.length >= 8 && polygon.length % 2 === 0, where);
        assert.ok(polygon.every(Number.isInteger), where);
        assert.deepEqual(polygon.slice(-2), polygon.slice(0, 2), `${where}: closed polygon`);
      }
      const box = item.bounding_box;
      assert.ok(box.every(Number.isInteger));
      assert.deepEqual(box, polygonBounds(item.segmentation), `${where}: box = mask bounds`);
      assert.ok(box[0] >= 0 && box[1] >= 0 && box[2] <= image.width - 1 && box[3] <= image.height - 1, where);
      assert.ok(box[2] > box[0] && box[3] > box[1], where);
    }
  }
  assert.equal(
    items,
    scene.reduce((n, img) => n + img.items.length, 0),
  );
});

test('the split has pair groups with both sources and shared styles, style 0 items, shuffled keys, and variety', async () => {
  const groups = new Map<number, { sources: Set<string>; styles: Map<string, Set<number>> }>();
  let styleZero = 0;
  let shuffled = 0;
  let noLandmarks = 0;
  let tiny = 0;
  const categories = new Set<number>();
  const attributeValues = new Map<string, Set<number>>();
  const visibility = new Set<number>();
  for (let id = 1; id <= IMAGES; id++) {
    const anno = await readJson(join(split, 'annos', `${String(id).padStart(6, '0')}.json`));
    const keys = Object.keys(anno);
    const itemKeys = keys.filter((k) => k.startsWith('item'));
    if (keys.join() !== ['source', 'pair_id', ...itemKeys.map((_, i) => `item${i + 1}`)].join()) shuffled++;
    const group = groups.get(anno.pair_id) ?? { sources: new Set(), styles: new Map() };
    groups.set(anno.pair_id, group);
    group.sources.add(anno.source);
    for (const key of itemKeys) {
      const item = anno[key];
      categories.add(item.category_id);
      if (item.style === 0) styleZero++;
      else {
        const bySource = group.styles.get(anno.source) ?? new Set();
        bySource.add(item.style);
        group.styles.set(anno.source, bySource);
      }
      for (const attribute of ['scale', 'occlusion', 'zoom_in', 'viewpoint']) {
        const seen = attributeValues.get(attribute) ?? new Set();
        seen.add(item[attribute]);
        attributeValues.set(attribute, seen);
      }
      const vs = item.landmarks.filter((_: number, i: number) => i % 3 === 2);
      vs.forEach((v: number) => visibility.add(v));
      if (vs.every((v: number) => v === 0)) noLandmarks++;
      const [x1, y1, x2, y2] = item.bounding_box;
      if ((x2 - x1) * (y2 - y1) < 32 * 32) tiny++;
    }
  }
  for (const [pairId, group] of groups) {
    assert.deepEqual([...group.sources].sort(), ['shop', 'user'], `pair ${pairId} has both sources`);
    const user = group.styles.get('user') ?? new Set();
    const shop = group.styles.get('shop') ?? new Set();
    assert.ok(
      [...user].some((s) => shop.has(s)),
      `pair ${pairId}: a style > 0 in both user and shop images`,
    );
  }
  assert.ok(styleZero > 0, 'some style 0 items');
  assert.ok(shuffled > 0, 'some files list their keys out of order');
  assert.ok(categories.size >= 8, `a mix of categories (${categories.size})`);
  for (const [attribute, seen] of attributeValues) assert.equal(seen.size, 3, `${attribute} takes all three values`);
  assert.deepEqual([...visibility].sort(), [0, 1, 2]);
  // Rare by design (about 1-3% of items): the 60-image split happens to have both.
  assert.ok(noLandmarks > 0, 'an item without any labelled landmark');
  assert.ok(tiny > 0, 'a tiny item (box area < 32^2)');
});

test('prediction files have the detectron layouts: boxes, decodable RLE masks, 882-long keypoint vectors', async () => {
  const scene = new Map([...synthesizeSplit(SEED, IMAGES)].map((img) => [img.id, img]));
  const bbox = await readJson(join(split, 'results', 'bbox_results.json'));
  const segm = await readJson(join(split, 'results', 'segm_results.json'));
  const keypoints = await readJson(join(split, 'results', 'keypoints_results.json'));
  assert.ok(bbox.length > IMAGES);
  assert.equal(segm.length, bbox.length);
  assert.equal(keypoints.length, bbox.length);
  const scores = new Set<number>();
  bbox.forEach((r: any, i: number) => {
    assert.deepEqual(Object.keys(r), ['image_id', 'category_id', 'bbox', 'score']);
    const image = scene.get(r.image_id)!;
    assert.ok(image, `result ${i}: a known image`);
    assert.ok(categoryById(r.category_id));
    const [x, y, w, h] = r.bbox;
    assert.ok(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= image.width + 1e-9 && y + h <= image.height + 1e-9, `result ${i} inside`);
    assert.ok(r.score > 0 && r.score < 1);
    scores.add(r.score);
    assert.equal(segm[i].image_id, r.image_id);
    assert.equal(keypoints[i].category_id, r.category_id);
  });
  assert.ok(scores.size > bbox.length / 2, 'scores vary');
  for (const r of segm) {
    const image = scene.get(r.image_id)!;
    assert.deepEqual(r.segmentation.size, [image.height, image.width]);
    assert.equal(typeof r.segmentation.counts, 'string');
    const rle = rleFromString(r.segmentation.counts, image.height, image.width);
    assert.ok(rleArea(rle) > 0, 'a non-empty mask');
  }
  for (const r of keypoints) {
    assert.equal(r.keypoints.length, KEYPOINT_VECTOR_LENGTH);
    const category = categoryById(r.category_id)!;
    const from = 3 * category.offset;
    const to = from + 3 * category.landmarks;
    assert.ok(
      r.keypoints.every((v: number, i: number) => (i >= from && i < to) || v === 0),
      'zeros outside the category',
    );
    assert.ok(r.keypoints.slice(from, to).some((v: number) => v > 0));
  }
  // Images are sorted by id, detections inside an image by score (detectron's order).
  for (let i = 1; i < bbox.length; i++) {
    const [a, b] = [bbox[i - 1], bbox[i]];
    assert.ok(a.image_id < b.image_id || (a.image_id === b.image_id && a.score >= b.score));
  }
});

test('retrieval results rank at most 20 shop items for detections in user images', async () => {
  const scene = new Map([...synthesizeSplit(SEED, IMAGES)].map((img) => [img.id, img]));
  const results = await readJson(join(split, 'retrieval', 'results.json'));
  assert.ok(results.length > 0);
  let withMatch = 0;
  for (const r of results) {
    assert.deepEqual(Object.keys(r), ['query_image_id', 'query_bbox', 'query_cls', 'query_score', 'gallery_image_id', 'gallery_bbox']);
    const query = scene.get(r.query_image_id)!;
    assert.equal(query.source, 'user');
    assert.equal(r.query_bbox.length, 4);
    assert.ok(categoryById(r.query_cls));
    assert.ok(r.gallery_image_id.length >= 1 && r.gallery_image_id.length <= 20);
    assert.equal(r.gallery_bbox.length, r.gallery_image_id.length);
    for (const [g, id] of r.gallery_image_id.entries()) {
      assert.equal(scene.get(id)?.source, 'shop');
      assert.equal(r.gallery_bbox[g].length, 4);
    }
    if (r.gallery_image_id.some((id: number) => scene.get(id)!.pairId === query.pairId)) withMatch++;
  }
  assert.ok(withMatch > results.length / 4, 'true matches are often among the guesses');
});

test('df2 synth through the command line: summary JSON, validate clean, refuses a non-empty output', async () => {
  const out = join(root, 'cli');
  const made = await runCli(['synth', '--out', out, '--images', '20', '--seed', '3', '--json']);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.stderr, '', 'no progress bar with --json');
  const summary = JSON.parse(made.stdout);
  assert.equal(summary.images, 20);
  assert.equal(summary.userImages + summary.shopImages, 20);
  assert.equal(
    summary.itemsPerCategory.reduce((a: number, b: number) => a + b, 0),
    summary.items,
  );
  assert.equal(summary.predictions, undefined);

  const validated = await runCli(['validate', out]);
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);
  assert.match(validated.stdout, /: valid: 20 files, \d+ items, 0 errors/);

  const validatedWithPredictions = await runCli(['validate', split]);
  assert.equal(validatedWithPredictions.code, 0, validatedWithPredictions.stdout);

  // A non-empty target is left alone, with a one-line error.
  const marker = join(root, 'busy', 'keep.txt');
  await mkdir(dirname(marker), { recursive: true });
  await writeFile(marker, 'mine');
  const refused = await runCli(['synth', '--out', dirname(marker), '--images', '5']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^df2: .*busy: expected a new or empty directory \(or --force to replace it\), found 1 entries\n$/);
  assert.deepEqual(await readdir(dirname(marker)), ['keep.txt']);

  const forced = await runCli(['synth', '--out', dirname(marker), '--images', '5', '--force', '--json']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual((await readdir(dirname(marker))).sort(), ['annos', 'image']);

  const badCount = await runCli(['synth', '--out', join(root, 'never'), '--images', '0']);
  assert.equal(badCount.code, 1);
  assert.match(badCount.stderr, /--images/);
  assert.ok(!(await readdir(root)).some((name) => name.startsWith('.') || name === 'never'), 'no temporary or partial output');
});
