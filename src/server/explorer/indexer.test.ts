/**
 * The indexer on both backends: a split indexed, then changed on disk
 * (a file edited, one added, one deleted, one broken) and indexed again,
 * answers every count exactly as a fresh index of the same directory on a
 * new database does; an unchanged run reads nothing but the bad file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GOLDEN_SPLIT } from '../test-support.js';
import { tempDir } from '../../testing/paths.js';
import { Indexer } from './indexer.js';
import { INDEX_BACKENDS, type IndexBackend } from './test-backends.js';
import type { ImageFilters } from './filters.js';
import type { DatasetIndex } from './types.js';

const FILTERS: ImageFilters[] = [{}, { category: [1, 7] }, { source: ['shop'], style: ['positive'] }, { occlusion: [2], items: [2] }];

/** Everything the explorer shows of a split, for comparing two indexes of it. */
async function answers(index: DatasetIndex, name: string): Promise<unknown> {
  const split = (await index.split(name))!;
  const out: unknown[] = [split.images, split.items, split.badFiles, await index.stats(split.id), await index.badFiles(split.id, 100)];
  for (const filters of FILTERS) {
    out.push(await index.facetCounts(split.id, filters));
    const page = await index.queryImages(split.id, filters, 0, 200);
    out.push(page.total, page.images);
  }
  return out;
}

async function indexDir(index: DatasetIndex, dir: string): Promise<Indexer> {
  const indexer = new Indexer(index);
  await indexer.enqueue(await index.registerSplit('split', dir));
  return indexer;
}

for (const backend of INDEX_BACKENDS) {
  describe(`Indexer on ${backend.name}`, { skip: backend.skip }, () => {
    const backends: IndexBackend[] = [];
    const fresh = async (): Promise<DatasetIndex> => {
      const b = await backend.make();
      backends.push(b);
      return b.open();
    };
    let dir: string;
    before(async () => {
      dir = join(await tempDir('df2-indexer-'), 'split');
      await cp(GOLDEN_SPLIT, dir, { recursive: true });
    });
    after(async () => {
      for (const b of backends) await b.close();
    });

    test('changes on disk are indexed incrementally and equal a full index from scratch', async () => {
      const index = await fresh();
      const first = await indexDir(index, dir);
      assert.deepEqual(first.status('split'), { state: 'ready', done: 120, total: 120, changed: 120 });
      assert.equal((await index.split('split'))!.images, 120);
      assert.deepEqual(await answers(index, 'split'), await answers(await indexDirFresh(), 'split'));

      // Edit one file (every item heavily occluded, small, style 0), add one, delete one, break one.
      const edited = JSON.parse(await readFile(join(dir, 'annos', '000003.json'), 'utf8')) as Record<string, Record<string, number>>;
      for (const [key, item] of Object.entries(edited)) {
        if (key.startsWith('item')) Object.assign(item, { occlusion: 3, scale: 1, style: 0 });
      }
      await writeFile(join(dir, 'annos', '000003.json'), JSON.stringify(edited));
      await cp(join(dir, 'annos', '000010.json'), join(dir, 'annos', '000500.json'));
      await rm(join(dir, 'annos', '000020.json'));
      await writeFile(join(dir, 'annos', '000030.json'), '{"source": "user", "pair_id": ');

      const again = new Indexer(index);
      await again.enqueue((await index.split('split'))!);
      assert.deepEqual(again.status('split'), { state: 'ready', done: 120, total: 120, changed: 3 });
      const split = (await index.split('split'))!;
      assert.equal(split.images, 120 + 1 - 1 - 1);
      assert.equal(split.badFiles, 1);
      assert.equal((await index.badFiles(split.id, 10))[0]!.file, 'annos/000030.json');
      assert.match((await index.badFiles(split.id, 10))[0]!.message, /^split\/annos\/000030\.json: expected valid JSON/);
      const occluded = await index.queryImages(split.id, { occlusion: [3], scale: [1], style: ['zero'] }, 0, 200);
      assert.ok(occluded.images.some((row) => row.imageId === 3));
      assert.equal(await index.image(split.id, 20), undefined);
      assert.equal(await index.image(split.id, 30), undefined);
      assert.equal((await index.image(split.id, 500))!.pairId, (await index.image(split.id, 10))!.pairId);
      // image/ is not listed: an annotation without its image shows so at the image's open.
      assert.equal((await index.image(split.id, 10))!.hasImage, true);
      assert.deepEqual([(await index.image(split.id, 500))!.hasImage, (await index.image(split.id, 500))!.width], [false, 0]);
      assert.deepEqual(await answers(index, 'split'), await answers(await indexDirFresh(), 'split'));

      // Nothing changed: only the bad file is read again.
      const unchanged = new Indexer(index);
      await unchanged.enqueue((await index.split('split'))!);
      assert.deepEqual(unchanged.status('split'), { state: 'ready', done: 120, total: 120, changed: 1 });
    });

    test('a missing split directory fails the run with one line naming it', async () => {
      const index = await fresh();
      const indexer = new Indexer(index);
      const gone = join(dir, 'no-such-split');
      await indexer.enqueue(await index.registerSplit('gone', gone));
      const status = indexer.status('gone')!;
      assert.equal(status.state, 'failed');
      assert.equal(status.error, `${gone}: expected a split directory with annos/ and image/, found nothing there`);
    });

    /** A new database indexing the directory as it is now. */
    async function indexDirFresh(): Promise<DatasetIndex> {
      const index = await fresh();
      await indexDir(index, dir);
      return index;
    }
  });
}
