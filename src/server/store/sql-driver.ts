/**
 * The thin interface the challenge's one SQL store (challenge/sql-store.ts)
 * runs on, with one implementation per database: better-sqlite3
 * (sqlite-driver.ts) and pg (pg-driver.ts). Statements are written once,
 * with `?` placeholders (the PostgreSQL driver numbers them `$1`, `$2`, ...);
 * what the two dialects spell differently (the current time, time
 * arithmetic) comes from {@link SqlDialect}.
 *
 * A transaction is a generator that yields its statements ({@link tx}) and
 * gets each one's answer back. SQLite runs it synchronously inside one
 * `BEGIN IMMEDIATE` transaction, so nothing else on the connection (another
 * request, the explorer's indexer) can run a statement in the middle of it;
 * PostgreSQL runs it on one pooled client between BEGIN and COMMIT, with row
 * locks (`FOR UPDATE`) where the work asks for them.
 */

/** What a placeholder may be bound to (booleans become 0/1 on SQLite). */
export type SqlValue = string | number | boolean | null;

/** One statement of a transaction: rows, the first row, the count of changed rows, or rows to lock. */
export interface SqlStep {
  kind: 'all' | 'one' | 'run' | 'lock';
  sql: string;
  params: readonly SqlValue[];
}

/** The body of a transaction: yields statements, gets their answers, returns T. */
export type TxWork<T> = Generator<SqlStep, T, unknown>;

/** What the two SQL dialects write differently. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The database's current time, as an SQL expression. */
  readonly now: string;
  /** An ISO 8601 time (`Date.toISOString()`) as a literal of the dialect's time type. */
  time(iso: string): string;
  /** The time `time` minus as many seconds as the next `?` is bound to. */
  secondsBefore(time: string): string;
}

/** A database the store runs on. */
export interface SqlDriver {
  readonly dialect: SqlDialect;
  /** Every row of a query. */
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** The first row of a query (or of a statement's RETURNING), undefined when none. */
  one<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `work` in one write transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: () => TxWork<T>): Promise<T>;
  /** Applies the numbered schema steps of `area` that the database has not seen yet. */
  migrate(area: string, steps: readonly string[]): Promise<void>;
  /** Whether `err` is the database refusing a duplicate of a UNIQUE key. */
  isUniqueViolation(err: unknown): boolean;
}

/** The statements a transaction yields: `const rows = yield* tx.all<Row>('SELECT ...', [id])`. */
export const tx = {
  *all<R>(sql: string, params: readonly SqlValue[] = []): TxWork<R[]> {
    return (yield { kind: 'all', sql, params }) as R[];
  },
  *one<R>(sql: string, params: readonly SqlValue[] = []): TxWork<R | undefined> {
    return (yield { kind: 'one', sql, params }) as R | undefined;
  },
  *run(sql: string, params: readonly SqlValue[] = []): TxWork<number> {
    return (yield { kind: 'run', sql, params }) as number;
  },
  /**
   * Locks the rows `select` finds until the transaction ends (`FOR UPDATE`),
   * so that a second transaction locking them waits for the first. SQLite
   * has no row locks and needs none: its write transaction holds the whole
   * database from BEGIN IMMEDIATE on.
   */
  *lockRows(select: string, params: readonly SqlValue[] = []): TxWork<void> {
    yield { kind: 'lock', sql: select, params };
  },
};

/** Runs a transaction's generator to its end with `exec` answering each statement; a statement's error is thrown into the work. */
export function driveSync<T>(work: TxWork<T>, exec: (step: SqlStep) => unknown): T {
  let next = work.next();
  while (!next.done) {
    let answer: unknown;
    try {
      answer = exec(next.value);
    } catch (err) {
      next = work.throw(err);
      continue;
    }
    next = work.next(answer);
  }
  return next.value;
}

/** {@link driveSync} with statements that answer asynchronously. */
export async function driveAsync<T>(work: TxWork<T>, exec: (step: SqlStep) => Promise<unknown>): Promise<T> {
  let next = work.next();
  while (!next.done) {
    let answer: unknown;
    try {
      answer = await exec(next.value);
    } catch (err) {
      next = work.throw(err);
      continue;
    }
    next = work.next(answer);
  }
  return next.value;
}

/** A time a test clock gives, checked before it is written into a statement as a literal. */
export function checkedIso(iso: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(iso)) throw new Error(`expected an ISO 8601 UTC time, found ${JSON.stringify(iso)}`);
  return iso;
}
