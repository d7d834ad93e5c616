/**
 * A split of images only (the test split: image/ without annos/) is a split
 * like any other: validate checks its images, convert coco writes its image
 * info, stats says what it can, and the explorer lists it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { startServer } from '../server/server.js';

async function imagesOnlySplit(): Promise<string> {
  const dir = join(await tempDir('df2-images-only-'), 'test');
  await cp(goldenPath('basic', 'dataset', 'image'), join(dir, 'image'), { recursive: true });
  return dir;
}

const GOLDEN_COCO = JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')) as Record<string, unknown>;

test('validate checks the images of an images-only split, and names an unreadable one', async () => {
  const dir = await imagesOnlySplit();
  const clean = await runCli(['validate', dir]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.stdout, `${dir}: valid: 120 files, 0 items, 0 errors, 0 warnings\n`);
  await writeFile(join(dir, 'image', '000007.jpg'), 'not a jpeg');
  const broken = await runCli(['validate', dir]);
  assert.equal(broken.code, 1);
  assert.equal(
    broken.stdout,
    `${join(dir, 'image', '000007.jpg')}: expected a readable JPEG or PNG image, found another kind of file\n${dir}: invalid: 120 files, 0 items, 1 error, 0 warnings\n`,
  );
});

test('a directory with neither annos/ nor image/ is still refused with the annos/ line', async () => {
  const dir = await tempDir('df2-images-only-');
  const result = await runCli(['validate', dir]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `df2: ${join(dir, 'annos')}: expected a directory of NNNNNN.json annotation files, found nothing there\n`);
});

test('convert coco writes the image-info file: the images and categories of the ground truth, no annotations', async () => {
  const dir = await imagesOnlySplit();
  const out = join(await tempDir('df2-images-only-'), 'test-image-info.json');
  const result = await runCli(['convert', 'coco', dir, '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { out, images: 120, annotations: 0 });
  const info = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(info), ['info', 'licenses', 'images', 'categories']);
  // The same image entries (ids, names, sizes from the headers) and categories as the full ground truth.
  assert.deepEqual(info.images, GOLDEN_COCO.images);
  assert.deepEqual(info.categories, GOLDEN_COCO.categories);
});

test('stats gives the image count and size ranges; --html is refused in one line', async () => {
  const dir = await imagesOnlySplit();
  const result = await runCli(['stats', dir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const stats = JSON.parse(result.stdout) as { imagesOnly: boolean; images: number; width: { min: number; max: number; mean: number } };
  const widths = (GOLDEN_COCO.images as Array<{ width: number }>).map((i) => i.width);
  assert.equal(stats.imagesOnly, true);
  assert.equal(stats.images, 120);
  assert.equal(stats.width.min, Math.min(...widths));
  assert.equal(stats.width.max, Math.max(...widths));
  assert.ok(Math.abs(stats.width.mean - widths.reduce((a, b) => a + b, 0) / widths.length) < 1e-9);
  const html = await runCli(['stats', dir, '--html', join(dir, 'x.html')]);
  assert.equal(html.code, 1);
  assert.equal(html.stderr, `df2: ${dir}: expected annotations (annos/) for the charts of --html, found a split of images only\n`);
});

test('the explorer indexes an images-only split: every image listed with its size and no items', async () => {
  const dir = await imagesOnlySplit();
  const server = await startServer({ dataDirs: [dir], port: 0, db: join(await tempDir('df2-images-only-'), 'df2.sqlite'), workers: 0 });
  try {
    await server.ctx.indexer.idle();
    const splits = (await (await fetch(`${server.url}/api/splits`)).json()) as Array<{ name: string; images: number; indexing: { state: string } }>;
    assert.equal(splits[0]!.indexing.state, 'ready');
    assert.equal(splits[0]!.images, 120);
    const page = (await (await fetch(`${server.url}/api/images?split=test&per_page=200`)).json()) as { total: number; images: Array<Record<string, unknown>> };
    assert.equal(page.total, 120);
    const golden = new Map((GOLDEN_COCO.images as Array<{ id: number; width: number; height: number }>).map((i) => [i.id, i]));
    for (const image of page.images) {
      assert.equal(image.source, 'unknown');
      assert.deepEqual(image.items, []);
      assert.equal(image.width, golden.get(image.id as number)!.width);
      assert.equal(image.height, golden.get(image.id as number)!.height);
    }
    const one = await fetch(`${server.url}/api/images/test/1/image`);
    assert.equal(one.status, 200);
    assert.equal(one.headers.get('content-type'), 'image/jpeg');
  } finally {
    await server.close();
  }
});
