/**
 * The evaluation child process: receives one job over IPC, evaluates it and
 * answers with the figures (or with the InputError message when the file is
 * malformed); then, when asked, renders the submission's HTML report from
 * the same evaluation with the report library (src/render/report) and sends
 * it as a second message. Running outside the server or worker process keeps a multi-GB
 * evaluation (or a crash in one) away from the requests and the heartbeats.
 */
import { basename } from 'node:path';
import { InputError } from '../../util/errors.js';
import { UnknownImageIdError } from '../../eval/internal.js';
import { stopWithParent } from '../../util/process-end.js';
import { evaluateSubmission, type SubmissionEvaluation } from './engine.js';
import type { PhaseIntervals } from './config.js';
import type { EvaluationResult, Task } from './types.js';

export interface EvalJob {
  task: Task;
  gtDir: string;
  resultsFile: string;
  /** The folder of ground-truth snapshots (a process per submission: its cold start reads the snapshot). */
  snapshotDir?: string;
  /** The phase's intervals: also evaluate the leaderboard's figure on each of its resample lists. */
  intervals?: PhaseIntervals;
  /**
   * The phase hides its figures: a results file naming images its ground truth lacks is told how many, not which
   * (the first one named each time would let submissions probe the hidden image ids).
   */
  hideImageIds?: boolean;
  /** Also render the report; the page names the results file so (the owner's file name). */
  report?: { title: string; resultsName: string };
}

/** `resampleFigures` (with the phase's intervals) crosses the IPC channel as a Float64Array: the channel's serialization is 'advanced'. */
export type EvalReply =
  { kind: 'done'; result: EvaluationResult; resampleFigures?: Float64Array } | { kind: 'invalid'; message: string } | { kind: 'error'; message: string };

export type ReportReply = { kind: 'report'; html: string } | { kind: 'report-failed'; message: string };

/**
 * Evaluates once; the figures are answered first (they stand even when the report cannot be
 * made), then the report of the same evaluation.
 */
async function evaluate(job: EvalJob): Promise<{ reply: EvalReply; evaluation?: SubmissionEvaluation }> {
  try {
    const evaluation = await evaluateSubmission(job.task, job.gtDir, job.resultsFile, { snapshotDir: job.snapshotDir, intervals: job.intervals });
    const { result, resampleFigures } = evaluation;
    return { reply: { kind: 'done', result, ...(resampleFigures && { resampleFigures }) }, evaluation };
  } catch (err) {
    if (err instanceof UnknownImageIdError && job.hideImageIds) return { reply: { kind: 'invalid', message: hiddenImageIdsMessage(err) } };
    if (err instanceof InputError) return { reply: { kind: 'invalid', message: err.message } };
    return { reply: { kind: 'error', message: err instanceof Error ? err.message : String(err) } };
  }
}

/** The refusal of results naming images that a hidden phase lacks: how many, never which nor where in the file. */
function hiddenImageIdsMessage(err: UnknownImageIdError): string {
  const ids = err.unknownImageIds === 1 ? '1 image id' : `${err.unknownImageIds} image ids`;
  const results = err.unknownResults === 1 ? '1 result' : `${err.unknownResults} results`;
  return `${err.file}: ${ids} (in ${results}) are not among the images of this phase (not named while the phase hides its figures)`;
}

/** The report of `df2 report` for the submission, without --data (no pictures of the split). */
function report(job: EvalJob & { report: NonNullable<EvalJob['report']> }, evaluation: SubmissionEvaluation): ReportReply {
  const displayName = (path: string): string => (path === job.resultsFile ? job.report.resultsName : `<ground truth>/${basename(path)}`);
  try {
    return { kind: 'report', html: evaluation.reportPage({ title: job.report.title, displayName }) };
  } catch (err) {
    return { kind: 'report-failed', message: err instanceof Error ? err.message : String(err) };
  }
}

const send = (message: EvalReply | ReportReply): Promise<void> => new Promise((resolve) => process.send!(message, () => resolve()));

// A parent that dies (crash, SIGKILL) closes the IPC channel: stop too rather than go on evaluating
// for nobody while another worker runs the same submission. When all is sent, end by running out
// of work, not by process.exit, which can hang for good on Node 22+ (util/process-end); the parent
// kills a process that still has not ended after a few seconds.
// The job waits for the watcher of the parent to run: an evaluation's synchronous steps would hold its start.
const { done, watching } = stopWithParent();

process.once('message', (job: EvalJob) => {
  void (async () => {
    await watching;
    const { reply, evaluation } = await evaluate(job);
    await send(reply);
    if (evaluation && job.report) await send(report({ ...job, report: job.report }, evaluation));
    done();
  })();
});
