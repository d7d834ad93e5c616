/**
 * The evaluation child process: receives one job over IPC, evaluates it, and
 * answers with the figures, or with the InputError message when the file is
 * malformed. Running outside the server process keeps a multi-GB evaluation
 * (or a crash in one) away from the requests.
 */
import { InputError } from '../../util/errors.js';
import { evaluateSubmission } from './engine.js';
import type { EvaluationResult, Task } from './types.js';

export interface EvalJob {
  task: Task;
  gtDir: string;
  resultsFile: string;
}

export type EvalReply = { kind: 'done'; result: EvaluationResult } | { kind: 'invalid'; message: string } | { kind: 'error'; message: string };

async function handle(job: EvalJob): Promise<EvalReply> {
  try {
    return { kind: 'done', result: await evaluateSubmission(job.task, job.gtDir, job.resultsFile) };
  } catch (err) {
    if (err instanceof InputError) return { kind: 'invalid', message: err.message };
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

// A server that dies (crash, SIGKILL) closes the IPC channel: stop too (at the next turn of the
// event loop) rather than go on evaluating for nobody while the restarted server runs the same
// submission again.
process.once('disconnect', () => process.exit(1));

process.once('message', (job: EvalJob) => {
  void handle(job).then((reply) => {
    process.send!(reply, () => process.exit(0));
  });
});
