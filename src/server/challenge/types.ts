/**
 * The challenge's data model and the interfaces the app and the workers talk
 * to: a Store (users, submissions, reports, worker heartbeats), an UploadStore
 * (the uploaded results files) and a JobQueue (hands submissions to a
 * worker). Two backends implement them: SQLite + files + an in-process queue
 * (one machine), PostgreSQL + pg-boss (web servers and workers on several
 * machines). Every method is async so that a networked backend fits; one
 * contract suite (store-contract.ts) holds both to the same behaviour.
 */

import type { EvaluationResult, ResultInterval, SubmissionStatus, Task } from '../../shared/api-types.js';
import type { BoardCandidate, LimitWindow } from './phases.js';

export type { BoardCandidate, EvaluationResult, LimitWindow, ResultInterval, SubmissionStatus, Task };

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
  /** The UploadStore's key of the results file (a server-side path or an id; never shown). */
  uploadKey: string;
}

/** A process that evaluates submissions, as its heartbeats describe it. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** Evaluations it had running at its last heartbeat. */
  running: number;
  startedAt: string;
  seenAt: string;
}

/** What the owner or an admin may change after the upload. */
export type SubmissionPatch = Partial<SubmissionMeta & { baseline: boolean; hidden: boolean }>;

/** A patch's fields by the names the API and the database give them (the same snake_case). */
export const PATCH_FIELD_NAMES = {
  name: 'name',
  description: 'description',
  paperUrl: 'paper_url',
  codeUrl: 'code_url',
  public: 'public',
  baseline: 'baseline',
  hidden: 'hidden',
} as const satisfies Record<keyof SubmissionPatch, string>;

/**
 * The durable record of users and submissions. A submission's evaluation is
 * a lease: `claimSubmission` moves it from queued to running and returns a
 * claim number, one more than any claim the submission ever had (a re-run
 * starts its count of attempts again, never its claim numbers); finishing,
 * failing, requeueing and saving the report are conditional on that claim
 * still being the submission's, so an attempt whose claim was taken over
 * (its worker stopped sending heartbeats and another worker retried, or an
 * admin re-ran the submission since) can never record a result.
 */
export interface Store {
  /** Which backend this is (GET /api/health). */
  readonly kind: 'sqlite' | 'postgres';
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
  uploadKey(id: number): Promise<string | undefined>;
  /** Newest first; reservations still uploading are not listed. */
  listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]>;
  updateSubmission(id: number, patch: SubmissionPatch): Promise<void>;
  /** queued -> cancelled by its owner; false if it was not the user's or not queued. */
  cancelSubmission(id: number, userId: number): Promise<boolean>;
  /**
   * done or failed -> queued with no figures, no report and its count of attempts back at 0 (a
   * re-run gets as many attempts as a new submission); its claim numbers go on, so no claim from
   * before the re-run holds again. False when not done or failed.
   */
  rerunSubmission(id: number): Promise<boolean>;
  /**
   * queued -> running for `workerId`, counting the attempt and starting its
   * lease (heartbeat now). Returns the claim: a number never returned before
   * for this submission (not even before a re-run), or undefined when the
   * submission was not queued (another worker has it, or it is finished).
   */
  claimSubmission(id: number, workerId: string): Promise<number | undefined>;
  /**
   * running -> done, only while `claim` is the submission's claim; false (and nothing changed) otherwise.
   * `resampleFigures`: in a phase with intervals, the leaderboard figure on each of the phase's resample lists.
   */
  finishSubmission(id: number, claim: number, result: EvaluationResult, resampleFigures?: Float64Array): Promise<boolean>;
  /** The resample figures of those of `ids` that are done and have them (a re-run forgets them until it is done again). */
  resampleFigures(ids: readonly number[]): Promise<Map<number, Float64Array>>;
  /** running -> failed, only while `claim` is the submission's claim. */
  failSubmission(id: number, claim: number, error: string): Promise<boolean>;
  /** running -> queued (an interrupted attempt that is to be retried), only while `claim` is the submission's claim. */
  requeueSubmission(id: number, claim: number): Promise<boolean>;
  /**
   * Submissions 'running' whose lease has run out (no heartbeat for
   * `leaseSeconds`; 0: every running one, as after a restart of the only
   * process) go back to 'queued' while they have attempts left, else fail.
   * Reservations left 'uploading' for more than `reservationSeconds` (0:
   * every one, as after a restart of the only process) are dropped: their
   * upload was cut off, and they no longer count against the limits.
   * Returns the ids that are queued now, oldest first.
   */
  recoverInterrupted(maxAttempts: number, leaseSeconds: number, reservationSeconds: number): Promise<number[]>;
  /** Keeps the report of a finished submission, only while `claim` is the one that finished it. */
  saveReport(id: number, claim: number, html: string): Promise<boolean>;
  report(id: number): Promise<string | undefined>;
  /** A worker is alive: records it and renews the lease of the claims it is running. */
  heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; claim: number }[]): Promise<void>;
  /** A worker stopped: forgets it (its leases, if any, run out). */
  removeWorker(workerId: string): Promise<void>;
  /** Workers with a heartbeat in the last `withinSeconds`. */
  workersSeen(withinSeconds: number): Promise<WorkerInfo[]>;
  /** How many submissions wait and how many are being evaluated. */
  queueCounts(): Promise<{ queued: number; running: number }>;
  /** Evaluated, not hidden submissions of the phase and task; `publicOnly`: only public ones and baselines. */
  boardCandidates(phase: string, task: Task, publicOnly: boolean): Promise<BoardCandidate[]>;
  close(): Promise<void>;
}

/**
 * Where uploaded results files are kept until (and after) their evaluation:
 * files in a directory (one machine), or rows in PostgreSQL (a worker on
 * another machine needs nothing but the database URL).
 */
export interface UploadStore {
  /** Takes over a received file (it may be moved or deleted) and returns its key. */
  put(receivedFile: string): Promise<string>;
  /** A local file with the upload's bytes; `release` deletes it when it is a copy. */
  open(key: string): Promise<{ path: string; release(): Promise<void> }>;
  remove(key: string): Promise<void>;
}

/** Hands submission ids to a worker. The Store stays the durable record of each one's state. */
export interface JobQueue {
  /** Asks for an evaluation; asking again while one waits is a no-op. */
  enqueue(submissionId: number): Promise<void>;
  /** enqueue for many at once (the recovery sweep), in one round trip where the backend allows. */
  enqueueMany(submissionIds: number[]): Promise<void>;
  /** Starts taking jobs with `handler`, up to `concurrency` at a time. */
  start(handler: (submissionId: number) => Promise<void>, concurrency?: number): Promise<void>;
  /** Resolves when nothing is queued or running (used by tests and at shutdown). */
  idle(): Promise<void>;
  /** Stops taking new jobs; resolves when the running one has returned. */
  stop(): Promise<void>;
}
