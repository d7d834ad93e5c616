/**
 * Who may see what of a submission: one rule for the submissions API (the
 * record, its figures, its report) and the explorer's layers (its results
 * file drawn on the split). docs/challenge.md makes public only the
 * leaderboard's rows of public submissions (their figures, in
 * /api/leaderboard); a submission's own record, report and results file are
 * its owner's and admins' (anyone else gets the 404 of a submission that
 * does not exist). While its phase hides figures (`scores: after_end`), the
 * owner sees the status only: no figures, no report, and no layer (a layer's
 * counts of hits and misses are figures too).
 */
import type { Challenge } from './config.js';
import { figuresHidden } from './phases.js';
import type { Submission, User } from './types.js';

interface SubmissionView {
  /** May see the submission at all. */
  visible: boolean;
  /** Its figures (and report, and layer) are withheld until then ('' when the phase has no end); null: shown. */
  figuresHiddenUntil: string | null;
}

/**
 * What `viewer` (undefined: nobody signed in) may see of `sub` at `now`.
 *
 * @example
 * const view = submissionView(challenge, sub, user, new Date());
 * if (!view.visible) return notFound();
 * const json = submissionJson(sub, view.figuresHiddenUntil);
 */
export function submissionView(challenge: Challenge, sub: Submission, viewer: User | undefined, now: Date): SubmissionView {
  if (!viewer || (sub.userId !== viewer.id && !viewer.admin)) return { visible: false, figuresHiddenUntil: null };
  const phase = challenge.phases.find((p) => p.name === sub.phase);
  return { visible: true, figuresHiddenUntil: phase && figuresHidden(phase, now, viewer.admin) ? (phase.end ?? '') : null };
}

/** Whether `viewer` may open the submission's results as an explorer layer: visible, evaluated, figures shown. */
export function layerVisible(challenge: Challenge, sub: Submission, viewer: User | undefined, now: Date): boolean {
  const view = submissionView(challenge, sub, viewer, now);
  return view.visible && view.figuresHiddenUntil === null && sub.status === 'done';
}
