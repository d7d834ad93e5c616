/**
 * The SQL driver on better-sqlite3 (see sql-driver.ts). Statements run
 * synchronously, as better-sqlite3 does; a transaction runs its whole
 * generator inside one `BEGIN IMMEDIATE` transaction, which takes the
 * database's write lock before its first read, so that two transactions
 * (even from two connections) never read the same state and both write.
 */
import type { Db } from './sqlite.js';
import { migrate } from './sqlite.js';
import { checkedIso, driveSync, type SqlDialect, type SqlDriver, type SqlStep, type SqlValue, type TxWork } from './sql-driver.js';

/** Times are ISO 8601 text with milliseconds (what `Date.toISOString()` writes), so that text order is time order. */
const ISO_FORMAT = `'%Y-%m-%dT%H:%M:%fZ'`;

const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  now: `strftime(${ISO_FORMAT}, 'now')`,
  time: (iso) => `'${checkedIso(iso)}'`,
  secondsBefore: (time) => `strftime(${ISO_FORMAT}, ${time}, '-' || ? || ' seconds')`,
};

/** better-sqlite3 binds numbers, text and null, not booleans. */
const bind = (params: readonly SqlValue[]): (string | number | null)[] => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

/**
 * The driver on an open database (openDatabase).
 *
 * @example
 * const store = await SqlStore.open(sqliteDriver(openDatabase('df2.sqlite')));
 */
export function sqliteDriver(db: Db): SqlDriver {
  const exec = (step: SqlStep): unknown => {
    if (step.kind === 'lock') return undefined;
    const statement = db.prepare(step.sql);
    if (step.kind === 'all') return statement.all(...bind(step.params));
    if (step.kind === 'one') return statement.get(...bind(step.params));
    return statement.run(...bind(step.params)).changes;
  };
  return {
    dialect: SQLITE_DIALECT,
    all: async <R>(sql: string, params: readonly SqlValue[] = []) => exec({ kind: 'all', sql, params }) as R[],
    one: async <R>(sql: string, params: readonly SqlValue[] = []) => exec({ kind: 'one', sql, params }) as R | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => exec({ kind: 'run', sql, params }) as number,
    transaction: async <T>(work: () => TxWork<T>) => db.transaction(() => driveSync(work(), exec)).immediate(),
    migrate: async (area, steps) => migrate(db, area, steps),
    isUniqueViolation: (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE',
  };
}
