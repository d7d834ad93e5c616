/**
 * End to end on PostgreSQL: a web server that evaluates nothing
 * (--workers 0), two `df2 worker` processes, 20 submissions of the golden
 * results; one worker is killed with SIGKILL in the middle of an evaluation.
 * Every submission must end done with the official figures, and none may be
 * evaluated to completion twice (counted from both workers' logs).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import pg from 'pg';
import { join } from 'node:path';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
import { removeOrphanCopies } from './challenge/upload-copies.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../testing/postgres.js';
import type { RunningServer } from './server.js';
import { addUser, goldenGtDir, startTestServer, upload } from './test-support.js';
import type { HealthJson, SubmissionJson } from '../shared/api-types.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

// Short for the test (the default is 30), yet several heartbeats long: a loaded machine delays some.
const LEASE_SECONDS = 8;

interface GoldenCoco {
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
}
type Golden = Record<'bbox' | 'segm' | 'keypoints' | 'keypoints_visible', GoldenCoco> & {
  retrieval: { top1: number; top5: number; top10: number; top15: number; top20: number; queries: number; missed: number };
};

/** A `df2 worker` process whose stderr is kept for the test to read. */
class WorkerProcess {
  readonly child: ChildProcess;
  log = '';
  exited: Promise<number | null>;
  constructor(db: string, gtDir: string, tmp: string) {
    this.child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'df2.js'), 'worker', '--db', db, '--gt-dir', gtDir, '--concurrency', '1', '--lease-seconds', String(LEASE_SECONDS)],
      // A worker killed mid-evaluation leaves its copy of the upload in its temporary directory: the test's own.
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
    );
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.log += d;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.log);
      if (match) return match;
      if (Date.now() > until) throw new Error(`no ${pattern} in the worker's log:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The tasks of the submissions this worker has started and not (yet) finished evaluating. */
  inFlightTasks(): string[] {
    const ended = new Set(this.evaluated());
    return [...this.log.matchAll(/submission (\d+) attempt \d+: evaluating \((\w+)\)/g)].filter((m) => !ended.has(Number(m[1]))).map((m) => m[2]!);
  }

  /** Submission ids this worker evaluated to the end (whether or not its result was recorded). */
  evaluated(): number[] {
    return [...this.log.matchAll(/submission (\d+) attempt \d+: evaluated in/g)].map((m) => Number(m[1]));
  }
}

/** `promise`, or a failure naming `what` (with the workers' logs) after `ms`: no wait in this test is without bound. */
async function within<T>(ms: number, what: string, workers: WorkerProcess[], promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s\n${workers.map((w) => w.log).join('---\n')}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('scale-out: web server with --workers 0, two df2 worker processes, one killed', { skip: postgresUnavailable() }, () => {
  let db: TestDatabase;
  let server: RunningServer;
  const workers: WorkerProcess[] = [];

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await server?.close();
    await db.drop();
  });

  test('20 submissions, all done with the golden figures, none evaluated twice', { timeout: 600_000 }, async (t) => {
    const started = Date.now();
    // The plain ground truth (no per-attribute tables): the same whole figures, a quicker evaluation.
    const gtDir = await goldenGtDir({ attributes: false });
    server = await startTestServer({ db: db.url, gtDir, workers: 0, quota: 100, leaseSeconds: LEASE_SECONDS });
    const token = await addUser(server, 'grace');
    const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Golden;
    const files = {
      bbox: goldenPath('basic', 'results', 'bbox_results.json'),
      segm: goldenPath('basic', 'results', 'segm_results.json'),
      keypoints: goldenPath('basic', 'results', 'keypoints_results.json'),
      keypoints_visible: goldenPath('basic', 'results', 'keypoints_results.json'),
      retrieval: goldenPath('basic', 'retrieval', 'results.json'),
    };
    const tasks = Object.keys(files) as (keyof typeof files)[];

    const workTmp = await tempDir('df2-workers-');
    workers.push(new WorkerProcess(db.url, gtDir, workTmp), new WorkerProcess(db.url, gtDir, workTmp));
    await Promise.all(workers.map((w) => w.waitFor(/ready/)));
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as HealthJson;
    assert.equal(health.store, 'postgres');
    assert.deepEqual(health.workers.map((w) => w.pid).sort(), workers.map((w) => w.child.pid).sort(), 'the two workers, not the web server');

    // Every task once or more; mostly retrieval, the quickest to evaluate (the test runs on shared CI machines).
    const plan = [...tasks, ...tasks.slice(0, 4), ...Array.from({ length: 11 }, () => 'retrieval' as const)];
    assert.equal(plan.length, 20);
    // Kill a worker as soon as it evaluates anything but retrieval (0.3-1 s) and has its copy of the upload: the kill comes
    // within milliseconds, in the middle of the evaluation. (A retrieval takes 40 ms: a kill aimed at one could land after
    // its figures were recorded, before its "evaluated" line was read.) The watch starts before the uploads, as the first
    // submissions are the slow ones; whichever worker is first is the victim.
    const hasCopy = (w: WorkerProcess, names: string[]): boolean => names.some((name) => name.startsWith(`df2-upload-${w.child.pid}-`));
    const watch = (async (): Promise<number> => {
      for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 2))) {
        const names = await readdir(workTmp);
        const index = workers.findIndex((w) => w.inFlightTasks().some((task) => task !== 'retrieval') && hasCopy(w, names));
        if (index >= 0) {
          workers[index]!.child.kill('SIGKILL');
          return index;
        }
        if (Date.now() > deadline)
          throw new Error(`no worker evaluated anything but retrieval with its copy of the upload:\n${workers.map((w) => w.log).join('\n---\n')}`);
      }
    })();
    void ignoreRejection(watch, 'awaited below; a failed upload must not leave its rejection unhandled');
    const ids = new Map<number, keyof typeof files>();
    for (const [k, task] of plan.entries()) {
      const res = await upload(server, token, { task, name: `run ${k}`, file: { name: `${task}.json`, content: await readFile(files[task]) } });
      assert.equal(res.status, 202);
      ids.set(((await res.json()) as { id: number }).id, task);
    }
    const victimIndex = await watch;
    const victim = workers[victimIndex]!;
    const survivor = workers[1 - victimIndex]!;
    await within(10_000, 'the killed worker ends', workers, victim.exited);
    const victimId = (await victim.waitFor(/: (\S+) ready/))[1]!;
    // What the kill interrupted: the submissions the dead worker's claims still hold.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const interrupted = (await pool.query<{ id: number }>(`SELECT id FROM submissions WHERE status = 'running' AND worker = $1`, [victimId])).rows.map(
      (r) => r.id,
    );
    await pool.end();
    assert.ok(interrupted.length > 0, 'the worker was killed in the middle of an evaluation');

    const all = async (): Promise<SubmissionJson[]> =>
      (await (await fetch(`${server.url}/api/submissions`, { headers: { authorization: `Bearer ${token}` } })).json()) as SubmissionJson[];
    let subs = await all();
    while (subs.some((s) => s.status === 'queued' || s.status === 'running')) {
      assert.ok(
        Date.now() - started < 560_000,
        `still waiting: ${subs
          .filter((s) => s.status !== 'done')
          .map((s) => `${s.id} ${s.status}`)
          .join(', ')}\n${survivor.log}`,
      );
      await new Promise((r) => setTimeout(r, 200));
      subs = await all();
    }

    // A worker logs an evaluation after recording its figures: the last line may still be on its way.
    const logged = (): Set<number> => new Set([...victim.evaluated(), ...survivor.evaluated()]);
    for (const deadline = Date.now() + 30_000; [...ids.keys()].some((id) => !logged().has(id)); await new Promise((r) => setTimeout(r, 100))) {
      assert.ok(Date.now() < deadline, `done, yet not in the workers' logs: ${[...ids.keys()].filter((id) => !logged().has(id)).join(', ')}\n${survivor.log}`);
    }
    assert.equal(subs.length, 20);
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`);
    for (const sub of subs) {
      assert.equal(sub.status, 'done', `${sub.id}: ${sub.error}`);
      const task = ids.get(sub.id)!;
      if (task === 'retrieval') {
        const g = golden.retrieval;
        [g.top1, g.top5, g.top10, g.top15, g.top20].forEach((v, k) => close(sub.stats![k]!, v, `${sub.id} retrieval[${k}]`));
      } else {
        golden[task].stats.forEach((v, k) => close(sub.stats![k]!, v, `${sub.id} ${task}[${k}]`));
        const perCategory = (sub.result as { perCategoryAp: { category_id: number; ap: number }[] }).perCategoryAp;
        for (const c of golden[task].per_category_ap)
          close(perCategory.find((p) => p.category_id === c.category_id)!.ap, c.ap, `${sub.id} category ${c.category_id}`);
      }
    }
    // The killed attempts counted; the other worker took those submissions over.
    for (const id of interrupted) {
      assert.equal(subs.find((s) => s.id === id)!.attempts, 2, `submission ${id} retried once after the kill`);
      assert.ok(survivor.evaluated().includes(id));
    }
    const killed = subs.find((s) => s.id === interrupted[0])!;

    // Exactly one evaluation to completion per submission, over both workers' logs.
    const counts = new Map<number, number>();
    for (const id of [...victim.evaluated(), ...survivor.evaluated()]) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of ids.keys()) assert.equal(counts.get(id), 1, `submission ${id} evaluated ${counts.get(id) ?? 0} times`);
    assert.ok(!survivor.log.includes('discarded'), 'no result was refused');

    // The survivor removes its copies of the uploads; the killed worker's copy stays until a df2 process on the machine sweeps it.
    // A copy goes when its evaluation ends, which is after the report that follows the recorded figures: the last may still be going.
    const survivorCopies = (names: string[]): string[] => names.filter((name) => !name.startsWith(`df2-upload-${victim.child.pid}-`));
    let copies = await readdir(workTmp);
    for (const deadline = Date.now() + 30_000; survivorCopies(copies).length > 0 && Date.now() < deadline; copies = await readdir(workTmp)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(copies.length > 0, 'the killed worker left its copy');
    assert.deepEqual(survivorCopies(copies), [], 'the survivor removed its copies');
    assert.equal(await removeOrphanCopies(workTmp), copies.length);
    assert.deepEqual(await readdir(workTmp), []);

    // SIGTERM in the middle of an evaluation: it finishes (figures and report), then the worker exits.
    const last = await upload(server, token, { task: 'segm', name: 'last', file: { name: 'segm.json', content: await readFile(files.segm) } });
    const lastId = ((await last.json()) as { id: number }).id;
    await survivor.waitFor(new RegExp(`submission ${lastId} attempt 1: evaluating`));
    survivor.child.kill('SIGTERM');
    // Its --stop-timeout (60 s) bounds the evaluation; leaving takes a few seconds more.
    assert.equal(await within(90_000, 'the worker stops on SIGTERM', workers, survivor.exited), 0);
    assert.match(survivor.log, /stopped\n$/);
    const lastSub = (await (
      await fetch(`${server.url}/api/submissions/${lastId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as SubmissionJson;
    assert.deepEqual([lastSub.status, lastSub.attempts], ['done', 1]);
    golden.segm.stats.forEach((v, k) => close(lastSub.stats![k]!, v, `last segm[${k}]`));
    assert.equal((await fetch(`${server.url}/api/submissions/${lastId}/report`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    // The report follows the figures, served from the database.
    const report = await fetch(`${server.url}/api/submissions/${killed.id}/report`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(report.status, 200);
    const html = await report.text();
    assert.match(html, /<html/);
    assert.ok(!html.includes(gtDir) && !html.includes('df2-upload-'), 'no server path in the report');

    // Each submission costs about a second of CPU (evaluation, then the report); the bound above is for
    // a machine shared with other work (39 s at a load average of 10 on 2 cores, 261 s at 24).
    t.diagnostic(`20 submissions, one worker killed: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
