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
import { SqlStore } from './sql-store.js';
import { sqliteDriver } from '../store/sqlite-driver.js';
import { FileUploads } from './file-uploads.js';
import { storeContract } from './store-contract.js';

storeContract('sqlite', async (options) => {
  const dir = await tempDir('df2-store-');
  const file = join(dir, 'df2.sqlite');
  const dbs = [openDatabase(file)];
  return {
    store: await SqlStore.open(sqliteDriver(dbs[0]!), options),
    uploads: new FileUploads(),
    async openAnother() {
      const db = openDatabase(file);
      dbs.push(db);
      return SqlStore.open(sqliteDriver(db), options);
    },
    async cleanup() {
      for (const db of dbs) db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

storeContract(
  'postgres',
  async (options) => {
    // Loaded only here: the SQLite run needs no PostgreSQL client.
    const [{ pgDriver }, { PgUploads }] = await Promise.all([import('../store/pg-driver.js'), import('./pg-uploads.js')]);
    const created = await createTestDatabase();
    const pools: PgPool[] = [await openPgPool(created.url, { max: 10 })];
    const tempRoot = await tempDir('df2-pg-uploads-');
    return {
      store: await SqlStore.open(pgDriver(pools[0]!), options),
      uploads: await PgUploads.open(pools[0]!, tempRoot),
      async openAnother() {
        const pool = await openPgPool(created.url, { max: 10 });
        pools.push(pool);
        return SqlStore.open(pgDriver(pool), options);
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
