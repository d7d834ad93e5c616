import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../testing/postgres.js';
import { isPostgresUrl, migratePg, openPgPool, redactUrl, type PgPool } from './postgres.js';

test('postgres:// URLs select PostgreSQL; passwords never appear in messages', async () => {
  assert.ok(isPostgresUrl('postgres://u@h/db') && isPostgresUrl('postgresql://u:p@h:5433/db'));
  assert.ok(!isPostgresUrl('.df2/df2.sqlite') && !isPostgresUrl('/srv/postgres.sqlite'));
  assert.equal(redactUrl('postgres://df2:s3cret@db.example:5432/df2'), 'postgres://df2:***@db.example:5432/df2');
  // Port 1 answers nobody: a bad URL is one line of bad input, without the password.
  await assert.rejects(openPgPool('postgres://df2:s3cret@127.0.0.1:1/df2'), (err: Error) => {
    assert.equal(err.name, 'InputError');
    assert.match(err.message, /^postgres:\/\/df2:\*\*\*@127\.0\.0\.1:1\/df2: expected a PostgreSQL server that accepts the connection \(--db\), found /);
    assert.ok(!err.message.includes('s3cret'));
    return true;
  });
});

describe('PostgreSQL migrations', { skip: postgresUnavailable() }, () => {
  let db: TestDatabase;
  const pools: PgPool[] = [];
  const pool = async (): Promise<PgPool> => {
    const p = await openPgPool(db.url, { max: 2 });
    pools.push(p);
    return p;
  };
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const p of pools) await p.end();
    await db.drop();
  });

  // A step that fails when run twice (CREATE TABLE without IF NOT EXISTS, and an INSERT that the
  // count below would see twice): only the lock keeps two starting processes from both applying it.
  const steps = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO t VALUES (1, 'first')",
    "ALTER TABLE t ADD COLUMN extra INTEGER; INSERT INTO t VALUES (2, 'second', 7)",
  ];

  test('processes migrating at once apply each step exactly once', async () => {
    const [a, b, c] = [await pool(), await pool(), await pool()];
    await Promise.all([migratePg(a, 'test', steps), migratePg(b, 'test', steps), migratePg(c, 'test', steps)]);
    const rows = (await a.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows;
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2],
    );
    const version = (await a.query<{ version: number }>("SELECT version FROM df2_schema_versions WHERE area = 'test'")).rows[0]!.version;
    assert.equal(version, 2);
  });

  test('migrating again is a no-op; fewer known steps than applied is refused', async () => {
    const p = await pool();
    await migratePg(p, 'test', steps);
    assert.equal((await p.query('SELECT * FROM t')).rowCount, 2);
    await assert.rejects(migratePg(p, 'test', steps.slice(0, 1)), /schema of test: expected version 1 or older \(a newer df2 wrote this database\), found 2/);
  });

  test('a failing step leaves the database as it was', async () => {
    const p = await pool();
    await assert.rejects(migratePg(p, 'other', ['CREATE TABLE u (id INTEGER)', 'SELECT no_such_function()']));
    const exists = (await p.query("SELECT to_regclass('u') AS t")).rows[0] as { t: string | null };
    assert.equal(exists.t, null);
  });
});
