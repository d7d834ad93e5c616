/**
 * The challenge's data model and the two interfaces the app talks to: a
 * Store (users, submissions) and a JobQueue (hands submissions to a worker).
 * SQLite and an in-process queue implement them now; a PostgreSQL + pg-boss
 * backend can implement the same interfaces without touching the routes.
 * Every method is async so that a networked backend fits.
 */

import type { EvaluationResult, SubmissionStatus, Task } from '../../shared/api-types.js';
import type { BoardCandidate, LimitWindow } from './phases.js';

export type { BoardCandidate, EvaluationResult, LimitWindow, SubmissionStatus, Task };

/** Every task, in the order the app lists them. */
export const TASKS = ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval'] as const satisfies readonly Task[];
// Fails to compile when the Task type (src/shared/api-types.ts) gains a task that TASKS lacks.
const everyTaskListed: [Exclude<Task, (typeof TASKS)[number]>] extends [never] ? true : false = true;
void everyTaskListed;
export const isTask = (value: unknown): value is Task => typeof value === 'string' && (TASKS as readonly string[]).includes(value);

export interface User {
  id: number;
  name: string;
  /** The team as given; null: a team of one (shown under the user's name). */
  team: string | null;
  admin: boolean;
  /** Set when an admin revoked the account: no token, session or sign-in works. */
  revokedAt: string | null;
  createdAt: string;
}

/** What makes a new account; `passwordHash` only for accounts that sign in in the browser. */
export interface NewUser {
  name: string;
  admin: boolean;
  team?: string | null;
  tokenHash: string;
  passwordHash?: string | null;
  /** Hash of a one-time invite code that this sign-up uses up (in the same transaction). */
  inviteHash?: string;
}

/** A refused write: `what` names the field (a name taken, an invite used or unknown). */
export class StoreConflict extends Error {
  constructor(
    readonly what: 'name' | 'invite',
    message: string,
  ) {
    super(message);
  }
}

/** Submission metadata as EvalAI keeps it. */
export interface SubmissionMeta {
  name: string;
  description: string;
  paperUrl: string | null;
  codeUrl: string | null;
  /** Only public submissions enter the public leaderboard. */
  public: boolean;
}

export interface Submission extends SubmissionMeta {
  id: number;
  userId: number;
  userName: string;
  /** The team's name as shown (the user's name for a team of one). */
  team: string;
  phase: string;
  task: Task;
  /** Original file name as uploaded (display only; never used as a path). */
  fileName: string;
  fileBytes: number;
  status: SubmissionStatus;
  attempts: number;
  error: string | null;
  result: EvaluationResult | null;
  /** Marked by an admin: shown on the leaderboard, outside the ranking. */
  baseline: boolean;
  /** Hidden by an admin: on no leaderboard. */
  hidden: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * A submission's place, taken before its file is read: it counts against the
 * limits from then on. `createdAt` comes from the server's clock.
 */
export interface NewReservation {
  userId: number;
  phase: string;
  task: Task;
  createdAt: string;
}

/** The upload that fills a reservation. */
export interface CompletedUpload extends SubmissionMeta {
  fileName: string;
  fileBytes: number;
  /** Where the upload was stored (server-side path, never shown). */
  storedPath: string;
}

/** What the owner or an admin may change after the upload. */
export type SubmissionPatch = Partial<SubmissionMeta & { baseline: boolean; hidden: boolean }>;

export interface Store {
  // Accounts. Names are unique without regard to case.
  /** Throws StoreConflict('name') for a taken name, StoreConflict('invite') for an unknown or used invite. */
  addUser(user: NewUser): Promise<User>;
  userByName(name: string): Promise<User | undefined>;
  /** Revoked users are not found. */
  userByTokenHash(tokenHash: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** The scrypt hash of the user's password (null: no browser sign-in). */
  passwordHash(userId: number): Promise<string | null>;
  /** A new API token (the old one stops working at once); also reinstates a revoked user. */
  setToken(userId: number, tokenHash: string): Promise<void>;
  /** Revokes the account: its token and sessions stop working at once. */
  revokeUser(userId: number, at: string): Promise<void>;
  createSession(sessionHash: string, userId: number, expiresAt: string): Promise<void>;
  /** The user of an unexpired session of a user not revoked. */
  userBySession(sessionHash: string, now: string): Promise<User | undefined>;
  deleteSession(sessionHash: string): Promise<void>;
  createInvite(inviteHash: string, createdBy: number, at: string): Promise<void>;

  /**
   * Reserves a submission (status 'uploading') in one atomic step with the
   * limit check: counts the team's submissions for the phase and task that
   * are not failed or cancelled, in each window, and records the reservation
   * only when every window has room. Returns the id, or the first window
   * that is full. Parallel calls never pass a limit together.
   */
  reserveSubmission(r: NewReservation, windows: readonly LimitWindow[]): Promise<{ id: number } | { full: LimitWindow }>;
  /** uploading -> queued, with the file and the metadata; false if the reservation is gone. */
  completeSubmission(id: number, upload: CompletedUpload): Promise<boolean>;
  /** Forgets a reservation whose upload failed (it no longer counts). */
  discardReservation(id: number): Promise<void>;
  /** Submissions of the team (the user's team, or the user alone) counted for the phase and task since `since`. */
  countTeamSubmissions(userId: number, phase: string, task: Task, since: string): Promise<number>;
  submission(id: number): Promise<Submission | undefined>;
  storedPath(id: number): Promise<string | undefined>;
  /** Newest first; reservations still uploading are not listed. */
  listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]>;
  updateSubmission(id: number, patch: SubmissionPatch): Promise<void>;
  /** queued -> cancelled by its owner; false if it was not the user's or not queued. */
  cancelSubmission(id: number, userId: number): Promise<boolean>;
  /** done or failed -> queued with no figures and no attempts (a re-run); false otherwise. */
  rerunSubmission(id: number): Promise<boolean>;
  /** queued -> running, counting the attempt; false if it was not queued. */
  claimSubmission(id: number): Promise<boolean>;
  finishSubmission(id: number, result: EvaluationResult): Promise<void>;
  failSubmission(id: number, error: string): Promise<void>;
  /** running -> queued (an interrupted attempt that is to be retried). */
  requeueSubmission(id: number): Promise<void>;
  /**
   * After a restart: reservations left 'uploading' are dropped (their
   * partial files are deleted by the server); submissions left 'running'
   * by a crash go back to 'queued' while they have attempts left, else
   * fail. Returns the ids that are queued now, oldest first.
   */
  recoverInterrupted(maxAttempts: number): Promise<number[]>;
  /** Evaluated, not hidden submissions of the phase and task; `publicOnly`: only public ones and baselines. */
  boardCandidates(phase: string, task: Task, publicOnly: boolean): Promise<BoardCandidate[]>;
  close(): Promise<void>;
}

/** Hands submission ids to a worker. The Store stays the durable record of each one's state. */
export interface JobQueue {
  enqueue(submissionId: number): Promise<void>;
  /** Starts taking jobs, one at a time, with `handler`. */
  start(handler: (submissionId: number) => Promise<void>): void;
  /** Resolves when nothing is queued or running (used by tests and at shutdown). */
  idle(): Promise<void>;
  /** Stops taking new jobs; resolves when the running one has returned. */
  stop(): Promise<void>;
}
