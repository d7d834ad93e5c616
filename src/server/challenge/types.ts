/**
 * The challenge's data model and the two interfaces the app talks to: a
 * Store (users, submissions) and a JobQueue (hands submissions to a worker).
 * SQLite and an in-process queue implement them now; a PostgreSQL + pg-boss
 * backend can implement the same interfaces without touching the routes.
 * Every method is async so that a networked backend fits.
 */

import type { EvaluationResult, SubmissionStatus, Task } from '../../shared/api-types.js';

export type { EvaluationResult, SubmissionStatus, Task };

/** Every task, in the order the app lists them. */
export const TASKS = ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval'] as const satisfies readonly Task[];
// Fails to compile when the Task type (src/shared/api-types.ts) gains a task that TASKS lacks.
const everyTaskListed: [Exclude<Task, (typeof TASKS)[number]>] extends [never] ? true : false = true;
void everyTaskListed;
export const isTask = (value: unknown): value is Task => typeof value === 'string' && (TASKS as readonly string[]).includes(value);

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
  /** Where the upload was stored (server-side path, never shown). */
  storedPath: string;
}

export interface LeaderboardEntry {
  rank: number;
  submissionId: number;
  name: string;
  userName: string;
  finishedAt: string;
  result: EvaluationResult;
}

export interface Store {
  addUser(name: string, admin: boolean, tokenHash: string): Promise<User>;
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
  storedPath(id: number): Promise<string | undefined>;
  listSubmissions(filter: { userId?: number; limit?: number }): Promise<Submission[]>;
  /** queued -> running, counting the attempt; false if it was not queued. */
  claimSubmission(id: number): Promise<boolean>;
  finishSubmission(id: number, result: EvaluationResult): Promise<void>;
  failSubmission(id: number, error: string): Promise<void>;
  /** running -> queued (an interrupted attempt that is to be retried). */
  requeueSubmission(id: number): Promise<void>;
  /**
   * After a restart: submissions left 'running' by a crash go back to
   * 'queued' while they have attempts left, else fail. Returns the ids that
   * are queued now, oldest first.
   */
  recoverInterrupted(maxAttempts: number): Promise<number[]>;
  leaderboard(task: Task): Promise<LeaderboardEntry[]>;
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
