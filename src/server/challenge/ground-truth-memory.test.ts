import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCocoGroundTruth, type CocoGroundTruth } from '../../eval/index.js';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { GroundTruthMemory, typedBytes } from './ground-truth-memory.js';

test('typedBytes counts each buffer once, views of one buffer included, and what the buffer holds beyond its view', () => {
  const shared = new ArrayBuffer(1000);
  const value = { a: new Float64Array(shared, 0, 10), b: [new Uint8Array(shared, 80, 5), new Int32Array(7)], c: 'text', d: null, self: {} as unknown };
  (value as { self: unknown }).self = value;
  assert.equal(typedBytes(value), 1000 + 28);
});

/** A copy of the golden ground truth, modified an hour ago (a phase's file), and what it loads to. */
async function groundTruthFile(): Promise<{ file: string; gt: CocoGroundTruth }> {
  const file = join(await tempDir('df2-gt-memory-'), 'coco.json');
  await writeFile(file, await readFile(goldenPath('basic', 'gt', 'coco.json')));
  const past = new Date(Date.now() - 3600_000);
  await utimes(file, past, past);
  return { file, gt: await loadCocoGroundTruth(file, ['bbox'], { useWorker: false }) };
}

test('a kept ground truth is found for its file and tasks only, and not once the file changed', async () => {
  const { file, gt } = await groundTruthFile();
  const memory = new GroundTruthMemory(1 << 30);
  assert.equal(memory.lookup(file, ['bbox']), undefined);
  memory.keep(memory.startRead(file), gt);
  assert.equal(memory.reads, 1);
  assert.ok(memory.bytes > 0);
  assert.equal(memory.lookup(file, ['bbox'])?.annotations.bbox, gt.annotations.bbox, 'the same columns, not a copy');
  assert.equal(memory.lookup(file, ['bbox', 'segm']), undefined, 'another task set is another entry');
  // Touched (same bytes, new mtime): the identity differs, the copy is dropped.
  const now = new Date();
  await utimes(file, now, now);
  assert.equal(memory.lookup(file, ['bbox']), undefined);
  assert.equal(memory.bytes, 0);
});

test('a file modified within the margin before its read, or during it, is not kept', async () => {
  const { file, gt } = await groundTruthFile();
  const memory = new GroundTruthMemory(1 << 30);
  const recent = new Date(Date.now() - 500);
  await utimes(file, recent, recent);
  memory.keep(memory.startRead(file), gt);
  assert.equal(memory.bytes, 0, 'modified 0.5 s before the read');

  const past = new Date(Date.now() - 3600_000);
  await utimes(file, past, past);
  const start = memory.startRead(file);
  await writeFile(file, '{}');
  memory.keep(start, gt);
  assert.equal(memory.bytes, 0, 'changed during the read');
});

test('past the budget the least recently used goes; a ground truth larger than the budget is not kept', async () => {
  const a = await groundTruthFile();
  const b = await groundTruthFile();
  const c = await groundTruthFile();
  const size = typedBytes(a.gt);
  const memory = new GroundTruthMemory(2 * size + 10);
  memory.keep(memory.startRead(a.file), a.gt);
  memory.keep(memory.startRead(b.file), b.gt);
  assert.ok(memory.lookup(a.file, ['bbox']), 'a is now the most recently used');
  memory.keep(memory.startRead(c.file), c.gt);
  assert.deepEqual(
    [a, b, c].map((x) => memory.lookup(x.file, ['bbox']) !== undefined),
    [true, false, true],
  );
  assert.ok(memory.bytes <= memory.maxBytes);

  const tiny = new GroundTruthMemory(size - 1);
  tiny.keep(tiny.startRead(a.file), a.gt);
  assert.equal(tiny.bytes, 0);
  assert.equal(new GroundTruthMemory(0).bytes, 0);
});
