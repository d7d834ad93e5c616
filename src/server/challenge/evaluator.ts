/**
 * Works submissions for one process (`df2 serve --workers N` or `df2 worker`):
 * claims each in the Store (a claim number never given twice), fetches the
 * upload from the UploadStore, evaluates it in a child process
 * (eval-child.ts), and records the outcome, the report after it, only while
 * its claim is still the submission's. While it runs, a heartbeat renews the
 * leases of its claims; a process that stops sending them (killed,
 * frozen, cut off) loses them after `leaseSeconds`, and the recovery sweep
 * of any process puts the submission back in the queue for another attempt.
 *
 * A malformed file fails with its validation message; a crash of the child
 * (or a time-out) is retried until `maxAttempts`, then fails; stop() lets
 * running evaluations finish for a bounded time, then puts them back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { EvalJob, EvalReply, ReportReply } from './eval-child.js';
import type { JobQueue, Store, UploadStore } from './types.js';
import type { SubmissionService } from './service.js';
import type { PhaseIntervals } from './config.js';
import { exitWithin } from '../../util/process-end.js';
import { DatabaseLink, isUnreachable } from '../store/database-link.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

const CHILD = fileURLToPath(new URL('./eval-child.js', import.meta.url));

/** How long an evaluation process may take to end after its last message before it is killed (ms). */
export const CHILD_EXIT_MS = 5_000;

/**
 * How long an upload's reservation may stay 'uploading' before a recovery
 * sweep on a shared database takes it for cut off (its web process died
 * mid-upload) and drops it: longer than the slowest accepted upload, so that
 * another process's upload in flight is never dropped.
 */
export const RESERVATION_SECONDS = 6 * 3600;

/** How often a worker sends its heartbeat (ms): three times a lease, so that one late beat loses no claim. */
const heartbeatIntervalMs = (leaseSeconds: number): number => Math.max(200, (leaseSeconds * 1000) / 3);

/** How late a heartbeat may land (a busy database, a loaded machine) before its worker is no longer listed as live (s). */
const HEARTBEAT_GRACE_SECONDS = 5;

/**
 * A worker counts as live while its last heartbeat is at most this old (s): one interval and the grace. A worker
 * killed with SIGKILL (which removes no row) drops out of GET /api/health that soon: 15 s with the default lease.
 */
export const workerSeenSeconds = (leaseSeconds: number): number => heartbeatIntervalMs(leaseSeconds) / 1000 + HEARTBEAT_GRACE_SECONDS;

interface EvaluatorOptions {
  /** The ground-truth directory of a phase (undefined: the phase is unknown or has none). */
  gtDirOf: (phase: string) => string | undefined;
  /** The intervals of a phase that asks for them: its submissions are also evaluated on its resample lists. */
  intervalsOf?: (phase: string) => PhaseIntervals | undefined;
  /** Phases whose figures are hidden: their refusals do not name the results' image ids their ground truth lacks. */
  hidesImageIds?: (phase: string) => boolean;
  maxAttempts: number;
  /** Kill an evaluation after this long (ms). */
  timeoutMs: number;
  /** V8 heap of the child (MB): a validation-sized keypoint evaluation needs several GB. */
  childHeapMb: number;
  /** A claim without a heartbeat for this long is taken to be dead (s). */
  leaseSeconds: number;
  /** Also look for dead claims (and queued submissions without a job) every leaseSeconds/2: on for shared databases. */
  sweep: boolean;
  /** Evaluations this process runs at once (its heartbeat says so). */
  concurrency: number;
  /** More Node options of each evaluation process (tests preload one that misbehaves). */
  childExecArgv?: string[];
  /**
   * Ground-truth snapshots (see eval/coco/snapshot.ts): each evaluation process reads the ground truth from its
   * snapshot here instead of parsing the JSON, and writes it on the first evaluation; none when undefined.
   */
  snapshotDir?: string;
  /** One line per event (claims, results, discarded attempts); default: none. */
  log?: (line: string) => void;
  /** This process's view of its database (shared with the queue): store calls wait while it is unreachable. */
  link?: DatabaseLink;
}

/** The Store's reads and the removal of this worker's row: a submission's state (leases too) changes only through the service. */
type EvaluatorReads = Pick<Store, 'submission' | 'uploadKey' | 'removeWorker' | 'queueCounts'>;

type Outcome = EvalReply | { kind: 'crashed'; message: string } | { kind: 'stopped' };

/** An evaluation process, its figures, then (a second message) its report; undefined when the report failed. */
interface ChildRun {
  process: ChildProcess;
  outcome: Promise<Outcome>;
  report: Promise<string | undefined>;
}

interface Running {
  id: number;
  claim: number;
  child?: ChildProcess;
  done: Promise<void>;
}

/** This process's id in heartbeats and claims: host, pid and a random part (pids repeat across machines and restarts). */
const newWorkerId = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export class Evaluator {
  readonly workerId = newWorkerId();
  private readonly running = new Map<number, Running>();
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly link: DatabaseLink;

  private readonly submissions: SubmissionService;
  /** What the evaluator reads; every change to a submission goes through `submissions`. */
  private readonly store: EvaluatorReads;
  private readonly uploads: UploadStore;
  private readonly queue: JobQueue;

  constructor(
    deps: { submissions: SubmissionService; store: EvaluatorReads; uploads: UploadStore; queue: JobQueue },
    private readonly options: EvaluatorOptions,
  ) {
    ({ submissions: this.submissions, store: this.store, uploads: this.uploads, queue: this.queue } = deps);
    this.link = options.link ?? new DatabaseLink();
  }

  /**
   * `task` on the database, retried with backoff while the database is unreachable (an outage costs latency: the
   * evaluation's outcome waits for it, rather than being lost). Given up when this evaluator stops.
   */
  private db<T>(task: () => Promise<T>): Promise<T> {
    return this.link.untilReachable(task, () => this.stopping);
  }

  /**
   * Starts the heartbeat (a process that evaluates nothing sends none: it is no worker) and the
   * recovery sweep when the options ask for it; the queue's handler is `work`.
   */
  async startBackground(what: { heartbeat: boolean }): Promise<void> {
    if (what.heartbeat) await this.beat();
    const every = (ms: number, task: () => Promise<void>): void => {
      // A failed heartbeat or sweep is said whatever the log option: it puts leases at risk. An unreachable database
      // is said once by the link (and once when it is back), not every few seconds.
      const report = (err: unknown): void => {
        if (!isUnreachable(err)) process.stderr.write(`df2: heartbeat or recovery sweep failed: ${err instanceof Error ? err.message : String(err)}\n`);
      };
      const timer = setInterval(() => void this.link.watch(task).catch(report), ms);
      timer.unref();
      this.timers.push(timer);
    };
    if (what.heartbeat) every(heartbeatIntervalMs(this.options.leaseSeconds), () => this.beat());
    if (this.options.sweep)
      every(Math.max(200, (this.options.leaseSeconds * 1000) / 2), async () => {
        // Just after an outage, the other processes' heartbeats may not have landed yet: their claims would look dead.
        // While the database is away, a cheap query finds out when it is back (a process with no heartbeat has no other).
        if (this.link.outage) await this.store.queueCounts();
        else if (!this.link.unsettled(this.options.leaseSeconds * 1000)) await this.sweep();
      });
  }

  /** Claims whose worker stopped sending heartbeats go back to the queue (or fail, out of attempts); every queued submission gets a job. */
  async sweep(): Promise<number[]> {
    return this.submissions.recover(this.options.maxAttempts, this.options.leaseSeconds, RESERVATION_SECONDS);
  }

  private beat(): Promise<void> {
    const running = [...this.running.values()].map((r) => ({ id: r.id, claim: r.claim }));
    return this.submissions.heartbeat({ id: this.workerId, host: hostname(), pid: process.pid }, running);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** The JobQueue handler. */
  readonly work = async (id: number): Promise<void> => {
    if (this.stopping) return;
    const claim = await this.db(() => this.submissions.claim(id, this.workerId));
    if (claim === undefined) return;
    let settle!: () => void;
    const entry: Running = {
      id,
      claim,
      done: new Promise((r) => {
        settle = r;
      }),
    };
    this.running.set(id, entry);
    try {
      await this.evaluate(entry);
    } finally {
      this.running.delete(id);
      settle();
    }
  };

  private async evaluate(entry: Running): Promise<void> {
    const { id, claim } = entry;
    const sub = (await this.db(() => this.store.submission(id)))!;
    // The count of attempts (since the upload or the last re-run) decides retries; the claim decides what may be recorded.
    const attempt = sub.attempts;
    const gtDir = this.options.gtDirOf(sub.phase);
    if (!gtDir) {
      await this.db(() => this.submissions.fail(id, claim, `this process has no ground truth for phase ${sub.phase} (start it with --gt-dir or --challenge)`));
      return;
    }
    this.log(`submission ${id} attempt ${attempt}: evaluating (${sub.task})`);
    const key = (await this.db(() => this.store.uploadKey(id)))!;
    const upload = await this.db(() => this.uploads.open(key));
    let child: ChildRun | undefined;
    try {
      const intervals = this.options.intervalsOf?.(sub.phase);
      child = this.runChild(entry, {
        task: sub.task,
        gtDir,
        ...(intervals && { intervals }),
        resultsFile: upload.path,
        ...(this.options.snapshotDir !== undefined && { snapshotDir: this.options.snapshotDir }),
        ...(this.options.hidesImageIds?.(sub.phase) && { hideImageIds: true }),
        report: { title: `df2 submission ${id} (${sub.task})`, resultsName: sub.fileName },
      });
      const result = await child.outcome;
      // Messages name the uploaded file as its owner called it, and never the server's paths.
      const clean = (message: string): string => message.split(upload.path).join(sub.fileName).split(gtDir).join('<ground truth>');
      let recorded: boolean;
      switch (result.kind) {
        case 'done':
          recorded = await this.db(() => this.submissions.finish(id, claim, result.result, result.resampleFigures));
          this.log(
            `submission ${id} attempt ${attempt}: evaluated in ${result.result.seconds.toFixed(2)} s (${recorded ? 'recorded' : 'discarded: the claim was lost'})`,
          );
          if (recorded) {
            // The report is extra: the figures stand when it cannot be made.
            const html = await child.report;
            if (html !== undefined) await this.db(() => this.submissions.saveReport(id, claim, html));
          }
          return;
        case 'invalid':
          recorded = await this.db(() => this.submissions.fail(id, claim, clean(result.message)));
          break;
        case 'error':
          recorded = await this.db(() => this.submissions.fail(id, claim, `evaluation failed: ${clean(result.message)}`));
          break;
        case 'stopped':
          recorded = await this.db(() => this.submissions.requeue(id, claim));
          // Another worker may take it now (with SQLite: the next start).
          if (recorded) await ignoreRejection(this.queue.enqueue(id), 'the store has it queued: a worker finds it at its next poll or start');
          break;
        case 'crashed':
          if (attempt >= this.options.maxAttempts) {
            recorded = await this.db(() => this.submissions.fail(id, claim, `evaluation failed ${attempt} times: ${clean(result.message)}`));
          } else {
            recorded = await this.db(() => this.submissions.requeue(id, claim));
            if (recorded) await this.db(() => this.queue.enqueue(id));
          }
      }
      const why = 'message' in result ? `: ${clean(result.message).slice(0, 300)}` : '';
      this.log(`submission ${id} attempt ${attempt}: ${result.kind}${why}${recorded ? '' : ' (discarded: the claim was lost)'}`);
    } finally {
      // The evaluation process has sent all it will. One that does not end would keep this process alive (a `df2 worker`
      // that logged "stopped" and never exited, in one run of five on Node 24). It reads the upload: it goes first.
      if (child)
        await exitWithin(child.process, CHILD_EXIT_MS, () =>
          this.log(`submission ${id}: the evaluation process had not exited ${CHILD_EXIT_MS / 1000} s after its last message; killed`),
        );
      await upload.release();
    }
  }

  /**
   * Takes no new submission; lets the running evaluations finish for up to
   * `graceMs`, then stops them (their submissions go back to 'queued').
   * Resolves when none runs. The caller stops the queue.
   */
  async stop(graceMs = 0): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const all = (): Promise<unknown> => Promise.all([...this.running.values()].map((r) => r.done));
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        all(),
        new Promise((r) => {
          timer = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const r of this.running.values()) r.child?.kill('SIGKILL');
    await all();
    await ignoreRejection(this.store.removeWorker(this.workerId), 'stopping: a worker row left behind expires with its lease');
  }

  /** Forks the evaluation process for `job`. */
  private runChild(entry: Running, job: EvalJob): ChildRun {
    const child = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${this.options.childHeapMb}`, ...(this.options.childExecArgv ?? [])],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    entry.child = child;
    let resolveOutcome!: (o: Outcome) => void;
    let resolveReport!: (html: string | undefined) => void;
    const outcome = new Promise<Outcome>((r) => {
      resolveOutcome = r;
    });
    const report = new Promise<string | undefined>((r) => {
      resolveReport = r;
    });
    let reply: EvalReply | undefined;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.timeoutMs);
    child.on('message', (m: EvalReply | ReportReply) => {
      if (m.kind === 'report') resolveReport(m.html);
      else if (m.kind === 'report-failed') {
        this.log(`submission ${entry.id}: no report (${m.message})`);
        resolveReport(undefined);
      } else {
        reply = m;
        resolveOutcome(m);
      }
    });
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      entry.child = undefined;
      resolveReport(undefined);
      if (reply) return;
      if (this.stopping) resolveOutcome({ kind: 'stopped' });
      else {
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (time limit or out of memory)' : ''}` : `exit code ${code}`;
        const last = stderr.trim().split('\n').filter(Boolean).pop();
        resolveOutcome({ kind: 'crashed', message: `the evaluation process stopped (${why})${last ? `: ${last.slice(0, 300)}` : ''}` });
      }
    });
    child.send(job);
    return { process: child, outcome, report };
  }
}
