/** The split converted for layers: the release converter's files, keys per image, redone only for a new index state. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { splitTruth, truthDir } from './split-truth.js';
import type { SplitInfo } from '../explorer/types.js';

const SPLIT_DIR = goldenPath('basic', 'dataset');
const split = (indexedAt: string): SplitInfo => ({ id: 7, name: 'basic', dir: SPLIT_DIR, images: 120, items: 0, badFiles: 0, indexedAt });

test("coco and retrieval files equal the fixture's converted files; keys follow the annotation files", async () => {
  const layersDir = await tempDir('df2-truth-');
  const coco = await splitTruth(layersDir, split('t1'), 'coco');
  assert.deepEqual(JSON.parse(await readFile(coco.files.gt!, 'utf8')), JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')));
  const visible = await splitTruth(layersDir, split('t1'), 'coco-visible');
  assert.deepEqual(JSON.parse(await readFile(visible.files.gt!, 'utf8')), JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco-visible.json'), 'utf8')));
  const retrieval = await splitTruth(layersDir, split('t1'), 'retrieval');
  assert.deepEqual(
    JSON.parse(await readFile(retrieval.files.query!, 'utf8')),
    JSON.parse(await readFile(goldenPath('basic', 'retrieval', 'query.json'), 'utf8')),
  );
  assert.deepEqual(
    JSON.parse(await readFile(retrieval.files.gallery!, 'utf8')),
    JSON.parse(await readFile(goldenPath('basic', 'retrieval', 'gallery.json'), 'utf8')),
  );
  const anno = JSON.parse(await readFile(join(SPLIT_DIR, 'annos', '000002.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(
    coco.itemKeys.get(2),
    Object.keys(anno).filter((k) => /^item\d+$/.test(k)),
  );
  assert.equal(coco.itemKeys.size, 120);
  assert.equal(retrieval.queryItems!.length, JSON.parse(await readFile(retrieval.files.query!, 'utf8')).length);

  // Same index state: the same work; a new one: converted again, the old conversion removed.
  assert.equal(await splitTruth(layersDir, split('t1'), 'coco'), coco);
  const again = await splitTruth(layersDir, split('t2'), 'coco');
  assert.notEqual(again.files.gt, coco.files.gt);
  assert.ok(!existsSync(truthDir(layersDir, split('t1'))));
  assert.deepEqual(await readdir(layersDir), [truthDir(layersDir, split('t2')).split('/').pop()]);
});
