/**
 * Every default of `df2 serve` and `df2 worker` (and of startServer and
 * startWorker called as a library), in one typed place light enough for the
 * CLI's option parsing; config.ts resolves the settings from them.
 */
import { join } from 'node:path';

export const SERVER_DEFAULTS = {
  /** `--db`: the SQLite file (a postgres:// URL is never a default). */
  db: join('.df2', 'df2.sqlite'),
  /** `--cache-dir` with PostgreSQL (with SQLite: the database file's folder). */
  pgCacheDir: '.df2',
  port: 8420,
  /** This machine only. */
  host: '127.0.0.1',
  /** `--quota`: submissions per team, task and UTC day of the one phase of `--gt-dir` alone. */
  quota: 5,
  /** `--max-upload-mb`: the largest results file accepted. */
  maxUploadMb: 2048,
  /** `--workers` of df2 serve: evaluations the server runs at once (0: none, df2 worker processes do). */
  workers: 1,
  /** `--concurrency` of df2 worker. */
  concurrency: 1,
  /** `--stop-timeout`: seconds running evaluations may finish after SIGTERM/SIGINT before they go back to the queue. */
  stopTimeoutSeconds: 60,
  /** `--lease-seconds`: a claim without a heartbeat for this long is retried elsewhere. */
  leaseSeconds: 30,
  /** `--max-attempts`: attempts of a submission (crashes, kills) before it fails. */
  maxAttempts: 3,
  /** Longest evaluation (ms) before its process is killed; pg-boss's job expiry follows it. */
  evalTimeoutMs: 6 * 3600_000,
  /** Heap of each evaluation's child process (MB): a val-scale keypoint evaluation needs several GB. */
  childHeapMb: 8192,
  /**
   * Ground truth each evaluation process keeps in memory between submissions (MB of its parsed columns), the least
   * recently used dropped past it; 0: nothing kept, a new process per submission. On top of the heap (typed arrays
   * live outside it): a validation-sized phase's bbox, segm and keypoints ground truth take a few hundred MB.
   */
  groundTruthMemoryMb: 2048,
  /** PostgreSQL connections of the store's pool of df2 serve (pg-boss keeps up to 4 more). */
  poolMax: 10,
  /**
   * Longest a request may take in all (ms): the largest upload (2 GB) at an average of 120 KB/s (about
   * 1 Mbit/s). Node's default (300 s) cut a 2 GB upload slower than 6.9 MB/s. It stays under the 6 h
   * reservation limit, after which another server's recovery sweep takes an upload's reservation for abandoned.
   */
  requestTimeLimitMs: 5 * 3600_000,
  /** A connection that carries nothing either way for this long is closed: a stalled upload, an idle client (ms). */
  idleTimeoutMs: 120_000,
} as const;
