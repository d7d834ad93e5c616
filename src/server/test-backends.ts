/**
 * The two backends the contract suites run against: a fresh SQLite file, and
 * a fresh PostgreSQL database (dropped afterwards; skipped with a message
 * outside CI when no server is configured, a failure in CI).
 */
import { join } from 'node:path';
import { tempDir } from '../testing/paths.js';
import { createTestDatabase, postgresUnavailable } from '../testing/postgres.js';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Why this backend's tests are skipped here, if they are. */
  skip: string | undefined;
  /** A new, empty database: `--db` for it, and its removal. */
  create(): Promise<{ db: string; drop(): Promise<void> }>;
}

export const TEST_BACKENDS: TestBackend[] = [
  {
    name: 'sqlite',
    skip: undefined,
    async create() {
      return { db: join(await tempDir('df2-db-'), 'df2.sqlite'), drop: async () => {} };
    },
  },
  {
    name: 'postgres',
    skip: postgresUnavailable(),
    async create() {
      const created = await createTestDatabase();
      return { db: created.url, drop: created.drop };
    },
  },
];
