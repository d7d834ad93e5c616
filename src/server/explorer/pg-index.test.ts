/**
 * PostgreSQL's index in front of one database shared by several processes:
 * a process's own writes never make it reload its model (a reload of the
 * train split holds requests for a second), while another process's writes
 * do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, postgresUnavailable } from '../../testing/postgres.js';
import { PgDatasetIndex } from './pg-index.js';
import type { IndexedImage } from './types.js';

const image = (imageId: number, style: number): IndexedImage => ({
  imageId,
  source: imageId % 2 === 0 ? 'user' : 'shop',
  pairId: imageId % 50,
  width: 640,
  height: 480,
  hasImage: true,
  mtimeMs: 1_700_000_000_000 + imageId,
  size: 1000,
  items: [{ categoryId: 1 + (imageId % 13), style, scale: 2, occlusion: 1, zoomIn: 1, viewpoint: 2, visible: 10, occluded: 2 }],
});

/** A pool that counts its queries containing `counted`. */
function countingPool(url: string, counted: string): { pool: pg.Pool; count: () => number } {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let n = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
    if (text?.includes(counted)) n++;
    return query(...args);
  };
  return { pool, count: () => n };
}

test('own writes never reload the model, even checked on every request; another process’s writes do', { skip: postgresUnavailable() }, async () => {
  const database = await createTestDatabase();
  const mine = countingPool(database.url, 'SELECT image_id, source, pair_id');
  const other = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const index = await PgDatasetIndex.open(mine.pool, { generationCheckMs: 0 });
    const split = await index.registerSplit('shared', '/data/shared');
    await index.writeImages(
      split.id,
      Array.from({ length: 3000 }, (_, k) => image(k + 1, 1)),
      [],
    );
    await index.stats(split.id);
    const loadsBefore = mine.count();

    // 40 writes of this process, each raced by requests that compare generations.
    const requests: Promise<unknown>[] = [];
    const writes: Promise<void>[] = [];
    for (let round = 0; round < 40; round++) {
      writes.push(index.writeImages(split.id, [image(5000 + round, 2), image(1 + round, 3)], [100 + round]));
      for (let k = 0; k < 5; k++) requests.push(index.stats(split.id), index.queryImages(split.id, {}, 0, 10));
    }
    await Promise.all([...writes, ...requests]);
    assert.equal(mine.count(), loadsBefore, 'no reload after this process’s own writes');
    const stats = await index.stats(split.id);
    assert.equal(stats.images.user + stats.images.shop, 3000);

    // Another process writes: the next request sees it.
    const otherIndex = await PgDatasetIndex.open(other);
    await otherIndex.writeImages(split.id, [image(9000, 1)], []);
    const after = await index.stats(split.id);
    assert.ok(mine.count() > loadsBefore, 'the model was loaded again');
    assert.equal(after.images.user + after.images.shop, 3001);
  } finally {
    await mine.pool.end();
    await other.end();
    await database.drop();
  }
});

test('requests that find a split’s cached row expired share one query', { skip: postgresUnavailable() }, async () => {
  const database = await createTestDatabase();
  const counting = countingPool(database.url, 'FROM explorer_splits WHERE name');
  try {
    const index = await PgDatasetIndex.open(counting.pool);
    await index.registerSplit('shared', '/data/shared');
    const found = await Promise.all(Array.from({ length: 20 }, () => index.split('shared')));
    assert.equal(counting.count(), 1);
    assert.ok(found.every((s) => s?.dir === '/data/shared'));
    // This process's own change shows at once.
    await index.registerSplit('shared', '/data/moved');
    assert.equal((await index.split('shared'))?.dir, '/data/moved');
    assert.equal(await index.split('missing'), undefined);
  } finally {
    await counting.pool.end();
    await database.drop();
  }
});

test('index batches commit without waiting for the disk, and leave their connections synchronous', { skip: postgresUnavailable() }, async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  const statements: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (typeof args[0] === 'string') statements.push(args[0]);
      return query(...args);
    };
  });
  try {
    const index = await PgDatasetIndex.open(pool);
    const split = await index.registerSplit('sync', '/data/sync');
    await Promise.all([1, 2, 3].map((k) => index.writeImages(split.id, [image(k, 1)], [])));
    assert.equal(statements.filter((s) => s === 'SET LOCAL synchronous_commit TO OFF').length, 3, 'each batch, inside its transaction');
    // SET LOCAL ends with the transaction: every pooled connection is back to synchronous commits.
    const clients = await Promise.all([1, 2, 3].map(() => pool.connect()));
    try {
      for (const client of clients)
        assert.equal((await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit, 'on');
    } finally {
      for (const client of clients) client.release();
    }
    const stats = await index.stats(split.id);
    assert.equal(stats.images.user + stats.images.shop, 3);
  } finally {
    await pool.end();
    await database.drop();
  }
});
