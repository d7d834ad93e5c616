/**
 * The SQL driver on a pg pool (see sql-driver.ts): `?` placeholders become
 * `$1`, `$2`, ...; a transaction runs on one client between BEGIN and
 * COMMIT, and its `lockRows` steps take row locks with `FOR UPDATE`. The
 * current time is the database's `now()` (the start of the transaction),
 * never a machine's clock, so that processes on several machines agree.
 */
import type { PgPool } from './postgres.js';
import { migratePg, withTransaction } from './postgres.js';
import { checkedIso, driveAsync, type SqlDialect, type SqlDriver, type SqlStep, type SqlValue, type TxWork } from './sql-driver.js';

const PG_DIALECT: SqlDialect = {
  name: 'postgres',
  now: 'now()',
  time: (iso) => `CAST('${checkedIso(iso)}' AS timestamptz)`,
  secondsBefore: (time) => `(${time} - ? * interval '1 second')`,
};

const numbered = new Map<string, string>();

/** `?` placeholders as `$1`, `$2`, ... (outside quoted text; the store's statements never quote a `?`). */
function numberPlaceholders(sql: string): string {
  let out = numbered.get(sql);
  if (out !== undefined) return out;
  let n = 0;
  let quoted = false;
  out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  // Statements are a few dozen texts (with a test clock, one per time): the cache stays small, but is bounded anyway.
  if (numbered.size > 1000) numbered.clear();
  numbered.set(sql, out);
  return out;
}

type Queryable = Pick<PgPool, 'query'>;

async function exec(on: Queryable, step: SqlStep): Promise<unknown> {
  const sql = numberPlaceholders(step.kind === 'lock' ? `${step.sql} FOR UPDATE` : step.sql);
  const result = await on.query(sql, step.params as SqlValue[]);
  if (step.kind === 'all') return result.rows;
  if (step.kind === 'one') return result.rows[0];
  if (step.kind === 'run') return result.rowCount ?? 0;
  return undefined;
}

/**
 * The driver on a pool (openPgPool); the pool stays its opener's to end.
 *
 * @example
 * const store = await SqlStore.open(pgDriver(await openPgPool(url)));
 */
export function pgDriver(pool: PgPool): SqlDriver {
  return {
    dialect: PG_DIALECT,
    all: async <R>(sql: string, params: readonly SqlValue[] = []) => (await exec(pool, { kind: 'all', sql, params })) as R[],
    one: async <R>(sql: string, params: readonly SqlValue[] = []) => (await exec(pool, { kind: 'one', sql, params })) as R | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await exec(pool, { kind: 'run', sql, params })) as number,
    transaction: <T>(work: () => TxWork<T>) => withTransaction(pool, (client) => driveAsync(work(), (step) => exec(client, step))),
    migrate: (area, steps) => migratePg(pool, area, steps),
    // unique_violation
    isUniqueViolation: (err) => (err as { code?: string }).code === '23505',
  };
}
