/** Retrieval ground truth: equal to the golden query/gallery files of both fixtures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSplit } from '../dataset/index.js';
import { GOLDEN_FIXTURES, goldenPath, tempDir } from '../testing/paths.js';
import { writeRetrievalFiles } from './retrieval.js';

for (const fixture of GOLDEN_FIXTURES) {
  for (const attributes of [false, true]) {
    test(`${fixture}: query${attributes ? '-attributes' : ''}.json and gallery.json`, async () => {
      const dir = await tempDir();
      const targets = { query: join(dir, 'q.json'), gallery: join(dir, 'g.json') };
      const summary = await writeRetrievalFiles(readSplit(goldenPath(fixture, 'dataset')), targets, { attributes });
      const expectedQuery = await readFile(goldenPath(fixture, 'retrieval', attributes ? 'query-attributes.json' : 'query.json'), 'utf8');
      const expectedGallery = await readFile(goldenPath(fixture, 'retrieval', 'gallery.json'), 'utf8');
      const query = await readFile(targets.query, 'utf8');
      const gallery = await readFile(targets.gallery, 'utf8');
      assert.deepEqual(JSON.parse(query), JSON.parse(expectedQuery));
      // No gallery-attributes file exists: the gallery stays the same with --attributes.
      assert.deepEqual(JSON.parse(gallery), JSON.parse(expectedGallery));
      assert.equal(query, expectedQuery);
      assert.equal(gallery, expectedGallery);
      assert.equal(summary.queries, JSON.parse(expectedQuery).length);
      assert.equal(summary.galleryItems, JSON.parse(expectedGallery).length);
    });
  }
}
