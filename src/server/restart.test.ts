import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { goldenPath, tempDir } from '../testing/paths.js';
import { CHILD_EXIT_MS } from './challenge/evaluator.js';
import type { EvalJob } from './challenge/eval-child.js';
import { addUser, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';

const results = () => readFile(goldenPath('basic', 'retrieval', 'results.json'));
const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as { retrieval: { top1: number; top20: number } };

test('a queued submission survives a restart and completes', async () => {
  const gtDir = await goldenGtDir();
  const dbFile = join(await tempDir('df2-restart-'), 'df2.sqlite');
  const first = await startTestServer({ gtDir, db: dbFile, workers: 0 });
  const token = await addUser(first, 'dana');
  const res = await upload(first, token, { task: 'retrieval', name: 'before restart', file: { name: 'results.json', content: await results() } });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: number };
  const queued = (await (await fetch(`${first.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string };
  assert.equal(queued.status, 'queued');
  await first.close();

  const second = await startTestServer({ gtDir, db: dbFile });
  try {
    const sub = await waitForSubmission(second, token, id);
    assert.equal(sub.status, 'done', String(sub.error));
    assert.equal(sub.attempts, 1);
    assert.ok(Math.abs((sub.stats as number[])[0]! - golden.retrieval.top1) < 1e-12);
  } finally {
    await second.close();
  }
});

test('a submission left running by a crash is retried, and failed once out of attempts', async () => {
  const gtDir = await goldenGtDir();
  const dbFile = join(await tempDir('df2-crash-'), 'df2.sqlite');
  const first = await startTestServer({ gtDir, db: dbFile, workers: 0 });
  const token = await addUser(first, 'erin');
  const ids: number[] = [];
  for (const name of ['interrupted once', 'interrupted thrice']) {
    const res = await upload(first, token, { task: 'retrieval', name, file: { name: 'results.json', content: await results() } });
    ids.push(((await res.json()) as { id: number }).id);
  }
  await first.close();
  // What a crash mid-evaluation leaves behind: rows marked running.
  const db = new Database(dbFile);
  db.prepare(`UPDATE submissions SET status = 'running', attempts = 1 WHERE id = ?`).run(ids[0]);
  db.prepare(`UPDATE submissions SET status = 'running', attempts = 3 WHERE id = ?`).run(ids[1]);
  db.close();

  const second = await startTestServer({ gtDir, db: dbFile, maxAttempts: 3 });
  try {
    const retried = await waitForSubmission(second, token, ids[0]!);
    assert.equal(retried.status, 'done', String(retried.error));
    assert.equal(retried.attempts, 2);
    const given = await waitForSubmission(second, token, ids[1]!);
    assert.equal(given.status, 'failed');
    assert.match(String(given.error), /interrupted 3 times/);
  } finally {
    await second.close();
  }
});

test('an evaluation that dies is retried, then fails with the reason', async () => {
  const gtDir = await goldenGtDir();
  // A time limit of 1 ms kills every evaluation process: the crash path.
  const server = await startTestServer({ gtDir, maxAttempts: 2, evalTimeoutMs: 1 });
  try {
    const token = await addUser(server, 'fay');
    const res = await upload(server, token, { task: 'retrieval', name: 'doomed', file: { name: 'results.json', content: await results() } });
    const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id);
    assert.equal(sub.status, 'failed');
    assert.equal(sub.attempts, 2);
    assert.match(String(sub.error), /evaluation failed 2 times: the evaluation process stopped \(killed by SIGKILL/);
  } finally {
    await server.close();
  }
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an evaluation process that does not end after its last message (or its retirement) is killed; its figures stand', async () => {
  const gtDir = await goldenGtDir();
  // A process per job ends after its job: killed CHILD_EXIT_MS after its last message, while the server runs. A
  // long-lived one (the default) stays for the next job, and is retired when the server closes: killed as long after.
  for (const groundTruthMemoryMb of [0, undefined]) {
    const what = groundTruthMemoryMb === 0 ? 'a process per job' : 'a long-lived process';
    const dir = await tempDir('df2-stuck-');
    const pidFile = join(dir, 'pid');
    // Loaded before the evaluation: a process that ends neither through process.exit nor by running out of work.
    const preload = join(dir, 'never-ends.mjs');
    await writeFile(
      preload,
      [
        `import { writeFileSync } from 'node:fs';`,
        `writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
        `process.exit = () => {};`,
        `process.disconnect = () => {};`,
        `setInterval(() => {}, 1 << 30);`,
      ].join('\n'),
    );
    const server = await startTestServer({
      gtDir,
      childExecArgv: ['--import', pathToFileURL(preload).href],
      ...(groundTruthMemoryMb !== undefined && { groundTruthMemoryMb }),
    });
    let closed = false;
    try {
      const token = await addUser(server, 'gus');
      const res = await upload(server, token, { task: 'retrieval', name: 'stuck', file: { name: 'results.json', content: await results() } });
      const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id);
      assert.equal(sub.status, 'done', `${what}: ${String(sub.error)}`);
      assert.ok(Math.abs((sub.stats as number[])[0]! - golden.retrieval.top1) < 1e-12);
      const pid = Number(await readFile(pidFile, 'utf8'));
      if (groundTruthMemoryMb !== 0) {
        assert.ok(isAlive(pid), `${what}: kept for the next job`);
        await server.close();
        closed = true;
      }
      for (const deadline = Date.now() + CHILD_EXIT_MS + 10_000; isAlive(pid); await new Promise((r) => setTimeout(r, 100))) {
        assert.ok(Date.now() < deadline, `${what}: the evaluation process ${pid} still runs ${(CHILD_EXIT_MS + 10_000) / 1000} s after the figures`);
      }
    } finally {
      if (!closed) await server.close();
    }
  }
});

test('the evaluation process ends by itself, exit code 0, once it has sent its figures and report', async () => {
  const gtDir = await goldenGtDir();
  const jobs: EvalJob[] = [
    { task: 'segm', gtDir, resultsFile: goldenPath('basic', 'results', 'segm_results.json') },
    { task: 'retrieval', gtDir, resultsFile: goldenPath('basic', 'retrieval', 'results.json') },
  ];
  for (const job of jobs) {
    const child = fork(fileURLToPath(new URL('./challenge/eval-child.js', import.meta.url)), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const kinds: string[] = [];
    let lastMessageAt = 0;
    child.on('message', (m: { kind: string }) => {
      kinds.push(m.kind);
      lastMessageAt = Date.now();
    });
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    child.send({ ...job, report: { title: 'ends', resultsName: 'results.json' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = await exit;
    clearTimeout(timer);
    assert.deepEqual(kinds, ['done', 'report'], job.task);
    assert.deepEqual([code, signal], [0, null], `${job.task}: ended by itself`);
    assert.ok(Date.now() - lastMessageAt < CHILD_EXIT_MS, `${job.task}: ended ${Date.now() - lastMessageAt} ms after its last message`);
  }
});

/** Whether `pid` still runs: a zombie (dead, not yet reaped by whoever inherited it) does not. */
const runs = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The state is the field after the command name, which is in parentheses and may hold spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
};

test(
  'the evaluation process ends within a second of its parent being SIGKILLed, even while its event loop is held',
  { skip: process.platform !== 'linux' },
  async (t) => {
    const dir = await tempDir('df2-orphan-');
    const pidFile = join(dir, 'child.pid');
    // The child's main thread is held for 30 s once it has its job, as a long synchronous evaluation step holds it:
    // once the first thread it starts (the parent's watcher) runs, as the evaluation waits for it; or 3 s after the job.
    const preload = join(dir, 'hold.mjs');
    await writeFile(
      preload,
      [
        `import { writeFileSync } from 'node:fs';`,
        `let job = false, watched = false, held = false;`,
        `const hold = () => {`,
        `  if (!job || !watched || held) return;`,
        `  held = true;`,
        `  writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
        `  for (const end = Date.now() + 30_000; Date.now() < end; );`,
        `};`,
        `process.once('worker', (worker) => worker.once('online', () => { watched = true; hold(); }));`,
        `process.once('message', () => { job = true; hold(); setTimeout(() => { watched = true; hold(); }, 3000); });`,
      ].join('\n'),
    );
    // The parent forks the evaluation process as the evaluator does, sends the job, and waits.
    const parentScript = join(dir, 'parent.mjs');
    const child = fileURLToPath(new URL('./challenge/eval-child.js', import.meta.url));
    await writeFile(
      parentScript,
      [
        `import { fork } from 'node:child_process';`,
        `const child = fork(${JSON.stringify(child)}, [], { execArgv: ['--import', ${JSON.stringify(pathToFileURL(preload).href)}], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });`,
        `child.send({ task: 'bbox', gtDir: '/nowhere', resultsFile: '/nowhere.json' });`,
        `setInterval(() => {}, 1 << 30);`,
      ].join('\n'),
    );
    const parent = fork(parentScript, [], { stdio: 'ignore' });
    let pid = 0;
    try {
      for (const deadline = Date.now() + 30_000; pid === 0; await new Promise((r) => setTimeout(r, 50))) {
        assert.ok(Date.now() < deadline, 'the evaluation process never took its job');
        pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(await runs(pid), 'the evaluation process runs, its main thread held');
      const killedAt = Date.now();
      parent.kill('SIGKILL');
      while ((await runs(pid)) && Date.now() - killedAt < 10_000) await new Promise((r) => setTimeout(r, 20));
      const after = Date.now() - killedAt;
      t.diagnostic(`the evaluation process ended ${after} ms after its parent was SIGKILLed`);
      assert.ok(after < 1000, `the evaluation process ended ${after} ms after its parent was killed (its main thread was busy)`);
    } finally {
      parent.kill('SIGKILL');
      if (pid !== 0 && (await runs(pid))) process.kill(pid, 'SIGKILL');
    }
  },
);
