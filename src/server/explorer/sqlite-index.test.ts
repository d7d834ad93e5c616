/**
 * The SQLite index's migration to items packed into image rows (step 3): a
 * database indexed by the old schema is emptied so that the next indexing
 * run reads every file again, and then indexes as a new one does (without
 * the pair index, step 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GOLDEN_SPLIT } from '../test-support.js';
import { tempDir } from '../../testing/paths.js';
import { migrate, openDatabase } from '../store/sqlite.js';
import { Indexer } from './indexer.js';
import { SQLITE_SCHEMA, SqliteDatasetIndex } from './sqlite-index.js';

test('a database of the old schema (one row per item) is rebuilt from the files', async () => {
  const db = openDatabase(join(await tempDir('df2-migrate-'), 'df2.sqlite'));
  try {
    migrate(db, 'explorer', SQLITE_SCHEMA.slice(0, 2));
    db.prepare("INSERT INTO splits (id, name, dir, images, items, indexed_at) VALUES (1, 'split', ?, 1, 1, '2026-01-01')").run(GOLDEN_SPLIT);
    db.prepare("INSERT INTO images VALUES (1, 1, 'user', 1, 10, 10, 1, 1, 1.5, 100)").run();
    db.prepare("INSERT INTO items VALUES (1, 1, 0, 'user', 1, 1, 1, 1, 1, 1, 1, 1, 0, 0)").run();

    const index = new SqliteDatasetIndex(db);
    const split = (await index.split('split'))!;
    assert.deepEqual([split.images, split.items, split.indexedAt], [0, 0, null]);
    assert.equal((await index.fileStates(split.id)).ids.length, 0);
    assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('items', 'images_pair')").get(), { n: 0 });

    const indexer = new Indexer(index);
    await indexer.enqueue(split);
    assert.deepEqual(indexer.status('split'), { state: 'ready', done: 120, total: 120, changed: 120 });
    const again = (await index.split('split'))!;
    assert.equal(again.images, 120);
    assert.equal(again.items, (await index.stats(split.id)).items.user + (await index.stats(split.id)).items.shop);
  } finally {
    db.close();
  }
});

test('index writes leave the connection syncing every commit (FULL) for the submissions and users written after them', async () => {
  const db = openDatabase(join(await tempDir('df2-sync-'), 'df2.sqlite'));
  try {
    const index = new SqliteDatasetIndex(db);
    const split = await index.registerSplit('split', GOLDEN_SPLIT);
    const levelDuringWrite: unknown[] = [];
    // Every transaction made from here on records the level it runs under.
    const original = db.transaction.bind(db);
    db.transaction = ((fn: (...args: unknown[]) => unknown) =>
      original((...args: unknown[]) => {
        levelDuringWrite.push(db.pragma('synchronous', { simple: true }));
        return fn(...args);
      })) as typeof db.transaction;
    await new Indexer(index).enqueue(split);
    assert.ok(levelDuringWrite.length > 0, 'the indexer wrote through a transaction');
    assert.ok(levelDuringWrite.includes(1), 'index batches are written with synchronous = NORMAL (1)');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'and the connection is back to FULL (2) afterwards');
    assert.equal((await index.split('split'))!.images, 120);
  } finally {
    db.close();
  }
});
