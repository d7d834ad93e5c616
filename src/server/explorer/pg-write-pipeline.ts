/**
 * Write transactions that overlap by one: a write's statements run while the
 * write before it commits, so the database works on the next batch instead
 * of waiting for the index's round trips (and the index's thread does not
 * wait for the database's INSERT). At most two transactions are open.
 *
 * Order: each write's statements start after the previous write's
 * statements are done (so it never waits on a row lock the previous one
 * takes later), and each write commits after the previous one has committed
 * or failed. Commits therefore happen in the order the writes were asked
 * for, and a later write can wait on an earlier one's row locks but never
 * the other way round: the pair cannot deadlock.
 *
 * @example
 * const pipeline = new WritePipeline(pool);
 * await pipeline.run(
 *   (client) => client.query('INSERT INTO t SELECT * FROM unnest($1::int[])', [int4Array(ids)]),
 *   async (client, commit) => { await commit(); applyToCache(ids); },
 * );
 */
import type { PgClient, PgPool } from '../store/postgres.js';

export class WritePipeline {
  /** Settled when the last write's statements are done (or failed). */
  private statementsDone: Promise<unknown> = Promise.resolve();
  /** Settled when the last write has committed (or failed), and when the one before it had. */
  private committed: Promise<unknown> = Promise.resolve();
  private committedBefore: Promise<unknown> = Promise.resolve();

  constructor(private readonly pool: PgPool) {}

  /**
   * Runs one write: BEGIN and `statements` in turn with the other writes'
   * statements; then `finish` in turn with their commits. `finish` must call
   * `commit()` (it may do more before and after, e.g. apply the write to a
   * cache under a lock of its own). On any failure the transaction is rolled
   * back and the promise rejects; later writes go on.
   */
  run<T>(statements: (client: PgClient) => Promise<unknown>, finish: (client: PgClient, commit: () => Promise<void>) => Promise<T>): Promise<T> {
    // At most two open: this one starts when the last one's statements are done and the one before that has committed.
    const start = Promise.all([this.statementsDone, this.committedBefore]);
    const previousCommit = this.committed;
    let client: PgClient | undefined;
    let open = false;
    const prepared = start.then(async () => {
      client = await this.pool.connect();
      await client.query('BEGIN');
      open = true;
      await statements(client);
    });
    const commit = async (): Promise<void> => {
      await client!.query('COMMIT');
      open = false;
    };
    const result = Promise.all([prepared, previousCommit])
      .then(() => finish(client!, commit))
      .finally(async () => {
        if (!client) return;
        // A transaction still open failed (or its finish never committed): undone. A connection that cannot even roll back is dropped.
        let broken = false;
        if (open) await client.query('ROLLBACK').catch(() => (broken = true));
        client.release(broken);
      });
    const settled = (p: Promise<unknown>): Promise<unknown> =>
      p.then(
        () => undefined,
        () => undefined,
      );
    this.statementsDone = settled(prepared);
    this.committedBefore = this.committed;
    this.committed = settled(result);
    return result;
  }
}
