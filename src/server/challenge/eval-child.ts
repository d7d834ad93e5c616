/**
 * The evaluation child process: receives one job over IPC, evaluates it and
 * answers with the figures (or with the InputError message when the file is
 * malformed); then, when asked, renders the submission's HTML report with
 * the report library (src/render/report.ts) and sends it as a second
 * message. Running outside the server or worker process keeps a multi-GB
 * evaluation (or a crash in one) away from the requests and the heartbeats.
 */
import { basename, join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { reportPage } from '../../render/index.js';
import { evaluateSubmission } from './engine.js';
import { GT_FILES } from './tasks.js';
import type { EvaluationResult, Task } from './types.js';

export interface EvalJob {
  task: Task;
  gtDir: string;
  resultsFile: string;
  /** Also render the report; the page names the results file so (the owner's file name). */
  report?: { title: string; resultsName: string };
}

export type EvalReply = { kind: 'done'; result: EvaluationResult } | { kind: 'invalid'; message: string } | { kind: 'error'; message: string };

export type ReportReply = { kind: 'report'; html: string } | { kind: 'report-failed'; message: string };

async function evaluate(job: EvalJob): Promise<EvalReply> {
  try {
    return { kind: 'done', result: await evaluateSubmission(job.task, job.gtDir, job.resultsFile) };
  } catch (err) {
    if (err instanceof InputError) return { kind: 'invalid', message: err.message };
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

/** The report of `df2 report` for the submission, without --data (no pictures of the split). */
async function report(job: EvalJob & { report: NonNullable<EvalJob['report']> }): Promise<ReportReply> {
  const gt = (name: string): string => join(job.gtDir, name);
  const displayName = (path: string): string => (path === job.resultsFile ? job.report.resultsName : `<ground truth>/${basename(path)}`);
  try {
    const html =
      job.task === 'retrieval'
        ? await reportPage({
            gtFile: '',
            tasks: [],
            title: job.report.title,
            displayName,
            retrieval: { query: gt(GT_FILES.retrieval[0]!), gallery: gt(GT_FILES.retrieval[1]!), results: job.resultsFile },
          })
        : await reportPage({
            gtFile: gt(GT_FILES[job.task][0]!),
            title: job.report.title,
            displayName,
            tasks: [{ task: job.task === 'keypoints_visible' ? 'keypoints' : job.task, resultsFile: job.resultsFile }],
          });
    return { kind: 'report', html };
  } catch (err) {
    return { kind: 'report-failed', message: err instanceof Error ? err.message : String(err) };
  }
}

const send = (message: EvalReply | ReportReply): Promise<void> => new Promise((resolve) => process.send!(message, () => resolve()));

// A parent that dies (crash, SIGKILL) closes the IPC channel: stop too (at the next turn of the
// event loop) rather than go on evaluating for nobody while another worker runs the same submission.
process.once('disconnect', () => process.exit(1));

process.once('message', (job: EvalJob) => {
  void (async () => {
    const reply = await evaluate(job);
    await send(reply);
    if (reply.kind === 'done' && job.report) await send(await report({ ...job, report: job.report }));
    process.exit(0);
  })();
});
