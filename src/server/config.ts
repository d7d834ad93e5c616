/**
 * The settings of `df2 serve` and `df2 worker`, resolved once from their
 * options and SERVER_DEFAULTS (defaults.ts): the challenge behind
 * `--challenge` or `--gt-dir` (checked here, and only here, before any
 * work), the cache folder, and what the Evaluator of either process needs.
 * The CLI resolves them and hands the results to startServer and
 * startWorker, which resolve what a library caller gives them the same way.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadCocoGroundTruth } from '../eval/index.js';
import { loadGallery, loadQueries } from '../eval/internal.js';
import { InputError, UsageError } from '../util/errors.js';
import { loadChallenge, singlePhaseChallenge, type Challenge, type PhaseIntervals } from './challenge/config.js';
import { availableTasks, GT_FILES } from './challenge/tasks.js';
import { TASKS, type Task } from './challenge/types.js';
import { SERVER_DEFAULTS } from './defaults.js';
import { isPostgresUrl } from './store/postgres.js';

/** What an evaluating process (df2 serve with --workers, or df2 worker) may set; absent: SERVER_DEFAULTS. */
export interface EvaluationOptions {
  /** Longest evaluation (ms) before its process is killed. @default 6 h */
  evalTimeoutMs?: number;
  /** Heap of each evaluation's process (MB). @default 8192 */
  childHeapMb?: number;
  /** A claim without a heartbeat for this long (s) is retried by another process. @default 30 */
  leaseSeconds?: number;
  /** Attempts of a submission (crashes, kills) before it fails. @default 3 */
  maxAttempts?: number;
  /** Ground truth an evaluation process keeps in memory between submissions (MB); 0: a new process per submission. @default 2048 */
  groundTruthMemoryMb?: number;
}

/** The evaluation settings, every one resolved (the Evaluator's options of the same names). */
interface EvaluationSettings {
  timeoutMs: number;
  childHeapMb: number;
  leaseSeconds: number;
  maxAttempts: number;
  groundTruthMemoryMb: number;
}

/**
 * The evaluation settings of `options`, each absent one from SERVER_DEFAULTS.
 *
 * @example
 * evaluationSettings({ maxAttempts: 2 }); // { timeoutMs: 21600000, childHeapMb: 8192, leaseSeconds: 30, maxAttempts: 2, groundTruthMemoryMb: 2048 }
 */
export function evaluationSettings(options: EvaluationOptions): EvaluationSettings {
  return {
    timeoutMs: options.evalTimeoutMs ?? SERVER_DEFAULTS.evalTimeoutMs,
    childHeapMb: options.childHeapMb ?? SERVER_DEFAULTS.childHeapMb,
    leaseSeconds: options.leaseSeconds ?? SERVER_DEFAULTS.leaseSeconds,
    maxAttempts: options.maxAttempts ?? SERVER_DEFAULTS.maxAttempts,
    groundTruthMemoryMb: options.groundTruthMemoryMb ?? SERVER_DEFAULTS.groundTruthMemoryMb,
  };
}

/** Uploads (SQLite) and thumbnails: `--cache-dir`, else the SQLite file's folder, else `.df2` for PostgreSQL; absolute. */
export const cacheDirOf = (db: string, cacheDir?: string): string =>
  resolve(cacheDir ?? (isPostgresUrl(db) ? SERVER_DEFAULTS.pgCacheDir : dirname(resolve(db))));

/** Where the challenge comes from. */
interface ChallengeChoice {
  /** One open phase `dev` on this ground truth, with `quota` submissions a day. */
  gtDir?: string;
  /** The challenge file (YAML), or a challenge already resolved (taken as it is). */
  challenge?: string | Challenge;
  /** @default 5 */
  quota?: number;
}

interface ChallengeRules {
  /** The command named in the messages. */
  command: 'serve' | 'worker';
  /** Whether one of --challenge and --gt-dir must be given (a worker); df2 serve without either only explores. */
  required: boolean;
  /** Read each --gt-dir file in full, as an evaluation would, so that a corrupt one is refused at start. @default false */
  readGroundTruth?: boolean;
}

/**
 * The challenge of `--challenge` or `--gt-dir`, checked: never both, one of
 * them when `required`; a challenge file checked field by field (each
 * phase's ground-truth folder included); a `--gt-dir` a folder holding some
 * task's files (read in full with `readGroundTruth`).
 *
 * @example
 * const challenge = await resolveChallenge({ gtDir: 'gt/validation' }, { command: 'worker', required: true });
 * challenge.phases[0].tasks; // ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval']
 */
export async function resolveChallenge(choice: ChallengeChoice, rules: ChallengeRules): Promise<Challenge> {
  if (typeof choice.challenge === 'object') return choice.challenge;
  const given = [choice.challenge, choice.gtDir].filter((v) => v !== undefined).length;
  if (given === 2 || (rules.required && given === 0)) {
    const expected = rules.required
      ? "exactly one of --challenge FILE and --gt-dir DIR (the servers')"
      : "either --gt-dir or --challenge (the challenge file names each phase's ground truth)";
    throw new UsageError(rules.command, '--challenge/--gt-dir', expected, given === 2 ? 'both' : 'neither');
  }
  if (choice.challenge !== undefined) return loadChallenge(choice.challenge);
  if (choice.gtDir !== undefined) await checkGroundTruthDir(choice.gtDir, rules.readGroundTruth ?? false);
  return singlePhaseChallenge(choice.gtDir, choice.quota ?? SERVER_DEFAULTS.quota);
}

/** The tasks of any phase (what the app offers, what a worker evaluates). */
export const challengeTasks = (challenge: Challenge): Task[] => TASKS.filter((t) => challenge.phases.some((p) => p.tasks.includes(t)));

/** Each phase's ground-truth folder (undefined: a phase without one). */
export function groundTruthOf(challenge: Challenge): (phase: string) => string | undefined {
  const dirs = new Map(challenge.phases.map((p) => [p.name, p.gtDir || undefined]));
  return (phase) => dirs.get(phase);
}

/** Each phase's intervals (undefined: a phase whose leaderboard has none, or no such phase). */
function intervalsOf(challenge: Challenge): (phase: string) => PhaseIntervals | undefined {
  const intervals = new Map(challenge.phases.map((p) => [p.name, p.intervals]));
  return (phase) => intervals.get(phase);
}

/** Phases whose figures are hidden from submitters until the end (`scores: after_end`): their image ids are never named. */
function imageIdsHiddenOf(challenge: Challenge): (phase: string) => boolean {
  const hidden = new Set(challenge.phases.filter((p) => p.scores === 'after_end').map((p) => p.name));
  return (phase) => hidden.has(phase);
}

/** What an evaluator asks of a submission's phase, read once from the challenge (df2 serve's evaluator and df2 worker's alike). */
interface PhaseRules {
  /** The phase's ground-truth folder (undefined: the phase is unknown or has none). */
  gtDirOf: (phase: string) => string | undefined;
  /** The phase's leaderboard intervals, if it asks for them. */
  intervalsOf: (phase: string) => PhaseIntervals | undefined;
  /** Whether the phase hides its figures, so that refusals do not name its image ids. */
  hidesImageIds: (phase: string) => boolean;
}

export function phaseRules(challenge: Challenge): PhaseRules {
  return { gtDirOf: groundTruthOf(challenge), intervalsOf: intervalsOf(challenge), hidesImageIds: imageIdsHiddenOf(challenge) };
}

const isDirectory = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The challenge ground truth of --gt-dir: a folder with at least one task's
 * files; with `readFiles`, each read in full as an evaluation would read it,
 * so that a corrupt file is refused at start instead of failing every
 * submission. Returns the tasks it serves.
 *
 * @example
 * const tasks = await checkGroundTruthDir('gt/validation', true); // ['bbox', 'segm', 'keypoints', 'retrieval']
 */
async function checkGroundTruthDir(gtDir: string, readFiles: boolean): Promise<Task[]> {
  const expected = `a folder of challenge ground truth (${[...new Set(Object.values(GT_FILES).flat())].join(', ')}) (--gt-dir)`;
  if (!(await isDirectory(gtDir))) throw new InputError(gtDir, '', expected, 'no such folder');
  const tasks = availableTasks(gtDir);
  if (tasks.length === 0) throw new InputError(gtDir, '', expected, 'none of these files');
  if (!readFiles) return tasks;
  if (tasks.includes('bbox')) await loadCocoGroundTruth(join(gtDir, 'coco.json'), ['bbox', 'segm', 'keypoints']);
  if (tasks.includes('keypoints_visible')) await loadCocoGroundTruth(join(gtDir, 'coco-visible.json'), ['keypoints']);
  if (tasks.includes('retrieval')) {
    await loadQueries(join(gtDir, 'query.json'));
    await loadGallery(join(gtDir, 'gallery.json'));
  }
  return tasks;
}
