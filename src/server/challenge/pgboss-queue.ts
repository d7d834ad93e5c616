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

export const EVALUATE_QUEUE = 'df2-evaluate';

export interface PgBossQueueOptions {
  /** Longest evaluation (s): the job's expiry is a little longer (pg-boss allows under 24 h). */
  evaluationSeconds: number;
  /** How often an idle worker looks for a job (s; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  applicationName?: string;
}

export class PgBossJobQueue implements JobQueue {
  private readonly workIds: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: PgBossQueueOptions,
  ) {}

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
    boss.on('error', (err) => process.stderr.write(`df2: job queue: ${err.message}\n`));
    await boss.start();
    await boss.createQueue(EVALUATE_QUEUE, {
      name: EVALUATE_QUEUE,
      policy: 'short',
      retryLimit: 0,
      expireInSeconds: Math.min(options.evaluationSeconds + 600, 23 * 3600),
    });
    return new PgBossJobQueue(boss, options);
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
    // pg-boss 10 runs one job at a time per work() call: N calls, N evaluations at once.
    for (let k = 0; k < Math.max(1, concurrency); k++) {
      const id = await this.boss.work<{ submissionId: number }>(
        EVALUATE_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) {
            const run = handler(job.data.submissionId);
            this.running.add(run);
            try {
              await run;
            } finally {
              this.running.delete(run);
            }
          }
        },
      );
      this.workIds.push(id);
    }
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
    for (const id of this.workIds.splice(0)) await this.boss.offWork({ id });
    await Promise.all(this.running);
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
