/** The challenge Store on the embedded SQLite database. */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
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
import {
  COUNTED,
  PATCH_COLUMNS,
  SUBMISSION_COLUMNS,
  SUBMISSIONS_WITH_USERS,
  USER_COLUMNS,
  toBoardCandidate,
  toSubmission,
  toUser,
  type SubmissionRow,
  type UserRow,
} from './store-sql.js';

const SCHEMA = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     admin INTEGER NOT NULL DEFAULT 0,
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL
   );
   CREATE TABLE submissions (
     id INTEGER PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id),
     task TEXT NOT NULL,
     name TEXT NOT NULL,
     file_name TEXT NOT NULL,
     file_bytes INTEGER NOT NULL,
     stored_path TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     result TEXT,
     score REAL,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT
   );
   CREATE INDEX submissions_quota ON submissions (user_id, task, created_at);
   CREATE INDEX submissions_status ON submissions (status, id);
   CREATE INDEX submissions_board ON submissions (task, status, score DESC);`,
  // Phases, teams, accounts in the browser, submission metadata (issue 10).
  `ALTER TABLE users ADD COLUMN team TEXT COLLATE NOCASE;
   ALTER TABLE users ADD COLUMN password_hash TEXT;
   ALTER TABLE users ADD COLUMN revoked_at TEXT;
   CREATE UNIQUE INDEX users_name_nocase ON users (name COLLATE NOCASE);
   CREATE TABLE sessions (
     hash TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id),
     expires_at TEXT NOT NULL
   );
   CREATE TABLE invites (
     hash TEXT PRIMARY KEY,
     created_by INTEGER NOT NULL REFERENCES users(id),
     created_at TEXT NOT NULL,
     used_by INTEGER REFERENCES users(id),
     used_at TEXT
   );
   ALTER TABLE submissions ADD COLUMN phase TEXT NOT NULL DEFAULT 'dev';
   ALTER TABLE submissions ADD COLUMN description TEXT NOT NULL DEFAULT '';
   ALTER TABLE submissions ADD COLUMN paper_url TEXT;
   ALTER TABLE submissions ADD COLUMN code_url TEXT;
   ALTER TABLE submissions ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE submissions ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE submissions ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX submissions_phase ON submissions (phase, task, status);`,
  // Leases and heartbeats (the same model as PostgreSQL's), reports kept in the database.
  `ALTER TABLE submissions RENAME COLUMN stored_path TO upload_key;
   ALTER TABLE submissions ADD COLUMN worker TEXT;
   ALTER TABLE submissions ADD COLUMN heartbeat_at TEXT;
   CREATE TABLE reports (
     submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
     html TEXT NOT NULL
   );
   CREATE TABLE workers (
     id TEXT PRIMARY KEY,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     running INTEGER NOT NULL,
     started_at TEXT NOT NULL,
     seen_at TEXT NOT NULL
   );`,
  // Claim numbers: one per claim, never reset (a re-run resets attempts, not the claim), so a claim is never valid twice.
  `ALTER TABLE submissions ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;
   UPDATE submissions SET claim = attempts;`,
];

const now = (): string => new Date().toISOString();
const secondsAgo = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString();

export class SqliteStore implements Store {
  readonly kind = 'sqlite';

  constructor(private readonly db: Db) {
    migrate(db, 'challenge', SCHEMA);
  }

  async addUser(user: NewUser): Promise<User> {
    const createdAt = now();
    const insert = this.db.transaction((): number => {
      if (this.db.prepare('SELECT 1 FROM users WHERE name = ? COLLATE NOCASE').get(user.name)) {
        throw new StoreConflict('name', `a user named ${user.name} exists already`);
      }
      const info = this.db
        .prepare('INSERT INTO users (name, team, admin, token_hash, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(user.name, user.team ?? null, user.admin ? 1 : 0, user.tokenHash, user.passwordHash ?? null, createdAt);
      const id = Number(info.lastInsertRowid);
      if (user.inviteHash !== undefined) {
        const used = this.db.prepare('UPDATE invites SET used_by = ?, used_at = ? WHERE hash = ? AND used_by IS NULL').run(id, createdAt, user.inviteHash);
        // Throwing rolls the new user back too.
        if (used.changes !== 1) throw new StoreConflict('invite', 'invite: expected an unused invite code');
      }
      return id;
    });
    const id = insert.immediate();
    return { id, name: user.name, team: user.team ?? null, admin: user.admin, revokedAt: null, createdAt };
  }

  async userByName(name: string): Promise<User | undefined> {
    const row = this.db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE name = ? COLLATE NOCASE`).get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  async userByTokenHash(tokenHash: string): Promise<User | undefined> {
    const row = this.db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ? AND revoked_at IS NULL`).get(tokenHash) as UserRow | undefined;
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (this.db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`).all() as UserRow[]).map(toUser);
  }

  async passwordHash(userId: number): Promise<string | null> {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as { password_hash: string | null } | undefined;
    return row?.password_hash ?? null;
  }

  async setToken(userId: number, tokenHash: string): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare('UPDATE users SET token_hash = ?, revoked_at = NULL WHERE id = ?').run(tokenHash, userId);
        this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
      })
      .immediate();
  }

  async revokeUser(userId: number, at: string): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare('UPDATE users SET revoked_at = ? WHERE id = ?').run(at, userId);
        this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
      })
      .immediate();
  }

  async createSession(sessionHash: string, userId: number, expiresAt: string): Promise<void> {
    this.db.prepare('INSERT INTO sessions (hash, user_id, expires_at) VALUES (?, ?, ?)').run(sessionHash, userId, expiresAt);
  }

  async userBySession(sessionHash: string, at: string): Promise<User | undefined> {
    const row = this.db
      .prepare(
        `SELECT u.id, u.name, u.team, u.admin, u.revoked_at, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.hash = ? AND s.expires_at > ? AND u.revoked_at IS NULL`,
      )
      .get(sessionHash, at) as UserRow | undefined;
    return row && toUser(row);
  }

  async deleteSession(sessionHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE hash = ?').run(sessionHash);
  }

  async createInvite(inviteHash: string, createdBy: number, at: string): Promise<void> {
    this.db.prepare('INSERT INTO invites (hash, created_by, created_at) VALUES (?, ?, ?)').run(inviteHash, createdBy, at);
  }

  private countTeam(userId: number, phase: string, task: Task, since: string): number {
    const team = (this.db.prepare('SELECT team FROM users WHERE id = ?').get(userId) as { team: string | null } | undefined)?.team ?? null;
    const who = team === null ? 's.user_id = @userId' : 's.user_id IN (SELECT id FROM users WHERE team = @team)';
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM submissions s WHERE ${who} AND s.phase = @phase AND s.task = @task AND ${COUNTED} AND s.created_at >= @since`)
      .get({ userId, team, phase, task, since }) as { n: number };
    return row.n;
  }

  async countTeamSubmissions(userId: number, phase: string, task: Task, since: string): Promise<number> {
    return this.countTeam(userId, phase, task, since);
  }

  async reserveSubmission(r: NewReservation, windows: readonly LimitWindow[]): Promise<{ id: number } | { full: LimitWindow }> {
    const reserve = this.db.transaction((): { id: number } | { full: LimitWindow } => {
      for (const w of windows) if (this.countTeam(r.userId, r.phase, r.task, w.since) >= w.limit) return { full: w };
      const info = this.db
        .prepare(
          `INSERT INTO submissions (user_id, phase, task, name, file_name, file_bytes, upload_key, status, created_at)
         VALUES (?, ?, ?, '', '', 0, '', 'uploading', ?)`,
        )
        .run(r.userId, r.phase, r.task, r.createdAt);
      return { id: Number(info.lastInsertRowid) };
    });
    // IMMEDIATE takes the write lock before counting, so two uploads cannot both pass a limit.
    return reserve.immediate();
  }

  async completeSubmission(id: number, u: CompletedUpload): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE submissions SET status = 'queued', name = @name, description = @description, paper_url = @paperUrl,
         code_url = @codeUrl, public = @public, file_name = @fileName, file_bytes = @fileBytes, upload_key = @uploadKey
       WHERE id = @id AND status = 'uploading'`,
      )
      .run({ ...u, public: u.public ? 1 : 0, id });
    return info.changes === 1;
  }

  async discardReservation(id: number): Promise<void> {
    this.db.prepare(`DELETE FROM submissions WHERE id = ? AND status = 'uploading'`).run(id);
  }

  async submission(id: number): Promise<Submission | undefined> {
    const row = this.db.prepare(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS} WHERE s.id = ? AND s.status != 'uploading'`).get(id) as
      SubmissionRow | undefined;
    return row && toSubmission(row);
  }

  async uploadKey(id: number): Promise<string | undefined> {
    const row = this.db.prepare(`SELECT upload_key FROM submissions WHERE id = ? AND status != 'uploading'`).get(id) as { upload_key: string } | undefined;
    return row?.upload_key;
  }

  async listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]> {
    const where = filter.userId === undefined ? '' : 'AND s.user_id = @userId';
    const rows = this.db
      .prepare(
        `SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS}
       WHERE s.status != 'uploading' ${where} ORDER BY s.id DESC LIMIT @limit`,
      )
      .all({ userId: filter.userId, limit: filter.limit ?? 100 }) as SubmissionRow[];
    return rows.map(toSubmission);
  }

  async updateSubmission(id: number, patch: SubmissionPatch): Promise<void> {
    const sets: string[] = [];
    const values: Record<string, string | number | null> = { id };
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof SubmissionPatch, string][]) {
      const value = patch[key];
      if (value === undefined) continue;
      sets.push(`${column} = @${key}`);
      values[key] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    if (sets.length > 0) this.db.prepare(`UPDATE submissions SET ${sets.join(', ')} WHERE id = @id AND status != 'uploading'`).run(values);
  }

  async cancelSubmission(id: number, userId: number): Promise<boolean> {
    const info = this.db
      .prepare(`UPDATE submissions SET status = 'cancelled', finished_at = ? WHERE id = ? AND user_id = ? AND status = 'queued'`)
      .run(now(), id, userId);
    return info.changes === 1;
  }

  async rerunSubmission(id: number): Promise<boolean> {
    const rerun = this.db.transaction((): boolean => {
      const info = this.db
        .prepare(
          `UPDATE submissions SET status = 'queued', attempts = 0, result = NULL, score = NULL, error = NULL, started_at = NULL,
           finished_at = NULL, worker = NULL, heartbeat_at = NULL
         WHERE id = ? AND status IN ('done', 'failed')`,
        )
        .run(id);
      if (info.changes !== 1) return false;
      this.db.prepare('DELETE FROM reports WHERE submission_id = ?').run(id);
      return true;
    });
    return rerun.immediate();
  }

  async claimSubmission(id: number, workerId: string): Promise<number | undefined> {
    const row = this.db
      .prepare(
        `UPDATE submissions SET status = 'running', attempts = attempts + 1, claim = claim + 1, worker = @worker, started_at = @at, heartbeat_at = @at, error = NULL
       WHERE id = @id AND status = 'queued' RETURNING claim`,
      )
      .get({ id, worker: workerId, at: now() }) as { claim: number } | undefined;
    return row?.claim;
  }

  async finishSubmission(id: number, claim: number, result: EvaluationResult): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE submissions SET status = 'done', result = ?, score = ?, error = NULL, finished_at = ?
       WHERE id = ? AND status = 'running' AND claim = ?`,
      )
      .run(JSON.stringify(result), primaryFigure(result), now(), id, claim);
    return info.changes === 1;
  }

  async failSubmission(id: number, claim: number, error: string): Promise<boolean> {
    const info = this.db
      .prepare(`UPDATE submissions SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running' AND claim = ?`)
      .run(error, now(), id, claim);
    return info.changes === 1;
  }

  async requeueSubmission(id: number, claim: number): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL
       WHERE id = ? AND status = 'running' AND claim = ?`,
      )
      .run(id, claim);
    return info.changes === 1;
  }

  async recoverInterrupted(maxAttempts: number, leaseSeconds: number, reservationSeconds: number): Promise<number[]> {
    // With 0 seconds the bound is "now": every running row (or reservation) counts as interrupted.
    const params = { at: now(), max: maxAttempts, staleBefore: leaseSeconds > 0 ? secondsAgo(leaseSeconds) : '9999' };
    const reservedBefore = reservationSeconds > 0 ? secondsAgo(reservationSeconds) : '9999';
    const recover = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM submissions WHERE status = 'uploading' AND created_at < ?`).run(reservedBefore);
      this.db
        .prepare(
          `UPDATE submissions SET status = 'failed', finished_at = @at,
           error = 'evaluation was interrupted ' || attempts || ' times (server stopped or crashed); not retried again'
         WHERE status = 'running' AND attempts >= @max AND COALESCE(heartbeat_at, '') < @staleBefore`,
        )
        .run(params);
      this.db
        .prepare(
          `UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL
         WHERE status = 'running' AND COALESCE(heartbeat_at, '') < @staleBefore`,
        )
        .run(params);
      return (this.db.prepare(`SELECT id FROM submissions WHERE status = 'queued' ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
    });
    return recover.immediate();
  }

  async boardCandidates(phase: string, task: Task, publicOnly: boolean): Promise<BoardCandidate[]> {
    const rows = this.db
      .prepare(
        `SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSIONS_WITH_USERS}
       WHERE s.phase = ? AND s.task = ? AND s.status = 'done' AND s.hidden = 0 ${publicOnly ? 'AND (s.public = 1 OR s.baseline = 1)' : ''}
       ORDER BY s.id`,
      )
      .all(phase, task) as SubmissionRow[];
    return rows.map(toBoardCandidate);
  }

  async saveReport(id: number, claim: number, html: string): Promise<boolean> {
    const info = this.db
      .prepare(
        `INSERT INTO reports (submission_id, html)
       SELECT id, @html FROM submissions WHERE id = @id AND status = 'done' AND claim = @claim
       ON CONFLICT (submission_id) DO UPDATE SET html = excluded.html`,
      )
      .run({ id, claim, html });
    return info.changes === 1;
  }

  async report(id: number): Promise<string | undefined> {
    const row = this.db.prepare('SELECT html FROM reports WHERE submission_id = ?').get(id) as { html: string } | undefined;
    return row?.html;
  }

  async heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; claim: number }[]): Promise<void> {
    const at = now();
    const beat = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO workers (id, host, pid, running, started_at, seen_at) VALUES (@id, @host, @pid, @running, @at, @at)
         ON CONFLICT (id) DO UPDATE SET running = excluded.running, seen_at = excluded.seen_at`,
        )
        .run({ ...worker, running: running.length, at });
      const renew = this.db.prepare(`UPDATE submissions SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND claim = ? AND worker = ?`);
      for (const r of running) renew.run(at, r.id, r.claim, worker.id);
    });
    beat();
  }

  async removeWorker(workerId: string): Promise<void> {
    this.db.prepare('DELETE FROM workers WHERE id = ?').run(workerId);
  }

  async workersSeen(withinSeconds: number): Promise<WorkerInfo[]> {
    const rows = this.db
      .prepare('SELECT id, host, pid, running, started_at, seen_at FROM workers WHERE seen_at >= ? ORDER BY started_at, id')
      .all(secondsAgo(withinSeconds)) as { id: string; host: string; pid: number; running: number; started_at: string; seen_at: string }[];
    return rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, running: r.running, startedAt: r.started_at, seenAt: r.seen_at }));
  }

  async queueCounts(): Promise<{ queued: number; running: number }> {
    const rows = this.db.prepare(`SELECT status, COUNT(*) AS n FROM submissions WHERE status IN ('queued', 'running') GROUP BY status`).all() as {
      status: string;
      n: number;
    }[];
    const count = (status: string): number => rows.find((r) => r.status === status)?.n ?? 0;
    return { queued: count('queued'), running: count('running') };
  }

  async close(): Promise<void> {}
}
