/**
 * The evaluation child process: receives a job over IPC, evaluates it and
 * answers with the figures (or with the InputError message when the file is
 * malformed); then, when asked, renders the submission's HTML report from
 * the same evaluation with the report library (src/render/report) and sends
 * it as a second message. Running outside the server or worker process keeps a multi-GB
 * evaluation (or a crash in one) away from the requests and the heartbeats.
 *
 * A job with `keepGroundTruthBytes` makes this a long-lived process: after the
 * job it says `idle` and waits for the next, keeping the ground truth it read
 * in memory (ground-truth-memory.ts) up to that many bytes; `{ kind: 'retire' }`
 * ends it. A job without it is the last: the process ends once all is sent.
 * The parent kills the process past a job's time limit (a heap past its limit
 * kills it too), and the next job gets a new one.
 */
import { basename } from 'node:path';
import { InputError } from '../../util/errors.js';
import { UnknownImageIdError } from '../../eval/internal.js';
import { stopWithParent } from '../../util/process-end.js';
import { evaluateSubmission, type SubmissionEvaluation } from './engine.js';
import { GroundTruthMemory, type GroundTruthUse } from './ground-truth-memory.js';
import type { PhaseIntervals } from './config.js';
import type { EvaluationResult, Task } from './types.js';

export interface EvalJob {
  task: Task;
  gtDir: string;
  resultsFile: string;
  /** The folder of ground-truth snapshots: a process reads the snapshot on its first use of a ground truth (a cold start). */
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
  /**
   * Stay for the next job, keeping up to this many bytes of ground truth in memory (0: stay, keep none); absent:
   * this is the process's only job. The first job's budget is the process's.
   */
  keepGroundTruthBytes?: number;
}

/** Ends a long-lived evaluation process between jobs: it lets go of the channel and runs out of work. */
export interface RetireRequest {
  kind: 'retire';
}

/** After each job of a long-lived process, its last message: ready for the next. */
export interface IdleReply {
  kind: 'idle';
}

/** `resampleFigures` (with the phase's intervals) crosses the IPC channel as a Float64Array: the channel's serialization is 'advanced'. */
export type EvalReply = (
  { kind: 'done'; result: EvaluationResult; resampleFigures?: Float64Array } | { kind: 'invalid'; message: string } | { kind: 'error'; message: string }
) & {
  /** How the COCO ground truth was come by (none for retrieval, whose small files are read each time). */
  groundTruth?: GroundTruthUse;
};

export type ReportReply = { kind: 'report'; html: string } | { kind: 'report-failed'; message: string };

/**
 * Evaluates once; the figures are answered first (they stand even when the report cannot be
 * made), then the report of the same evaluation.
 */
async function evaluate(job: EvalJob, memory: GroundTruthMemory): Promise<{ reply: EvalReply; evaluation?: SubmissionEvaluation }> {
  const readsBefore = memory.reads;
  const use = (): { groundTruth?: GroundTruthUse } =>
    job.task === 'retrieval' ? {} : { groundTruth: { fromMemory: memory.reads === readsBefore, reads: memory.reads, keptBytes: memory.bytes } };
  try {
    const evaluation = await evaluateSubmission(job.task, job.gtDir, job.resultsFile, { snapshotDir: job.snapshotDir, intervals: job.intervals, memory });
    const { result, resampleFigures } = evaluation;
    return { reply: { kind: 'done', result, ...(resampleFigures && { resampleFigures }), ...use() }, evaluation };
  } catch (err) {
    if (err instanceof UnknownImageIdError && job.hideImageIds) return { reply: { kind: 'invalid', message: hiddenImageIdsMessage(err), ...use() } };
    if (err instanceof InputError) return { reply: { kind: 'invalid', message: err.message, ...use() } };
    return { reply: { kind: 'error', message: err instanceof Error ? err.message : String(err), ...use() } };
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

const send = (message: EvalReply | ReportReply | IdleReply): Promise<void> => new Promise((resolve) => process.send!(message, () => resolve()));

// A parent that dies (crash, SIGKILL) closes the IPC channel: stop too rather than go on evaluating
// for nobody while another worker runs the same submission. When all is sent, end by running out
// of work, not by process.exit, which can hang for good on Node 22+ (util/process-end); the parent
// kills a process that still has not ended after a few seconds.
// The job waits for the watcher of the parent to run: an evaluation's synchronous steps would hold its start.
const { done, watching } = stopWithParent();

// Created with the first job's budget; a process of one job keeps nothing.
let memory: GroundTruthMemory | undefined;

/** Jobs one after the other (the parent sends the next after `idle`; a chain keeps the order all the same). */
let queue = Promise.resolve();
let ended = false;
const end = (): void => {
  if (ended) return; // a retirement sent while the last job ended (it closes the channel once)
  ended = true;
  process.off('message', onMessage);
  done();
};
const onMessage = (message: EvalJob | RetireRequest): void => {
  queue = queue.then(async () => {
    if (ended) return;
    if ('kind' in message) return end();
    await watching;
    const stays = message.keepGroundTruthBytes !== undefined;
    memory ??= new GroundTruthMemory(stays ? message.keepGroundTruthBytes! : 0);
    const { reply, evaluation } = await evaluate(message, memory);
    await send(reply);
    if (evaluation && message.report) await send(report({ ...message, report: message.report }, evaluation));
    if (stays) return send({ kind: 'idle' });
    end();
  });
};
process.on('message', onMessage);
