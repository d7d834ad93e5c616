/**
 * GET /api/health lists a worker while its heartbeats come: a `df2 worker` killed with SIGKILL (which removes no
 * row) must drop out within one heartbeat interval and the grace, not after a minute.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/paths.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../testing/postgres.js';
import type { RunningServer } from './server.js';
import { goldenGtDir, startTestServer } from './test-support.js';
import { workerSeenSeconds } from './challenge/evaluator.js';
import type { HealthJson } from '../shared/api-types.js';

// A heartbeat a second: the window is 1 s + the grace.
const LEASE_SECONDS = 3;

let db: TestDatabase;
let server: RunningServer;
let worker: ChildProcess | undefined;

before(async () => {
  if (postgresUnavailable()) return;
  db = await createTestDatabase();
});
after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await server?.close();
  await db?.drop();
});

test('a df2 worker killed with SIGKILL leaves /api/health within its heartbeat interval and the grace', { skip: postgresUnavailable() }, async (t) => {
  const gtDir = await goldenGtDir({ attributes: false });
  server = await startTestServer({ db: db.url, gtDir, workers: 0, leaseSeconds: LEASE_SECONDS });
  worker = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), 'worker', '--db', db.url, '--gt-dir', gtDir, '--lease-seconds', String(LEASE_SECONDS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => worker!.once('exit', resolve));
  let log = '';
  worker.stderr!.setEncoding('utf8').on('data', (d: string) => {
    log += d;
  });
  const listed = async (): Promise<number[]> => ((await (await fetch(`${server.url}/api/health`)).json()) as HealthJson).workers.map((w) => w.pid);
  for (const deadline = Date.now() + 60_000; !(await listed()).includes(worker.pid!); await new Promise((r) => setTimeout(r, 100))) {
    assert.ok(Date.now() < deadline, `the worker never showed in /api/health:\n${log}`);
  }
  // Listed for as long as it beats: well past one window.
  const window = workerSeenSeconds(LEASE_SECONDS) * 1000;
  await new Promise((r) => setTimeout(r, window + 1000));
  assert.deepEqual(await listed(), [worker.pid], 'a live worker stays listed');

  worker.kill('SIGKILL');
  await exited;
  const killedAt = Date.now();
  while ((await listed()).includes(worker.pid!)) {
    assert.ok(Date.now() - killedAt < window + 2000, `the killed worker is still listed ${Date.now() - killedAt} ms after its SIGKILL`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const gone = Date.now() - killedAt;
  t.diagnostic(`listed ${gone} ms after its SIGKILL (window ${window} ms)`);
  assert.ok(gone <= window + 2000);
});
