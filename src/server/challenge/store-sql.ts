/**
 * The SQL fragments of the challenge store (sql-store.ts): the column lists
 * it selects, the team key, which submissions count against the limits, and
 * the mapping of a selected row to the Store's types. The fragments are SQL
 * that SQLite and PostgreSQL read alike. A row's values come
 * as each driver gives them (booleans as 0/1 or true/false, times as ISO text
 * or Date, JSON as text or parsed, BIGINT as a number or text): the mapping
 * accepts either.
 */
import type { CategoryApJson } from '../../shared/api-types.js';
import {
  type BoardCandidate,
  type EvaluationResult,
  PATCH_FIELD_NAMES,
  type Submission,
  type SubmissionPatch,
  type SubmissionStatus,
  type Task,
  type User,
} from './types.js';

/** A team of one is keyed by the user's id, so that a team named like a user is still another team. */
const TEAM_KEY = `CASE WHEN u.team IS NULL THEN 'u:' || u.id ELSE 't:' || lower(u.team) END`;
/** What submission queries select from (`s` the submission, `u` its submitter). */
export const SUBMISSIONS_WITH_USERS = 'submissions s JOIN users u ON u.id = s.user_id';
/** The columns of a SubmissionRow, selected from {@link SUBMISSIONS_WITH_USERS}. */
export const SUBMISSION_COLUMNS = `s.id, s.user_id, u.name AS user_name, COALESCE(u.team, u.name) AS team, ${TEAM_KEY} AS team_key,
  s.phase, s.task, s.name, s.description, s.paper_url, s.code_url, s.public, s.baseline, s.hidden,
  s.file_name, s.file_bytes, s.status, s.attempts, s.error, s.result, s.created_at, s.started_at, s.finished_at`;
/** The columns of a UserRow, selected from `users`. */
export const USER_COLUMNS = 'id, name, team, admin, revoked_at, created_at';
/** Submissions that count against the limits: all but failed and cancelled ones (reservations count). */
export const COUNTED = `s.status NOT IN ('failed', 'cancelled')`;
/** The same in a phase that hides its figures, where failed submissions count too (see LimitWindow.countsFailed). */
export const COUNTED_WITH_FAILED = `s.status != 'cancelled'`;

/** The column of each field a SubmissionPatch may change (named as the API names the field). */
export const PATCH_COLUMNS: Record<keyof SubmissionPatch, string> = PATCH_FIELD_NAMES;

/** SQLite's booleans are 0/1, PostgreSQL's true/false. */
type SqlBoolean = number | boolean;
/** SQLite keeps times as ISO text, PostgreSQL's driver gives a Date. */
export type SqlTime = string | Date;

export interface UserRow {
  id: number;
  name: string;
  team: string | null;
  admin: SqlBoolean;
  revoked_at: SqlTime | null;
  created_at: SqlTime;
}

export interface SubmissionRow {
  id: number;
  user_id: number;
  user_name: string;
  team: string;
  team_key: string;
  phase: string;
  task: Task;
  name: string;
  description: string;
  paper_url: string | null;
  code_url: string | null;
  public: SqlBoolean;
  baseline: SqlBoolean;
  hidden: SqlBoolean;
  file_name: string;
  /** PostgreSQL's BIGINT arrives as text (it may pass 2^53); a file size does not. */
  file_bytes: number | string;
  status: SubmissionStatus;
  attempts: number;
  error: string | null;
  /** JSON text (SQLite) or JSONB already parsed (PostgreSQL). */
  result: string | EvaluationResult | null;
  created_at: SqlTime;
  started_at: SqlTime | null;
  finished_at: SqlTime | null;
}

const bool = (v: SqlBoolean): boolean => v === true || v === 1;
/** A time as the Store gives it (ISO 8601 text). */
export const iso = (v: SqlTime): string => (typeof v === 'string' ? v : v.toISOString());
const isoOrNull = (v: SqlTime | null): string | null => (v === null ? null : iso(v));

export const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  team: r.team,
  admin: bool(r.admin),
  revokedAt: isoOrNull(r.revoked_at),
  createdAt: iso(r.created_at),
});

/**
 * A stored result as the API shows it. Rows written before per_category_ap's entries took `df2 eval --json`'s
 * shape hold `{ categoryId, ap }`: read as `{ category_id, ap }`, so stored results keep working unchanged.
 */
function storedResult(raw: unknown): EvaluationResult | null {
  if (raw === null || raw === undefined) return null;
  const result = raw as EvaluationResult;
  const perCategory = result.perCategoryAp as (CategoryApJson | { categoryId: number; ap: number })[] | undefined;
  if (!perCategory?.some((c) => 'categoryId' in c)) return result;
  return { ...result, perCategoryAp: perCategory.map((c) => ('categoryId' in c ? { category_id: c.categoryId, ap: c.ap } : c)) };
}

export const toSubmission = (r: SubmissionRow): Submission => ({
  id: r.id,
  userId: r.user_id,
  userName: r.user_name,
  team: r.team,
  phase: r.phase,
  task: r.task,
  name: r.name,
  description: r.description,
  paperUrl: r.paper_url,
  codeUrl: r.code_url,
  public: bool(r.public),
  baseline: bool(r.baseline),
  hidden: bool(r.hidden),
  fileName: r.file_name,
  fileBytes: Number(r.file_bytes),
  status: r.status,
  attempts: r.attempts,
  error: r.error,
  result: storedResult(typeof r.result === 'string' ? (JSON.parse(r.result) as unknown) : r.result),
  createdAt: iso(r.created_at),
  startedAt: isoOrNull(r.started_at),
  finishedAt: isoOrNull(r.finished_at),
});

/** A row of an evaluated submission as a leaderboard candidate. */
export function toBoardCandidate(r: SubmissionRow): BoardCandidate {
  const sub = toSubmission(r);
  return {
    submissionId: sub.id,
    teamKey: r.team_key,
    team: sub.team,
    userName: sub.userName,
    name: sub.name,
    description: sub.description,
    paperUrl: sub.paperUrl,
    codeUrl: sub.codeUrl,
    baseline: sub.baseline,
    createdAt: sub.createdAt,
    finishedAt: sub.finishedAt ?? '',
    result: sub.result!,
  };
}

/** A submission's per-resample figures as stored: base64 of little-endian doubles (one byte order on every machine). */
export function encodeFigures(figures: Float64Array): string {
  const bytes = Buffer.alloc(figures.length * 8);
  figures.forEach((v, i) => bytes.writeDoubleLE(v, i * 8));
  return bytes.toString('base64');
}

/** The figures of {@link encodeFigures}' text. */
export function decodeFigures(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(Math.floor(bytes.length / 8));
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}
