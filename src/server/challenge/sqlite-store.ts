/** The challenge Store on the embedded SQLite database. */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
import type {
  EvaluationResult, LeaderboardEntry, NewSubmission, Store, Submission, SubmissionStatus, Task, User, WorkerInfo,
} from './types.js';
import { primaryFigure, rankedEntries } from './tasks.js';
import { DuplicateUserError } from './types.js';

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
];

interface UserRow { id: number; name: string; admin: number; created_at: string }
interface SubmissionRow {
  id: number; user_id: number; user_name: string; task: Task; name: string; file_name: string; file_bytes: number;
  status: SubmissionStatus; attempts: number; error: string | null; result: string | null;
  created_at: string; started_at: string | null; finished_at: string | null;
}

const now = (): string => new Date().toISOString();
const secondsAgo = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString();
const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, admin: r.admin === 1, createdAt: r.created_at });
const toSubmission = (r: SubmissionRow): Submission => ({
  id: r.id, userId: r.user_id, userName: r.user_name, task: r.task, name: r.name, fileName: r.file_name,
  fileBytes: r.file_bytes, status: r.status, attempts: r.attempts, error: r.error,
  result: r.result === null ? null : (JSON.parse(r.result) as EvaluationResult),
  createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
});

const SUBMISSION_COLUMNS = `s.id, s.user_id, u.name AS user_name, s.task, s.name, s.file_name, s.file_bytes, s.status,
  s.attempts, s.error, s.result, s.created_at, s.started_at, s.finished_at`;

export class SqliteStore implements Store {
  readonly kind = 'sqlite';

  constructor(private readonly db: Db) {
    migrate(db, 'challenge', SCHEMA);
  }

  async addUser(name: string, admin: boolean, tokenHash: string): Promise<User> {
    const createdAt = now();
    const info = this.db.prepare('INSERT INTO users (name, admin, token_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(name, admin ? 1 : 0, tokenHash, createdAt);
    if (info.changes === 0) throw new DuplicateUserError(name);
    return { id: Number(info.lastInsertRowid), name, admin, createdAt };
  }

  async userByName(name: string): Promise<User | undefined> {
    const row = this.db.prepare('SELECT id, name, admin, created_at FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  async userByTokenHash(tokenHash: string): Promise<User | undefined> {
    const row = this.db.prepare('SELECT id, name, admin, created_at FROM users WHERE token_hash = ?').get(tokenHash) as UserRow | undefined;
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (this.db.prepare('SELECT id, name, admin, created_at FROM users ORDER BY id').all() as UserRow[]).map(toUser);
  }

  async countSubmissionsSince(userId: number, task: Task, since: string): Promise<number> {
    return this.countSince(userId, task, since);
  }

  private countSince(userId: number, task: Task, since: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM submissions WHERE user_id = ? AND task = ? AND created_at >= ?')
      .get(userId, task, since) as { n: number };
    return row.n;
  }

  async createSubmission(sub: NewSubmission, quota: { limit: number; since: string }): Promise<Submission | undefined> {
    const insert = this.db.transaction((): number | undefined => {
      if (this.countSince(sub.userId, sub.task, quota.since) >= quota.limit) return undefined;
      const info = this.db.prepare(
        `INSERT INTO submissions (user_id, task, name, file_name, file_bytes, upload_key, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)`,
      ).run(sub.userId, sub.task, sub.name, sub.fileName, sub.fileBytes, sub.uploadKey, now());
      return Number(info.lastInsertRowid);
    });
    // IMMEDIATE takes the write lock before counting, so two uploads cannot both pass the quota.
    const id = insert.immediate();
    return id === undefined ? undefined : this.submission(id);
  }

  async submission(id: number): Promise<Submission | undefined> {
    const row = this.db.prepare(`SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`)
      .get(id) as SubmissionRow | undefined;
    return row && toSubmission(row);
  }

  async uploadKey(id: number): Promise<string | undefined> {
    const row = this.db.prepare('SELECT upload_key FROM submissions WHERE id = ?').get(id) as { upload_key: string } | undefined;
    return row?.upload_key;
  }

  async listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]> {
    const where = filter.userId === undefined ? '' : 'WHERE s.user_id = @userId';
    const rows = this.db.prepare(
      `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN users u ON u.id = s.user_id ${where} ORDER BY s.id DESC LIMIT @limit`,
    ).all({ userId: filter.userId, limit: filter.limit ?? 100 }) as SubmissionRow[];
    return rows.map(toSubmission);
  }

  async claimSubmission(id: number, workerId: string): Promise<number | undefined> {
    const row = this.db.prepare(
      `UPDATE submissions SET status = 'running', attempts = attempts + 1, worker = @worker, started_at = @at, heartbeat_at = @at, error = NULL
       WHERE id = @id AND status = 'queued' RETURNING attempts`,
    ).get({ id, worker: workerId, at: now() }) as { attempts: number } | undefined;
    return row?.attempts;
  }

  async finishSubmission(id: number, attempt: number, result: EvaluationResult): Promise<boolean> {
    const info = this.db.prepare(
      `UPDATE submissions SET status = 'done', result = ?, score = ?, error = NULL, finished_at = ?
       WHERE id = ? AND status = 'running' AND attempts = ?`,
    ).run(JSON.stringify(result), primaryFigure(result), now(), id, attempt);
    return info.changes === 1;
  }

  async failSubmission(id: number, attempt: number, error: string): Promise<boolean> {
    const info = this.db.prepare(
      `UPDATE submissions SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running' AND attempts = ?`,
    ).run(error, now(), id, attempt);
    return info.changes === 1;
  }

  async requeueSubmission(id: number, attempt: number): Promise<boolean> {
    const info = this.db.prepare(
      `UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL
       WHERE id = ? AND status = 'running' AND attempts = ?`,
    ).run(id, attempt);
    return info.changes === 1;
  }

  async recoverInterrupted(maxAttempts: number, leaseSeconds: number): Promise<number[]> {
    // With leaseSeconds 0 the bound is "now": every running row counts as interrupted.
    const params = { at: now(), max: maxAttempts, staleBefore: leaseSeconds > 0 ? secondsAgo(leaseSeconds) : '9999' };
    const recover = this.db.transaction(() => {
      this.db.prepare(
        `UPDATE submissions SET status = 'failed', finished_at = @at,
           error = 'evaluation was interrupted ' || attempts || ' times (server stopped or crashed); not retried again'
         WHERE status = 'running' AND attempts >= @max AND COALESCE(heartbeat_at, '') < @staleBefore`,
      ).run(params);
      this.db.prepare(
        `UPDATE submissions SET status = 'queued', started_at = NULL, worker = NULL, heartbeat_at = NULL
         WHERE status = 'running' AND COALESCE(heartbeat_at, '') < @staleBefore`,
      ).run(params);
      return (this.db.prepare(`SELECT id FROM submissions WHERE status = 'queued' ORDER BY id`).all() as { id: number }[])
        .map((r) => r.id);
    });
    return recover.immediate();
  }

  async saveReport(id: number, attempt: number, html: string): Promise<boolean> {
    const info = this.db.prepare(
      `INSERT INTO reports (submission_id, html)
       SELECT id, @html FROM submissions WHERE id = @id AND status = 'done' AND attempts = @attempt
       ON CONFLICT (submission_id) DO UPDATE SET html = excluded.html`,
    ).run({ id, attempt, html });
    return info.changes === 1;
  }

  async report(id: number): Promise<string | undefined> {
    const row = this.db.prepare('SELECT html FROM reports WHERE submission_id = ?').get(id) as { html: string } | undefined;
    return row?.html;
  }

  async heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; attempt: number }[]): Promise<void> {
    const at = now();
    const beat = this.db.transaction(() => {
      this.db.prepare(
        `INSERT INTO workers (id, host, pid, running, started_at, seen_at) VALUES (@id, @host, @pid, @running, @at, @at)
         ON CONFLICT (id) DO UPDATE SET running = excluded.running, seen_at = excluded.seen_at`,
      ).run({ ...worker, running: running.length, at });
      const renew = this.db.prepare(
        `UPDATE submissions SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND attempts = ? AND worker = ?`,
      );
      for (const r of running) renew.run(at, r.id, r.attempt, worker.id);
    });
    beat();
  }

  async removeWorker(workerId: string): Promise<void> {
    this.db.prepare('DELETE FROM workers WHERE id = ?').run(workerId);
  }

  async workersSeen(withinSeconds: number): Promise<WorkerInfo[]> {
    const rows = this.db.prepare(
      'SELECT id, host, pid, running, started_at, seen_at FROM workers WHERE seen_at >= ? ORDER BY started_at, id',
    ).all(secondsAgo(withinSeconds)) as { id: string; host: string; pid: number; running: number; started_at: string; seen_at: string }[];
    return rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, running: r.running, startedAt: r.started_at, seenAt: r.seen_at }));
  }

  async queueCounts(): Promise<{ queued: number; running: number }> {
    const rows = this.db.prepare(
      `SELECT status, COUNT(*) AS n FROM submissions WHERE status IN ('queued', 'running') GROUP BY status`,
    ).all() as { status: string; n: number }[];
    const count = (status: string): number => rows.find((r) => r.status === status)?.n ?? 0;
    return { queued: count('queued'), running: count('running') };
  }

  async leaderboard(task: Task): Promise<LeaderboardEntry[]> {
    const rows = this.db.prepare(
      `SELECT ${SUBMISSION_COLUMNS} FROM submissions s JOIN users u ON u.id = s.user_id
       WHERE s.task = ? AND s.status = 'done' ORDER BY s.score DESC, s.finished_at ASC, s.id ASC`,
    ).all(task) as SubmissionRow[];
    return rankedEntries(rows.map(toSubmission));
  }

  async close(): Promise<void> {}
}
