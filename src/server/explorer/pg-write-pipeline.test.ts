/**
 * The overlapped write transactions: a write's statements run while the one
 * before it waits to commit, commits keep the order the writes were asked
 * for, never more than two are open, and a failed write is rolled back
 * without holding up the next.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, postgresUnavailable } from '../../testing/postgres.js';
import { WritePipeline } from './pg-write-pipeline.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

/** A promise with its resolve, to hold a write's finish until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

test('writes overlap by one, commit in the order asked, and a failed one is rolled back', { skip: postgresUnavailable() }, async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  const hold = gate();
  try {
    await pool.query('CREATE TABLE rows (id INTEGER PRIMARY KEY)');
    const pipeline = new WritePipeline(pool);
    const events: string[] = [];
    const insert =
      (id: number, delayMs = 0) =>
      async (client: pg.PoolClient) => {
        events.push(`statements ${id}`);
        if (delayMs > 0) await client.query(`SELECT pg_sleep(${delayMs / 1000})`);
        await client.query('INSERT INTO rows VALUES ($1)', [id]);
      };
    const commitAfter = (id: number, wait?: Promise<void>) => async (_client: pg.PoolClient, commit: () => Promise<void>) => {
      await wait;
      await commit();
      events.push(`committed ${id}`);
      return id;
    };

    // 1 is slow and held at its commit; 2 is quick; 3 fails in its statements; 4 fails before committing; 5 is plain.
    const w1 = pipeline.run(insert(1, 200), commitAfter(1, hold.opened));
    const w2 = pipeline.run(insert(2), commitAfter(2));
    const w3 = pipeline.run((client) => client.query('INSERT INTO no_such_table VALUES (3)'), commitAfter(3));
    const w4 = pipeline.run(insert(4), async () => {
      throw new Error('finish failed');
    });
    const w5 = pipeline.run(insert(5), commitAfter(5));
    for (const w of [w3, w4]) void ignoreRejection(w, 'their failure is asserted below');

    // Until 2's statements have run, then a while longer: 3 would have started by then.
    for (let waited = 0; events.length < 2 && waited < 5000; waited += 100) await settle();
    await settle();
    await settle();
    // 1 waits at its commit: 2's statements ran meanwhile (the overlap), 3's did not start (two open at most).
    assert.deepEqual(events, ['statements 1', 'statements 2']);
    const visible = async (): Promise<number[]> => (await pool.query<{ id: number }>('SELECT id FROM rows ORDER BY id')).rows.map((r) => r.id);
    assert.deepEqual(await visible(), [], 'nothing committed yet');

    hold.open();
    assert.equal(await w1, 1);
    assert.equal(await w2, 2);
    await assert.rejects(w3, /no_such_table/);
    await assert.rejects(w4, /finish failed/);
    assert.equal(await w5, 5);
    assert.deepEqual(
      events.filter((e) => e.startsWith('committed')),
      ['committed 1', 'committed 2', 'committed 5'],
    );
    // 4's row was inserted, then rolled back with its failed finish.
    assert.deepEqual(await visible(), [1, 2, 5]);
    // Every connection went back to the pool, none left inside a transaction.
    assert.equal(pool.idleCount, pool.totalCount);
    const open = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    assert.equal(open.rows[0]!.n, '0');
  } finally {
    hold.open();
    await pool.end();
    await database.drop();
  }
});
