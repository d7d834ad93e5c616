/**
 * The JobQueue on pg-boss (its tables live in the challenge's PostgreSQL
 * database, schema `pgboss`): web servers send a job per accepted
 * submission; `df2 worker` processes (and `df2 serve --workers N`) fetch
 * them with SELECT ... FOR UPDATE SKIP LOCKED, so each job goes to one
 * worker.
 *
 * pg-boss only carries the message. The Store's row is the state: its
 * claim, lease and attempt count decide who evaluates and who may record a
 * result, and retries after a crash are the Store's (recoverInterrupted),
 * not pg-boss's: pg-boss 10 has no heartbeat, so its expiry would have to be
 * as long as the longest evaluation (hours) to not take a live job away,
 * and a killed worker's job would wait that long. Hence retryLimit 0 here
 * and an expiry just over the evaluation time limit.
 *
 * The queue's policy is 'short' with the submission id as singleton key: at
 * most one job waits per submission, so sending again (after a restart, or
 * by the recovery sweep of every process) never makes a second job.
 */
import PgBoss from 'pg-boss';
import type { JobQueue } from './types.js';
import { DatabaseLink, isUnreachable, RETRY_FIRST_MS, RETRY_MAX_MS } from '../store/database-link.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

const EVALUATE_QUEUE = 'df2-evaluate';

interface PgBossQueueOptions {
  /** Longest evaluation (s): the job's expiry is a little longer (pg-boss allows under 24 h). */
  evaluationSeconds: number;
  /** How often an idle worker looks for a job (s; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  applicationName?: string;
  /** This process's view of the database: outages are reported to it (and logged once), not per failed poll. */
  link?: DatabaseLink;
}

export class PgBossJobQueue implements JobQueue {
  private readonly loops = new Set<Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private fetching = false;
  /** Wakes the fetch loops out of their wait between polls (stop()). */
  private wake = new Set<() => void>();
  private closed: Promise<void> | undefined;
  private readonly link: DatabaseLink;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: PgBossQueueOptions,
  ) {
    this.link = options.link ?? new DatabaseLink();
  }

  /**
   * Starts pg-boss on `url` (installing or migrating its schema under its own advisory lock) and
   * creates the evaluation queue when missing.
   *
   * @example
   * const queue = await PgBossJobQueue.open(url, { evaluationSeconds: 6 * 3600 });
   * await queue.enqueue(submission.id);
   */
  static async open(url: string, options: PgBossQueueOptions): Promise<PgBossJobQueue> {
    const boss = new PgBoss({
      connectionString: url,
      max: 4,
      application_name: options.applicationName ?? 'df2 queue',
      // No cron schedules here; maintenance (expiry, archiving) runs in every process, pg-boss elects one at a time.
      schedule: false,
    });
    const link = options.link ?? new DatabaseLink();
    // pg-boss's maintenance and its pool report here (an 'error' without a listener would end the process). An outage
    // is the link's to say, once; anything else is said as it comes.
    boss.on('error', (err) => (isUnreachable(err) ? link.failed(err) : process.stderr.write(`df2: job queue: ${err.message}\n`)));
    await boss.start();
    await boss.createQueue(EVALUATE_QUEUE, {
      name: EVALUATE_QUEUE,
      policy: 'short',
      retryLimit: 0,
      expireInSeconds: Math.min(options.evaluationSeconds + 600, 23 * 3600),
    });
    return new PgBossJobQueue(boss, { ...options, link });
  }

  async enqueue(submissionId: number): Promise<void> {
    await this.boss.send(EVALUATE_QUEUE, { submissionId }, { singletonKey: String(submissionId) });
  }

  async enqueueMany(submissionIds: number[]): Promise<void> {
    // One INSERT ... ON CONFLICT DO NOTHING: a submission whose job already waits gets no second one.
    for (let k = 0; k < submissionIds.length; k += 1000) {
      const batch = submissionIds.slice(k, k + 1000);
      await this.boss.insert(batch.map((submissionId) => ({ name: EVALUATE_QUEUE, data: { submissionId }, singletonKey: String(submissionId) })));
    }
  }

  async start(handler: (submissionId: number) => Promise<void>, concurrency = 1): Promise<void> {
    // Our own fetch loops, not pg-boss's work(): pg-boss 10 calls complete()/fail() without awaiting them, so a job
    // that ends while the database is down is an unhandled rejection, which ends the process.
    this.fetching = true;
    for (let k = 0; k < Math.max(1, concurrency); k++) {
      const loop = this.fetchLoop(handler);
      this.loops.add(loop);
      void loop.finally(() => this.loops.delete(loop));
    }
    return Promise.resolve();
  }

  /** One evaluation at a time: fetch a job, run the handler, mark the job completed; waits with backoff while the database is down. */
  private async fetchLoop(handler: (submissionId: number) => Promise<void>): Promise<void> {
    const pollMs = (this.options.pollingIntervalSeconds ?? 1) * 1000;
    let backoff = RETRY_FIRST_MS;
    while (this.fetching) {
      let jobs: { id: string; data: { submissionId: number } }[];
      try {
        jobs = await this.link.watch(() => this.boss.fetch<{ submissionId: number }>(EVALUATE_QUEUE, { batchSize: 1 }));
        backoff = RETRY_FIRST_MS;
      } catch (err) {
        if (!isUnreachable(err)) process.stderr.write(`df2: job queue: ${err instanceof Error ? err.message : String(err)}\n`);
        await this.pause(backoff);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
        continue;
      }
      if (jobs.length === 0) {
        await this.pause(pollMs);
        continue;
      }
      for (const job of jobs) {
        const run = handler(job.data.submissionId).catch((err: unknown) => {
          // The Store's row is the state: a handler that failed left its submission queued or claimed, and the recovery
          // sweep puts it back. Said here, as pg-boss would have.
          process.stderr.write(`df2: submission ${job.data.submissionId}: ${err instanceof Error ? err.message : String(err)}\n`);
        });
        this.running.add(run);
        try {
          await run;
        } finally {
          this.running.delete(run);
        }
        // Housekeeping only (the Store decides what was done): retried while the database is away, dropped on stop.
        // A job left active expires, and retryLimit 0 ends it there.
        await ignoreRejection(
          this.link.untilReachable(
            () => this.boss.complete(EVALUATE_QUEUE, job.id),
            () => !this.fetching,
          ),
          'housekeeping: a job left active expires',
        );
      }
    }
  }

  /** Waits `ms`, or less when stop() is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  /** Jobs waiting in the queue (created, not yet fetched). */
  depth(): Promise<number> {
    return this.boss.getQueueSize(EVALUATE_QUEUE);
  }

  /** Resolves when no job waits or runs anywhere (polls; for tests and benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const active = await this.boss.getQueueSize(EVALUATE_QUEUE, { before: 'completed' });
      if (active === 0 && this.running.size === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops fetching; resolves when the handlers running here have returned. Sending still works. */
  async stop(): Promise<void> {
    this.fetching = false;
    for (const wake of [...this.wake]) wake();
    await Promise.all([...this.loops]);
  }

  /** Stops fetching and closes pg-boss (its connections, its maintenance timers). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.stop();
      await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
    })();
    return this.closed;
  }
}
