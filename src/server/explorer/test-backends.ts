/**
 * For tests: the DatasetIndex backends, each as a factory of a fresh
 * database on which `open()` gives an index (again and again: a restarted
 * process). PostgreSQL runs on its own database, dropped by close().
 */
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from '../../testing/paths.js';
import { createTestDatabase as createPgTestDatabase, postgresUnavailable as pgTestsUnavailable } from '../../testing/postgres.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { PgDatasetIndex } from './pg-index.js';
import { SqliteDatasetIndex } from './sqlite-index.js';
import type { DatasetIndex } from './types.js';

export interface IndexBackend {
  open(): Promise<DatasetIndex>;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<IndexBackend> {
  const file = join(await tempDir('df2-index-'), 'df2.sqlite');
  const dbs: Db[] = [];
  return {
    async open() {
      const db = openDatabase(file);
      dbs.push(db);
      return new SqliteDatasetIndex(db);
    },
    async close() {
      for (const db of dbs) db.close();
    },
  };
}

async function pgBackend(): Promise<IndexBackend> {
  const database = await createPgTestDatabase();
  const pools: pg.Pool[] = [];
  return {
    async open() {
      const pool = new pg.Pool({ connectionString: database.url, max: 4 });
      pools.push(pool);
      return PgDatasetIndex.open(pool);
    },
    async close() {
      for (const pool of pools) await pool.end();
      await database.drop();
    },
  };
}

/** Both backends; PostgreSQL's `skip` says why it cannot run here (in CI its absence throws instead). */
export const INDEX_BACKENDS: { name: string; make: () => Promise<IndexBackend>; skip?: string }[] = [
  { name: 'SQLite', make: sqliteBackend },
  { name: 'PostgreSQL', make: pgBackend, skip: pgTestsUnavailable() },
];
