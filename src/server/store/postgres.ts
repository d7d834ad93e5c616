/**
 * The PostgreSQL side of df2 serve and df2 worker: a connection pool, one
 * transaction helper, and versioned schema migrations that several processes
 * may run at the same moment (the first one applies them under an advisory
 * lock; the others wait for it, then find nothing left to do).
 */
import pg from 'pg';
import { InputError } from '../../util/errors.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** `--db postgres://...` (or postgresql://) selects PostgreSQL; anything else is an SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * Opens a pool on `url` and checks that the server answers, so that a wrong
 * URL is one line of bad input (without its password), not a stack trace.
 *
 * @example
 * const pool = await openPgPool('postgres://df2@db.example/df2', { applicationName: 'df2 worker' });
 * await migratePg(pool, 'challenge', ['CREATE TABLE ...']);
 */
export async function openPgPool(url: string, options: { max?: number; applicationName?: string; onLost?: (err: Error) => void } = {}): Promise<PgPool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: options.applicationName ?? 'df2' });
  // An idle client whose connection drops emits 'error' on the pool; a checked-out one (a transaction) emits it on
  // itself, where the pool listens only while it is idle. Without a listener either ends the process: every client
  // gets one for its whole life (its query rejects as well, and the pool drops it on release).
  const lost = options.onLost ?? ((err: Error) => process.stderr.write(`df2: PostgreSQL connection lost (${err.message}); it will be reopened\n`));
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await ignoreRejection(pool.end(), 'the failed connection is the error reported');
    throw new InputError(redactUrl(url), '', 'a PostgreSQL server that accepts the connection (--db)', err instanceof Error ? err.message : String(err));
  }
  return pool;
}

/** Runs `work` in one transaction on one client: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await ignoreRejection(client.query('ROLLBACK'), 'the failure of the work is the one reported; a dead connection rolls back anyway');
    throw err;
  } finally {
    client.release();
  }
}

/** Key of the advisory lock every df2 process takes to migrate (any fixed 64-bit number; this one spells "df2mig"). */
const MIGRATION_LOCK = 0x6466326d6967n;

/**
 * Applies the numbered schema steps of `area` that the database has not seen
 * yet, all in one transaction. `pg_advisory_xact_lock` makes a second process
 * that starts at the same time wait until the first has committed; it then
 * reads the new version and applies nothing (idempotent). A database written
 * by a newer df2 (more steps than this one knows) is refused.
 */
export async function migratePg(pool: PgPool, area: string, steps: readonly string[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS df2_schema_versions (area TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM df2_schema_versions WHERE area = $1', [area]);
    const current = rows[0]?.version ?? 0;
    if (current > steps.length) {
      throw new InputError('PostgreSQL database', `schema of ${area}`, `version ${steps.length} or older (a newer df2 wrote this database)`, String(current));
    }
    for (let v = current; v < steps.length; v++) await client.query(steps[v]!);
    await client.query('INSERT INTO df2_schema_versions (area, version) VALUES ($1, $2) ON CONFLICT (area) DO UPDATE SET version = excluded.version', [
      area,
      steps.length,
    ]);
  });
}
