/**
 * A PostgreSQL database of its own for a test file, on the server of
 * DF2_TEST_PG_URL (scripts/ci-postgres.sh sets it), dropped afterwards:
 * other test files and other checkouts use the same server at the same time.
 * Without DF2_TEST_PG_URL the tests are skipped with the reason, except in CI
 * (CI=true), where that is an error: CI must run them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestPgDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run, or undefined when they can; throws in CI when they cannot. */
export function pgTestsUnavailable(): string | undefined {
  if (process.env.DF2_TEST_PG_URL) return undefined;
  if (process.env.CI === 'true') throw new Error('DF2_TEST_PG_URL is not set in CI: source scripts/ci-postgres.sh before the tests');
  return 'set DF2_TEST_PG_URL (source scripts/ci-postgres.sh) to run the PostgreSQL tests';
}

/** Creates an empty database df2_test_<random> on the test server. */
export async function createPgTestDatabase(): Promise<TestPgDatabase> {
  const base = process.env.DF2_TEST_PG_URL;
  if (!base) throw new Error('DF2_TEST_PG_URL is not set');
  const name = `df2_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  // FORCE ends connections that a failed test left open.
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
