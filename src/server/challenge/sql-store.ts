/**
 * The challenge Store, written once over a thin SQL driver
 * (store/sql-driver.ts) that SQLite and PostgreSQL each implement: one
 * statement a method, or one short write transaction. Transactions that
 * decide something (the limit check of a reservation) are as strong on both:
 * SQLite's BEGIN IMMEDIATE holds the database's write lock from the first
 * read; PostgreSQL locks the team's user rows (`FOR UPDATE`) before counting.
 *
 * Times the store stamps and compares (leases, heartbeats, the age of a
 * reservation) are the database's clock, which every process of a
 * PostgreSQL challenge shares; tests pass a clock of their own to stand at
 * an exact instant. Every bound is written once, so both backends agree at
 * the edge: a window counts from its first instant on (`>=`), and a lease of
 * L seconds has run out when exactly L seconds have passed (`<=`).
 */
import { tx, type SqlDialect, type SqlDriver, type SqlValue, type TxWork } from '../store/sql-driver.js';
import {
  StoreConflict,
  type BoardCandidate,
  type CompletedUpload,
  type EvaluationResult,
  type LimitWindow,
  type NewReservation,
  type NewUser,
  type Store,
  type Submission,
  type SubmissionPatch,
  type Task,
  type User,
  type WorkerInfo,
} from './types.js';
import { primaryFigure } from './tasks.js';
import { PG_CHALLENGE_SCHEMA, SQLITE_CHALLENGE_SCHEMA } from './schema.js';
import {
  COUNTED,
  COUNTED_WITH_FAILED,
  PATCH_COLUMNS,
  decodeFigures,
  encodeFigures,
  SUBMISSION_COLUMNS,
  SUBMISSIONS_WITH_USERS,
  USER_COLUMNS,
  iso,
  toBoardCandidate,
  toSubmission,
  toUser,
  type SqlTime,
  type SubmissionRow,
  type UserRow,
} from './store-sql.js';

interface SqlStoreOptions {
  /**
   * The time the store stamps and compares, instead of the database's own
   * clock: for tests that stand at an exact instant (the end of a lease).
   * @default the database's clock
   */
  clock?: () => Date;
}

/** The submitters of the user's team (the user alone for a team of one); the `?` is the user's id. */
const TEAM_MEMBERS = `SELECT m.id FROM users m JOIN users me ON me.id = ?
  WHERE m.id = me.id OR (me.team IS NOT NULL AND lower(m.team) = lower(me.team))`;

/** The statement that counts the team's submissions for the phase and task since `since` ('' is all time). */
function countTeam(userId: number, phase: string, task: Task, since: string, countsFailed = false): [string, SqlValue[]] {
  const sql = `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM submissions s
    WHERE s.user_id IN (${TEAM_MEMBERS}) AND s.phase = ? AND s.task = ? AND ${countsFailed ? COUNTED_WITH_FAILED : COUNTED}`;
  // A window counts from its first instant on: a submission made at 00:00:00.000 is the new day's.
  return since === '' ? [sql, [userId, phase, task]] : [`${sql} AND s.created_at >= ?`, [userId, phase, task, since]];
}

/** Submissions whose resample figures one statement reads. */
const RESAMPLE_SLICE = 500;

const countOf = (row: { n: number } | undefined): number => row?.n ?? 0;

const SCHEMAS: Record<SqlDialect['name'], readonly string[]> = { sqlite: SQLITE_CHALLENGE_SCHEMA, postgres: PG_CHALLENGE_SCHEMA };

export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';

  private constructor(
    private readonly db: SqlDriver,
    private readonly clock: (() => Date) | undefined,
  ) {
    this.kind = db.dialect.name;
  }

  /**
   * The store on `driver`, its tables migrated first.
   *
   * @example
   * const store = await SqlStore.open(sqliteDriver(openDatabase('df2.sqlite')));
   * const user = await store.addUser({ name: 'alice', admin: false, tokenHash: hashToken(token) });
   */
  static async open(driver: SqlDriver, options: SqlStoreOptions = {}): Promise<SqlStore> {
    await driver.migrate('challenge', SCHEMAS[driver.dialect.name]);
    return new SqlStore(driver, options.clock);
  }

  /** The current time as an SQL expression: the database's clock, or the test clock's instant. */
  private now(): string {
    return this.clock ? this.db.dialect.time(this.clock().toISOString()) : this.db.dialect.now;
  }

  async addUser(user: NewUser): Promise<User> {
    const now = this.now();
    const conflict = () => new StoreConflict('name', `a user named ${user.name} exists already`);
    try {
      return await this.db.transaction(function* (): TxWork<User> {
        if (yield* tx.one('SELECT id FROM users WHERE lower(name) = lower(?)', [user.name])) throw conflict();
        const added = (yield* tx.one<UserRow>(
          `INSERT INTO users (name, team, admin, token_hash, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ${now}) RETURNING ${USER_COLUMNS}`,
          [user.name, user.team ?? null, user.admin, user.tokenHash, user.passwordHash ?? null],
        ))!;
        if (user.inviteHash !== undefined) {
          const used = yield* tx.run(`UPDATE invites SET used_by = ?, used_at = ${now} WHERE hash = ? AND used_by IS NULL`, [added.id, user.inviteHash]);
          // Throwing rolls the new user back too.
          if (used !== 1) throw new StoreConflict('invite', 'invite: expected an unused invite code');
        }
        return toUser(added);
      });
    } catch (err) {
      // Two sign-ups of one name at once on PostgreSQL: both found it free, the unique index refused the second.
      if (this.db.isUniqueViolation(err)) throw conflict();
      throw err;
    }
  }

  async userByName(name: string): Promise<User | undefined> {
    const row = await this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(name) = lower(?)`, [name]);
    return row && toUser(row);
  }

  async userByTokenHash(tokenHash: string): Promise<User | undefined> {
    const row = await this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ? AND revoked_at IS NULL`, [tokenHash]);
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`)).map(toUser);
  }

  async passwordHash(userId: number): Promise<string | null> {
    const row = await this.db.one<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = ?', [userId]);
    return row?.password_hash ?? null;
  }

  async setToken(userId: number, tokenHash: string): Promise<void> {
    await this.db.transaction(function* () {
      yield* tx.run('UPDATE users SET token_hash = ?, revoked_at = NULL WHERE id = ?', [tokenHash, userId]);
      yield* tx.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
    });
  }

  async revokeUser(userId: number, at: string): Promise<void> {
    await this.db.transaction(function* () {
      yield* tx.run('UPDATE users SET revoked_at = ? WHERE id = ?', [at, userId]);
      yield* tx.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
    });
  }

  async createSession(sessionHash: string, userId: number, expiresAt: string): Promise<void> {
    await this.db.run('INSERT INTO sessions (hash, user_id, expires_at) VALUES (?, ?, ?)', [sessionHash, userId, expiresAt]);
  }

  async userBySession(sessionHash: string, at: string): Promise<User | undefined> {
    const row = await this.db.one<UserRow>(
      `SELECT u.id, u.name, u.team, u.admin, u.revoked_at, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.hash = ? AND s.expires_at > ? AND u.revoked_at IS NULL`,
      [sessionHash, at],
    );
    return row && toUser(row);
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE hash = ?', [sessionHash]);
  }

  async createInvite(inviteHash: string, createdBy: number, at: string): Promise<void> {
    await this.db.run('INSERT INTO invites (hash, created_by, created_at) VALUES (?, ?, ?)', [inviteHash, createdBy, at]);
  }

  async countTeamSubmissions(userId: number, phase: string, task: Task, since: string): Promise<number> {
    return countOf(await this.db.one<{ n: number }>(...countTeam(userId, phase, task, since)));
  }

  async reserveSubmission(r: NewReservation, windows: readonly LimitWindow[]): Promise<{ id: number } | { full: LimitWindow }> {
    return this.db.transaction(function* (): TxWork<{ id: number } | { full: LimitWindow }> {
      // The team's user rows, locked in id order, order the team's uploads on every server process: a
      // second upload waits here until the first has committed its reservation, then counts it.
      yield* tx.lockRows(`SELECT id FROM users WHERE id IN (${TEAM_MEMBERS}) ORDER BY id`, [r.userId]);
      for (const w of windows)
        if (countOf(yield* tx.one<{ n: number }>(...countTeam(r.userId, r.phase, r.task, w.since, w.countsFailed))) >= w.limit) return { full: w };
      const row = yield* tx.one<{ id: number }>(
        `INSERT INTO submissions (user_id, phase, task, name, file_name, file_bytes, upload_key, status, created_at)
         VALUES (?, ?, ?, '', '', 0, '', 'uploading', ?) RETURNING id`,
        [r.userId, r.phase, r.task, r.createdAt],
      );
      return { id: row!.id };
    });
  }

  async completeSubmission(id: number, u: CompletedUpload): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE submissions SET status = 'queued', name = ?, description = ?, paper_url = ?, code_url = ?, public = ?,
         file_name = ?, file_bytes = ?, upload_key = ?
       WHERE id = ? AND status = 'uploading'`,
      [u.name, u.description, u.paperUrl, u.codeUrl, u.public, u.fileName, u.fileBytes, u.uploadKey, id],
    );
    return changed === 1;
  }

  async discardReservation(id: number): Promise<void> {
    await this.db.run(`DELETE FROM submissions WHERE id = ? AND status = 'uploading'`, [id]);
  }

  async submission(id: number): Promise<Submission | undefined> {
    const row = await this.db.one<SubmissionRow>(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS} WHERE s.id = ? AND s.status != 'uploading'`, [
      id,
    ]);
    return row && toSubmission(row);
  }

  async uploadKey(id: number): Promise<string | undefined> {
    const row = await this.db.one<{ upload_key: string }>(`SELECT upload_key FROM submissions WHERE id = ? AND status != 'uploading'`, [id]);
    return row?.upload_key;
  }

  async listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]> {
    const byUser = filter.userId !== undefined;
    const rows = await this.db.all<SubmissionRow>(
      `SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS}
       WHERE s.status != 'uploading' ${byUser ? 'AND s.user_id = ?' : ''} ORDER BY s.id DESC LIMIT ?`,
      [...(byUser ? [filter.userId!] : []), filter.limit ?? 100],
    );
    return rows.map(toSubmission);
  }

  async updateSubmission(id: number, patch: SubmissionPatch): Promise<void> {
    const sets: string[] = [];
    const values: SqlValue[] = [];
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof SubmissionPatch, string][]) {
      const value = patch[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(value);
    }
    if (sets.length > 0) await this.db.run(`UPDATE submissions SET ${sets.join(', ')} WHERE id = ? AND status != 'uploading'`, [...values, id]);
  }

  async cancelSubmission(id: number, userId: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE submissions SET status = 'cancelled', finished_at = ${this.now()} WHERE id = ? AND user_id = ? AND status = 'queued'`,
      [id, userId],
    );
    return changed === 1;
  }

  async rerunSubmission(id: number): Promise<boolean> {
    return this.db.transaction(function* (): TxWork<boolean> {
      const changed = yield* tx.run(
        `UPDATE submissions SET status = 'queued', attempts = 0, result = NULL, score = NULL, resample_figures = NULL, error = NULL, started_at = NULL,
           finished_at = NULL, worker = NULL, heartbeat_at = NULL
         WHERE id = ? AND status IN ('done', 'failed')`,
        [id],
      );
      if (changed !== 1) return false;
      yield* tx.run('DELETE FROM reports WHERE submission_id = ?', [id]);
      return true;
    });
  }

  async claimSubmission(id: number, workerId: string): Promise<number | undefined> {
    const now = this.now();
    const row = await this.db.one<{ claim: number }>(
      `UPDATE submissions SET status = 'running', attempts = attempts + 1, claim = claim + 1, worker = ?, started_at = ${now}, heartbeat_at = ${now},
         error = NULL
       WHERE id = ? AND status = 'queued' RETURNING claim`,
      [workerId, id],
    );
    return row?.claim;
  }

  async finishSubmission(id: number, claim: number, result: EvaluationResult, resampleFigures?: Float64Array): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE submissions SET status = 'done', result = ?, score = ?, resample_figures = ?, error = NULL, finished_at = ${this.now()}
       WHERE id = ? AND status = 'running' AND claim = ?`,
      [JSON.stringify(result), primaryFigure(result), resampleFigures ? encodeFigures(resampleFigures) : null, id, claim],
    );
    return changed === 1;
  }

  async resampleFigures(ids: readonly number[]): Promise<Map<number, Float64Array>> {
    const out = new Map<number, Float64Array>();
    // In slices: a leaderboard download asks for every ranked team, and a statement's placeholders are bounded.
    for (let start = 0; start < ids.length; start += RESAMPLE_SLICE) {
      const slice = ids.slice(start, start + RESAMPLE_SLICE);
      const rows = await this.db.all<{ id: number; resample_figures: string }>(
        `SELECT id, resample_figures FROM submissions WHERE id IN (${slice.map(() => '?').join(', ')}) AND status = 'done' AND resample_figures IS NOT NULL`,
        slice,
      );
      for (const r of rows) out.set(r.id, decodeFigures(r.resample_figures));
    }
    return out;
  }

  async failSubmission(id: number, claim: number, error: string): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE submissions SET status = 'failed', error = ?, finished_at = ${this.now()} WHERE id = ? AND status = 'running' AND claim = ?`,
      [error, id, claim],
    );
    return changed === 1;
  }

  async requeueSubmission(id: number, claim: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL
       WHERE id = ? AND status = 'running' AND claim = ?`,
      [id, claim],
    );
    return changed === 1;
  }

  async recoverInterrupted(maxAttempts: number, leaseSeconds: number, reservationSeconds: number): Promise<number[]> {
    const now = this.now();
    const before = this.db.dialect.secondsBefore(now);
    // 0 seconds: every reservation, every running row (as after a restart of the only process); else those
    // whose time is up, counting the very instant it runs out (a lease of L seconds lasts L seconds, not longer).
    const expired = (seconds: number, older: string): [string, SqlValue[]] => (seconds > 0 ? [`AND ${older}`, [seconds]] : ['', []]);
    const [reservationBound, reservationParams] = expired(reservationSeconds, `created_at <= ${before}`);
    const [leaseBound, leaseParams] = expired(leaseSeconds, `(heartbeat_at IS NULL OR heartbeat_at <= ${before})`);
    const stale = `status = 'running' ${leaseBound}`;
    return this.db.transaction(function* (): TxWork<number[]> {
      yield* tx.run(`DELETE FROM submissions WHERE status = 'uploading' ${reservationBound}`, reservationParams);
      yield* tx.run(
        `UPDATE submissions SET status = 'failed', finished_at = ${now},
           error = 'evaluation was interrupted ' || attempts || ' times (its server or worker stopped or crashed); not retried again'
         WHERE ${stale} AND attempts >= ?`,
        [...leaseParams, maxAttempts],
      );
      yield* tx.run(`UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL WHERE ${stale}`, leaseParams);
      return (yield* tx.all<{ id: number }>(`SELECT id FROM submissions WHERE status = 'queued' ORDER BY id`)).map((r) => r.id);
    });
  }

  async saveReport(id: number, claim: number, html: string): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO reports (submission_id, html)
       SELECT id, ? FROM submissions WHERE id = ? AND status = 'done' AND claim = ?
       ON CONFLICT (submission_id) DO UPDATE SET html = excluded.html`,
      [html, id, claim],
    );
    return changed === 1;
  }

  async report(id: number): Promise<string | undefined> {
    return (await this.db.one<{ html: string }>('SELECT html FROM reports WHERE submission_id = ?', [id]))?.html;
  }

  async heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; claim: number }[]): Promise<void> {
    const now = this.now();
    await this.db.transaction(function* () {
      yield* tx.run(
        `INSERT INTO workers (id, host, pid, running, started_at, seen_at) VALUES (?, ?, ?, ?, ${now}, ${now})
         ON CONFLICT (id) DO UPDATE SET running = excluded.running, seen_at = excluded.seen_at`,
        [worker.id, worker.host, worker.pid, running.length],
      );
      // A worker runs a handful of evaluations at a time: one short statement each.
      for (const r of running) {
        yield* tx.run(`UPDATE submissions SET heartbeat_at = ${now} WHERE id = ? AND claim = ? AND status = 'running' AND worker = ?`, [
          r.id,
          r.claim,
          worker.id,
        ]);
      }
    });
  }

  async removeWorker(workerId: string): Promise<void> {
    await this.db.run('DELETE FROM workers WHERE id = ?', [workerId]);
  }

  async workersSeen(withinSeconds: number): Promise<WorkerInfo[]> {
    const rows = await this.db.all<{ id: string; host: string; pid: number; running: number; started_at: SqlTime; seen_at: SqlTime }>(
      `SELECT id, host, pid, running, started_at, seen_at FROM workers WHERE seen_at >= ${this.db.dialect.secondsBefore(this.now())} ORDER BY started_at, id`,
      [withinSeconds],
    );
    return rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, running: r.running, startedAt: iso(r.started_at), seenAt: iso(r.seen_at) }));
  }

  async queueCounts(): Promise<{ queued: number; running: number }> {
    const rows = await this.db.all<{ status: string; n: number }>(
      `SELECT status, CAST(COUNT(*) AS INTEGER) AS n FROM submissions WHERE status IN ('queued', 'running') GROUP BY status`,
    );
    const count = (status: string): number => rows.find((r) => r.status === status)?.n ?? 0;
    return { queued: count('queued'), running: count('running') };
  }

  async boardCandidates(phase: string, task: Task, publicOnly: boolean): Promise<BoardCandidate[]> {
    const rows = await this.db.all<SubmissionRow>(
      `SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS}
       WHERE s.phase = ? AND s.task = ? AND s.status = 'done' AND s.hidden = false ${publicOnly ? 'AND (s.public = true OR s.baseline = true)' : ''}
       ORDER BY s.id`,
      [phase, task],
    );
    return rows.map(toBoardCandidate);
  }

  /** The database belongs to whoever opened it (the explorer's index or the queue may share it). */
  async close(): Promise<void> {}
}
