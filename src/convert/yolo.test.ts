/**
 * YOLO conversion, checked numerically against the annotation files read
 * directly (JSON.parse, not df2's reader) and image sizes taken from the
 * golden COCO file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { readSplit } from '../dataset/index.js';
import { GOLDEN_FIXTURES, REFERENCE_DIR, goldenPath, tempDir, type GoldenFixture } from '../testing/paths.js';
import { formatG, joinPolygons, yoloLabelLine } from './yolo.js';
import { writeYoloDataset, yoloSplitForDir } from './yolo-writer.js';
import type { Item } from '../schema/index.js';

interface RawItem {
  category_id: number;
  bounding_box: number[];
  landmarks: number[];
  segmentation: number[][];
}

interface Reference {
  categories: { id: number; landmarks: number; offset: number; flip_pairs: number[][] }[];
}

/** Annotation files straight from disk, items in key order, with sizes from gt/coco.json. */
async function rawSplit(fixture: GoldenFixture): Promise<Map<string, { width: number; height: number; items: RawItem[] }>> {
  const coco = JSON.parse(await readFile(goldenPath(fixture, 'gt', 'coco.json'), 'utf8')) as { images: { file_name: string; width: number; height: number }[] };
  const sizes = new Map(coco.images.map((i) => [i.file_name.replace('.jpg', ''), i]));
  const annos = goldenPath(fixture, 'dataset', 'annos');
  const split = new Map<string, { width: number; height: number; items: RawItem[] }>();
  for (const file of (await readdir(annos)).sort()) {
    const json = JSON.parse(await readFile(join(annos, file), 'utf8')) as Record<string, unknown>;
    const name = file.replace('.json', '');
    const items = Object.keys(json)
      .filter((k) => /^item\d+$/.test(k))
      .map((k) => json[k] as RawItem);
    split.set(name, { width: sizes.get(name)!.width, height: sizes.get(name)!.height, items });
  }
  return split;
}

const reference = async (): Promise<Reference> => JSON.parse(await readFile(join(REFERENCE_DIR, 'deepfashion2-landmarks.json'), 'utf8')) as Reference;

const labelLines = async (out: string, name: string): Promise<number[][]> =>
  (await readFile(join(out, 'labels', 'val', `${name}.txt`), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').map(Number));

/** Within %g's six significant digits of a coordinate, in pixels. */
const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 0.01, `${what}: ${a} vs ${b}`);

async function convert(fixture: GoldenFixture, task: 'detect' | 'segment' | 'pose', copy = false): Promise<string> {
  const out = join(await tempDir(), 'yolo');
  await writeYoloDataset(readSplit(goldenPath(fixture, 'dataset'), { imageSizes: true }), { outDir: out, split: 'val', task, copy });
  return out;
}

for (const fixture of GOLDEN_FIXTURES) {
  test(`${fixture}: detect labels are the boxes, normalized; images are symlinks`, async () => {
    const out = await convert(fixture, 'detect');
    const split = await rawSplit(fixture);
    for (const [name, image] of split) {
      const lines = await labelLines(out, name);
      assert.equal(lines.length, image.items.length, name);
      image.items.forEach((item, i) => {
        const [cls, cx, cy, w, h] = lines[i]!;
        assert.equal(cls, item.category_id - 1);
        const [x1, y1, x2, y2] = item.bounding_box as [number, number, number, number];
        near((cx! - w! / 2) * image.width, x1, `${name} x1`);
        near((cy! - h! / 2) * image.height, y1, `${name} y1`);
        near((cx! + w! / 2) * image.width, x2, `${name} x2`);
        near((cy! + h! / 2) * image.height, y2, `${name} y2`);
      });
      const link = join(out, 'images', 'val', `${name}.jpg`);
      assert.ok((await lstat(link)).isSymbolicLink());
      assert.equal(await readlink(link), resolve(goldenPath(fixture, 'dataset', 'image', `${name}.jpg`)));
    }
    const data = parse(await readFile(join(out, 'data.yaml'), 'utf8'));
    assert.equal(data.val, 'images/val');
    assert.equal(data.path, out);
    assert.equal(Object.keys(data.names).length, 13);
    assert.equal(data.names[0], 'short_sleeved_shirt');
    assert.equal(data.kpt_shape, undefined);
  });

  test(`${fixture}: segment labels walk every polygon vertex; extra steps are links walked both ways`, async () => {
    const out = await convert(fixture, 'segment');
    for (const [name, image] of await rawSplit(fixture)) {
      const lines = await labelLines(out, name);
      image.items.forEach((item, i) => {
        const line = lines[i]!;
        assert.equal(line[0], item.category_id - 1);
        const path: [number, number][] = [];
        for (let k = 1; k < line.length; k += 2) path.push([line[k]! * image.width, line[k + 1]! * image.height]);
        const parts = item.segmentation.map((p) => p.flatMap((_, k) => (k % 2 === 0 ? [[p[k]!, p[k + 1]!] as [number, number]] : [])));
        const total = parts.reduce((s, p) => s + p.length, 0);
        // As Ultralytics' merge_multi_segment: each part closed, middle parts entered and left once more.
        assert.equal(path.length, parts.length === 1 ? total : total + 2 * parts.length - 2, `${name} ${i} length`);
        // Snap to source vertices (coordinates are integers in the fixtures).
        const snapped = path.map(([x, y]) => {
          near(x, Math.round(x), `${name} x`);
          near(y, Math.round(y), `${name} y`);
          return `${Math.round(x)},${Math.round(y)}`;
        });
        const vertices = new Set(parts.flat().map(([x, y]) => `${x},${y}`));
        for (const v of vertices) assert.ok(snapped.includes(v), `${name} ${i}: vertex ${v} missing`);
        for (const s of snapped) assert.ok(vertices.has(s), `${name} ${i}: ${s} is not a vertex`);
        // Every step is an edge of a part, a repeat, or a link also walked back.
        const edges = new Set<string>();
        for (const p of parts)
          p.forEach((a, k) => {
            const b = p[(k + 1) % p.length]!;
            edges.add(`${a}>${b}`);
            edges.add(`${b}>${a}`);
          });
        const steps = snapped.map((a, k) => `${a}>${snapped[(k + 1) % snapped.length]}`);
        const stepCounts = new Map<string, number>();
        for (const s of steps) stepCounts.set(s, (stepCounts.get(s) ?? 0) + 1);
        for (const s of steps) {
          const [a, b] = s.split('>');
          if (a === b || edges.has(s)) continue;
          assert.ok(stepCounts.has(`${b}>${a}`), `${name} ${i}: link ${s} is not walked back`);
        }
      });
    }
  });

  test(`${fixture}: pose labels hold the box and the 294 landmarks at the category offset`, async () => {
    const out = await convert(fixture, 'pose');
    const layout = await reference();
    for (const [name, image] of await rawSplit(fixture)) {
      const lines = await labelLines(out, name);
      image.items.forEach((item, i) => {
        const line = lines[i]!;
        assert.equal(line.length, 5 + 294 * 3);
        const category = layout.categories[item.category_id - 1]!;
        for (let k = 0; k < 294; k++) {
          const [x, y, v] = line.slice(5 + 3 * k, 8 + 3 * k) as [number, number, number];
          const local = k - category.offset;
          if (local < 0 || local >= category.landmarks) {
            assert.deepEqual([x, y, v], [0, 0, 0]);
            continue;
          }
          const [sx, sy, sv] = item.landmarks.slice(3 * local, 3 * local + 3) as [number, number, number];
          assert.equal(v, sv, `${name} ${i} landmark ${local + 1} visibility`);
          near(x * image.width, sx, `${name} ${i} landmark ${local + 1} x`);
          near(y * image.height, sy, `${name} ${i} landmark ${local + 1} y`);
        }
      });
    }
    const data = parse(await readFile(join(out, 'data.yaml'), 'utf8'));
    assert.deepEqual(data.kpt_shape, [294, 3]);
    const flip = data.flip_idx as number[];
    assert.equal(flip.length, 294);
    const expected = Array.from({ length: 294 }, (_, k) => k);
    for (const c of layout.categories)
      for (const [a, b] of c.flip_pairs) {
        expected[c.offset + a! - 1] = c.offset + b! - 1;
        expected[c.offset + b! - 1] = c.offset + a! - 1;
      }
    assert.deepEqual(flip, expected);
    assert.ok(
      flip.every((j, k) => flip[j] === k),
      'a flip twice is the identity',
    );
  });
}

test('--copy copies images; a second split joins data.yaml; converting again replaces the split', async () => {
  const out = join(await tempDir(), 'yolo');
  const dataset = goldenPath('quirks', 'dataset');
  await writeYoloDataset(readSplit(dataset, { imageSizes: true }), { outDir: out, split: 'val', task: 'detect', copy: true });
  const copied = join(out, 'images', 'val', '000001.jpg');
  assert.ok((await lstat(copied)).isFile());
  assert.equal((await stat(copied)).size, (await stat(join(dataset, 'image', '000001.jpg'))).size);
  await writeYoloDataset(readSplit(dataset, { imageSizes: true }), { outDir: out, split: 'train', task: 'detect' });
  await writeYoloDataset(readSplit(dataset, { imageSizes: true }), { outDir: out, split: 'val', task: 'detect' });
  const data = parse(await readFile(join(out, 'data.yaml'), 'utf8'));
  assert.equal(data.train, 'images/train');
  assert.equal(data.val, 'images/val');
  assert.ok((await lstat(copied)).isSymbolicLink(), 'the second val conversion replaced the first');
  assert.deepEqual((await readdir(join(out, 'images'))).sort(), ['train', 'val'], 'no building folders left');
  assert.deepEqual((await readdir(join(out, 'labels'))).sort(), ['train', 'val']);
});

test('an existing data.yaml that cannot be read is refused before anything is converted', async () => {
  const out = join(await tempDir(), 'yolo');
  await mkdir(out);
  await writeFile(join(out, 'data.yaml'), 'names: [unclosed\n');
  await assert.rejects(
    writeYoloDataset(readSplit(goldenPath('quirks', 'dataset'), { imageSizes: true }), { outDir: out, split: 'val', task: 'detect' }),
    /data\.yaml: expected a data\.yaml that df2 can update/,
  );
  assert.deepEqual(await readdir(out), ['data.yaml'], 'no images/ or labels/ written');
});

test('joinPolygons links parts at their nearest vertices and walks each link both ways', () => {
  const square = (x: number, y: number): number[] => [x, y, x + 2, y, x + 2, y + 2, x, y + 2];
  const joined = joinPolygons([square(0, 0), square(10, 0), square(20, 0)]);
  const points = joined.flatMap((_, k) => (k % 2 === 0 ? [`${joined[k]},${joined[k + 1]}`] : []));
  assert.equal(points.length, 12 + 2 * 3 - 2);
  // Part 0 is left at (2,0) and (2,2) is as near: the first nearest pair is kept.
  assert.equal(points[0], '2,0');
  assert.ok(points.includes('10,0') && points.includes('12,0') && points.includes('20,0'));
  assert.deepEqual(joinPolygons([square(0, 0)]), square(0, 0));
  assert.deepEqual(joinPolygons([]), []);
});

test('yoloLabelLine clamps to the image and skips boxes empty inside it', () => {
  const item: Item = {
    key: 'item1',
    categoryId: 1,
    categoryName: 'short sleeve top',
    style: 1,
    boundingBox: [-10, 10, 50, 120],
    landmarks: [],
    segmentation: [],
    scale: 1,
    occlusion: 1,
    zoomIn: 1,
    viewpoint: 1,
  };
  const [, cx, cy, w, h] = yoloLabelLine(item, { width: 100, height: 100 }, 'detect')!.split(' ').map(Number);
  assert.deepEqual([cx, cy, w, h], [0.25, 0.55, 0.5, 0.9]);
  const segment = yoloLabelLine(item, { width: 100, height: 100 }, 'segment')!.split(' ').map(Number);
  assert.equal(segment.length, 1 + 8, 'no polygon: the box as one');
  assert.equal(yoloLabelLine({ ...item, boundingBox: [120, 10, 150, 20] }, { width: 100, height: 100 }, 'detect'), undefined);
});

test('formatG writes like printf %g', () => {
  assert.equal(formatG(0.4515625), '0.451562', 'exact tie: half to even');
  assert.equal(formatG(0.4515635), '0.451564');
  assert.equal(formatG(0.00001234), '1.234e-05');
  assert.equal(formatG(0.000123456), '0.000123456');
  assert.equal(formatG(999999.5), '1e+06');
  assert.equal(formatG(2), '2');
  assert.equal(formatG(0.5), '0.5');
  assert.equal(formatG(-0.25), '-0.25');
});

test('yoloSplitForDir maps the release folder names', () => {
  assert.equal(yoloSplitForDir('/data/train'), 'train');
  assert.equal(yoloSplitForDir('/data/validation/'), 'val');
  assert.equal(yoloSplitForDir('test'), 'test');
  assert.equal(yoloSplitForDir('/data/dataset'), undefined);
});
