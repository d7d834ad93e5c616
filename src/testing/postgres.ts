/**
 * PostgreSQL for tests: each test file makes its own database (other test
 * files, and other checkouts on the machine, run at the same time) on the
 * server of DF2_TEST_PG_URL (scripts/ci-postgres.sh sets it) and drops it
 * afterwards. Without DF2_TEST_PG_URL the PostgreSQL tests are skipped with a
 * message, except in CI (CI=true), where that is a failure: CI must run them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. Throws in CI when they cannot. */
export function postgresUnavailable(): string | undefined {
  if (process.env.DF2_TEST_PG_URL) return undefined;
  if (process.env.CI === 'true') throw new Error('DF2_TEST_PG_URL is not set in CI: source scripts/ci-postgres.sh before the tests (.ci/run does)');
  return 'PostgreSQL tests skipped: set DF2_TEST_PG_URL (source scripts/ci-postgres.sh) to run them';
}

/** A new, empty database named df2_test_<random> on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DF2_TEST_PG_URL;
  if (!base) throw new Error('DF2_TEST_PG_URL is not set');
  const name = `df2_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        // FORCE ends connections a failed test may have left open. A server process of another
        // role working in the database (autovacuum) cannot be ended by the test role: wait for it.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt === 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
