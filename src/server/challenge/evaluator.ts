/**
 * Works one submission: claims it in the Store, evaluates it in a child
 * process (eval-child.ts), and records the outcome. A malformed file fails
 * with its validation message; a crash of the child (or a time-out) is
 * retried until `maxAttempts`, then fails; a server shutdown puts the
 * submission back in the queue.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GT_FILES } from './tasks.js';
import type { EvalJob, EvalReply } from './eval-child.js';
import type { JobQueue, Store } from './types.js';

const CHILD = fileURLToPath(new URL('./eval-child.js', import.meta.url));
const DF2_BIN = fileURLToPath(new URL('../../../bin/df2.js', import.meta.url));

/** Where the HTML report of a submission is kept: beside its upload. */
export const reportPath = (storedPath: string): string => `${storedPath}.report.html`;

export interface EvaluatorOptions {
  /** The ground-truth directory of a phase (undefined: the phase is unknown or has none). */
  gtDirOf: (phase: string) => string | undefined;
  maxAttempts: number;
  /** Kill an evaluation after this long (ms). */
  timeoutMs: number;
  /** V8 heap of the child (MB): a validation-sized keypoint evaluation needs several GB. */
  childHeapMb: number;
}

type Outcome = EvalReply | { kind: 'crashed'; message: string } | { kind: 'stopped' };

export class Evaluator {
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly queue: JobQueue,
    private readonly options: EvaluatorOptions,
  ) {}

  /** The JobQueue handler. */
  readonly work = async (id: number): Promise<void> => {
    if (this.stopping || !(await this.store.claimSubmission(id))) return;
    const sub = (await this.store.submission(id))!;
    const storedPath = (await this.store.storedPath(id))!;
    const gtDir = this.options.gtDirOf(sub.phase);
    if (!gtDir) {
      await this.store.failSubmission(id, `this server has no ground truth for phase ${sub.phase} (start it with --gt-dir or --challenge)`);
      return;
    }
    const outcome = await this.runChild({ task: sub.task, gtDir, resultsFile: storedPath });
    // Messages name the uploaded file as its owner called it, and never the server's paths.
    const clean = (message: string): string => message.split(storedPath).join(sub.fileName).split(gtDir).join('<ground truth>');
    switch (outcome.kind) {
      case 'done':
        await this.store.finishSubmission(id, outcome.result);
        // The report is extra: the figures stand even when it cannot be written.
        await this.writeReport(sub.task, gtDir, storedPath).catch(() => {});
        return;
      case 'invalid':
        await this.store.failSubmission(id, clean(outcome.message));
        return;
      case 'error':
        await this.store.failSubmission(id, `evaluation failed: ${clean(outcome.message)}`);
        return;
      case 'stopped':
        await this.store.requeueSubmission(id);
        return;
      case 'crashed':
        // `sub` was read after the claim, so its attempts count this one.
        if (sub.attempts >= this.options.maxAttempts) {
          await this.store.failSubmission(id, `evaluation failed ${sub.attempts} times: ${clean(outcome.message)}`);
        } else {
          await this.store.requeueSubmission(id);
          await this.queue.enqueue(id);
        }
    }
  };

  /**
   * The page of `df2 report` for the submission (figures, curves, attribute
   * tables), without --data: no ground-truth drawing of the split's images.
   */
  private writeReport(task: string, gtDir: string, storedPath: string): Promise<void> {
    const gt = (name: string): string => join(gtDir, name);
    const args =
      task === 'retrieval'
        ? ['--query', gt(GT_FILES.retrieval[0]!), '--gallery', gt(GT_FILES.retrieval[1]!), '--retrieval-results', storedPath]
        : ['--gt', gt(GT_FILES[task as 'bbox'][0]!), '--results', storedPath, '--task', task === 'keypoints_visible' ? 'keypoints' : task];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [DF2_BIN, 'report', ...args, '--out', reportPath(storedPath), '--quiet', '--title', `df2 submission (${task})`], {
        stdio: 'ignore',
      });
      this.children.add(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.timeoutMs);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        // Readable by the server's user only, as the upload it describes.
        if (code === 0) chmod(reportPath(storedPath), 0o600).then(resolve, reject);
        else reject(new Error(`df2 report exited with ${code}`));
      });
    });
  }

  /** Stops running evaluations; their submissions go back to 'queued'. */
  stop(): void {
    this.stopping = true;
    for (const child of this.children) child.kill('SIGKILL');
  }

  private runChild(job: EvalJob): Promise<Outcome> {
    return new Promise((resolve) => {
      const child = fork(CHILD, [], {
        execArgv: [`--max-old-space-size=${this.options.childHeapMb}`],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      this.children.add(child);
      let reply: EvalReply | undefined;
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr = (stderr + d).slice(-2000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.timeoutMs);
      child.on('message', (m: EvalReply) => {
        reply = m;
      });
      child.on('error', () => {});
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (reply) resolve(reply);
        else if (this.stopping) resolve({ kind: 'stopped' });
        else {
          const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (time limit or out of memory)' : ''}` : `exit code ${code}`;
          const last = stderr.trim().split('\n').filter(Boolean).pop();
          resolve({ kind: 'crashed', message: `the evaluation process stopped (${why})${last ? `: ${last.slice(0, 300)}` : ''}` });
        }
      });
      child.send(job);
    });
  }
}
