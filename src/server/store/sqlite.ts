/**
 * Opens the embedded SQLite database that holds everything df2 serve keeps:
 * the explorer's index of each split, users, submissions. WAL mode lets the
 * request handlers read while the indexer writes; `synchronous = FULL` makes a
 * committed row survive a power cut (an accepted submission is never lost).
 * (The explorer's index batches alone commit with NORMAL: sqlite-index.ts.)
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../util/errors.js';

export type Db = Database.Database;

/** Creates the file (and its directory) readable by this user only, if missing; SQLite gives its -wal and -shm files the same mode. */
function createPrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
}

export function openDatabase(file: string): Db {
  let db: Db | undefined;
  try {
    if (file !== ':memory:') createPrivate(file);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    // Another kind of file (SQLITE_NOTADB), a directory, a read-only place: the user's --db.
    db?.close();
    throw new InputError(file, '', 'an SQLite database of df2 serve (--db)', err instanceof Error ? err.message : String(err));
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Applies the numbered schema steps that the file has not seen yet; each area
 * (explorer, challenge) names its own steps so that they stay independent.
 */
export function migrate(db: Db, area: string, steps: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (area TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_versions WHERE area = ?').get(area) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > steps.length)
    throw new InputError(db.name, `schema of ${area}`, `version ${steps.length} or older (a newer df2 wrote this database)`, String(current));
  const apply = db.transaction(() => {
    for (let v = current; v < steps.length; v++) db.exec(steps[v]!);
    db.prepare('INSERT INTO schema_versions (area, version) VALUES (?, ?) ON CONFLICT(area) DO UPDATE SET version = excluded.version').run(area, steps.length);
  });
  apply();
}

/**
 * Makes this process the only `df2 serve` on the database: an exclusive lock
 * on `FILE.lock`, held until `release()` or the process's end (the system
 * drops it when the process dies, so a crash leaves no stale lock). Another
 * server would otherwise take the first one's running evaluation back as
 * interrupted and run it twice. `df2 users` does not take the lock.
 */
export function lockDatabase(file: string): { release(): void } {
  const lockFile = `${file}.lock`;
  let lock: Db | undefined;
  try {
    createPrivate(lockFile);
    lock = new Database(lockFile, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    // Nothing in it is worth a journal file beside it.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (err) {
    lock?.close();
    const busy = (err as { code?: string }).code?.startsWith('SQLITE_BUSY') || (err as { code?: string }).code?.startsWith('SQLITE_LOCKED');
    throw new InputError(file, '', 'a database that no other df2 serve is using (--db)', busy ? 'another df2 serve has it open' : (err as Error).message);
  }
  return { release: () => lock!.close() };
}
