/**
 * The challenge's backend named by `--db`: an SQLite file (the default; one
 * process owns it: store, uploads as files beside it, an in-process queue)
 * or a postgres:// URL (shared by any number of `df2 serve` and `df2 worker`
 * processes: uploads in the database, pg-boss). The store is one SqlStore on
 * either database's driver.
 */
import { resolve } from 'node:path';
import { SERVER_DEFAULTS } from './defaults.js';
import type { Db } from './store/sqlite.js';
import { lockDatabase, openDatabase } from './store/sqlite.js';
import { isPostgresUrl, openPgPool } from './store/postgres.js';
import { SqlStore } from './challenge/sql-store.js';
import { sqliteDriver } from './store/sqlite-driver.js';
import { FileUploads } from './challenge/file-uploads.js';
import { InProcessJobQueue } from './challenge/in-process-queue.js';
import type { JobQueue, Store, UploadStore } from './challenge/types.js';
import type pg from 'pg';
import { DatabaseLink } from './store/database-link.js';

export interface ChallengeBackend {
  kind: 'sqlite' | 'postgres';
  store: Store;
  uploads: UploadStore;
  queue: JobQueue;
  /** The SQLite database (the explorer's index lives in it too); undefined for PostgreSQL. */
  sqlite?: Db;
  /** The PostgreSQL pool (the explorer's index lives in that database too); undefined for SQLite. */
  pgPool?: pg.Pool;
  /** Where uploads (SQLite) and thumbnails are written. */
  cacheDir: string;
  /** Whether the database answers (PostgreSQL can go away; an SQLite file cannot). */
  link: DatabaseLink;
  close(): Promise<void>;
}

interface BackendOptions {
  /** Longest evaluation (s): pg-boss's job expiry follows it. */
  evaluationSeconds: number;
  /** Uploads and thumbnails (config.ts's cacheDirOf). */
  cacheDir: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** PostgreSQL connections of the store's pool (pg-boss keeps up to 4 more). @default 10 */
  poolMax?: number;
}

/**
 * Opens (and migrates) the backend of `--db`.
 *
 * @example
 * const backend = await openChallengeBackend('postgres://df2@db/df2', { evaluationSeconds: 3600, applicationName: 'df2 worker' });
 * console.log(backend.kind, await backend.store.queueCounts());
 * await backend.close();
 */
export async function openChallengeBackend(db: string, options: BackendOptions): Promise<ChallengeBackend> {
  if (isPostgresUrl(db)) {
    // Loaded only for PostgreSQL: a user of the SQLite default never loads pg-boss.
    const [{ pgDriver }, { PgUploads }, { PgBossJobQueue }] = await Promise.all([
      import('./store/pg-driver.js'),
      import('./challenge/pg-uploads.js'),
      import('./challenge/pgboss-queue.js'),
    ]);
    const link = new DatabaseLink();
    const pool = await openPgPool(db, {
      applicationName: options.applicationName,
      max: options.poolMax ?? SERVER_DEFAULTS.poolMax,
      onLost: (err) => link.failed(err),
    });
    try {
      const store = await SqlStore.open(pgDriver(pool));
      const uploads = await PgUploads.open(pool);
      const queue = await PgBossJobQueue.open(db, { evaluationSeconds: options.evaluationSeconds, applicationName: options.applicationName, link });
      return {
        kind: 'postgres',
        store,
        uploads,
        queue,
        pgPool: pool,
        cacheDir: options.cacheDir,
        link,
        async close() {
          await queue.close();
          await pool.end();
        },
      };
    } catch (err) {
      await pool.end();
      throw err;
    }
  }
  const file = resolve(db);
  // One df2 serve per SQLite file: a second one is refused before it touches anything.
  const lock = db === ':memory:' ? { release() {} } : lockDatabase(file);
  let sqlite: Db | undefined;
  let store: SqlStore;
  try {
    sqlite = openDatabase(db === ':memory:' ? db : file);
    store = await SqlStore.open(sqliteDriver(sqlite));
  } catch (err) {
    sqlite?.close();
    lock.release();
    throw err;
  }
  return {
    kind: 'sqlite',
    store,
    uploads: new FileUploads(),
    queue: new InProcessJobQueue(),
    sqlite,
    cacheDir: options.cacheDir,
    link: new DatabaseLink(),
    async close() {
      sqlite.close();
      lock.release();
    },
  };
}

/** Only the Store of `--db` (the `df2 users` commands). */
export async function openChallengeStore(db: string): Promise<{ store: Store; close(): Promise<void> }> {
  if (isPostgresUrl(db)) {
    const { pgDriver } = await import('./store/pg-driver.js');
    const pool = await openPgPool(db, { max: 1, applicationName: 'df2 users' });
    try {
      return { store: await SqlStore.open(pgDriver(pool)), close: () => pool.end() };
    } catch (err) {
      await pool.end();
      throw err;
    }
  }
  const sqlite = openDatabase(resolve(db));
  let store: SqlStore;
  try {
    store = await SqlStore.open(sqliteDriver(sqlite));
  } catch (err) {
    sqlite.close();
    throw err;
  }
  return {
    store,
    close: async () => {
      sqlite.close();
    },
  };
}
