/**
 * The challenge's data model and the interfaces the app and the workers talk
 * to: a Store (users, submissions, reports, worker heartbeats), an UploadStore
 * (the uploaded results files) and a JobQueue (hands submissions to a
 * worker). Two backends implement them: SQLite + files + an in-process queue
 * (one machine), PostgreSQL + pg-boss (web servers and workers on several
 * machines). Every method is async so that a networked backend fits; one
 * contract suite (store-contract.ts) holds both to the same behaviour.
 */

import type { EvaluationResult, SubmissionStatus, Task } from '../../shared/api-types.js';

export type { EvaluationResult, SubmissionStatus, Task };

/** Every task, in the order the app lists them. */
export const TASKS = ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval'] as const satisfies readonly Task[];
// Fails to compile when the Task type (src/shared/api-types.ts) gains a task that TASKS lacks.
const everyTaskListed: [Exclude<Task, (typeof TASKS)[number]>] extends [never] ? true : false = true;
void everyTaskListed;
export const isTask = (value: unknown): value is Task => typeof value === 'string' && (TASKS as readonly string[]).includes(value);

/** addUser: the name (or, vanishingly unlikely, the token hash) is taken. */
export class DuplicateUserError extends Error {
  constructor(readonly userName: string) {
    super(`a user named ${userName} exists already`);
  }
}

export interface User {
  id: number;
  name: string;
  admin: boolean;
  createdAt: string;
}

export interface Submission {
  id: number;
  userId: number;
  userName: string;
  task: Task;
  name: string;
  /** Original file name as uploaded (display only; never used as a path). */
  fileName: string;
  fileBytes: number;
  status: SubmissionStatus;
  attempts: number;
  error: string | null;
  result: EvaluationResult | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewSubmission {
  userId: number;
  task: Task;
  name: string;
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

export interface LeaderboardEntry {
  rank: number;
  submissionId: number;
  name: string;
  userName: string;
  finishedAt: string;
  result: EvaluationResult;
}

/**
 * The durable record of users and submissions. A submission's evaluation is
 * a lease: `claimSubmission` moves it from queued to running and returns the
 * attempt number, which is the claim; finishing, failing, requeueing and
 * saving the report are conditional on that attempt still holding the
 * claim, so an attempt whose claim was taken over (its worker stopped
 * sending heartbeats and another worker retried) can never record a result.
 */
export interface Store {
  /** Which backend this is (GET /api/health). */
  readonly kind: 'sqlite' | 'postgres';
  /** Throws DuplicateUserError when the name is taken. */
  addUser(name: string, admin: boolean, tokenHash: string): Promise<User>;
  userByName(name: string): Promise<User | undefined>;
  userByTokenHash(tokenHash: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;

  /** Submissions of the user for the task since `since` (ISO time): the quota's count. */
  countSubmissionsSince(userId: number, task: Task, since: string): Promise<number>;
  /**
   * Records a submission as queued, in one transaction with the quota check:
   * returns undefined (and records nothing) when the user already has `quota`
   * submissions for the task since `since`.
   */
  createSubmission(sub: NewSubmission, quota: { limit: number; since: string }): Promise<Submission | undefined>;
  submission(id: number): Promise<Submission | undefined>;
  uploadKey(id: number): Promise<string | undefined>;
  listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]>;
  /**
   * queued -> running for `workerId`, counting the attempt and starting its
   * lease (heartbeat now). Returns the attempt number (the claim), or
   * undefined when the submission was not queued (another worker has it, or
   * it is finished).
   */
  claimSubmission(id: number, workerId: string): Promise<number | undefined>;
  /** running -> done, only while `attempt` holds the claim; false (and nothing changed) otherwise. */
  finishSubmission(id: number, attempt: number, result: EvaluationResult): Promise<boolean>;
  /** running -> failed, only while `attempt` holds the claim. */
  failSubmission(id: number, attempt: number, error: string): Promise<boolean>;
  /** running -> queued (an interrupted attempt that is to be retried), only while `attempt` holds the claim. */
  requeueSubmission(id: number, attempt: number): Promise<boolean>;
  /**
   * Submissions 'running' whose lease has run out (no heartbeat for
   * `leaseSeconds`; 0: every running one, as after a restart of the only
   * process) go back to 'queued' while they have attempts left, else fail.
   * Returns the ids that are queued now, oldest first.
   */
  recoverInterrupted(maxAttempts: number, leaseSeconds: number): Promise<number[]>;
  /** Keeps the report of a finished submission, only while `attempt` is the one that finished it. */
  saveReport(id: number, attempt: number, html: string): Promise<boolean>;
  report(id: number): Promise<string | undefined>;
  /** A worker is alive: records it and renews the lease of the attempts it is running. */
  heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; attempt: number }[]): Promise<void>;
  /** A worker stopped: forgets it (its leases, if any, run out). */
  removeWorker(workerId: string): Promise<void>;
  /** Workers with a heartbeat in the last `withinSeconds`. */
  workersSeen(withinSeconds: number): Promise<WorkerInfo[]>;
  /** How many submissions wait and how many are being evaluated. */
  queueCounts(): Promise<{ queued: number; running: number }>;
  leaderboard(task: Task): Promise<LeaderboardEntry[]>;
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
