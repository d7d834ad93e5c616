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
 *
 * With `groundTruthMemoryMb` > 0 an evaluation process outlives its job: it
 * goes back to this evaluator's idle processes, keeping the ground truth it
 * read (eval-child.ts), and the next job on the same ground truth goes to it.
 * One that dies or is killed (time limit, heap) is not reused: the next job
 * gets a new process, which reads the ground truth again (cold start).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { EvalJob, EvalReply, IdleReply, ReportReply, RetireRequest } from './eval-child.js';
import type { JobQueue, Store, UploadStore } from './types.js';
import type { SubmissionService } from './service.js';
import type { PhaseIntervals } from './config.js';
import { exitWithin } from '../../util/process-end.js';
import { type HugePageFacts, hostFacts, withHugePages } from '../../util/huge-pages.js';
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
  /** Ground truth each evaluation process keeps between jobs (MB); 0 or absent: a new process per job. */
  groundTruthMemoryMb?: number;
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

/** One job in an evaluation process: its figures, then (a second message) its report; undefined when the report failed. */
interface ChildRun {
  outcome: Promise<Outcome>;
  report: Promise<string | undefined>;
  /**
   * Whether the process is ready for another job once this one ends: true when it says so (`idle`), false when it
   * exits. One that does neither within `ms` of the call is killed (`onLate` says so first).
   */
  finished(ms: number, onLate: () => void): Promise<boolean>;
}

interface Running {
  id: number;
  claim: number;
  child?: ChildProcess;
  done: Promise<void>;
}

/** What an evaluation process tells about the job it runs. */
interface JobListener {
  message(m: EvalReply | ReportReply | IdleReply): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

let facts: HugePageFacts | undefined;
/** This machine's huge-page facts, read once. */
function machineFacts(): HugePageFacts {
  return (facts ??= hostFacts());
}

/**
 * An evaluation process (eval-child.ts): one job at a time; with a ground-truth budget, job after job. Its
 * stderr's last line names why it crashed (kept per job).
 */
class EvalProcess {
  readonly process: ChildProcess;
  /** The ground truth of its last job (phase folder and task): a job on the same one is given to this process first. */
  groundTruth = '';
  private stderr = '';
  private job: JobListener | undefined;

  constructor(
    options: Pick<EvaluatorOptions, 'childHeapMb' | 'childExecArgv'>,
    /** Told when the process exits between jobs (the evaluator's idle list drops it). */
    onIdleExit: (p: EvalProcess) => void,
  ) {
    this.process = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${options.childHeapMb}`, ...(options.childExecArgv ?? [])],
      // Its masks and landmark windows on huge pages where the machine gives them (util/huge-pages.ts).
      env: withHugePages(process.env, machineFacts()) ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.process.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-2000);
    });
    this.process.on('message', (m: EvalReply | ReportReply | IdleReply) => this.job?.message(m));
    this.process.on('error', () => {});
    this.process.on('exit', (code, signal) => {
      if (this.job) this.job.exit(code, signal);
      else onIdleExit(this);
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.process.connected;
  }

  /** Sends `job`; the process is killed when the job has not ended (idle or exit) after `timeoutMs`. */
  run(job: EvalJob, timeoutMs: number, stopping: () => boolean, log: (line: string) => void): ChildRun {
    this.stderr = '';
    let resolveOutcome!: (o: Outcome) => void;
    let resolveReport!: (html: string | undefined) => void;
    let resolveFinished!: (reusable: boolean) => void;
    const outcome = new Promise<Outcome>((r) => (resolveOutcome = r));
    const report = new Promise<string | undefined>((r) => (resolveReport = r));
    const finished = new Promise<boolean>((r) => (resolveFinished = r));
    let reply: EvalReply | undefined;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    const end = (reusable: boolean): void => {
      clearTimeout(timer);
      this.job = undefined;
      resolveReport(undefined);
      resolveFinished(reusable);
    };
    this.job = {
      message: (m) => {
        if (m.kind === 'report') resolveReport(m.html);
        else if (m.kind === 'report-failed') {
          log(`no report (${m.message})`);
          resolveReport(undefined);
        } else if (m.kind === 'idle') end(reply !== undefined);
        else {
          reply = m;
          resolveOutcome(m);
        }
      },
      exit: (code, signal) => {
        end(false);
        if (reply) return;
        if (stopping()) resolveOutcome({ kind: 'stopped' });
        else {
          const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (time limit or out of memory)' : ''}` : `exit code ${code}`;
          const last = this.stderr.trim().split('\n').filter(Boolean).pop();
          resolveOutcome({ kind: 'crashed', message: `the evaluation process stopped (${why})${last ? `: ${last.slice(0, 300)}` : ''}` });
        }
      },
    };
    // A process that cannot take the job (its channel just closed) is ended: the job fails as a crash.
    this.process.send(job, (err) => {
      if (err) this.process.kill('SIGKILL');
    });
    this.groundTruth = groundTruthKey(job);
    const process = this.process;
    return {
      outcome,
      report,
      async finished(ms, onLate) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
        const reusable = await Promise.race([finished, late.then(() => undefined)]);
        clearTimeout(timer);
        if (reusable !== undefined) return reusable;
        onLate();
        process.kill('SIGKILL');
        return finished;
      },
    };
  }

  /** Ends the process between jobs: it lets go of its channel and runs out of work; killed if it has not ended after `ms`. */
  async retire(ms: number, onLate: () => void): Promise<void> {
    if (this.process.connected) this.process.send({ kind: 'retire' } satisfies RetireRequest, () => {});
    await exitWithin(this.process, ms, onLate);
  }
}

const groundTruthKey = (job: EvalJob): string => `${job.task}\0${job.gtDir}`;

/** This process's id in heartbeats and claims: host, pid and a random part (pids repeat across machines and restarts). */
const newWorkerId = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export class Evaluator {
  readonly workerId = newWorkerId();
  private readonly running = new Map<number, Running>();
  /** Evaluation processes between jobs, keeping their ground truth (none when groundTruthMemoryMb is 0). */
  private idle: EvalProcess[] = [];
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
    let evalProcess: EvalProcess | undefined;
    try {
      const intervals = this.options.intervalsOf?.(sub.phase);
      const job: EvalJob = {
        task: sub.task,
        gtDir,
        ...(intervals && { intervals }),
        resultsFile: upload.path,
        ...(this.options.snapshotDir !== undefined && { snapshotDir: this.options.snapshotDir }),
        ...(this.options.hidesImageIds?.(sub.phase) && { hideImageIds: true }),
        report: { title: `df2 submission ${id} (${sub.task})`, resultsName: sub.fileName },
        ...(this.keepBytes > 0 && { keepGroundTruthBytes: this.keepBytes }),
      };
      evalProcess = this.takeProcess(job);
      entry.child = evalProcess.process;
      child = evalProcess.run(
        job,
        this.options.timeoutMs,
        () => this.stopping,
        (line) => this.log(`submission ${id}: ${line}`),
      );
      const result = await child.outcome;
      // Messages name the uploaded file as its owner called it, and never the server's paths.
      const clean = (message: string): string => message.split(upload.path).join(sub.fileName).split(gtDir).join('<ground truth>');
      let recorded: boolean;
      switch (result.kind) {
        case 'done':
          recorded = await this.db(() => this.submissions.finish(id, claim, result.result, result.resampleFigures));
          this.log(
            `submission ${id} attempt ${attempt}: evaluated in ${result.result.seconds.toFixed(2)} s${groundTruthNote(result)} (${recorded ? 'recorded' : 'discarded: the claim was lost'})`,
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
      // The evaluation process has sent all it will: it says it is idle (kept for the next job) or ends. One that does
      // neither would keep this process alive (a `df2 worker` that logged "stopped" and never exited, in one run of
      // five on Node 24). It reads the upload: it goes first.
      if (child && evalProcess) {
        const reusable = await child.finished(CHILD_EXIT_MS, () =>
          this.log(
            `submission ${id}: the evaluation process had not ${this.keepBytes > 0 ? 'said it was idle' : 'exited'} ${CHILD_EXIT_MS / 1000} s after its last message; killed`,
          ),
        );
        if (reusable && !this.stopping) this.idle.push(evalProcess);
        else await this.retire(evalProcess);
      }
      await upload.release();
    }
  }

  /** Bytes of ground truth each evaluation process keeps (0: a new process per job). */
  private get keepBytes(): number {
    return Math.max(0, Math.floor((this.options.groundTruthMemoryMb ?? 0) * 1024 * 1024));
  }

  /** An idle process that ran a job on the same ground truth, else the one idle the shortest time, else a new one. */
  private takeProcess(job: EvalJob): EvalProcess {
    this.idle = this.idle.filter((p) => p.alive);
    const key = groundTruthKey(job);
    let at = this.idle.length - 1; // the last one idle (they are pushed as they finish)
    for (let i = this.idle.length - 1; i >= 0; i--) {
      if (this.idle[i]!.groundTruth !== key) continue;
      at = i;
      break;
    }
    if (at >= 0) return this.idle.splice(at, 1)[0]!;
    return new EvalProcess(this.options, (p) => {
      this.idle = this.idle.filter((q) => q !== p);
    });
  }

  private retire(p: EvalProcess): Promise<void> {
    return p.retire(CHILD_EXIT_MS, () => this.log(`an evaluation process had not exited ${CHILD_EXIT_MS / 1000} s after it was retired; killed`));
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
    await Promise.all(this.idle.splice(0).map((p) => this.retire(p)));
    await ignoreRejection(this.store.removeWorker(this.workerId), 'stopping: a worker row left behind expires with its lease');
  }
}

/** Where a job's COCO ground truth came from, for the log line. */
function groundTruthNote(reply: EvalReply): string {
  const use = reply.groundTruth;
  if (!use) return '';
  return use.fromMemory ? ', ground truth in memory' : `, ground truth read (${use.reads} read by its process)`;
}
