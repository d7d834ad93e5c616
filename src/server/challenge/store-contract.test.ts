/**
 * The Store and UploadStore contract (store-contract.ts) run against each
 * backend: a fresh SQLite file, and a fresh PostgreSQL database, per test.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { tempDir } from '../../testing/paths.js';
import { createTestDatabase, postgresUnavailable } from '../../testing/postgres.js';
import { openDatabase } from '../store/sqlite.js';
import { openPgPool, type PgPool } from '../store/postgres.js';
import { SqliteStore } from './sqlite-store.js';
import { FileUploads } from './file-uploads.js';
import { storeContract } from './store-contract.js';

storeContract('sqlite', async () => {
  const dir = await tempDir('df2-store-');
  const file = join(dir, 'df2.sqlite');
  const dbs = [openDatabase(file)];
  return {
    store: new SqliteStore(dbs[0]!),
    uploads: new FileUploads(),
    async openAnother() {
      const db = openDatabase(file);
      dbs.push(db);
      return new SqliteStore(db);
    },
    async cleanup() {
      for (const db of dbs) db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

storeContract(
  'postgres',
  async () => {
    // Loaded only here: the SQLite run needs no PostgreSQL client.
    const [{ PgStore }, { PgUploads }] = await Promise.all([import('./pg-store.js'), import('./pg-uploads.js')]);
    const created = await createTestDatabase();
    const pools: PgPool[] = [await openPgPool(created.url, { max: 10 })];
    const tempRoot = await tempDir('df2-pg-uploads-');
    return {
      store: await PgStore.open(pools[0]!),
      uploads: await PgUploads.open(pools[0]!, tempRoot),
      async openAnother() {
        const pool = await openPgPool(created.url, { max: 10 });
        pools.push(pool);
        return PgStore.open(pool);
      },
      async cleanup() {
        for (const pool of pools) await pool.end();
        await created.drop();
        await rm(tempRoot, { recursive: true, force: true });
      },
    };
  },
  { skip: postgresUnavailable() },
);
