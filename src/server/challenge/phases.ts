/**
 * The rules of a phase as pure functions of the phase and the time (the
 * caller's clock, injected so that tests can move it): whether it takes
 * submissions, the submission windows its limits count over, whether its
 * figures are hidden from submitters, and the leaderboard built from its
 * evaluated submissions (one row per team, ties sharing a rank).
 */
import type { Challenge, Phase, PhaseLimits } from './config.js';
import type { EvaluationResult, Task } from './types.js';

type PhaseState = 'upcoming' | 'open' | 'ended';

export function phaseState(phase: Phase, now: Date): PhaseState {
  const t = now.toISOString();
  if (phase.start !== undefined && t < phase.start) return 'upcoming';
  if (phase.end !== undefined && t > phase.end) return 'ended';
  return 'open';
}

/** Why a phase takes no submission now (the 403's message), or undefined when it does. */
export function closedReason(phase: Phase, now: Date): string | undefined {
  const state = phaseState(phase, now);
  if (state === 'upcoming') return `phase ${phase.name} opens at ${phase.start}${phase.end ? ` and closes at ${phase.end}` : ''}`;
  if (state === 'ended') return `phase ${phase.name} closed at ${phase.end}${phase.start ? ` (it opened at ${phase.start})` : ''}`;
  return undefined;
}

/** One limit as counted: at most `limit` submissions created at or after `since` (ISO). */
export interface LimitWindow {
  /** The field of the challenge file: per_day, per_month, total. */
  name: 'per_day' | 'per_month' | 'total';
  limit: number;
  since: string;
  /**
   * Failed submissions count too (cancelled ones never do). In a phase that hides its figures: whether a file fails
   * or is evaluated tells whether its image ids are the phase's, which free failures would let a team probe.
   */
  countsFailed?: true;
}

/** The windows of a phase's limits at `now`: the UTC day, the calendar month (UTC), all time. */
export function limitWindows(limits: PhaseLimits, now: Date, options: { countsFailed?: boolean } = {}): LimitWindow[] {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const out: LimitWindow[] = [];
  const failed = options.countsFailed ? { countsFailed: true as const } : {};
  if (limits.perDay !== undefined)
    out.push({ name: 'per_day', limit: limits.perDay, since: new Date(Date.UTC(y, m, now.getUTCDate())).toISOString(), ...failed });
  if (limits.perMonth !== undefined) out.push({ name: 'per_month', limit: limits.perMonth, since: new Date(Date.UTC(y, m, 1)).toISOString(), ...failed });
  if (limits.total !== undefined) out.push({ name: 'total', limit: limits.total, since: '', ...failed });
  return out;
}

/** The 429's message. */
export const limitMessage = (w: LimitWindow, phase: string, task: Task): string =>
  `limit reached: ${w.name} = ${w.limit} submissions per team for ${task} in phase ${phase}` +
  (w.name === 'per_day' ? ' (UTC day)' : w.name === 'per_month' ? ' (calendar month, UTC)' : '');

/** Figures of the phase are withheld from everyone but admins until its end. */
export const figuresHidden = (phase: Phase, now: Date, admin: boolean): boolean => !admin && phase.scores === 'after_end' && phaseState(phase, now) !== 'ended';

export function findPhase(challenge: Challenge, name: string | undefined): Phase | string {
  if (name === undefined || name === '') {
    if (challenge.phases.length === 1) return challenge.phases[0]!;
    return `phase: expected one of ${challenge.phases.map((p) => p.name).join(', ')}`;
  }
  return (
    challenge.phases.find((p) => p.name === name) ??
    `phase: expected one of ${challenge.phases.map((p) => p.name).join(', ')}, found ${JSON.stringify(name.slice(0, 40))}`
  );
}

/** An evaluated submission that may stand on a leaderboard (what the Store hands over). */
export interface BoardCandidate {
  submissionId: number;
  /** Team key (stable) and the name shown. */
  teamKey: string;
  team: string;
  userName: string;
  name: string;
  description: string;
  paperUrl: string | null;
  codeUrl: string | null;
  baseline: boolean;
  createdAt: string;
  finishedAt: string;
  result: EvaluationResult;
}

export interface BoardRow extends BoardCandidate {
  /** null for baselines: shown, marked, outside the ranking. */
  rank: number | null;
}

/** A figure for sorting: a missing one (or -1, "no ground truth") sorts after every real one. */
const sortValue = (result: EvaluationResult, k: number): number => {
  const v = result.stats[k];
  return v === undefined || v === -1 || !Number.isFinite(v) ? Number.NEGATIVE_INFINITY : v;
};

/**
 * The leaderboard: each team's standing submission by the phase's rule
 * (`best`: highest main figure, earlier first on a tie; `latest`: the last
 * one made), ordered by figure `orderBy` (an index into stats), higher first,
 * with equal figures sharing a rank (1, 2, 2, 4); then the baselines, unranked.
 *
 * @example
 * const rows = rankBoard(candidates, 'best', 0, 0); // ranked by AP
 */
export function rankBoard(candidates: readonly BoardCandidate[], rule: Phase['rule'], mainFigure: number, orderBy: number): BoardRow[] {
  const standing = new Map<string, BoardCandidate>();
  for (const c of candidates) {
    if (c.baseline) continue;
    const held = standing.get(c.teamKey);
    if (!held || better(c, held)) standing.set(c.teamKey, c);
  }
  function better(a: BoardCandidate, b: BoardCandidate): boolean {
    if (rule === 'latest') return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.submissionId > b.submissionId);
    const d = sortValue(a.result, mainFigure) - sortValue(b.result, mainFigure);
    if (d !== 0 && !Number.isNaN(d)) return d > 0;
    return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.submissionId < b.submissionId);
  }
  const byFigure = (a: BoardCandidate, b: BoardCandidate): number => {
    const va = sortValue(a.result, orderBy);
    const vb = sortValue(b.result, orderBy);
    if (va !== vb) return va < vb ? 1 : -1;
    return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.submissionId - b.submissionId;
  };
  const ranked = [...standing.values()].sort(byFigure);
  const rows: BoardRow[] = [];
  ranked.forEach((c, i) => {
    const prev = rows[i - 1];
    const tied = prev !== undefined && sortValue(prev.result, orderBy) === sortValue(c.result, orderBy);
    rows.push({ ...c, rank: tied ? prev.rank : i + 1 });
  });
  const baselines = candidates
    .filter((c) => c.baseline)
    .sort(byFigure)
    .map((c) => ({ ...c, rank: null }));
  return [...rows, ...baselines];
}

/** One CSV field: quoted when needed; a leading = + - @ is defused so that a spreadsheet shows text, not a formula. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
