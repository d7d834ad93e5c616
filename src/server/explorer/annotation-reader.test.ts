/**
 * The annotation reader's threads give each image's JSON exactly as the
 * in-process read does (readImage), read the file as it is now (an edit shows
 * at once), and report a file that no longer reads in the image's `error`.
 */
import { after, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GOLDEN_SPLIT } from '../test-support.js';
import { tempDir } from '../../testing/paths.js';
import { readImage } from '../routes/explorer.js';
import { AnnotationReader } from './annotation-reader.js';
import type { ImageRow, SplitInfo } from './types.js';

const reader = new AnnotationReader(2);
after(() => reader.close());

const row = (imageId: number, source: ImageRow['source'] = 'user'): ImageRow => ({
  imageId,
  source,
  pairId: 1,
  width: 10,
  height: 20,
  hasImage: true,
  itemCount: 1,
});

async function copySplit(): Promise<SplitInfo> {
  const dir = join(await tempDir('df2-reader-'), 'split');
  await cp(GOLDEN_SPLIT, dir, { recursive: true });
  return { id: 1, name: 'split', dir, images: 120, items: 0, badFiles: 0, indexedAt: null };
}

test('a page read on the threads equals the in-process read, in order, with the items keys and styles', async () => {
  const split = await copySplit();
  const rows = Array.from({ length: 40 }, (_, k) => row(k + 1));
  const read = await reader.read(split.dir, rows);
  assert.equal(read.length, rows.length);
  for (const [k, r] of rows.entries()) {
    const expected = await readImage(split, r);
    assert.deepEqual(JSON.parse(read[k]!.json), expected);
    assert.deepEqual(
      read[k]!.styles,
      expected.items.map((it) => [it.key, it.style]),
    );
  }
  assert.ok(read.some((r) => r.styles.length > 0));
});

test('an edited file reads as edited; a broken one gives the error; an images-only image reads no file', async () => {
  const split = await copySplit();
  const file = join(split.dir, 'annos', '000004.json');
  const before = JSON.parse((await reader.read(split.dir, [row(4)]))[0]!.json) as { items: { occlusion: number }[] };
  const edited = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
  for (const [key, item] of Object.entries(edited)) if (key.startsWith('item')) item.occlusion = item.occlusion === 3 ? 1 : 3;
  await writeFile(file, JSON.stringify(edited));
  const afterEdit = JSON.parse((await reader.read(split.dir, [row(4)]))[0]!.json) as { items: { occlusion: number }[] };
  assert.notDeepEqual(
    afterEdit.items.map((it) => it.occlusion),
    before.items.map((it) => it.occlusion),
  );
  assert.deepEqual(afterEdit, await readImage(split, row(4)));

  await writeFile(file, '{"source": ');
  const broken = JSON.parse((await reader.read(split.dir, [row(4)]))[0]!.json) as { items: unknown[]; error?: string };
  assert.deepEqual(broken.items, []);
  assert.match(broken.error!, /^: expected valid JSON, found /);

  const unknown = JSON.parse((await reader.read(split.dir, [row(999, 'unknown')]))[0]!.json) as { items: unknown[]; error?: string };
  assert.deepEqual([unknown.items, unknown.error], [[], undefined]);
});

test('a thread that is stopped is replaced on the next read', async () => {
  const split = await copySplit();
  const own = new AnnotationReader(1);
  await own.read(split.dir, [row(1)]);
  await own.close();
  assert.equal((await own.read(split.dir, [row(2)])).length, 1);
  await own.close();
});

test('idle threads do not keep a process alive (started, used, then left)', async () => {
  const split = await copySplit();
  const module = new URL('./annotation-reader.js', import.meta.url).href;
  const script = `const { annotationReader } = await import(${JSON.stringify(module)});
annotationReader.warm();
const [image] = await annotationReader.read(${JSON.stringify(split.dir)}, [${JSON.stringify(row(5))}]);
console.log(JSON.parse(image.json).id);`;
  const file = join(await tempDir('df2-reader-exit-'), 'read.mjs');
  await writeFile(file, script);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 });
  assert.equal(stdout.trim(), '5');
});
