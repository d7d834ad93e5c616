import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { listSplit, readSplit, scanSplit, type ReadSplitOptions } from './read-split.js';
import type { ImageRecord } from '../schema/index.js';
import { checkAnnotation, formatProblemLine } from '../schema/index.js';
import { InputError } from '../util/errors.js';
import { GOLDEN_FIXTURES, RELEASE_SAMPLE_DIR, goldenPath, tempDir } from '../testing/paths.js';

const SAMPLE_ANNO = join(RELEASE_SAMPLE_DIR, 'annos', '000001.json');
const SAMPLE_IMAGE = join(RELEASE_SAMPLE_DIR, 'image', '000001.jpg');

async function collect(dir: string, options?: ReadSplitOptions): Promise<ImageRecord[]> {
  const records: ImageRecord[] = [];
  for await (const record of readSplit(dir, options)) records.push(record);
  return records;
}

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[] }[];
}

test('golden splits read in image order with the official sizes, items in the official (file key) order', async () => {
  for (const fixture of GOLDEN_FIXTURES) {
    const coco = JSON.parse(await readFile(goldenPath(fixture, 'gt', 'coco.json'), 'utf8')) as Coco;
    let progressCalls = 0;
    const records = await collect(goldenPath(fixture, 'dataset'), { concurrency: 7, onProgress: () => progressCalls++ });
    assert.equal(progressCalls, records.length);
    assert.deepEqual(
      records.map((r) => r.id),
      coco.images.map((i) => i.id),
      fixture,
    );
    assert.deepEqual(
      records.map((r) => [r.name, r.width, r.height]),
      coco.images.map((i) => [i.file_name.replace('.jpg', ''), i.width, i.height]),
      fixture,
    );
    // The converter numbers annotations in image order, then in each file's key order.
    const items = records.flatMap((r) => r.items.map((item) => ({ image: r.id, item })));
    const annotations = [...coco.annotations].sort((a, b) => a.id - b.id);
    assert.equal(items.length, annotations.length, fixture);
    items.forEach(({ image, item }, i) => {
      const a = annotations[i]!;
      const [x1, y1, x2, y2] = item.boundingBox;
      assert.deepEqual([image, item.categoryId, x1, y1, x2 - x1, y2 - y1], [a.image_id, a.category_id, ...a.bbox], `${fixture} annotation ${a.id}`);
    });
    if (fixture === 'quirks')
      assert.ok(
        records.some((r) => r.items[0]!.key !== 'item1'),
        'quirks has shuffled item keys',
      );
  }
});

/** A split in a temp dir with the release sample copied under the given numbers, written in the given order. */
async function splitOf(names: string[]): Promise<string> {
  const dir = await tempDir('df2-split-');
  await mkdir(join(dir, 'annos'));
  await mkdir(join(dir, 'image'));
  for (const name of names) {
    await copyFile(SAMPLE_ANNO, join(dir, 'annos', `${name}.json`));
    await copyFile(SAMPLE_IMAGE, join(dir, 'image', `${name}.jpg`));
  }
  return dir;
}

test('order is numeric whatever the directory order; item keys keep the file order', async () => {
  const dir = await splitOf(['000100', '000002', '010000', '000010', '000001']);
  const expected = ['000001', '000002', '000010', '000100', '010000'];
  assert.deepEqual([...(await listSplit(dir)).names], expected);
  for (const concurrency of [1, 3, 64]) {
    const records = await collect(dir, { concurrency });
    assert.deepEqual(
      records.map((r) => r.name),
      expected,
    );
    assert.deepEqual(
      records.map((r) => r.id),
      [1, 2, 10, 100, 10000],
    );
    for (const r of records) {
      assert.deepEqual(
        r.items.map((i) => i.key),
        ['item2', 'item1'],
      );
      assert.deepEqual([r.width, r.height], [468, 624]);
      assert.equal(r.imagePath, join(dir, 'image', `${r.name}.jpg`));
      assert.equal(r.annoPath, join(dir, 'annos', `${r.name}.json`));
    }
  }
});

test('a missing image gives imagePath undefined; misnamed files are listed apart and not read', async () => {
  const dir = await splitOf(['000001', '000002']);
  await writeFile(join(dir, 'annos', '3.json'), '{');
  await writeFile(join(dir, 'image', 'x.png'), '');
  const { rm } = await import('node:fs/promises');
  await rm(join(dir, 'image', '000002.jpg'));
  const records = await collect(dir);
  assert.deepEqual(
    records.map((r) => [r.name, r.imagePath !== undefined, r.width]),
    [
      ['000001', true, 468],
      ['000002', false, 0],
    ],
  );
  const scan = await scanSplit(dir);
  assert.deepEqual(scan.strayAnnotations, ['3.json']);
  assert.deepEqual(scan.strayImages, ['x.png']);
  const noSizes = await collect(dir, { imageSizes: false });
  assert.deepEqual(
    noSizes.map((r) => r.width),
    [0, 0],
  );
});

test('the first error in image order is thrown as the line df2 validate prints', async () => {
  const dir = await splitOf(['000001', '000002', '000003', '000004']);
  const broken = JSON.parse(await readFile(SAMPLE_ANNO, 'utf8'));
  broken.item2.landmarks[14] = 3;
  await writeFile(join(dir, 'annos', '000003.json'), JSON.stringify(broken));
  await writeFile(join(dir, 'annos', '000004.json'), 'not json');
  const expectedLine = formatProblemLine(checkAnnotation(join(dir, 'annos', '000003.json'), broken).problems[0]!);
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const r of readSplit(dir, { concurrency: 4 })) seen.push(r.name);
    },
    (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, expectedLine);
      assert.match(err.message, /000003\.json: item2\.landmarks\[14\]: expected a visibility 0, 1 or 2/);
      return true;
    },
  );
  assert.deepEqual(seen, ['000001', '000002']);
});

test('a directory that is not a split is an InputError', async () => {
  const dir = await tempDir();
  await assert.rejects(collect(join(dir, 'nope')), /nope: expected a split directory with annos\/ and image\/, found nothing there/);
  await assert.rejects(collect(dir), /annos: expected a directory of NNNNNN\.json annotation files, found nothing there/);
});

test('at most `concurrency` files are being read at once (FIFOs show which ones are open)', async () => {
  // Each annotation is a named pipe: its reader blocks in open() until we
  // write, and a non-blocking open for writing succeeds only while a reader
  // has it open, so we can see exactly which files readSplit is reading.
  const dir = await splitOf([]);
  const names = ['000001', '000002', '000003', '000004', '000005', '000006', '000007'];
  for (const name of names) execFileSync('mkfifo', [join(dir, 'annos', `${name}.json`)]);
  const sample = await readFile(SAMPLE_ANNO);
  const reading = collect(dir, { concurrency: 2, imageSizes: false });
  let settled = false;
  reading.then(
    () => (settled = true),
    () => (settled = true),
  );
  const served = new Set<string>();
  /** Writes the sample into every FIFO that a reader has open; returns how many were open. */
  const serveOpen = (): number => {
    const open: [string, number][] = [];
    for (const name of names.filter((n) => !served.has(n))) {
      try {
        open.push([name, openSync(join(dir, 'annos', `${name}.json`), constants.O_WRONLY | constants.O_NONBLOCK)]);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENXIO'); // no reader yet
      }
    }
    for (const [name, fd] of open) {
      writeSync(fd, sample);
      closeSync(fd);
      served.add(name);
    }
    return open.length;
  };
  let peak = 0;
  try {
    for (let round = 0; served.size < names.length && round < 400; round++) {
      await sleep(10);
      const open = serveOpen();
      peak = Math.max(peak, open);
      assert.ok(open <= 2, `${open} files open at once`);
    }
  } finally {
    // Never leave a reader blocked in open(): it would keep the process alive.
    for (let round = 0; !settled && round < 400; round++) {
      serveOpen();
      await sleep(10);
    }
  }
  const records = await reading;
  assert.deepEqual(
    records.map((r) => r.name),
    names,
  );
  assert.equal(peak, 2, 'two files were read at once');
});
