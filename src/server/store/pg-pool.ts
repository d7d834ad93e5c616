/**
 * The little of PostgreSQL that the explorer's index needs: a transaction on
 * one pooled client, and numbered schema steps applied once under an
 * advisory lock (two processes starting at once: the second waits, then
 * finds nothing to do). The challenge store's postgres.ts offers the same
 * two functions with the same signatures; this file can give way to it.
 */
import type pg from 'pg';
import { InputError } from '../../util/errors.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Advisory lock key held while migrating ("df2mig" in ASCII). */
const MIGRATION_LOCK = '110390095472999';

/**
 * Applies the steps of `area` the database has not seen, in one transaction
 * under a transaction-scoped advisory lock. A database with more steps than
 * given (written by a newer df2) is refused.
 *
 * @example
 * await migratePg(pool, 'explorer', ['CREATE TABLE explorer_splits (...)']);
 */
export async function migratePg(pool: PgPool, area: string, steps: readonly string[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
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
