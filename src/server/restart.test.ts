import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { goldenPath, tempDir } from '../testing/paths.js';
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
