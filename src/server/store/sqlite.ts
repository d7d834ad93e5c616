/**
 * Opens the embedded SQLite database that holds everything df2 serve keeps:
 * the explorer's index of each split, users, submissions. WAL mode lets the
 * request handlers read while the indexer writes; `synchronous = FULL` makes a
 * committed row survive a power cut (an accepted submission is never lost).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../util/errors.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Db | undefined;
  try {
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
  if (current > steps.length) throw new InputError(db.name, `schema of ${area}`, `version ${steps.length} or older (a newer df2 wrote this database)`, String(current));
  const apply = db.transaction(() => {
    for (let v = current; v < steps.length; v++) db.exec(steps[v]!);
    db.prepare('INSERT INTO schema_versions (area, version) VALUES (?, ?) ON CONFLICT(area) DO UPDATE SET version = excluded.version')
      .run(area, steps.length);
  });
  apply();
}
