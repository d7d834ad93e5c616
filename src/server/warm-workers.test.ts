/**
 * df2 serve's evaluation processes between submissions, on each backend: a
 * submission past its time limit kills its process and is retried as
 * before, in a new process that reads the ground truth (cold start); the
 * next submission on the same ground truth takes it from that process's
 * memory; every figure the golden one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { goldenPath, tempDir } from '../testing/paths.js';
import { TEST_BACKENDS } from './test-backends.js';
import { addUser, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';

const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
/** Longer than a bbox evaluation of the basic fixture on a loaded machine; what the stuck first attempt waits for. */
const TIME_LIMIT_MS = 20_000;

const assertGolden = (sub: Record<string, unknown>, what: string): void =>
  (sub.stats as number[]).forEach((v, i) => assert.ok(Math.abs(v - golden.bbox!.stats[i]!) <= 1e-9, `${what}: stats[${i}]`));

/**
 * A preload module for the evaluation processes that runs `action` at the
 * first job any of them gets (a marker file in `dir` says it has run). It
 * wraps the process's own 'message' listener: a listener of its own would
 * take the job before that one exists.
 */
async function firstJobPreload(dir: string, name: string, action: string): Promise<string> {
  const preload = join(dir, name);
  await writeFile(
    preload,
    [
      `import { existsSync, writeFileSync } from 'node:fs';`,
      `const marker = ${JSON.stringify(join(dir, 'first-job'))};`,
      `const on = process.on;`,
      `process.on = function (event, listener) {`,
      `  if (event !== 'message') return on.call(this, event, listener);`,
      `  return on.call(this, event, (m) => {`,
      `    if (m.task && !existsSync(marker)) {`,
      `      writeFileSync(marker, String(process.pid));`,
      `      ${action}`,
      `    }`,
      `    listener(m);`,
      `  });`,
      `};`,
    ].join('\n'),
  );
  return preload;
}

for (const backend of TEST_BACKENDS) {
  test(
    `${backend.name}: a timed-out evaluation kills its process, the retry reads the ground truth afresh, the next submission takes it from memory`,
    { skip: backend.skip },
    async () => {
      const database = await backend.create();
      const db = database.db;
      const gtDir = await goldenGtDir({ attributes: false });
      // As a phase's files are: older than the margin within which a changed file might keep its stat.
      const past = new Date(Date.now() - 3600_000);
      await utimes(join(gtDir, 'coco.json'), past, past);
      const dir = await tempDir('df2-warm-serve-');
      // The first job of the first evaluation process hangs (without using the CPU) until the time limit kills it.
      const preload = await firstJobPreload(dir, 'hang-once.mjs', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);');
      const log: string[] = [];
      const server = await startTestServer({
        db,
        gtDir,
        evalTimeoutMs: TIME_LIMIT_MS,
        maxAttempts: 3,
        childExecArgv: ['--import', pathToFileURL(preload).href],
        evaluationLog: (line) => log.push(line),
      });
      try {
        const token = await addUser(server, 'hana');
        const content = await readFile(goldenPath('basic', 'results', 'bbox_results.json'));
        const submit = async (name: string): Promise<number> => {
          const res = await upload(server, token, { task: 'bbox', name, file: { name: 'bbox.json', content } });
          assert.equal(res.status, 202);
          return ((await res.json()) as { id: number }).id;
        };
        const lines = (id: number): string => log.filter((l) => l.startsWith(`submission ${id} `)).join('\n');

        const first = await submit('hangs once');
        const retried = await waitForSubmission(server, token, first, TIME_LIMIT_MS + 60_000);
        assert.equal(retried.status, 'done', String(retried.error));
        assert.equal(retried.attempts, 2);
        assertGolden(retried, 'the retry');
        assert.match(lines(first), /attempt 1: crashed: the evaluation process stopped \(killed by SIGKILL \(time limit or out of memory\)\)/);
        assert.match(lines(first), /attempt 2: evaluated in [\d.]+ s, ground truth read \(1 read by its process\) \(recorded\)/);

        const second = await submit('warm');
        const warm = await waitForSubmission(server, token, second, 60_000);
        assert.equal(warm.status, 'done', String(warm.error));
        assert.equal(warm.attempts, 1);
        assertGolden(warm, 'from memory');
        assert.match(lines(second), /attempt 1: evaluated in [\d.]+ s, ground truth in memory \(recorded\)/);
      } finally {
        await server.close();
        await database.drop();
      }
    },
  );
}

test('an evaluation process past its heap limit dies; the submission is retried in a new process, which reads the ground truth', async (t) => {
  const gtDir = await goldenGtDir({ attributes: false });
  const past = new Date(Date.now() - 3600_000);
  await utimes(join(gtDir, 'coco.json'), past, past);
  // The first job of the first evaluation process fills its heap.
  const dir = await tempDir('df2-warm-heap-');
  const preload = await firstJobPreload(dir, 'fill-heap-once.mjs', 'const hog = []; for (;;) hog.push(new Array(1 << 20).fill(1.5));');
  const log: string[] = [];
  const server = await startTestServer({
    gtDir,
    childHeapMb: 256,
    childExecArgv: ['--import', pathToFileURL(preload).href],
    evaluationLog: (line) => log.push(line),
  });
  try {
    const token = await addUser(server, 'ines');
    const content = await readFile(goldenPath('basic', 'results', 'bbox_results.json'));
    const submit = async (name: string): Promise<number> => {
      const res = await upload(server, token, { task: 'bbox', name, file: { name: 'bbox.json', content } });
      return ((await res.json()) as { id: number }).id;
    };
    const lines = (id: number): string => log.filter((l) => l.startsWith(`submission ${id} `)).join('\n');
    const first = await submit('fills the heap once');
    const retried = await waitForSubmission(server, token, first, 90_000);
    assert.equal(retried.status, 'done', String(retried.error));
    assert.equal(retried.attempts, 2);
    assertGolden(retried, 'the retry');
    t.diagnostic(log.find((l) => l.startsWith(`submission ${first} attempt 1:`) && l.includes('crashed')) ?? 'no crash logged');
    assert.match(lines(first), /attempt 1: crashed: the evaluation process stopped \((killed by SIG\w+|exit code \d+)/);
    assert.match(lines(first), /attempt 2: evaluated in [\d.]+ s, ground truth read \(1 read by its process\) \(recorded\)/);
    const second = await submit('warm');
    const warm = await waitForSubmission(server, token, second, 60_000);
    assert.equal(warm.status, 'done', String(warm.error));
    assertGolden(warm, 'from memory');
    assert.match(lines(second), /attempt 1: evaluated in [\d.]+ s, ground truth in memory \(recorded\)/);
  } finally {
    await server.close();
  }
});
