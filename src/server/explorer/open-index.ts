/** The explorer's DatasetIndex for the database df2 serve was given: an SQLite file or a PostgreSQL pool. */
import type { Db } from '../store/sqlite.js';
import type { PgPool } from '../store/postgres.js';
import { PgDatasetIndex } from './pg-index.js';
import { SqliteDatasetIndex } from './sqlite-index.js';
import type { DatasetIndex } from './types.js';

export type IndexDatabase = { sqlite: Db } | { pg: PgPool };

/**
 * Opens (and migrates) the index on an open database.
 *
 * @example
 * const index = await openDatasetIndex({ pg: pool });       // df2 serve --db postgres://...
 * const index = await openDatasetIndex({ sqlite: openDatabase('.df2/df2.sqlite') });
 */
export async function openDatasetIndex(database: IndexDatabase): Promise<DatasetIndex> {
  return 'pg' in database ? PgDatasetIndex.open(database.pg) : new SqliteDatasetIndex(database.sqlite);
}
