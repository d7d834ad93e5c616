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

test('an evaluation process that does not end after its last message is killed; its figures stand', async () => {
  const gtDir = await goldenGtDir();
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
  const server = await startTestServer({ gtDir, childExecArgv: ['--import', pathToFileURL(preload).href] });
  try {
    const token = await addUser(server, 'gus');
    const res = await upload(server, token, { task: 'retrieval', name: 'stuck', file: { name: 'results.json', content: await results() } });
    const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id);
    assert.equal(sub.status, 'done', String(sub.error));
    assert.ok(Math.abs((sub.stats as number[])[0]! - golden.retrieval.top1) < 1e-12);
    const pid = Number(await readFile(pidFile, 'utf8'));
    for (const deadline = Date.now() + CHILD_EXIT_MS + 10_000; isAlive(pid); await new Promise((r) => setTimeout(r, 100))) {
      assert.ok(Date.now() < deadline, `the evaluation process ${pid} still runs ${(CHILD_EXIT_MS + 10_000) / 1000} s after the figures`);
    }
  } finally {
    await server.close();
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
