/**
 * The challenge as data: the YAML file of `df2 serve --challenge` read with
 * the `yaml` package and checked field by field into a typed Challenge, or
 * the one-phase challenge that `--gt-dir` alone stands for. Every mistake is
 * one line naming the file and the field; all of them are reported at once.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { formatProblem, describe as describeValue, InputError, pathJoin } from '../../util/errors.js';
import { availableTasks, GT_FILES } from './tasks.js';
import { isTask, TASKS, type Task } from './types.js';

export type Registration = 'open' | 'invite' | 'closed';
type Visibility = 'public' | 'private';
type ScoresShown = 'shown' | 'after_end';
type BoardRule = 'best' | 'latest';

/** Submissions per team, task and phase; an absent limit is no limit. */
export interface PhaseLimits {
  /** Per UTC day. */
  perDay?: number;
  /** Per calendar month (UTC). */
  perMonth?: number;
  total?: number;
}

/**
 * Bootstrap intervals on a phase's leaderboard (`intervals:` in challenge.yaml): every submission of
 * the phase is evaluated on the same resample lists (one seed for the phase), so that two teams'
 * figures can be compared resample by resample.
 */
export interface PhaseIntervals {
  /** Resample lists drawn (default 1000). */
  resamples: number;
  /** Interval level, in (0, 1) (default 0.95); also the level of the "not significant" mark. */
  level: number;
  /** The phase's seed of the draws (default 0). */
  seed: number;
}

export const DEFAULT_PHASE_INTERVALS: PhaseIntervals = { resamples: 1000, level: 0.95, seed: 0 };
/** Bounds of `intervals.resamples`: enough lists for a 99% interval, few enough that each submission's stored figures stay small (80 kB). */
const PHASE_RESAMPLES_RANGE = [100, 10_000] as const;

export interface Phase {
  name: string;
  /** Ground-truth directory (absolute; server-side, never served). */
  gtDir: string;
  tasks: Task[];
  /** ISO times; absent: open from the beginning / to the end of time. */
  start?: string;
  end?: string;
  limits: PhaseLimits;
  leaderboard: Visibility;
  scores: ScoresShown;
  rule: BoardRule;
  /** Absent: the leaderboard shows plain figures. */
  intervals?: PhaseIntervals;
}

export interface Challenge {
  title: string;
  /** The Markdown text of the description file, if any. */
  description: string;
  registration: Registration;
  phases: Phase[];
}

/** Every mistake of a challenge file, one line each. */
export class ChallengeError extends InputError {
  constructor(
    file: string,
    readonly problems: string[],
  ) {
    super(file, '', 'a valid challenge file', `${problems.length} problem(s)`);
    this.message = problems.join('\n');
  }
}

const PHASE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
/** A date-time with a zone (Z or +hh:mm), as YAML users write it; a bare date is its 00:00 UTC. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const TOP_KEYS = ['title', 'description', 'registration', 'phases'];
const PHASE_KEYS = ['name', 'gt', 'tasks', 'start', 'end', 'limits', 'leaderboard', 'scores', 'rule', 'intervals'];
const INTERVAL_KEYS = ['resamples', 'level', 'seed'];
const LIMIT_KEYS: Record<string, keyof PhaseLimits> = { per_day: 'perDay', per_month: 'perMonth', total: 'total' };

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed challenge document. `baseDir` resolves the relative paths
 * (gt, description); `readText` reads the description file.
 *
 * @example
 * const challenge = parseChallenge(yamlText, 'challenge.yaml', '/srv/df2');
 * challenge.phases.map((p) => p.name); // ['dev', 'test']
 */
export function parseChallenge(text: string, file: string, baseDir: string, readText = (path: string) => readFileSync(path, 'utf8')): Challenge {
  const problems: string[] = [];
  const bad = (field: string, expected: string, ...found: unknown[]): void => {
    problems.push(formatProblem(file, field, expected, found.length > 0 ? describeValue(found[0]) : undefined));
  };
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0];
      const why = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      problems.push(formatProblem(file, line ? `line ${line.line}` : '', 'YAML', why));
    }
    throw new ChallengeError(file, problems);
  }
  // Dates stay strings (core schema): the checks below read them.
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // What only shows when the document is resolved: an alias to no anchor ("*name" before "&name"), too many aliases.
    problems.push(formatProblem(file, '', 'YAML', (err as Error).message.split('\n')[0]));
    throw new ChallengeError(file, problems);
  }
  if (!isRecord(root)) {
    bad('', 'a mapping with title, registration and phases', root);
    throw new ChallengeError(file, problems);
  }
  // Keys are the user's: pathJoin quotes one that is not a plain name, so that a line break in it cannot break the line.
  for (const key of Object.keys(root)) if (!TOP_KEYS.includes(key)) bad(pathJoin('', key), `one of the fields ${TOP_KEYS.join(', ')}`, key);

  const title = root.title;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200) bad('title', 'a text of 1-200 characters', title);

  let description = '';
  if (root.description !== undefined) {
    if (typeof root.description !== 'string' || root.description === '') bad('description', 'the path of a Markdown file', root.description);
    else {
      const path = resolve(baseDir, root.description);
      try {
        description = readText(path);
      } catch (err) {
        bad('description', 'a readable Markdown file', `${root.description} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      }
    }
  }

  const registration = root.registration ?? 'closed';
  if (registration !== 'open' && registration !== 'invite' && registration !== 'closed') bad('registration', 'open, invite or closed', registration);

  const phases: Phase[] = [];
  if (!Array.isArray(root.phases) || root.phases.length === 0) bad('phases', 'a list of at least one phase', root.phases);
  else {
    // Names are compared as written, so a duplicate is reported with the phases' other mistakes, not once they are fixed.
    const names = new Set<string>();
    root.phases.forEach((raw: unknown, k: number) => {
      const phase = parsePhase(raw, `phases[${k}]`, baseDir, bad);
      const name = isRecord(raw) ? raw.name : undefined;
      if (typeof name === 'string' && PHASE_NAME.test(name)) {
        if (names.has(name)) bad(`phases[${k}].name`, 'a name no other phase has', name);
        names.add(name);
      }
      if (phase) phases.push(phase);
    });
  }
  if (problems.length > 0) throw new ChallengeError(file, problems);
  return { title: (title as string).trim(), description, registration: registration as Registration, phases };
}

function parsePhase(raw: unknown, at: string, baseDir: string, bad: (field: string, expected: string, ...found: unknown[]) => void): Phase | undefined {
  if (!isRecord(raw)) {
    bad(at, 'a mapping with name, gt and tasks', raw);
    return undefined;
  }
  const before = { count: 0 };
  const check = (ok: boolean, field: string, expected: string, ...found: unknown[]): void => {
    if (!ok) {
      before.count++;
      bad(field.startsWith('[') ? `${at}${field}` : `${at}.${field}`, expected, ...found);
    }
  };
  for (const key of Object.keys(raw)) check(PHASE_KEYS.includes(key), pathJoin('', key), `one of the fields ${PHASE_KEYS.join(', ')}`, key);

  const name = raw.name;
  check(typeof name === 'string' && PHASE_NAME.test(name), 'name', '1-40 letters, digits, ".", "_" or "-"', name);

  let gtDir = '';
  if (typeof raw.gt !== 'string' || raw.gt === '') check(false, 'gt', 'a ground-truth directory', raw.gt);
  else {
    gtDir = resolve(baseDir, raw.gt);
    const isDir = existsSync(gtDir) && statSync(gtDir).isDirectory();
    check(isDir, 'gt', 'an existing directory', raw.gt);
  }

  let tasks: Task[] = [];
  if (raw.tasks === undefined) tasks = gtDir ? availableTasks(gtDir) : [];
  else if (!Array.isArray(raw.tasks) || raw.tasks.length === 0) check(false, 'tasks', `a list of tasks (${TASKS.join(', ')})`, raw.tasks);
  else {
    raw.tasks.forEach((t: unknown, k: number) => {
      if (!isTask(t)) check(false, `tasks[${k}]`, `one of ${TASKS.join(', ')}`, t);
      else if (tasks.includes(t)) check(false, `tasks[${k}]`, 'a task listed once', t);
      else {
        const missing = gtDir && existsSync(gtDir) ? GT_FILES[t].find((f) => !existsSync(resolve(gtDir, f))) : undefined;
        check(missing === undefined, `tasks[${k}]`, `a task whose ground truth (${GT_FILES[t].join(', ')}) is in ${String(raw.gt)}; ${missing} is missing`);
        tasks.push(t);
      }
    });
  }
  if (raw.tasks === undefined && gtDir && existsSync(gtDir))
    check(tasks.length > 0, 'gt', `ground truth of at least one task (${Object.values(GT_FILES).flat().join(', ')})`, 'none');

  const date = (field: 'start' | 'end'): string | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    const text = v instanceof Date ? v.toISOString() : v;
    const ok = typeof text === 'string' && DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));
    check(ok, field, 'a date-time with its zone, e.g. 2027-05-31T23:59:59Z', v);
    return ok ? new Date(text as string).toISOString() : undefined;
  };
  const start = date('start');
  const end = date('end');
  if (start && end) check(start < end, 'end', `a time after start (${start})`, raw.end);

  const limits: PhaseLimits = {};
  if (raw.limits !== undefined) {
    if (!isRecord(raw.limits)) check(false, 'limits', 'a mapping of per_day, per_month, total', raw.limits);
    else {
      for (const [key, value] of Object.entries(raw.limits)) {
        // Own keys only: "constructor" or "toString" would find Object.prototype's and be taken as a limit.
        const field = Object.hasOwn(LIMIT_KEYS, key) ? LIMIT_KEYS[key] : undefined;
        if (!field) check(false, pathJoin('limits', key), 'one of per_day, per_month, total', key);
        else if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 1e6)
          check(false, `limits.${key}`, 'a whole number 0..1000000', value);
        else limits[field] = value as number;
      }
    }
  }

  const oneOf = <T extends string>(field: string, values: readonly T[], fallback: T): T => {
    const v = raw[field] ?? fallback;
    check((values as readonly unknown[]).includes(v), field, values.join(' or '), v);
    return v as T;
  };
  const leaderboard = oneOf<Visibility>('leaderboard', ['public', 'private'], 'public');
  const scores = oneOf<ScoresShown>('scores', ['shown', 'after_end'], 'shown');
  const rule = oneOf<BoardRule>('rule', ['best', 'latest'], 'best');
  if (scores === 'after_end')
    check(end !== undefined || raw.end !== undefined, 'end', 'an end date (scores: after_end shows figures once the phase has ended)');

  const intervals = parseIntervals(raw.intervals, check);

  if (before.count > 0) return undefined;
  return { name: name as string, gtDir, tasks, start, end, limits, leaderboard, scores, rule, ...(intervals && { intervals }) };
}

/** `intervals: true`, `false`, or a mapping of resamples, level and seed (each optional; a mapping turns them on). */
function parseIntervals(value: unknown, check: (ok: boolean, field: string, expected: string, ...found: unknown[]) => void): PhaseIntervals | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ...DEFAULT_PHASE_INTERVALS };
  if (!isRecord(value)) {
    check(false, 'intervals', 'true, false or a mapping of resamples, level, seed', value);
    return undefined;
  }
  const out = { ...DEFAULT_PHASE_INTERVALS };
  for (const [key, v] of Object.entries(value)) {
    const [low, high] = PHASE_RESAMPLES_RANGE;
    if (key === 'resamples') {
      const ok = Number.isInteger(v) && (v as number) >= low && (v as number) <= high;
      check(ok, 'intervals.resamples', `a whole number ${low}..${high}`, v);
      if (ok) out.resamples = v as number;
    } else if (key === 'level') {
      // Below 0.5 an "interval" leaves out most resamples; 0.999 of 100 lists would be the extremes alone.
      const ok = typeof v === 'number' && v >= 0.5 && v < 1;
      check(ok, 'intervals.level', 'a number from 0.5 to below 1, e.g. 0.95', v);
      if (ok) out.level = v as number;
    } else if (key === 'seed') {
      const ok = Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
      check(ok, 'intervals.seed', 'a whole number 0..4294967295', v);
      if (ok) out.seed = v as number;
    } else check(false, pathJoin('intervals', key), `one of ${INTERVAL_KEYS.join(', ')}`, key);
  }
  return out;
}

/** Reads and checks a challenge file; paths in it are relative to its directory. */
export function loadChallenge(file: string): Challenge {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, '', 'a readable challenge file (--challenge)', (err as NodeJS.ErrnoException).code ?? String(err));
  }
  return parseChallenge(text, file, dirname(resolve(file)));
}

/**
 * What `--gt-dir` alone has always meant: one open phase named `dev` on that
 * ground truth, every task it has files for, `perDay` submissions per day,
 * a public leaderboard ranked by each team's best submission.
 */
export function singlePhaseChallenge(gtDir: string | undefined, perDay: number): Challenge {
  const dir = gtDir ? resolve(gtDir) : '';
  return {
    title: 'DeepFashion2 challenge',
    description: '',
    registration: 'closed',
    phases: [
      {
        name: 'dev',
        gtDir: dir,
        tasks: availableTasks(gtDir),
        limits: { perDay },
        leaderboard: 'public',
        scores: 'shown',
        rule: 'best',
      },
    ],
  };
}
