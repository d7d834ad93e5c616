/**
 * A PostgreSQL outage costs latency, not processes: `df2 serve --workers 1`
 * and two `df2 worker` processes on a PostgreSQL of the test's own (the
 * shared test server must stay up for the other test files), 10
 * submissions, the database stopped for 20 s in the middle of their
 * evaluations and started again. Every process must still run, say in its
 * log (and the server in /api/health) that the database was unreachable,
 * and every submission must end done, recorded once, with the official
 * figures.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
import { ownPostgresUnavailable, startOwnPostgres, type OwnPostgres } from '../testing/own-postgres.js';
import { goldenGtDir, GOLDEN_SPLIT } from './test-support.js';
import { openChallengeStore } from './backend.js';
import { hashToken, newToken } from './challenge/tokens.js';
import type { HealthJson, SubmissionJson } from '../shared/api-types.js';

const OUTAGE_MS = 20_000;

/** A df2 process whose output the test reads. */
class Df2Process {
  readonly child: ChildProcess;
  stdout = '';
  log = '';
  readonly exited: Promise<number | null>;
  constructor(args: string[], tmp: string) {
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  async waitFor(text: () => string, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    for (const until = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
      const match = pattern.exec(text());
      if (match) return match;
      if (!this.alive || Date.now() > until) throw new Error(`no ${pattern} (${this.alive ? 'still running' : 'exited'}):\n${this.log}`);
    }
  }
}

describe('a PostgreSQL outage of 20 s during evaluations', { skip: ownPostgresUnavailable() }, () => {
  let db: OwnPostgres | undefined;
  const procs: Df2Process[] = [];
  after(async () => {
    for (const p of procs) if (p.alive) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await db?.remove();
  });

  test('server and workers keep running, say so, and finish every submission once', { timeout: 300_000 }, async (t) => {
    db = await startOwnPostgres();
    const tmp = await tempDir('df2-outage-');
    const gtDir = await goldenGtDir({ attributes: false });
    const server = new Df2Process(
      [
        'serve',
        '--db',
        db.url,
        '--gt-dir',
        gtDir,
        '--data',
        GOLDEN_SPLIT,
        '--port',
        '0',
        '--workers',
        '1',
        '--quota',
        '100',
        '--cache-dir',
        join(tmp, 'cache'),
      ],
      tmp,
    );
    procs.push(server);
    const url = (await server.waitFor(() => server.stdout, /^(http:\S+)\n/m))[1]!;
    for (let k = 0; k < 2; k++) procs.push(new Df2Process(['worker', '--db', db.url, '--gt-dir', gtDir], tmp));
    const workers = procs.slice(1);
    await Promise.all(workers.map((w) => w.waitFor(() => w.log, / ready /)));

    const token = newToken();
    const users = await openChallengeStore(db.url);
    await users.store.addUser({ name: 'grace', admin: false, team: null, tokenHash: hashToken(token) });
    await users.close();
    const auth = { authorization: `Bearer ${token}` };

    const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
    const plan = ['keypoints', 'segm', 'bbox', 'keypoints', 'segm', 'bbox', 'keypoints', 'segm', 'bbox', 'keypoints'] as const;
    const files = {
      bbox: goldenPath('basic', 'results', 'bbox_results.json'),
      segm: goldenPath('basic', 'results', 'segm_results.json'),
      keypoints: goldenPath('basic', 'results', 'keypoints_results.json'),
    };
    const ids = new Map<number, (typeof plan)[number]>();
    for (const [k, task] of plan.entries()) {
      const form = new FormData();
      form.set('task', task);
      form.set('name', `run ${k}`);
      form.set('file', new Blob([await readFile(files[task])]), `${task}.json`);
      const res = await fetch(`${url}/api/submissions`, { method: 'POST', body: form, headers: auth });
      assert.equal(res.status, 202, await res.clone().text());
      ids.set(((await res.json()) as { id: number }).id, task);
    }

    // The outage, while evaluations run and others wait.
    const before = await fetch(`${url}/api/submissions`, { headers: auth }).then(async (r) => (await r.json()) as SubmissionJson[]);
    await db.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5_000));
    const during = await fetch(`${url}/api/health`);
    assert.equal(during.status, 503);
    const duringBody = (await during.json()) as HealthJson;
    assert.equal(duringBody.ok, false);
    assert.equal(duringBody.database, 'unreachable');
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    for (const p of procs) assert.ok(p.alive, `a process ended during the outage:\n${p.log}`);
    await db.start();
    const restartedAt = Date.now();

    const all = async (): Promise<SubmissionJson[]> => (await (await fetch(`${url}/api/submissions`, { headers: auth })).json()) as SubmissionJson[];
    let subs: SubmissionJson[] = [];
    for (const until = Date.now() + 180_000; ; await new Promise((r) => setTimeout(r, 250))) {
      const res = await fetch(`${url}/api/submissions`, { headers: auth }).catch(() => undefined);
      if (res?.status === 200) {
        subs = (await res.json()) as SubmissionJson[];
        if (subs.length === ids.size && subs.every((s) => s.status === 'done' || s.status === 'failed')) break;
      }
      assert.ok(
        Date.now() < until,
        `not all done 180 s after the restart: ${subs.map((s) => `${s.id} ${s.status}`).join(', ')}\n${procs.map((p) => p.log).join('\n---\n')}`,
      );
    }
    t.diagnostic(
      `at the stop: ${before.filter((s) => s.status === 'done').length} done, ${before.filter((s) => s.status === 'running').length} running; all done ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`,
    );
    if (process.env.DF2_OUTAGE_LOGS) t.diagnostic(procs.map((p) => p.log).join('\n---\n'));
    subs = await all();
    for (const sub of subs) {
      assert.equal(sub.status, 'done', `${sub.id}: ${sub.error}`);
      golden[ids.get(sub.id)!]!.stats.forEach((v, k) => assert.ok(Math.abs(sub.stats![k]! - v) <= 1e-9, `${sub.id}[${k}]: ${sub.stats![k]} vs ${v}`));
    }
    // Recorded once: one result row each, and no worker logged two recordings of one submission.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM submissions WHERE status = 'done'`);
      assert.equal(Number(rows[0]!.n), ids.size);
    } finally {
      await pool.end();
    }
    const recorded = workers.flatMap((w) => [...w.log.matchAll(/submission (\d+) attempt \d+: evaluated in [\d.]+ s \(recorded\)/g)].map((m) => Number(m[1])));
    assert.equal(new Set(recorded).size, recorded.length, `a submission recorded twice: ${recorded.join(', ')}`);

    for (const p of procs) assert.ok(p.alive, `a process ended after the outage:\n${p.log}`);
    // Each said that the database was gone, and that it came back.
    for (const p of procs) {
      assert.match(p.log, /database unreachable/, p.log);
      assert.match(p.log, /database reachable again/, p.log);
    }
    const health = await fetch(`${url}/api/health`);
    assert.equal(health.status, 200);
    const healthBody = (await health.json()) as HealthJson;
    assert.equal(healthBody.ok, true);
    assert.equal(healthBody.database, 'ok');

    // SIGTERM: each process leaves cleanly once the database is back.
    for (const p of procs) p.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(procs.map((p) => p.exited)), [0, 0, 0]);
  });
});
