/**
 * The challenge's data model and the two interfaces the app talks to: a
 * Store (users, submissions) and a JobQueue (hands submissions to a worker).
 * SQLite and an in-process queue implement them now; a PostgreSQL + pg-boss
 * backend can implement the same interfaces without touching the routes.
 * Every method is async so that a networked backend fits.
 */

export const TASKS = ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval'] as const;
export type Task = (typeof TASKS)[number];
export const isTask = (value: unknown): value is Task => typeof value === 'string' && (TASKS as readonly string[]).includes(value);

export type SubmissionStatus = 'queued' | 'running' | 'done' | 'failed';

export interface User {
  id: number;
  name: string;
  admin: boolean;
  createdAt: string;
}

/** Figures of one evaluation, as stored and shown. */
export interface EvaluationResult {
  task: Task;
  /** COCO tasks: the 12 (bbox, segm) or 10 (keypoints) summarize() figures; retrieval: top-1, 5, 10, 15, 20. */
  stats: number[];
  /** Names of the figures in `stats`, in order. */
  statNames: string[];
  /** COCO tasks: AP per category (-1 = no ground truth). */
  perCategoryAp?: { categoryId: number; ap: number }[];
  /** Retrieval: queries counted and queries without a detection. */
  queries?: number;
  missed?: number;
  /**
   * Per attribute value (the release README's Tables 3, 5, 7, 9), when the
   * ground truth carries attributes: attribute -> value "1".."3" -> figures
   * (AP, AP50, AP75 for COCO tasks; top-1..top-20 for retrieval).
   */
  subsets?: Record<string, Record<string, number[]>>;
  subsetStatNames?: string[];
  seconds: number;
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
